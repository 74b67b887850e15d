"""A family counted berisiko stunting by its factors on each period's reference day, and
one post-term rule (issue 14): figures move when the wife's age or the months since the
last birth move, with no write; the "past 44 weeks" band of /rekap opens the same day as
the task to update the record."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl

from bot.clock import FakeClock
from bot.domain.schedule_config import ReminderConfig
from bot.domain.visit_tasks import VisitAnchors, plan_visit_tasks, stale_from
from bot.rekap.figures import ALL_RISK_LABELS
from bot.rekap.periods import Period
from bot.rekap.service import build_export, build_rekap, today
from bot.rekap.workbook import SASARAN_COLUMNS
from bot.reporting import reassess
from bot.services import Services
from storage import keluarga as records
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from storage.timefmt import to_db
from tests.rekap.conftest import ROOT

DESA = "36.73.04.1007"
TPK_ID = 3001


async def report(services: Services, answers: dict[str, object], member: NewSasaran) -> tuple[int, int]:
    """A family and one member, reported today and assessed as /lapor does."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await tx.execute("INSERT OR IGNORE INTO users (id, full_name, role, region_code, status, created_at,"
                         " updated_at) VALUES (?, 'Siti', 'tpk', ?, 'active', ?, ?)",
                         (TPK_ID, DESA, to_db(now), to_db(now)))
        keluarga = await records.create_keluarga(
            tx, services.cipher, NewKeluarga(region_code=DESA, head_name="K", water_source="ledeng",
                                             latrine="sendiri_septik", answers=answers),
            reporter_id=TPK_ID, draft_key=None, now=now)
        sasaran = await records.add_sasaran(tx, services.cipher, keluarga, member, reporter_id=TPK_ID, now=now)
        await reassess(tx, keluarga, today=today(services), thresholds=services.settings.klinis,
                       boundaries=services.settings.trimester.boundaries)
    return keluarga, sasaran


async def visit(services: Services, keluarga: int, sasaran: int, *, lila_cm: float) -> None:
    """A visit measuring the mother today, and the reassessment /kunjungan makes."""
    async with services.db.transaction() as tx:
        await records.add_kunjungan(tx, sasaran_id=sasaran, reporter_id=TPK_ID, kind="kunjungan", answers={},
                                    now=services.clock.now(), outcome=None,
                                    measurement=Measurement(visited_on=today(services), lila_cm=lila_cm))
        await reassess(tx, keluarga, today=today(services), thresholds=services.settings.klinis,
                       boundaries=services.settings.trimester.boundaries)


async def figures(services: Services, period: Period, *keys: str) -> list[int | None]:
    shown = (await build_rekap(services, scope=ROOT, area=ROOT, period=period, live=True)).figures
    return [shown.value(key) for key in keys]


def month(day: date) -> Period:
    return Period.month(day.year, day.month)


async def test_terlalu_dekat_ends_24_months_after_the_birth_with_no_write(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    day = today(services)  # 23 November 2026
    last_birth = date(2025, 1, 15)
    await report(services, {"pus": True, "istri_lahir": "1996-04-02", "anak": 1, "kb": "pil",
                            "anak_terakhir": last_birth.isoformat()},
                 NewSasaran(category="baduta", name="B", birth_date=last_birth))
    assert await figures(services, month(day), "keluarga_berisiko", "risk_terlalu_dekat") == [1, 1]
    clock.advance(timedelta(days=70))  # 1 February 2027: 24 months since 15 January 2025
    assert await figures(services, month(today(services)), "keluarga_berisiko", "risk_terlalu_dekat") == [0, 0]
    assert await figures(services, Period.month(2027, 1), "keluarga_berisiko", "risk_terlalu_dekat") == [0, 0]
    assert await figures(services, Period.month(2026, 12), "keluarga_berisiko", "risk_terlalu_dekat") == [1, 1]


async def test_a_wife_turning_36_makes_the_family_berisiko_from_that_month(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    await report(services, {"pus": True, "istri_lahir": "1991-01-10", "anak": 2, "kb": "suntik"},
                 NewSasaran(category="balita", name="B", birth_date=date(2023, 5, 1)))
    clock.advance(timedelta(days=60))
    assert await figures(services, Period.month(2026, 12), "keluarga_berisiko", "risk_terlalu_tua") == [0, 0]
    assert await figures(services, Period.month(2027, 1), "keluarga_berisiko", "risk_terlalu_tua") == [1, 1]


async def test_a_kek_mother_stays_counted_in_the_months_before_her_flag_cleared(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    keluarga, mother = await report(services, {}, NewSasaran(category="ibu_hamil", name="S",
                                                             hpht=today(services) - timedelta(days=60)))
    await visit(services, keluarga, mother, lila_cm=21.0)
    clock.advance(timedelta(days=40))  # January: a visit finds her LiLA recovered
    await visit(services, keluarga, mother, lila_cm=25.0)
    assert await figures(services, Period.month(2026, 11), "flag_kek") == [1]
    assert await figures(services, Period.month(2026, 12), "flag_kek") == [1]
    assert await figures(services, Period.month(2027, 1), "flag_kek") == [0]


async def test_past_44_weeks_is_one_day_for_rekap_and_the_visit_task(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    day = today(services)
    hpht = day - timedelta(weeks=44)  # 44 weeks + 0 days today
    await report(services, {}, NewSasaran(category="ibu_hamil", name="S", hpht=hpht))
    config = ReminderConfig()
    for step in range(8):
        on = today(services)
        tasks = [t for t in plan_visit_tasks("ibu_hamil", VisitAnchors(hpht=hpht), None, config)
                 if t.kind == "pascaterm_perbarui" and t.due_date <= on]
        counted = (await figures(services, Period.month(on.year, on.month), "hamil_lewat"))[0]
        assert (counted == 1) == bool(tasks) == (on >= stale_from(hpht)) == (step >= 1), (step, counted, tasks)
        clock.advance(timedelta(days=1))


async def _sheet_cells(services: Services, period: Period) -> list[tuple[object, object]]:
    """(family factors, health signs) of each row of the workbook's Sasaran sheet."""
    export = await build_export(services, scope=ROOT, area=ROOT, period=period)
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["Sasaran"]
    factors, signs = (SASARAN_COLUMNS.index(n) for n in ("Faktor risiko keluarga", "Tanda kesehatan"))
    return [(row[factors].value, row[signs].value) for row in sheet.iter_rows(min_row=2)]


async def test_the_sasaran_sheet_shows_the_factors_and_flags_of_its_reference_day(services: Services) -> None:
    """The workbook's rows agree with its figures: a month's sheet shows the family's
    factors and the member's counted flags as they stood that month, not as they are now."""
    clock = services.clock
    assert isinstance(clock, FakeClock)
    last_birth = date(2025, 1, 15)
    keluarga, mother = await report(
        services, {"pus": True, "istri_lahir": "1996-04-02", "anak": 1, "kb": "pil",
                   "anak_terakhir": last_birth.isoformat()},
        NewSasaran(category="ibu_hamil", name="S", hpht=today(services) - timedelta(days=60)))
    await visit(services, keluarga, mother, lila_cm=21.0)
    clock.advance(timedelta(days=70))  # 1 February 2027: 24 months since the last birth; LiLA recovered
    await visit(services, keluarga, mother, lila_cm=25.0)
    dekat, kek = ALL_RISK_LABELS["terlalu_dekat"], ALL_RISK_LABELS["kek"]
    december = await _sheet_cells(services, Period.month(2026, 12))
    february = await _sheet_cells(services, Period.month(2027, 2))
    assert len(december) == len(february) == 1
    assert dekat in str(december[0][0]) and kek in str(december[0][1])
    assert dekat not in str(february[0][0] or "") and kek not in str(february[0][1] or "")
