"""Figures that follow people through time (issue 14): a closed month gives the same
numbers whenever it is asked — message, workbook and digest — with what was learned
later shown apart; members count from the day they were reported, and children move
from baduta to balita on their own, with no write."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl

from bot.dev.emulator import BotMessage, SimUser
from bot.privacy.erasure import erase
from bot.rekap.closing import close_due
from bot.rekap.monthly_digest import send_monthly_digests
from bot.services import Services
from storage import keluarga as records
from storage import rekap_closed as closed_store
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from tests.harness import ADMIN_ID, BotUnderTest, add_member, press_forged
from tests.rekap.conftest import ROOT
from tests.rekap.screens import every_figure

WIB = ZoneInfo("Asia/Jakarta")
DESA = "36.73.04.1007"
TPK_ID = 3001


async def family(bot: BotUnderTest, name: str, *members: NewSasaran) -> tuple[int, list[int]]:
    """A family and its members, reported now (the clock's time) by the TPK member."""
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        keluarga = await records.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=DESA, head_name=name, water_source="ledeng",
                                                 latrine="leher_angsa"), reporter_id=TPK_ID, draft_key=None, now=now)
        ids = [await records.add_sasaran(tx, bot.services.cipher, keluarga, m, reporter_id=TPK_ID, now=now)
               for m in members]
    return keluarga, ids


async def rekap(user: SimUser, words: str) -> BotMessage:
    await user.send(f"/rekap {words}")
    return await user.next_message()


def ringkasan(document: bytes) -> dict[str, object]:
    """The Ringkasan sheet: indicator → value, plus its header lines."""
    sheet = openpyxl.load_workbook(io.BytesIO(document), read_only=True)["Ringkasan"]
    out: dict[str, object] = {}
    for row in sheet.iter_rows(values_only=True):
        if len(row) > 2 and row[1] and row[0] not in ("Bagian",):
            out[str(row[1])] = row[2]
        elif row and row[0]:
            out[str(row[0])] = row[1] if len(row) > 1 else None
    return out


async def workbook(user: SimUser, words: str) -> dict[str, object]:
    await user.send(f"/ekspor {words}")
    sent = await user.next_message()
    assert sent.document is not None
    return ringkasan(sent.document)


async def test_a_closed_month_keeps_its_figures_and_shows_later_news_apart(bot: BotUnderTest) -> None:
    await add_member(bot, TPK_ID, "Siti", "tpk", DESA, position="bidan")
    budi = await add_member(bot, 2002, "Budi", "koordinator", ROOT)
    bot.clock.set(datetime(2027, 3, 5, 9, 0, tzinfo=WIB))
    _, (ibu,) = await family(bot, "Keluarga Ani", NewSasaran(category="ibu_hamil", name="Ani", sex="P",
                                                             hpht=date(2026, 12, 1)))
    _, (anak,) = await family(bot, "Keluarga Dewi", NewSasaran(category="baduta", name="Dimas", sex="L",
                                                               birth_date=date(2026, 1, 10)))
    _, (gone,) = await family(bot, "Keluarga Rini", NewSasaran(category="baduta", name="Rara", sex="P",
                                                               birth_date=date(2025, 6, 1)))

    # 1 April, 07.00: March is closed and the digest goes out.
    bot.clock.set(datetime(2027, 4, 1, 7, 0, tzinfo=WIB))
    assert await send_monthly_digests(bot.services, bot.app.bot) == 1
    digest = await budi.next_message()
    assert "Periode: Maret 2027" in digest.plain_text and "Angka ditutup 1 April 2027" in digest.plain_text
    march = await every_figure(budi, digest)
    assert (march["Keluarga terdaftar"], march["Ibu hamil"], march["Baduta (0–23 bln)"],
            march["Balita (24–59 bln)"]) == (3, 1, 2, 0)
    first_book = await workbook(budi, "maret 2027")
    assert first_book["Keluarga terdaftar"] == 3 and first_book["Revisi setelah ditutup"] == "tidak ada"

    # 14 April: the birth. By the definitions March does not change at all.
    bot.clock.set(datetime(2027, 4, 14, 10, 0, tzinfo=WIB))
    async with bot.db.transaction() as tx:
        await records.update_sasaran(tx, ibu, actor_id=TPK_ID, now=bot.clock.now(), category="ibu_nifas",
                                     delivery_date=date(2027, 4, 14))
    shown = await rekap(budi, "maret 2027")
    assert await every_figure(budi, shown) == march and "revisi" not in shown.plain_text
    april = await every_figure(budi, await rekap(budi, "april 2027"))
    assert (april["Ibu hamil"], april["Ibu nifas"]) == (0, 1)

    # Later news about March, each shown apart: a visit of 20 March reported late; the
    # child's birth date corrected (a balita already in March); an erasure, which keeps
    # the record in the counts but only the year of its birth date (1 January 2025).
    async def revision_after(change: object) -> str:
        shown = await rekap(budi, "maret 2027")
        assert await every_figure(budi, shown) == march, change
        return next(x for x in shown.plain_text.splitlines() if "revisi setelah ditutup" in x)

    async with bot.db.transaction() as tx:
        await records.add_kunjungan(tx, sasaran_id=anak, reporter_id=TPK_ID, kind="kunjungan", answers={},
                                    now=bot.clock.now(), measurement=Measurement(visited_on=date(2027, 3, 20)))
    assert "revisi setelah ditutup: +1 kunjungan tercatat (" in await revision_after("late visit")
    async with bot.db.transaction() as tx:
        await records.update_sasaran(tx, anak, actor_id=TPK_ID, now=bot.clock.now(), birth_date=date(2025, 1, 10))
    assert ("revisi setelah ditutup: −1 baduta (0–23 bln), +1 balita (24–59 bln), +1 kunjungan tercatat ("
            in await revision_after("correction"))
    await erase(bot.services, gone, actor_id=ADMIN_ID)
    line = await revision_after("erasure")
    assert "revisi setelah ditutup: −2 baduta (0–23 bln), +2 balita (24–59 bln), +1 kunjungan tercatat (" in line

    again = await rekap(budi, "maret 2027")
    book = await workbook(budi, "maret 2027")
    assert {k: book[k] for k in first_book if k not in ("Revisi setelah ditutup",)} == \
        {k: v for k, v in first_book.items() if k != "Revisi setelah ditutup"}
    assert str(book["Revisi setelah ditutup"]).startswith("revisi setelah ditutup: −2 baduta")
    assert "🔁 Tutup ulang (masukkan revisi)" in again.button_labels()

    # The coordinator of the city re-closes March: the revision is taken in, audited.
    await budi.send("/rekap tutup ulang maret 2027")
    assert "ditutup ulang" in (await budi.next_message()).plain_text
    after = await budi.next_message()
    now_march = await every_figure(budi, after)
    assert (now_march["Baduta (0–23 bln)"], now_march["Balita (24–59 bln)"], now_march["Kunjungan tercatat"]) == \
        (0, 2, 1)
    assert "revisi setelah ditutup" not in after.plain_text and "(ditutup ulang)" in after.plain_text
    audited = await bot.db.fetch_all("SELECT action, actor_id, entity_id FROM audit_log WHERE entity = 'rekap' "
                                     "ORDER BY id")
    assert ("tutup", None, f"202703:{ROOT}") in [tuple(r) for r in audited]
    assert ("tutup_ulang", 2002, f"202703:{ROOT}") in [tuple(r) for r in audited]
    # The digest is explainable from the audit log: the close wrote what it said, the
    # re-close what was there before and what is there now.
    closed, reclosed = [
        (json.loads(r[0] or "null"), json.loads(r[1])) for r in await bot.db.fetch_all(
            "SELECT before_json, after_json FROM audit_log WHERE entity = 'rekap' AND entity_id = ? ORDER BY id",
            (f"202703:{ROOT}",))]
    assert closed[0] is None and (closed[1]["keluarga"], closed[1]["baduta"]) == (march["Keluarga terdaftar"], 2)
    assert reclosed[0]["baduta"] == 2 and (reclosed[1]["baduta"], reclosed[1]["versi"]) == (0, 2)


async def test_a_tpk_member_cannot_reclose(bot: BotUnderTest) -> None:
    siti = await add_member(bot, TPK_ID, "Siti", "tpk", DESA, position="bidan")
    bot.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=WIB))
    await close_due(bot.services)
    await siti.send("/rekap tutup ulang november 2026")
    assert "hanya untuk admin" in (await siti.next_message()).plain_text
    shown = await rekap(siti, "november 2026")
    await press_forged(bot.emu, siti, shown.message_id, f"rk:202611:tu:{DESA}")
    assert "hanya untuk admin" in (await siti.next_message()).plain_text
    assert not await bot.db.fetch_value("SELECT count(*) FROM audit_log WHERE action = 'tutup_ulang'")


async def test_a_mother_registered_in_december_is_not_counted_in_november(bot: BotUnderTest) -> None:
    await add_member(bot, TPK_ID, "Siti", "tpk", DESA, position="bidan")
    budi = await add_member(bot, 2002, "Budi", "koordinator", ROOT)
    bot.clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=WIB))
    await family(bot, "Keluarga Ani", NewSasaran(category="ibu_hamil", name="Ani", sex="P", hpht=date(2026, 9, 1)))
    november = await every_figure(budi, await rekap(budi, "november 2026"))
    assert (november["Keluarga terdaftar"], november["Ibu hamil"]) == (0, 0)
    december = await every_figure(budi, await rekap(budi, "desember 2026"))
    assert (december["Keluarga terdaftar"], december["Ibu hamil"], december["TM II"]) == (1, 1, 1)


async def test_a_child_is_baduta_one_month_and_balita_the_next_without_any_write(bot: BotUnderTest) -> None:
    await add_member(bot, TPK_ID, "Siti", "tpk", DESA, position="bidan")
    budi = await add_member(bot, 2002, "Budi", "koordinator", ROOT)
    await family(bot, "Keluarga Dewi", NewSasaran(category="baduta", name="Dimas", sex="L",
                                                  birth_date=date(2025, 2, 15)))
    bot.clock.set(datetime(2027, 3, 3, 10, 0, tzinfo=WIB))
    writes = await bot.db.fetch_value("SELECT count(*) FROM audit_log")
    february = await every_figure(budi, await rekap(budi, "februari 2027"))
    march = await every_figure(budi, await rekap(budi, "maret 2027"))
    assert (february["Baduta (0–23 bln)"], february["Balita (24–59 bln)"]) == (0, 1)  # 24 months on 15 Feb
    january = await every_figure(budi, await rekap(budi, "januari 2027"))
    assert (january["Baduta (0–23 bln)"], january["Balita (24–59 bln)"]) == (1, 0)
    assert (march["Baduta (0–23 bln)"], march["Balita (24–59 bln)"]) == (0, 1)
    assert await bot.db.fetch_value("SELECT count(*) FROM audit_log") == writes


async def test_zeros_are_implied_by_the_period_and_an_older_close_keeps_writing_them(services: Services) -> None:
    """Migration 0022: a close writes no zero figure and reads it back as zero; a period closed
    before it (zero_keys NULL, every zero written) is re-closed the same way, so that its missing
    rows still mean "added after the close"."""
    db, now = services.db, datetime(2026, 11, 2, 7, 0, tzinfo=WIB)
    figures = {ROOT: [("keluarga", 5, None), ("tpk_lapor", 0, 0), ("anak_pendek", 0, 3), ("hpl", 0, None)],
               DESA: [("keluarga", 0, None), ("tpk_lapor", 0, 0), ("anak_pendek", 0, 0), ("hpl", 0, None)]}
    async with db.transaction() as tx:
        await closed_store.write_closed(tx, token="202610", scope=ROOT, figures=figures, now=now, actor_id=None)
        await tx.execute("INSERT INTO rekap_closed_period (period, closed_at, version) VALUES ('202609', ?, 1)",
                         ("2026-10-01T00:00:00Z",))
        await closed_store.write_closed(tx, token="202609", scope=ROOT, figures=figures, now=now, actor_id=None)
    rows = await db.fetch_all("SELECT period, area, key FROM rekap_closed ORDER BY 1, 2, 3")
    assert [tuple(r)[1:] for r in rows if r[0] == "202610"] == [(ROOT, "anak_pendek"), (ROOT, "keluarga")]
    assert len([r for r in rows if r[0] == "202609"]) == 8  # the older close: all of them
    closed = await closed_store.closed_figures(db, scope=ROOT, token="202610", areas=[ROOT, DESA, "36.73.04"])
    assert closed[DESA] == {"keluarga": (0, None), "tpk_lapor": (0, 0), "anak_pendek": (0, 0), "hpl": (0, None)}
    assert closed[ROOT]["anak_pendek"] == (0, 3) and closed[ROOT]["tpk_lapor"] == (0, 0)
    assert closed["36.73.04"] == closed[DESA]  # an area of the deployment that had nothing at all
