"""A national deployment (root "ID", issue 19): the region tree starts at Indonesia, the
nation's /rekap is the sum of the 38 provinces' roll-ups and equals the brute-force recount
(with every province's own figures), on both engines, and a coordinator drills down from
Indonesia to a desa through the bot."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.dev.seed import seed_demo
from bot.domain.regions import NATIONAL, Level
from bot.rekap.closing import close
from bot.rekap.figures import Figures
from bot.rekap.periods import Period
from bot.rekap.service import build_rekap, today
from bot.services import Services
from storage import keluarga as records
from storage.keluarga import Measurement
from storage.rekap import OutsideScope
from storage.url import StorageURL
from tests.harness import START, add_member, bot_under_test, press_forged
from tests.rekap.conftest import Brute, add_reminders_and_mothers, prepared_at
from tests.rekap.screens import figures_in, full_text
from tests.rekap.test_counters import check, counters_match_rebuild, mutate, periods

#: Kota Serang (WIB), Kota Denpasar (WITA) and Kota Jayapura (WIT): three provinces, three zones.
CITIES = ("36.73", "51.71", "91.71")
PROVINCES = ("36", "51", "91")
#: A desa of Denpasar with data and one of Serang with none (the national seed's 600 sasaran
#: leave most desa empty).
BUSY_AND_QUIET = ("51.71.01.1001", "36.73.01.1001")


def values(figures: Figures) -> dict[str, tuple[int | None, int | None]]:
    return {row.key: (row.value, row.whole) for row in figures.rows}


@pytest.fixture
async def national(storage_url: StorageURL) -> AsyncIterator[Services]:
    async with prepared_at(storage_url, NATIONAL) as services:
        await seed_demo(services.db, services.cipher, root=NATIONAL, sasaran=600, seed=19, now=START, areas=CITIES)
        yield services


async def test_the_nation_is_the_parent_of_the_38_provinces(national: Services) -> None:
    tree = national.regions
    assert tree.root.code == NATIONAL and tree.root.name == "Indonesia"
    assert len(tree.children(NATIONAL)) == 38 and all(r.level is Level.PROVINSI for r in tree.children(NATIONAL))
    assert tree.path_label("51.71") == "Indonesia › Bali › Kota Denpasar"
    assert tree.parent("91").code == NATIONAL and tree.label(NATIONAL) == "Indonesia"
    assert len(tree.descendants_at(NATIONAL, Level.DESAKEL)) > 80_000
    assert national.settings.wilayah.zone.key == "Asia/Jakarta"  # the capital's, for months and closes
    db = national.db
    assert await db.fetch_value("SELECT count(*) FROM regions WHERE level = 1 AND parent_code = 'ID'") == 38
    # No counter of its own: a national row would be written by every report in the country.
    assert await db.fetch_value("SELECT count(*) FROM rekap_rollup WHERE level < 1 OR region_code = 'ID'") == 0
    assert await db.fetch_value("SELECT count(*) FROM rekap_rollup WHERE level = 1") > 0


async def test_the_nations_figures_equal_a_recount_and_each_provinces(national: Services) -> None:
    rng = random.Random(19)
    for city in CITIES:
        await add_reminders_and_mothers(national, rng, count=20, within=city)
    await mutate(national, random.Random(20), steps=40)
    await counters_match_rebuild(national)
    recount = await Brute.of(national)
    for period in periods(today(national)):
        rekap = await build_rekap(national, scope=NATIONAL, area=NATIONAL, period=period, depth=1)
        expected = recount(NATIONAL, period)
        assert expected["keluarga"], "nothing counted: the comparison would prove nothing"
        check(rekap.figures, expected)
        previous = recount(NATIONAL, period.previous())
        for row in rekap.figures.rows:
            if row.compare and row.previous is not None:
                assert row.previous == previous.get(row.key, 0), (period, row.key)
        assert len(rekap.without_report) == len(expected["without_report"])  # type: ignore[arg-type]
        provinces = {sub.code: sub for sub in rekap.sub_areas}
        assert sorted(provinces) == sorted(r.code for r in national.regions.children(NATIONAL))
        for code in (*PROVINCES, "11", "94"):  # the three with data and two without
            check(provinces[code].figures, recount(code, period))
            assert provinces[code].reported == (code in PROVINCES and bool(recount(code, period)["tpk_lapor"]))


async def test_a_national_close_freezes_every_desa_and_writes_no_zeros(national: Services) -> None:
    """The close of a national deployment reaches the desa/kelurahan (four levels below the
    nation), so a desa's closed month keeps its numbers; and the zeros of its 83,000 areas are
    implied by the period, not written."""
    db, tree = national.db, national.regions
    october = Period.month(2026, 10)
    live = {code: values((await build_rekap(national, scope=NATIONAL, area=code, period=october, live=True)).figures)
            for code in (NATIONAL, "51", "51.71", "51.71.01", *BUSY_AND_QUIET)}
    await close(national, october)
    written = await db.fetch_value("SELECT count(*) FROM rekap_closed WHERE period = ?", (october.token(),))
    areas = sum(len(tree.descendants_at(NATIONAL, level)) for level in Level if level > Level.NASIONAL) + 1
    assert 0 < written < areas, "every area's zeros were written"
    for code, before in live.items():
        assert values((await build_rekap(national, scope=NATIONAL, area=code, period=october)).figures) == before

    # October's news after the close: a visit in the busy desa and a family in the quiet one.
    busy, quiet = BUSY_AND_QUIET
    member = await db.fetch_value("SELECT id FROM sasaran WHERE region_code = ? ORDER BY id LIMIT 1", (busy,))
    reporter = await db.fetch_value("SELECT id FROM users WHERE role = 'tpk' AND region_code = ?", (busy,))
    async with db.transaction() as tx:
        await records.add_kunjungan(tx, sasaran_id=member, reporter_id=reporter, kind="kunjungan", answers={},
                                    now=national.clock.now(), measurement=Measurement(visited_on=date(2026, 10, 20)))
        await tx.execute("UPDATE keluarga SET region_code = ?, created_at = ? WHERE id = (SELECT min(id) FROM"
                         " keluarga WHERE region_code = ?)", (quiet, "2026-10-10T03:00:00Z", busy))
    for code in BUSY_AND_QUIET:
        shown = await build_rekap(national, scope=NATIONAL, area=code, period=october)
        assert shown.closed is not None and values(shown.figures) == live[code]
        assert shown.revision, f"{code}: what came after the close is not shown apart"


async def test_a_province_coordinator_never_reads_the_nation(national: Services) -> None:
    period = periods(today(national))[0]
    with pytest.raises(OutsideScope):
        await build_rekap(national, scope="36", area=NATIONAL, period=period)
    with pytest.raises(OutsideScope):
        await build_rekap(national, scope="36", area="51.71", period=period)
    own = await build_rekap(national, scope="36", area="36", period=period, depth=1)
    assert [sub.code for sub in own.sub_areas] == [r.code for r in national.regions.children("36")]


async def test_a_national_coordinator_drills_down_from_indonesia(tmp_path: Path, storage_url: StorageURL) -> None:
    clock = FakeClock(START)
    async with bot_under_test(tmp_path, clock, storage={"url": storage_url.as_setting()},
                              wilayah={"root": NATIONAL}) as bot:
        services = bot.services
        await seed_demo(services.db, services.cipher, root=NATIONAL, sasaran=300, seed=21, now=START, areas=CITIES)
        ketua = await add_member(bot, 2001, "Ketua", "koordinator", NATIONAL)
        recount = await Brute.of(services)
        period = periods(today(services))[0]

        await ketua.send("/rekap")
        shown = await ketua.next_message()
        assert "Rekap Indonesia" in shown.plain_text and "🗺️ Per provinsi" in shown.button_labels()
        figures = figures_in(await full_text(ketua, shown))
        expected = recount(NATIONAL, period)
        assert figures["Keluarga terdaftar"] == expected["keluarga"] and figures["Ibu hamil"] == expected["ibu_hamil"]

        await ketua.press("🗺️ Per provinsi")
        labels = (await ketua.next_edit()).button_labels()
        assert {"Banten", "Bali", "Papua", "Aceh"} <= set(labels)
        await ketua.press("Bali")
        bali = await ketua.next_edit()
        assert "Indonesia › Bali" in bali.plain_text and "⬆️ Kembali ke Indonesia" in bali.button_labels()
        figures = figures_in(await full_text(ketua, bali))
        assert figures["Keluarga terdaftar"] == recount("51", period)["keluarga"]

        await ketua.send("/rekap Denpasar Selatan")
        kecamatan = await ketua.next_message()
        assert "Indonesia › Bali › Kota Denpasar › Denpasar Selatan" in kecamatan.plain_text

        banten = await add_member(bot, 2002, "Rina", "koordinator", "36")
        await banten.send("/rekap")
        own = await banten.next_message()
        assert "Rekap Banten" in own.plain_text or "Indonesia › Banten" in own.plain_text
        assert not any("Kembali ke Indonesia" in label for label in own.button_labels())
        for forged in (f"rk:{period.token()}:go:ID", f"rk:{period.token()}:wil:ID", f"rk:{period.token()}:go:51"):
            answer = await press_forged(bot.emu, banten, own.message_id, forged) or ""
            assert any(word in answer for word in ("di luar wewenang", "kedaluwarsa")), (forged, answer)
        await banten.send("/rekap ID")
        assert "Rekap Indonesia" not in (await banten.next_message()).plain_text
