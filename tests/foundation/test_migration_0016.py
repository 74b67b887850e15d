"""Migration 0016 (iron tablets): a mother linked before it keeps her link and her consent log,
follows the configured default (``ttd_mode`` NULL), and her choice of daily or weekly can be
logged; the widened CHECK still refuses anything else; answers are stored once per reminder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, bundled_migrations

NOW = "2026-11-23T02:00:00Z"


async def _seed(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO regions (code, name, level, parent_code) VALUES ('36.73', 'Kota Serang', 2, "
                         "'36'), ('36.73.04.1007', 'Sukawana', 4, '36.73.04')")
        await tx.execute("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                         "(1, 'Admin', 'admin', '36.73', ?, ?), (2, 'Siti', 'tpk', '36.73.04.1007', ?, ?), "
                         "(5, 'Sari', 'ibu', '36.73.04.1007', ?, ?)", (NOW,) * 6)
        await tx.execute("INSERT INTO keluarga (id, region_code, head_name, water_source, latrine, reporter_id, "
                         "created_at, updated_at) VALUES (1, '36.73.04.1007', 'Budi', 'ledeng', 'septik', 2, ?, ?)",
                         (NOW, NOW))
        await tx.execute("INSERT INTO sasaran (id, keluarga_id, region_code, category, name, reporter_id, created_at, "
                         "updated_at) VALUES (1, 1, '36.73.04.1007', 'ibu_hamil', 'Sari', 2, ?, ?)", (NOW, NOW))
        await tx.execute("INSERT INTO ibu_consent (id, sasaran_id, telegram_id, decision, text_version, at) VALUES "
                         "(1, 1, 5, 'setuju', 'v2', ?), (2, 1, 5, 'ttd_mati', 'v2', ?)", (NOW, NOW))
        await tx.execute("INSERT INTO ibu (user_id, sasaran_id, state, ttd_enabled, consent_id, next_plan_at, "
                         "created_at, updated_at) VALUES (5, 1, 'aktif', 0, 1, ?, ?, ?)", (NOW, NOW, NOW))


async def test_linked_mothers_keep_everything_and_may_choose_daily_or_weekly(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await db.migrate([m for m in bundled_migrations() if m.version < 16])
        await _seed(db)
        with pytest.raises(sqlite3.IntegrityError):
            await db.write("INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) "
                           "VALUES (1, 5, 'ttd_harian', 'v2', ?)", (NOW,))
        kept = "SELECT type, name FROM sqlite_master WHERE tbl_name IN ('ibu', 'ibu_consent') AND type != 'table'"
        before = set(map(tuple, await db.fetch_all(kept)))
        assert 16 in await db.migrate()
        assert before <= set(map(tuple, await db.fetch_all(kept))) and before
        link = await db.fetch_one("SELECT state, ttd_enabled, ttd_mode FROM ibu WHERE user_id = 5")
        assert tuple(link) == ("aktif", 0, None)  # type: ignore[arg-type]
        decisions = [r[0] for r in await db.fetch_all("SELECT decision FROM ibu_consent ORDER BY id")]
        assert decisions == ["setuju", "ttd_mati"]
        for decision in ("ttd_harian", "ttd_mingguan"):
            await db.write("INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) "
                           "VALUES (1, 5, ?, 'v2', ?)", (decision, NOW))
        with pytest.raises(sqlite3.IntegrityError):
            await db.write("INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) "
                           "VALUES (1, 5, 'ttd_kadang', 'v2', ?)", (NOW,))
        with pytest.raises(sqlite3.IntegrityError):
            await db.write("UPDATE ibu SET ttd_mode = 'kadang' WHERE user_id = 5")
        await db.write("UPDATE ibu SET ttd_mode = 'harian' WHERE user_id = 5")

        await db.write("INSERT INTO reminders (id, sasaran_id, kind, due_date, window_end, text_key, send_after, "
                       "state, created_at, updated_at) VALUES (9, 1, 'ttd_minggu', '2026-11-29', '2026-11-29', "
                       "'ttd_minggu', ?, 'sent', ?, ?)", (NOW, NOW, NOW))
        answer = ("INSERT INTO ttd_laporan (sasaran_id, reminder_id, span_start, span_days, tablets, reported_at) "
                  "VALUES (1, 9, '2026-11-23', 7, ?, ?)")
        await db.write(answer, (7, NOW))
        with pytest.raises(sqlite3.IntegrityError):  # one answer per reminder
            await db.write(answer, (3, NOW))
        with pytest.raises(sqlite3.IntegrityError):  # at most one tablet a day
            await db.write("INSERT INTO ttd_laporan (sasaran_id, reminder_id, span_start, span_days, tablets, "
                           "reported_at) VALUES (1, 9, '2026-11-24', 1, 2, ?)", (NOW,))
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        assert await db.fetch_value("PRAGMA integrity_check") == "ok"
    finally:
        await db.close()
    reopened = await Database.open(tmp_path / "t.sqlite3")  # a fresh connection reads the widened CHECK too
    try:
        await reopened.write("INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) "
                             "VALUES (1, 5, 'ttd_mingguan', 'v2', ?)", (NOW,))
    finally:
        await reopened.close()
