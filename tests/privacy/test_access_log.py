"""The access log (issue 15 §8, as DHIS2 keeps): every read of by-name data is logged, and a
coordinator in scope lists who opened a person's record and when with /akses; refused
attempts (scope, role, forged button) are logged with ids and counted."""

from __future__ import annotations

from datetime import date, timedelta

from bot.dev.emulator import SimUser
from storage import keluarga as keluarga_store
from storage.keluarga import NewKeluarga, NewSasaran
from tests.harness import BotUnderTest, add_member, press_forged
from tests.privacy.test_export import cli, config_of

SUKAWANA = "36.73.04.1007"
NIK = "3673045203900001"


async def rina_in_sukawana(bot: BotUnderTest) -> int:
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=SUKAWANA, head_name="Ahmad Yani", water_source="ledeng",
                                                 latrine="septik"),
            reporter_id=3001, draft_key=None, now=now)
        return await keluarga_store.add_sasaran(
            tx, bot.services.cipher, family,
            NewSasaran(category="ibu_hamil", name="Rina Marlina", nik=NIK, sex="P", birth_date=date(1990, 3, 12),
                       hpht=date(2026, 7, 10)),
            reporter_id=3001, now=now)


async def open_card(user: SimUser) -> None:
    await user.send("/keluarga")
    listing = await user.next_message()
    await user.press(next(label for label in listing.button_labels() if "Ahmad Yani" in label))
    card = await user.next_edit()
    assert "Rina Marlina" in card.plain_text


async def test_who_opened_her_record_and_when(bot: BotUnderTest) -> None:
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    rina = await rina_in_sukawana(bot)
    curug = await add_member(bot, 2001, "Koor Curug", "koordinator", "36.73.04")
    await open_card(siti)
    bot.clock.advance(timedelta(hours=2))
    await open_card(curug)
    await curug.send("/persetujuan Rina")
    assert "Persetujuan" in (await curug.next_message()).plain_text

    await curug.send(f"/akses {NIK}")
    shown = (await curug.next_message()).plain_text
    assert "Akses ke data" in shown and "Rina Marlina" in shown, shown
    lines = [line for line in shown.splitlines() if line.startswith("• ")]
    # Newest first: this very search, her consent record, the coordinator's card, Siti's card two hours earlier.
    assert "Koor Curug (Koordinator): hasil pencarian nama" in lines[0], lines
    assert "Koor Curug (Koordinator): riwayat persetujuan" in lines[1]
    assert "Koor Curug (Koordinator): kartu keluarga" in lines[2]
    assert "Siti (Anggota TPK): kartu keluarga" in lines[-1] and "09.00" in lines[-1], lines
    assert await bot.db.fetch_value("SELECT count(*) FROM access_log WHERE sasaran_id = ?", (rina,)) == 4

    # The reads are ids only: no name or number in the table.
    rows = await bot.db.fetch_all("SELECT * FROM access_log")
    assert not any("Rina" in str(tuple(r)) or NIK in str(tuple(r)) for r in rows)


async def test_the_log_pages_and_the_command_line_export_is_in_it(bot: BotUnderTest, tmp_path, capsys) -> None:
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    await rina_in_sukawana(bot)
    for _ in range(11):
        await open_card(siti)
    assert await cli("export-subject", "--config", str(config_of(bot, tmp_path)), "--sasaran-id", "1") == 0
    capsys.readouterr()
    admin = bot.user(1000, "Admin")
    await admin.send("/akses Rina")
    first = await admin.next_message()
    assert "Dibuka 13 kali (halaman 1/2)" in first.plain_text, first.plain_text
    assert "baris perintah server: ekspor data subjek" in first.plain_text
    await admin.press("Berikutnya ▶️")
    second = await admin.next_edit()
    assert "halaman 2/2" in second.plain_text and second.plain_text.count("• ") == 3


async def test_out_of_scope_wrong_role_and_forged_attempts_are_refused_and_counted(bot: BotUnderTest) -> None:
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    rina = await rina_in_sukawana(bot)
    kasemen = await add_member(bot, 2101, "Koor Kasemen", "koordinator", "36.73.02")
    await kasemen.send("/akses Rina")
    answer = await kasemen.next_message()
    assert "Tidak ada sasaran bernama «Rina» di wilayah Anda." in answer.plain_text
    forged = await press_forged(bot.emu, kasemen, answer.message_id, f"ak:{rina}:0")
    assert forged is not None and "tidak dikenal" in forged
    junk = await press_forged(bot.emu, kasemen, answer.message_id, "ak:²:0")
    assert junk is not None and "tidak dikenal" in junk
    await siti.send("/akses Rina")
    assert "tidak tersedia" in (await siti.next_message()).plain_text
    rows = await bot.db.fetch_all("SELECT user_id, kind, what, target FROM refusals ORDER BY id")
    assert [tuple(r) for r in rows] == [(2101, "scope", "akses", str(rina)), (2101, "callback", "ak", None),
                                        (3001, "role", "akses", None)]
    assert await bot.db.fetch_value("SELECT count(*) FROM access_log") == 0


async def test_buttons_for_records_and_areas_outside_the_scope_are_counted(bot: BotUnderTest) -> None:
    await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    await rina_in_sukawana(bot)
    keluarga_id = await bot.db.fetch_value("SELECT id FROM keluarga")
    siti_id = 3001
    kasemen = await add_member(bot, 2101, "Koor Kasemen", "koordinator", "36.73.02")
    await kasemen.send("/bantuan")
    menu = await kasemen.next_message()
    assert await press_forged(bot.emu, kasemen, menu.message_id, f"kl:o:{keluarga_id}") == (
        "Keluarga itu tidak ada di wilayah Anda.")
    assert await press_forged(bot.emu, kasemen, menu.message_id, f"ag:ask:{siti_id}:inactive") == (
        "Anggota itu di luar wewenang Anda.")
    assert "di luar wewenang" in (await press_forged(bot.emu, kasemen, menu.message_id, "ud:t:pick:36.73.04.1007")
                                  or "")
    assert "di luar wewenang" in (await press_forged(bot.emu, kasemen, menu.message_id, "rk:202611:go:36.73.04")
                                  or "")
    rows = await bot.db.fetch_all("SELECT user_id, kind, what, target FROM refusals ORDER BY id")
    assert [tuple(r) for r in rows] == [(2101, "scope", "keluarga", str(keluarga_id)),
                                        (2101, "scope", "anggota", str(siti_id)),
                                        (2101, "scope", "undang", "36.73.04.1007"),
                                        (2101, "scope", "rekap", "36.73.04")]
    assert await bot.db.fetch_value("SELECT count(*) FROM access_log") == 0
