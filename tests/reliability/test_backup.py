"""``python -m bot backup PATH``: a consistent copy while the bot runs and members write;
restored into a fresh bot, every record is there and the NIKs still decrypt."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.settings import ConfigError
from bot.startup import prepare
from storage import keluarga as keluarga_store
from storage.crypto import new_key
from storage.drafts import Drafts
from tests.harness import ADMIN_ID, TOKEN, BotUnderTest, Form, add_member, bot_under_test
from tests.reliability.botproc import cli, config_for
from tests.reliability.driver import SUKAWANA, Reporter, plan_reports

#: Rows that make up the records, by their identity column.
RECORDS = {"users": "id", "keluarga": "id", "sasaran": "id", "kunjungan": "id", "drafts": "draft_key",
           "invitations": "id", "audit_log": "id"}


async def _rows(bot: BotUnderTest) -> dict[str, set[object]]:
    return {table: {row[0] for row in await bot.db.fetch_all(f"SELECT {key} FROM {table}")}
            for table, key in RECORDS.items()}


async def _watch(bot: BotUnderTest, seen: dict[str, set[object]]) -> None:
    """Until cancelled, add every row that exists to ``seen`` (a form step lasts far longer
    than one pass, so no draft escapes it)."""
    while True:
        for table, rows in (await _rows(bot)).items():
            seen[table] |= rows
        await asyncio.sleep(0.005)


def _rows_in(path: Path) -> dict[str, set[object]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: {row[0] for row in conn.execute(f"SELECT {key} FROM {table}")}
                for table, key in RECORDS.items()}
    finally:
        conn.close()


@pytest.mark.slow
async def test_a_backup_taken_while_members_report_restores_every_record(tmp_path: Path, clock: FakeClock) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    live.mkdir()
    restored.mkdir()
    copies = tmp_path / "cadangan"
    copies.mkdir()
    async with bot_under_test(live, clock) as bot:
        key = bot.settings.privacy.key
        config = config_for(live, bot.emu, token=TOKEN, key=key, admins=[ADMIN_ID])
        # A member half-way through a form: the draft (sealed with the key) is a record too.
        halfway = Form(await add_member(bot, 3100, "Rina", "tpk", SUKAWANA, "bidan"))
        await halfway.start("/lapor")
        await halfway.type("17")
        await halfway.type("52")
        # Three others report families with their catin, and keep going during the backup.
        users = [await add_member(bot, 3001 + i, f"Anggota {i}", "tpk", SUKAWANA, "kader_pkk") for i in range(3)]
        reporters = [Reporter(bot.emu, u, plan_reports(i, 3, with_catin=True), settle=0.1) for i, u in enumerate(users)]
        reporting = asyncio.gather(*(r.run() for r in reporters))
        while await bot.db.fetch_value("SELECT count(*) FROM sasaran") < 2:
            await asyncio.sleep(0.05)
        wal = Path(f"{bot.settings.storage.target.path}-wal")
        assert wal.exists() and wal.stat().st_size > 0, "committed rows still in the WAL, not yet in the main file"
        before = await _rows(bot)
        # Drafts come and go while the backup runs (a draft is deleted when its form is sent):
        # every one that existed during it is a row the copy may rightly hold.
        seen: dict[str, set[object]] = {table: set() for table in RECORDS}
        watching = asyncio.create_task(_watch(bot, seen))
        status, out, err = await cli("backup", str(copies), "--config", str(config))
        watching.cancel()
        after = await _rows(bot)
        async with asyncio.timeout(120):
            await reporting
        assert status == 0, err
        assert len(out.strip().splitlines()) == 1 and out.startswith("cadangan "), out
        copy = next(copies.glob("tpk-*.sqlite3"))
        assert str(copy) in out and "integritas baik" in out and "versi skema" in out
        assert copy.stat().st_mode & 0o077 == 0, "personal data: readable by the owner only"
        assert not list(copies.glob(".*partial")), "no half-written file left behind"
        written_during = sum(len(after[t] - before[t]) for t in RECORDS)
        print(f"\nFIGURES backup: {sum(len(v) for v in before.values())} rows before, "
              f"{written_during} written while it ran")

    in_copy = _rows_in(copy)
    for table in RECORDS:
        kept = before[table] & after[table]  # (a draft is deleted when its form is sent)
        assert kept <= in_copy[table], f"{table}: rows committed before the backup are missing"
        assert in_copy[table] <= after[table] | before[table] | seen[table], f"{table}: rows from nowhere"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], "a snapshot: no child without its parent"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "one self-contained file"
    finally:
        conn.close()

    # Restore, as the README says: the file becomes storage.path, the same key, start.
    shutil.copyfile(copy, restored / "tpk.sqlite3")
    async with bot_under_test(restored, clock, privacy={"key": key}) as fresh:
        assert await _rows(fresh) == in_copy
        sasaran = await fresh.db.fetch_all("SELECT id, name FROM sasaran")
        niks = {row["name"]: (await keluarga_store.identity_for_edit(fresh.db, fresh.services.cipher, SUKAWANA,
                                                                      row["id"]) or {}).get("nik") for row in sasaran}
        planned = {r.catin[0]: r.catin[1] for rep in reporters for r in rep.reports if r.catin}
        assert niks and all(niks[name] == planned[name] for name in niks), "every NIK decrypts with the same key"
        draft = await Drafts(fresh.db, fresh.services.cipher).get(3100, "keluarga")
        assert draft is not None and draft.state["answers"]["rt"] == 17 and draft.state["answers"]["rw"] == 52
        # ... and Rina carries on where she was.
        rina = Form(fresh.user(3100, "Rina"))
        resumed = await rina.start("/lanjut")
        assert "Alamat rumah" in resumed.plain_text, resumed.plain_text

    # With another key the restored copy is refused at start, never read as garbage.
    wrong = fresh.settings.model_copy(update={"privacy": fresh.settings.privacy.model_copy(update={"key": new_key()})})
    with pytest.raises(ConfigError, match=r"privacy\.key"):
        await prepare(wrong, clock)


@pytest.mark.slow
async def test_backup_refuses_what_would_not_be_a_backup(tmp_path: Path) -> None:
    from bot.dev.emulator import BotApiEmulator

    emu = BotApiEmulator(token=TOKEN)
    await emu.start()
    try:
        config = config_for(tmp_path, emu, token=TOKEN, key=new_key(), admins=[ADMIN_ID])
        status, _, err = await cli("backup", str(tmp_path / "x.sqlite3"), "--config", str(config))
        assert status == 1 and "tidak ditemukan" in err, err  # no database yet
        status, out, err = await cli("migrate", "--config", str(config))
        assert status == 0, err
        status, _, err = await cli("backup", str(tmp_path / "tpk.sqlite3"), "--config", str(config))
        assert status == 1 and "sedang dipakai" in err, err
        status, _, err = await cli("backup", str(tmp_path / "nowhere" / "x.sqlite3"), "--config", str(config))
        assert status == 1 and "tidak ada" in err, err
        status, out, err = await cli("backup", str(tmp_path / "cadangan.sqlite3"), "--config", str(config))
        assert status == 0 and "cadangan" in out and (tmp_path / "cadangan.sqlite3").exists(), err
    finally:
        await emu.stop()
