"""``python -m bot rotate-key`` (issue 15, point 10): every ciphertext and keyed hash is
made again under the new key in batches; an interrupted run refuses the bot's start and
is continued by the next run; afterwards the old key is refused."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from bot.cli import main
from bot.clock import FakeClock
from bot.domain.roles import Role
from bot.domain.tokens import new_token
from bot.settings import ConfigError, load_settings
from bot.startup import prepare_database
from storage import invitations, rotation
from storage import keluarga as keluarga_store
from storage import users as users_store
from storage.crypto import PLACES, IdentityCipher, decode_key, new_key
from storage.db import Database
from storage.drafts import Drafts
from tests.harness import ADMIN_ID, START
from tests.privacy.test_identity_at_rest import write_config

SUKAWANA = "36.73.04.1007"
NIKS = ["3673045203900001", "3673046505000002", "3673041506240003"]


async def a_database_with_everything(config: Path) -> None:
    """Families with No. KK, sasaran with NIK and phone, a member's phone, a draft."""
    settings = load_settings(config, require_token=False)
    clock = FakeClock(START)
    db = await prepare_database(settings, clock)
    cipher = IdentityCipher(decode_key(settings.privacy.key))
    now = clock.now()
    try:
        await users_store.ensure_admin(db, ADMIN_ID, "Admin", "36.73", now)
        token = new_token()
        await invitations.create(db, token=token, role=Role.TPK, region_code=SUKAWANA, created_by=ADMIN_ID, now=now,
                                 valid_for=timedelta(days=1))
        await invitations.claim_membership(db, token=token, user_id=3001, full_name="Siti", phone="+6281200000001",
                                           team_position=None, now=now, cipher=cipher)
        async with db.transaction() as tx:
            for number, nik in enumerate(NIKS):
                family = await keluarga_store.create_keluarga(
                    tx, cipher, keluarga_store.NewKeluarga(region_code=SUKAWANA, head_name=f"Kepala {number}",
                                                           water_source="ledeng", latrine="septik",
                                                           no_kk=f"36730401012000{number:02d}"),
                    reporter_id=3001, draft_key=None, now=now)
                await keluarga_store.add_sasaran(
                    tx, cipher, family, keluarga_store.NewSasaran(
                        category="ibu_hamil", name=f"Ibu {number}", nik=nik, sex="P", birth_date=date(1990, 3, 12),
                        phone=f"+62812000001{number:02d}"),
                    reporter_id=3001, now=now)
        await Drafts(db, cipher).save(user_id=3001, form="lapor", key="draft-1", state={"nik": NIKS[0]}, now=now)
    finally:
        await db.close()


Row = tuple[object, str, str | None]


async def sealed_values(db: Database) -> dict[str, list[Row]]:
    """Every ciphertext (with its row and keyed hash) of every place."""
    found = {}
    for place in PLACES:
        hashed = place.hash_column or "NULL"
        rows = await db.fetch_all(f"SELECT {place.row_key}, {place.column}, {hashed} FROM {place.table} "
                                  f"WHERE {place.column} IS NOT NULL")
        found[f"{place.table}.{place.column}"] = [tuple(r) for r in rows]
    return found


async def interrupted_rotation(database: Path, old: IdentityCipher, new: IdentityCipher) -> dict[str, list[Row]]:
    """Three batches of two, then stop as a kill would; returns what was stored before."""
    db = await Database.open(database)
    try:
        before = await sealed_values(db)
        assert sum(len(v) for v in before.values()) == 3 + 3 + 3 + 1 + 1
        interrupted = await rotation.rotate(db, old, new, batch=2, max_batches=3)
        assert not interrupted.finished and 0 < interrupted.total < 11
        assert await rotation.unfinished(db)
        return before
    finally:
        await db.close()


async def rotated(database: Path) -> dict[str, list[Row]]:
    db = await Database.open(database)
    try:
        assert not await rotation.unfinished(db)
        return await sealed_values(db)
    finally:
        await db.close()


def test_rotation_interrupted_refuses_start_resumes_and_then_refuses_the_old_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    old_key, new_key_text = new_key(), new_key()
    config = write_config(tmp_path, old_key, token=False)
    asyncio.run(a_database_with_everything(config))
    old, new = IdentityCipher(decode_key(old_key)), IdentityCipher(decode_key(new_key_text))
    database = tmp_path / "tpk.sqlite3"
    before = asyncio.run(interrupted_rotation(database, old, new))
    with pytest.raises(ConfigError, match="rotasi kunci"):
        asyncio.run(prepare_database(load_settings(config, require_token=False), FakeClock(START)))
    assert main(["migrate", "--config", str(config)]) == 2
    assert "belum selesai" in capsys.readouterr().err
    assert main(["rotate-key", "--config", str(config), f"--new-key={old_key}"]) == 2  # the same key again
    assert main(["rotate-key", "--config", str(config), f"--new-key={new_key()}"]) == 2  # another new key
    capsys.readouterr()

    monkeypatch.setenv("TPK_NEW_PRIVACY_KEY", new_key_text)
    assert main(["rotate-key", "--config", str(config)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "rotasi kunci selesai (dilanjutkan)" in out[0], out
    assert "ganti [privacy] key" in out[0]

    after = asyncio.run(rotated(database))
    for place in PLACES:
        name = f"{place.table}.{place.column}"
        assert len(after[name]) == len(before[name])
        for (row, sealed, hashed), (_, old_sealed, old_hashed) in zip(after[name], before[name], strict=True):
            plain = new.decrypt(sealed, place, row)
            assert plain == old.decrypt(old_sealed, place, row)
            if place.hash_column:
                assert hashed == new.lookup_hash(plain) != old_hashed
            with pytest.raises(InvalidTag):
                old.decrypt(sealed, place, row)

    # The old key is refused at start; the new one starts.
    assert main(["migrate", "--config", str(config)]) == 2
    assert "tidak cocok" in capsys.readouterr().err
    assert main(["rotate-key", "--config", str(config)]) == 2  # a second run: nothing to do, said plainly
    assert "sudah memakai kunci baru" in capsys.readouterr().err
    write_config(tmp_path, new_key_text, token=False)
    assert main(["migrate", "--config", str(config)]) == 0


async def copy_a_nik_to_another_row(database: Path) -> None:
    db = await Database.open(database)
    try:
        first, second = [r[0] for r in await db.fetch_all("SELECT id FROM sasaran ORDER BY id LIMIT 2")]
        await db.write("UPDATE sasaran SET nik_enc = (SELECT nik_enc FROM sasaran WHERE id = ?) WHERE id = ?",
                       (first, second))
    finally:
        await db.close()


def test_a_value_that_does_not_read_stops_the_rotation_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    config = write_config(tmp_path, new_key(), token=False)
    asyncio.run(a_database_with_everything(config))
    asyncio.run(copy_a_nik_to_another_row(tmp_path / "tpk.sqlite3"))
    capsys.readouterr()
    assert main(["rotate-key", "--config", str(config), f"--new-key={new_key()}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sasaran.nik_enc baris" in err[0] and "tidak bisa dibaca" in err[0], err
