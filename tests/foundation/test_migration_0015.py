"""Migration 0015 widens the role CHECK of ``users`` and ``invitations`` (they accept 'pakar') in
place: every row, every reference, and every column, index and trigger another migration gave
those tables survives, and the constraints still hold afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, bundled_migrations

NOW = "2026-11-23T02:00:00Z"


async def test_users_and_invitations_keep_everything_and_accept_pakar(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await db.migrate([m for m in bundled_migrations() if m.version < 15])
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO regions (code, name, level, parent_code) VALUES ('36.73', 'Kota Serang', 2, "
                             "'36'), ('36.73.04.1007', 'Sukawana', 4, '36.73.04')")
            await tx.execute("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                             "(1, 'Admin', 'admin', '36.73', ?, ?)", (NOW, NOW))
            await tx.execute("INSERT INTO users (id, full_name, role, region_code, team_position, invited_by, "
                             "created_at, updated_at) VALUES (2, 'Siti', 'tpk', '36.73.04.1007', 'bidan', 1, ?, ?)",
                             (NOW, NOW))
            await tx.execute("INSERT INTO invitations (id, token_hash, role, region_code, created_by, created_at, "
                             "expires_at, used_by, used_at) VALUES (7, 'h', 'tpk', '36.73.04.1007', 1, ?, ?, 2, ?)",
                             (NOW, NOW, NOW))
            await tx.execute("INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) "
                             "VALUES (2, 'keluarga', 'k1', '{}', ?, ?)", (NOW, NOW))
        with pytest.raises(sqlite3.IntegrityError):
            await db.write("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                           "(3, 'Pakar', 'pakar', '36.73', ?, ?)", (NOW, NOW))

        # What the migrations before it gave these tables (0008 sealed the phones with columns, an
        # index and triggers; 0009 added invitation columns) must all survive the widening.
        kept = "SELECT type, name FROM sqlite_master WHERE tbl_name IN ('users', 'invitations') AND type != 'table'"
        before = set(map(tuple, await db.fetch_all(kept)))
        columns = "SELECT name FROM pragma_table_info(?)"
        before_columns = {t: {r[0] for r in await db.fetch_all(columns, (t,))} for t in ("users", "invitations")}
        assert 15 in await db.migrate([m for m in bundled_migrations() if m.version == 15])
        assert set(map(tuple, await db.fetch_all(kept))) == before and len(before) >= 2
        after_columns = {t: {r[0] for r in await db.fetch_all(columns, (t,))} for t in ("users", "invitations")}
        assert all(before_columns[t] <= after_columns[t] for t in before_columns)

        users = await db.fetch_all("SELECT id, full_name, role, team_position, invited_by FROM users ORDER BY id")
        with pytest.raises(sqlite3.IntegrityError):  # 0008's trigger: no plain phone number is stored
            await db.write("INSERT INTO users (id, full_name, phone, role, region_code, created_at, updated_at) "
                           "VALUES (5, 'P', '0812', 'pakar', '36.73', ?, ?)", (NOW, NOW))
        assert [tuple(r) for r in users] == [(1, "Admin", "admin", None, None), (2, "Siti", "tpk", "bidan", 1)]
        invitation = await db.fetch_one("SELECT role, used_by, audit_round_id FROM invitations WHERE id = 7")
        assert tuple(invitation) == ("tpk", 2, None)  # type: ignore[arg-type]
        assert await db.fetch_all("PRAGMA foreign_key_check") == []
        await db.write("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                       "(3, 'Pakar', 'pakar', '36.73', ?, ?)", (NOW, NOW))
        with pytest.raises(sqlite3.IntegrityError):  # the CHECK and the foreign keys are still there
            await db.write("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                           "(4, 'X', 'raja', '36.73', ?, ?)", (NOW, NOW))
        with pytest.raises(sqlite3.IntegrityError):
            await db.write("INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) "
                           "VALUES (99, 'keluarga', 'k2', '{}', ?, ?)", (NOW, NOW))
        assert await db.fetch_value("SELECT count(*) FROM sqlite_master WHERE name = 'users_region_role'") == 1
        assert await db.fetch_value("PRAGMA integrity_check") == "ok"
        await db.write("INSERT INTO invitations (token_hash, role, region_code, created_by, created_at, expires_at, "
                       "audit_round_id, speciality) VALUES ('h2', 'pakar', '36.73', 1, ?, ?, 1, 'Ahli gizi')",
                       (NOW, NOW))
    finally:
        await db.close()
    reopened = await Database.open(tmp_path / "t.sqlite3")  # a fresh connection reads the widened CHECK too
    try:
        await reopened.write("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES "
                             "(6, 'Pakar Dua', 'pakar', '36.73', ?, ?)", (NOW, NOW))
    finally:
        await db.close()
