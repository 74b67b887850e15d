"""Phones sealed like NIKs, ciphertexts bound to their row, and older databases brought
up to that at start (issue 15, points 7 and 10)."""

from __future__ import annotations

import base64
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from bot.clock import FakeClock
from bot.settings import Settings, check_settings
from bot.startup import prepare_database
from storage import keluarga as keluarga_store
from storage import regions as regions_store
from storage.crypto import (
    BOUND,
    DRAFT_STATE,
    KELUARGA_KK,
    SASARAN_NIK,
    SASARAN_PHONE,
    USER_PHONE,
    IdentityCipher,
    decode_key,
    new_key,
)
from storage.db import Database, bundled_migrations
from storage.drafts import Drafts
from tests.e2e.test_invitations import invite, join
from tests.e2e.test_lapor import SUKAWANA, ibu_nifas_up_to_the_delivery, new_family
from tests.harness import ADMIN_ID, START, BotUnderTest, Form, add_member
from tests.privacy.files import readable_bytes

PHONE = "081234567890"
MEMBER_PHONE = "6281234567890"  # what the emulator's contact button shares


def phone_forms(number: str) -> list[bytes]:
    """A phone number in the ways it could be stored: as typed, +62, 62, without the 0."""
    digits = number.lstrip("+")
    national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    return [form.encode() for form in (f"0{national}", f"+62{national}", f"62{national}", national)]


async def test_no_phone_number_in_the_database_files_after_joining_and_lapor(bot: BotUnderTest) -> None:
    admin = bot.user(ADMIN_ID, "Admin")
    await admin.send("/start")
    await admin.next_message()
    token = await invite(admin, "Anggota TPK", ["Curug"], "Sukawana")
    person = bot.user(3001, "Siti")
    await join(person, token, position="Bidan")
    siti = Form(person)
    await new_family(bot, siti)
    await ibu_nifas_up_to_the_delivery(siti, PHONE)
    await siti.type("10 November 2026")
    await siti.tap("Fasilitas kesehatan")
    await siti.tap("Bidan")
    await siti.tap("Selesai ✔️")
    await siti.tap("Ya")
    await siti.tap("IUD / spiral")
    await siti.tap("✅ Kirim")

    cipher = bot.services.cipher
    member = await bot.db.fetch_one("SELECT phone, phone_enc, phone_hash FROM users WHERE id = 3001")
    assert member["phone"] is None and cipher.decrypt(member["phone_enc"], USER_PHONE, 3001) == "+" + MEMBER_PHONE
    assert member["phone_hash"] == cipher.lookup_hash("+" + MEMBER_PHONE)
    row = await bot.db.fetch_one("SELECT id, phone, phone_enc FROM sasaran")
    assert row["phone"] is None and cipher.decrypt(row["phone_enc"], SASARAN_PHONE, row["id"]) == "+6281234567890"
    for moment in ("running", "stopped"):
        if moment == "stopped":
            await bot.stop()
        raw = readable_bytes(bot)
        assert b"Rina" in raw, "the scan must see the database's text"
        for number in (PHONE, MEMBER_PHONE):
            for form in phone_forms(number):
                assert form not in raw, f"{form!r} in plain text in the database files ({moment})"


async def test_a_ciphertext_moved_to_another_row_or_column_is_refused(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    now = bot.clock.now()
    cipher = bot.services.cipher
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, cipher, keluarga_store.NewKeluarga(region_code=SUKAWANA, head_name="Ahmad", water_source="ledeng",
                                                   latrine="septik", no_kk="3673040101200002"),
            reporter_id=3001, draft_key=None, now=now)
        first = await keluarga_store.add_sasaran(
            tx, cipher, family, keluarga_store.NewSasaran(category="ibu_hamil", name="Rina", nik="3673045203900001",
                                                         sex="P", birth_date=date(1990, 3, 12), phone=PHONE),
            reporter_id=3001, now=now)
        second = await keluarga_store.add_sasaran(
            tx, cipher, family, keluarga_store.NewSasaran(category="catin", name="Dewi", nik="3673046505000002",
                                                         sex="P", birth_date=date(2000, 5, 25)),
            reporter_id=3001, now=now)
    stored = await bot.db.fetch_one("SELECT nik_enc, phone_enc FROM sasaran WHERE id = ?", (first,))
    assert stored["nik_enc"].startswith(BOUND)
    assert cipher.decrypt(stored["nik_enc"], SASARAN_NIK, first) == "3673045203900001"
    # Copied into another row, or read as another column of the same row: refused.
    for place, row in ((SASARAN_NIK, second), (SASARAN_PHONE, first), (KELUARGA_KK, family)):
        with pytest.raises(InvalidTag):
            cipher.decrypt(stored["nik_enc"], place, row)
    # And through the bot's own reads: Dewi's NIK replaced with Rina's does not read as Rina's.
    await bot.db.write("UPDATE sasaran SET nik_enc = ? WHERE id = ?", (stored["nik_enc"], second))
    with pytest.raises(InvalidTag):
        await keluarga_store.identity_for_edit(bot.db, cipher, SUKAWANA, second)
    # A draft's sealed state belongs to its own draft key.
    drafts = Drafts(bot.db, cipher)
    await drafts.save(user_id=3001, form="lapor", key="d-1", state={"nik": "3673045203900001"}, now=now)
    await drafts.save(user_id=3001, form="kunjungan", key="d-2", state={"x": 1}, now=now)
    sealed = await bot.db.fetch_value("SELECT state_json FROM drafts WHERE draft_key = 'd-1'")
    await bot.db.write("UPDATE drafts SET state_json = ? WHERE draft_key = 'd-2'", (sealed,))
    with pytest.raises(InvalidTag):
        await drafts.by_key("d-2")
    assert (await drafts.by_key("d-1")).state == {"nik": "3673045203900001"}  # type: ignore[union-attr]
    assert siti.user.id == 3001


# -- an older database ------------------------------------------------------------------------


def settings_for(tmp_path: Path, key: str) -> Settings:
    settings = Settings(storage={"path": str(tmp_path / "tpk.sqlite3")}, wilayah={"root": "36.73"},
                        privacy={"key": key}, access={"admins": [ADMIN_ID]})
    check_settings(settings, "test", require_token=False)
    return settings


def unbound(cipher: IdentityCipher, plain: str) -> str:
    """A ciphertext in the first format: no version, no associated data."""
    nonce = os.urandom(12)
    return base64.b64encode(nonce + cipher._aead.encrypt(nonce, plain.encode(), None)).decode()


async def test_an_older_database_is_sealed_and_re_masked_at_start_once(tmp_path: Path) -> None:
    key = new_key()
    settings = settings_for(tmp_path, key)
    cipher = IdentityCipher(decode_key(key))
    db = await Database.open(settings.storage.path)
    await db.migrate([m for m in bundled_migrations() if m.version <= 6])
    await regions_store.load_root(db, settings.wilayah.csv, "36.73")
    stamp = "2026-11-01T00:00:00Z"
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('identity_key_check', ?)", (cipher.check_value,))
        await tx.execute("INSERT INTO users (id, full_name, phone, role, region_code, created_at, updated_at) "
                         "VALUES (3001, 'Siti', '+6281234567890', 'tpk', ?, ?, ?)", (SUKAWANA, stamp, stamp))
        await tx.execute(
            "INSERT INTO keluarga (id, region_code, head_name, no_kk_enc, no_kk_hash, no_kk_masked, water_source, "
            "latrine, reporter_id, created_at, updated_at) VALUES (1, ?, 'Ahmad', ?, ?, '3673********0002', "
            "'ledeng', 'septik', 3001, ?, ?)",
            (SUKAWANA, unbound(cipher, "3673040101200002"), cipher.lookup_hash("3673040101200002"), stamp, stamp))
        await tx.execute(
            "INSERT INTO sasaran (id, keluarga_id, region_code, category, name, nik_enc, nik_hash, nik_masked, sex, "
            "birth_date, phone, reporter_id, created_at, updated_at) VALUES (7, 1, ?, 'ibu_hamil', 'Rina', ?, ?, "
            "'3673********0001', 'P', '1990-03-12', '081298765432', 3001, ?, ?)",
            (SUKAWANA, unbound(cipher, "3673045203900001"), cipher.lookup_hash("3673045203900001"), stamp, stamp))
        await tx.execute("INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) "
                         "VALUES (3001, 'lapor', 'k1', ?, ?, ?)", (unbound(cipher, '{"a": 1}'), stamp, stamp))
        await tx.execute("INSERT INTO audit_log (at, action, entity, entity_id, before_json, after_json) VALUES "
                         "(?, 'update', 'sasaran', '7', '{\"nik_masked\": \"3673********0001\"}', "
                         "'{\"name\": \"Rina\", \"nik_masked\": \"3673********0001\"}')", (stamp,))
    await db.close()

    clock = FakeClock(START)
    db = await prepare_database(settings, clock)
    try:
        user = await db.fetch_one("SELECT phone, phone_enc FROM users WHERE id = 3001")
        assert user["phone"] is None and cipher.decrypt(user["phone_enc"], USER_PHONE, 3001) == "+6281234567890"
        row = await db.fetch_one("SELECT phone, phone_enc, phone_hash, nik_enc, nik_masked FROM sasaran")
        assert row["phone"] is None and cipher.decrypt(row["phone_enc"], SASARAN_PHONE, 7) == "081298765432"
        assert row["phone_hash"] == cipher.lookup_hash("081298765432")
        assert row["nik_enc"].startswith(BOUND) and cipher.decrypt(row["nik_enc"], SASARAN_NIK, 7) == "3673045203900001"
        assert row["nik_masked"] == "3673************"
        family = await db.fetch_one("SELECT no_kk_enc, no_kk_masked FROM keluarga")
        assert cipher.decrypt(family["no_kk_enc"], KELUARGA_KK, 1) == "3673040101200002"
        assert family["no_kk_masked"] == "3673************"
        state = await db.fetch_value("SELECT state_json FROM drafts")
        assert cipher.decrypt(state, DRAFT_STATE, "k1") == '{"a": 1}'
        audit = await db.fetch_one("SELECT before_json, after_json FROM audit_log")
        assert "0001" not in audit["before_json"] + audit["after_json"] and "Rina" in audit["after_json"]
        with pytest.raises(sqlite3.IntegrityError, match="encrypted"):
            await db.write("UPDATE users SET phone = '+6280000000000' WHERE id = 3001")
        sealed_before = [tuple(r) for r in await db.fetch_all("SELECT phone_enc, nik_enc FROM sasaran")]
    finally:
        await db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("tpk.sqlite3*"))
    for plain in (b"6281234567890", b"81298765432", b"3673********0001"):
        assert plain not in raw, plain
    # A second start changes nothing.
    db = await prepare_database(settings, clock)
    try:
        assert [tuple(r) for r in await db.fetch_all("SELECT phone_enc, nik_enc FROM sasaran")] == sealed_before
    finally:
        await db.close()
