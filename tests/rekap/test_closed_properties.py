"""A property of closed periods (issue 14): for random sequences of reports, births,
losses, late visits, corrections and erasures spread over random months, every closed
month's figures are the brute-force figures at its close (tests/rekap/brute.py, plain
Python over the raw rows), whatever happened afterwards, and the live figures of every
month equal a brute-force recount by the definitions of membership on reference days.
Every write reassesses its family as the bot does; the brute force keeps the list of
those reassessments and counts a family berisiko (each 4 Terlalu and KB factor, a mother
KEK) by its last one on or before the reference day, judged on that day itself — so a
wife who turns 20 or 36, or a last birth 24 months back, moves the figures with no write.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from bot.app import prepare
from bot.clock import FakeClock
from bot.privacy.erasure import erase
from bot.rekap.closing import close_due
from bot.rekap.figures import Figures
from bot.rekap.periods import Period, add_months
from bot.rekap.service import build_rekap, today
from bot.reporting import family_facts_in_tx, reassess
from bot.services import Services
from bot.settings import Settings
from storage import keluarga as records
from storage.crypto import new_key
from storage.db import Transaction
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from storage.timefmt import to_db
from tests.harness import ADMIN_ID
from tests.rekap.brute import Assessed
from tests.rekap.conftest import CURUG, ROOT, Brute

WIB = ZoneInfo("Asia/Jakarta")
BEGIN = datetime(2026, 1, 3, 9, 0, tzinfo=WIB)
DESA = ("36.73.04.1007", "36.73.04.1001", "36.73.02.1001")
TPK_ID = 3001
#: Only these figures have a brute-force definition that the events below can move.
KEYS = ("keluarga", "keluarga_baru", "catin", "ibu_hamil", "hamil_tm1", "hamil_tm2", "hamil_tm3", "hamil_tanpa_hpht",
        "hamil_lewat", "ibu_nifas", "baduta", "balita", "kunjungan", "pendaftaran", "lahir", "keguguran",
        "tpk_lapor", "keluarga_berisiko", "risk_terlalu_muda", "risk_terlalu_tua", "risk_terlalu_dekat",
        "risk_terlalu_banyak", "risk_no_modern_kb", "flag_kek")
#: The wife's age at registration, in days: near 20 (terlalu muda ends), near 36 (terlalu tua
#: starts), near 50 (no longer a PUS), or in between.
WIFE_AGES = (19 * 365, 35 * 365, 49 * 365, 27 * 365)


@dataclass(frozen=True)
class Event:
    kind: str  # report | birth | loss | visit | correct | erase | wait
    pick: int  # which record (modulo the ones there are)
    days: int  # how far back a date lies, or how long to wait
    category: str = "baduta"
    desa: int = 0
    with_date: bool = True


events = st.lists(st.builds(
    Event,
    kind=st.sampled_from(("report", "report", "report", "birth", "loss", "visit", "correct", "erase", "wait",
                          "wait")),
    pick=st.integers(0, 50),
    days=st.integers(0, 900),
    category=st.sampled_from(("catin", "ibu_hamil", "ibu_nifas", "baduta", "balita")),
    desa=st.integers(0, len(DESA) - 1),
    with_date=st.booleans(),
), min_size=10, max_size=60)


def values(figures: Figures) -> dict[str, int | None]:
    return {key: figures[key].value for key in KEYS}


def expected(recount: dict[str, object]) -> dict[str, int | None]:
    return {key: int(recount.get(key, 0) or 0) for key in KEYS}  # type: ignore[call-overload]


async def reassessed(services: Services, tx: Transaction, keluarga_id: int, log: list[Assessed]) -> None:
    """What the bot does after every write, and the event list the brute force reads."""
    day, klinis, boundaries = today(services), services.settings.klinis, services.settings.trimester.boundaries
    await reassess(tx, keluarga_id, today=day, thresholds=klinis, boundaries=boundaries)
    family, facts, _ = await family_facts_in_tx(tx, keluarga_id, thresholds=klinis, boundaries=boundaries)
    log.append(Assessed(day, keluarga_id, family, tuple(facts)))


async def apply(services: Services, event: Event, log: list[Assessed]) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    now = clock.now()
    day = today(services)
    past = day - timedelta(days=event.days)
    db = services.db
    members = [tuple(r) for r in await db.fetch_all(
        "SELECT id, category, status, hpht, birth_date, keluarga_id FROM sasaran WHERE erased_at IS NULL"
        " AND anonymised_at IS NULL"
        " ORDER BY id")]
    pregnant = [m for m in members if m[1] == "ibu_hamil" and m[2] == "aktif"]
    async with db.transaction() as tx:
        if event.kind == "report":
            wife = {"pus": True, "istri_lahir": (day - timedelta(days=WIFE_AGES[event.pick % 4] + event.days % 400)
                                                 ).isoformat(),
                    "anak": event.pick % 6, "kb": ("pil", "tidak_kb", "tradisional")[event.days % 3],
                    "anak_terakhir": (day - timedelta(days=event.days % 800)).isoformat()} if event.pick % 5 else {}
            family = await records.create_keluarga(
                tx, services.cipher, NewKeluarga(region_code=DESA[event.desa], head_name="K", water_source="ledeng",
                                                 latrine="sendiri_septik", answers=wife), reporter_id=TPK_ID,
                draft_key=None, now=now)
            dates: dict[str, object] = {}
            if event.category in ("baduta", "balita") and event.with_date:
                dates["birth_date"] = day - timedelta(days=event.days * 2)
            elif event.category == "ibu_hamil" and event.with_date:
                dates["hpht"] = day - timedelta(days=event.days % 330)
            elif event.category == "ibu_nifas" and event.with_date:
                dates["delivery_date"] = day - timedelta(days=event.days % 60)
            answers = {"nikah": (day + timedelta(days=event.days % 120 + 1)).isoformat()} \
                if event.category == "catin" and event.with_date else {}
            await records.add_sasaran(tx, services.cipher, family,
                                      NewSasaran(category=event.category, name="S", answers=answers,
                                                 **dates),  # type: ignore[arg-type]
                                      reporter_id=TPK_ID, now=now)
            await reassessed(services, tx, family, log)
        elif event.kind in ("birth", "loss") and pregnant:
            member = pregnant[event.pick % len(pregnant)]
            hpht = date.fromisoformat(member[3]) if member[3] else None
            on = max(day - timedelta(days=event.days % 20), hpht or day)
            on = min(on, day)
            if event.kind == "birth":
                await records.update_sasaran(tx, member[0], actor_id=TPK_ID, now=now, category="ibu_nifas",
                                             delivery_date=on)
                family = await tx.fetch_one("SELECT keluarga_id FROM sasaran WHERE id = ?", (member[0],))
                assert family is not None
                await records.add_sasaran(tx, services.cipher, family[0],
                                          NewSasaran(category="baduta", name="B", birth_date=on, mother_id=member[0]),
                                          reporter_id=TPK_ID, now=now)
            else:
                await records.update_sasaran(tx, member[0], actor_id=TPK_ID, now=now, status="selesai",
                                             ended_reason="keguguran", ended_on=on)
            await reassessed(services, tx, member[5], log)
        elif event.kind == "visit" and members:  # often about a month already closed; a LiLA: KEK or not
            member = members[event.pick % len(members)]
            await records.add_kunjungan(tx, sasaran_id=member[0], reporter_id=TPK_ID,
                                        kind="kunjungan", answers={}, now=now,
                                        outcome=None, measurement=Measurement(visited_on=day - timedelta(
                                            days=event.days % 70), lila_cm=(21.5, 25.0, None)[event.days % 3]))
            await reassessed(services, tx, member[5], log)
        elif event.kind == "correct" and members:  # a date corrected to an earlier one
            member = members[event.pick % len(members)]
            if member[1] in ("baduta", "balita"):
                await records.update_sasaran(tx, member[0], actor_id=TPK_ID, now=now,
                                             birth_date=past - timedelta(days=event.days))
            elif member[1] == "ibu_hamil":
                await records.update_sasaran(tx, member[0], actor_id=TPK_ID, now=now,
                                             hpht=day - timedelta(days=event.days % 320))
            await reassessed(services, tx, member[5], log)
    if event.kind == "erase" and members:
        await erase(services, members[event.pick % len(members)][0], actor_id=ADMIN_ID)
    if event.kind == "wait":
        clock.advance(timedelta(days=event.days % 75 + 1, hours=event.pick % 24))


async def scenario(tmp: Path, story: list[Event]) -> None:
    config = Settings(storage={"path": str(tmp / "rekap.sqlite3")}, wilayah={"root": ROOT},
                      access={"admins": [ADMIN_ID]}, privacy={"key": new_key()})
    services = await prepare(config, FakeClock(BEGIN))
    try:
        async with services.db.transaction() as tx:
            await tx.execute("INSERT INTO users (id, full_name, role, region_code, status, created_at, updated_at) "
                             "VALUES (?, 'Siti', 'tpk', ?, 'active', ?, ?)",
                             (TPK_ID, DESA[0], to_db(BEGIN), to_db(BEGIN)))
        at_close: dict[Period, dict[str, dict[str, int | None]]] = {}
        log: list[Assessed] = []
        for event in story:
            await apply(services, event, log)
            for period in await close_due(services):
                recount = await Brute.of(services, log)
                at_close[period] = {area: expected(recount(area, period)) for area in (ROOT, CURUG)}
        label(f"{sum(p.is_single_month for p in at_close)} months closed")
        recount = await Brute.of(services, log)
        for period, areas in at_close.items():
            for area, figures in areas.items():
                shown = await build_rekap(services, scope=ROOT, area=area, period=period)
                assert values(shown.figures) == figures, (period, area)
        first = Period.month(BEGIN.year, BEGIN.month)
        month = first
        while month.first <= today(services):
            for period in (month, *([Period(add_months(month.first, -2), month.first)] if month != first else [])):
                live = await build_rekap(services, scope=ROOT, area=ROOT, period=period, live=True)
                assert values(live.figures) == expected(recount(ROOT, period)), period
            month = Period.month(add_months(month.first, 1).year, add_months(month.first, 1).month)
    finally:
        await services.db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(story=events)
def test_closed_months_keep_their_figures_and_live_ones_follow_the_definitions(story: list[Event]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(Path(folder), story))
