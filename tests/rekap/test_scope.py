"""Scope is enforced in storage: a kecamatan coordinator's figures, chart and workbook
never contain another kecamatan's numbers or rows, whatever is asked."""

from __future__ import annotations

import random

import pytest

from bot.dev.seed import seed_demo
from bot.rekap import chart
from bot.rekap.periods import this_year
from bot.rekap.service import build_rekap, today, window_for
from bot.services import Services
from storage import rekap as store
from storage import rekap_rows
from storage.rekap_reminders import mother_counts
from tests.harness import START
from tests.rekap.conftest import CURUG, KASEMEN, ROOT, add_reminders_and_mothers

OUTSIDE = [ROOT, KASEMEN, "36.73.02.1001", "36.73.0", "36.73.04x", "36", "99.99"]


@pytest.mark.parametrize("area", OUTSIDE)
async def test_every_reader_refuses_an_area_outside_the_scope(seeded: Services, area: str) -> None:
    period = this_year(today(seeded))
    window = window_for(seeded, period)
    with pytest.raises(store.OutsideScope):
        await build_rekap(seeded, scope=CURUG, area=area, period=period)
    with pytest.raises(store.OutsideScope):
        await store.area_counts(seeded.db, scope=CURUG, area=area, group_level=3, window=window)
    with pytest.raises(store.OutsideScope):
        await store.areas_with_reports(seeded.db, scope=CURUG, area=area, first="2026-01", last="2026-11")
    with pytest.raises(store.OutsideScope):
        await rekap_rows.sasaran_rows(seeded.db, scope=CURUG, area=area, registered_by=START, on=START.date(),
                                      limit=10)
    with pytest.raises(store.OutsideScope):
        await mother_counts(seeded.db, scope=CURUG, area=area, group_level=3, end_utc=START, prev_end_utc=START)


async def curug_view(services: Services) -> tuple[object, list[object], bytes]:
    period = this_year(today(services))
    rekap = await build_rekap(services, scope=CURUG, area=CURUG, period=period, depth=3)
    rows, _ = await rekap_rows.sasaran_rows(services.db, scope=CURUG, area=CURUG, registered_by=START,
                                            on=rekap.reference_day, limit=100_000)
    return rekap, rows, chart.render_png(rekap)


async def test_records_elsewhere_never_change_what_a_kecamatan_coordinator_sees(seeded: Services) -> None:
    before = await curug_view(seeded)
    rekap, rows, _ = before
    assert rows and all(r.region_code.startswith(CURUG + ".") for r in rows)  # type: ignore[attr-defined]
    assert all(s.code.startswith(CURUG + ".") for b in rekap.breakdowns for s in b.areas)  # type: ignore[attr-defined]

    # A busy month in Kasemen and the rest of the city: families, visits, reminders, mothers.
    await seed_demo(seeded.db, seeded.cipher, root=ROOT, sasaran=400, seed=99, now=START,
                    areas=[KASEMEN, "36.73.01", "36.73.05"])
    await add_reminders_and_mothers(seeded, random.Random(12), count=50, within=KASEMEN)
    assert await curug_view(seeded) == before

    whole_city = await build_rekap(seeded, scope=ROOT, area=ROOT, period=this_year(today(seeded)))
    assert whole_city.figures.value("keluarga") > rekap.figures.value("keluarga")  # type: ignore[attr-defined]
