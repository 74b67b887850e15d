"""The counters behind /rekap: the triggers agree with a rebuild from the raw tables
after every kind of change, and the figures equal an independent brute-force recount."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.domain.pregnancy import TrimesterBoundaries
from bot.domain.regions import Level
from bot.domain.risk import RiskCode, RiskFactor
from bot.rekap.figures import Figures
from bot.rekap.periods import Period, last_month, last_three_months, this_month, this_year, year
from bot.rekap.service import build_rekap, ensure_ready, today
from bot.services import Services
from storage import keluarga as records
from storage import rekap as store
from storage import risk_history
from storage.keluarga import Measurement
from storage.timefmt import to_db
from tests.rekap.brute import recount as brute_recount
from tests.rekap.conftest import CURUG, ROOT, Brute, add_reminders_and_mothers, span_of


async def counters_match_rebuild(services: Services) -> None:
    db = services.db
    by_triggers, activity = await store.counter_snapshot(db), await store.activity_snapshot(db)
    async with db.transaction() as tx:
        await store.rebuild_counts(tx)
    rebuilt, rebuilt_activity = await store.counter_snapshot(db), await store.activity_snapshot(db)
    differences = {k: (by_triggers.get(k), rebuilt.get(k)) for k in by_triggers.keys() | rebuilt.keys()
                   if by_triggers.get(k) != rebuilt.get(k)}
    assert not differences, sorted(differences.items())[:20]
    assert activity == rebuilt_activity
    await rollup_is_sum_of_desa(services)


async def rollup_is_sum_of_desa(services: Services) -> None:
    """Each roll-up row is the sum of the desa counters under it, added up here in Python."""
    expected: dict[tuple[str, int, str, str, str], int] = {}
    for metric, region, month, until, value in await services.db.fetch_all(
            "SELECT metric, region_code, month, until, value FROM rekap_counts"):
        for level, width in ((1, 2), (2, 5), (3, 8)):
            key = (metric, level, region[:width], month, until)
            expected[key] = expected.get(key, 0) + value
    rolled = {tuple(r[:5]): r[5] for r in await services.db.fetch_all(
        "SELECT metric, level, region_code, month, until, value FROM rekap_rollup")}
    assert {k: v for k, v in rolled.items() if v} == {k: v for k, v in expected.items() if v}
    assert expected, "no counters: the comparison would prove nothing"


async def ids(services: Services, sql: str) -> list[int]:
    return [r[0] for r in await services.db.fetch_all(sql)]


async def mutate(services: Services, rng: random.Random, steps: int) -> None:
    """Random changes of every kind the rest of the bot makes (and a few it should not)."""
    db = services.db
    now = services.clock.now()
    local_today = today(services)
    children = await ids(services, "SELECT id FROM sasaran WHERE category IN ('baduta', 'balita')")
    everyone = await ids(services, "SELECT id FROM sasaran")
    families = await ids(services, "SELECT id FROM keluarga")
    tpk = await ids(services, "SELECT id FROM users WHERE role = 'tpk' ORDER BY id")
    reporter = tpk[0]
    for _ in range(steps):
        kind = rng.randrange(14)
        async with db.transaction() as tx:
            if kind == 0:  # a measurement, often in an earlier month than the latest
                visited = local_today - timedelta(days=rng.randint(0, 200))
                haz = round(rng.gauss(-1.2, 1.2), 2)
                await records.add_kunjungan(
                    tx, sasaran_id=rng.choice(children), reporter_id=reporter, kind="kunjungan", answers={},
                    now=now, measurement=Measurement(visited_on=visited, weight_kg=9.5, height_cm=78.0,
                                                     haz=haz if rng.random() < 0.8 else None, waz=-1.0, whz=-0.5,
                                                     stunted=haz < -2, wasted=rng.random() < 0.1,
                                                     underweight=rng.random() < 0.2))
            elif kind == 1:  # a visit with a birth or loss, or without measurement
                await records.add_kunjungan(
                    tx, sasaran_id=rng.choice(everyone), reporter_id=rng.choice(tpk), kind="kunjungan", answers={},
                    now=now, outcome=rng.choice((None, "lahir", "keguguran")),
                    measurement=Measurement(visited_on=local_today - timedelta(days=rng.randint(0, 90))))
            elif kind == 2:  # a visit deleted
                victim = await tx.fetch_one("SELECT id FROM kunjungan ORDER BY random() LIMIT 1")
                await tx.execute("DELETE FROM kunjungan WHERE id = ?", (victim[0],))
            elif kind == 3:  # a visit corrected: other date, other values
                victim = await tx.fetch_one("SELECT id FROM kunjungan ORDER BY random() LIMIT 1")
                await tx.execute("UPDATE kunjungan SET visited_on = ?, stunted = 1 - coalesce(stunted, 0) "
                                 "WHERE id = ?", ((local_today - timedelta(days=rng.randint(0, 150))).isoformat(),
                                                  victim[0]))
            elif kind == 4:  # birth: ibu hamil becomes ibu nifas
                target = rng.choice(everyone)
                await records.update_sasaran(tx, target, actor_id=reporter, now=now, category="ibu_nifas",
                                             delivery_date=local_today)
            elif kind == 5:  # pendampingan ends
                await records.update_sasaran(tx, rng.choice(everyone), actor_id=reporter, now=now,
                                             status=rng.choice(("selesai", "aktif")), ended_reason="keguguran")
            elif kind == 6:  # HPHT / HPL corrected, or category changed
                target = rng.choice(everyone)
                hpht = local_today - timedelta(days=rng.randint(10, 400))
                await records.update_sasaran(tx, target, actor_id=reporter, now=now,
                                             category=rng.choice(("ibu_hamil", "baduta", "balita", "catin")),
                                             hpht=hpht, hpl=hpht + timedelta(days=280))
            elif kind == 7:  # erased (/hapus) or restored
                target = rng.choice(everyone)
                await tx.execute("UPDATE sasaran SET erased_at = CASE WHEN erased_at IS NULL THEN ? END "
                                 "WHERE id = ?", (to_db(now), target))
            elif kind == 8:  # a family reassessed
                family = rng.choice(families)
                codes = rng.sample([RiskCode.WATER, RiskCode.LATRINE, RiskCode.TERLALU_TUA, RiskCode.NO_MODERN_KB],
                                   k=rng.randint(0, 3))
                members = {m: [RiskFactor(RiskCode.KEK, "KEK")] if rng.random() < 0.5 else []
                           for m in await ids(services, f"SELECT id FROM sasaran WHERE keluarga_id = {family}")}
                await records.replace_risks(tx, family, [RiskFactor(c, "x") for c in codes], members,
                                            berisiko=bool(codes))
                await risk_history.record(  # as bot.reporting.reassess does, from today
                    tx, family, local_today, [(local_today, frozenset({"berisiko"} if codes else set())
                                               | {f"risk_{c.value}" for c in codes})],
                    {m: [(local_today, frozenset({"flag_kek"} if flags else set()))] for m, flags in members.items()})
            elif kind == 9:  # INSERT OR REPLACE over an existing row, a plain delete
                row = await tx.fetch_one("SELECT keluarga_id, code FROM keluarga_risk ORDER BY random() LIMIT 1")
                await tx.execute("INSERT OR REPLACE INTO keluarga_risk (keluarga_id, code, reason) VALUES (?, ?, 'y')",
                                 (row[0], row[1]))
                await tx.execute("DELETE FROM sasaran_flag WHERE (sasaran_id, code) IN (SELECT sasaran_id, code "
                                 "FROM sasaran_flag ORDER BY random() LIMIT 1)")
            elif kind == 10:  # a family erased or moved, a member moved (with her reminders)
                family = rng.choice(families)
                await tx.execute("UPDATE keluarga SET erased_at = CASE WHEN erased_at IS NULL THEN ? END, "
                                 "region_code = ? WHERE id = ?", (to_db(now), "36.73.06.1001", family))
                await tx.execute("UPDATE sasaran SET region_code = ? WHERE id = ?",
                                 ("36.73.01.1001", rng.choice(everyone)))
            elif kind == 12:  # a TPK member leaves or comes back, moves, changes role (the reports stay)
                member, change = rng.choice(tpk), rng.randrange(3)
                if change == 0:
                    await tx.execute("UPDATE users SET status = CASE WHEN status = 'active' THEN 'inactive'"
                                     " ELSE 'active' END WHERE id = ?", (member,))
                elif change == 1:
                    desa = await tx.fetch_one("SELECT code FROM regions WHERE level = 4 ORDER BY random() LIMIT 1")
                    await tx.execute("UPDATE users SET region_code = ? WHERE id = ?", (desa[0], member))
                else:
                    await tx.execute("UPDATE users SET role = CASE WHEN role = 'tpk' THEN 'koordinator'"
                                     " ELSE 'tpk' END WHERE id = ?", (member,))
            elif kind == 13:  # a report put on another member and day (an operator's repair), maybe
                # before that member was registered
                victim = await tx.fetch_one("SELECT id FROM keluarga ORDER BY random() LIMIT 1")
                await tx.execute("UPDATE keluarga SET reporter_id = ?, created_at = ? WHERE id = ?",
                                 (rng.choice(tpk), to_db(now - timedelta(days=rng.randint(0, 400))), victim[0]))
            else:  # reminders sent, answered, un-sent
                reminder = await tx.fetch_one("SELECT id FROM reminders ORDER BY random() LIMIT 1")
                await tx.execute("UPDATE reminders SET ack_at = CASE WHEN ack_at IS NULL THEN ? END, "
                                 "sent_at = CASE WHEN ? THEN NULL ELSE sent_at END, needs_ack = 1 WHERE id = ?",
                                 (to_db(now), rng.random() < 0.2, reminder[0]))


async def test_triggers_keep_the_counters_equal_to_a_rebuild(seeded: Services) -> None:
    await add_reminders_and_mothers(seeded, random.Random(1))
    await counters_match_rebuild(seeded)
    await mutate(seeded, random.Random(2), steps=250)
    await counters_match_rebuild(seeded)


async def test_hard_deletes_cascade_out_of_the_counts(seeded: Services) -> None:
    db = seeded.db
    family = await db.fetch_value("SELECT k.id FROM keluarga k WHERE EXISTS (SELECT 1 FROM keluarga_risk r "
                                  "WHERE r.keluarga_id = k.id) ORDER BY k.id LIMIT 1")
    async with db.transaction() as tx:
        members = [r[0] for r in await tx.fetch_all("SELECT id FROM sasaran WHERE keluarga_id = ?", (family,))]
        for member in members:
            await tx.execute("DELETE FROM kunjungan WHERE sasaran_id = ?", (member,))
            await tx.execute("DELETE FROM sasaran WHERE id = ?", (member,))  # flags cascade
        await tx.execute("DELETE FROM keluarga WHERE id = ?", (family,))  # risks cascade
    await counters_match_rebuild(seeded)


async def test_a_deployment_in_another_zone_rebuckets_once(seeded: Services) -> None:
    assert await store.ensure_zone(seeded.db, "+480 minutes")
    assert not await store.ensure_zone(seeded.db, "+480 minutes")
    await counters_match_rebuild(seeded)


async def test_other_trimester_boundaries_rebuild_the_spans_once(seeded: Services) -> None:
    await ensure_ready(seeded)  # the configured 12/24 weeks
    assert await store.ensure_trimester(seeded.db, 13 * 7, 29 * 7)  # TM II to 28 weeks, as one source has it
    assert not await store.ensure_trimester(seeded.db, 13 * 7, 29 * 7)
    await counters_match_rebuild(seeded)
    period = this_month(today(seeded))
    shown = (await build_rekap(seeded, scope=ROOT, area=ROOT, period=period)).figures
    recount = await Brute.of(seeded)
    desa = [r.code for r in seeded.regions.descendants_at(ROOT, Level.DESAKEL)]
    expected = brute_recount(recount.tables, area=ROOT, span=span_of(period), today=today(seeded),
                             zone=seeded.settings.wilayah.zone, boundaries=TrimesterBoundaries(12, 28), desa=desa)
    assert [shown.value(k) for k in ("hamil_tm1", "hamil_tm2", "hamil_tm3")] == \
        [expected.get(k, 0) for k in ("hamil_tm1", "hamil_tm2", "hamil_tm3")]
    assert expected.get("hamil_tm2", 0) != recount(ROOT, period).get("hamil_tm2", 0), "the boundary moved nobody"


def check(figures: Figures, expected: dict[str, object]) -> None:
    wholes = {"anak_pendek": "anak_tbu", "anak_kurus": "anak_ukur", "anak_bbkurang": "anak_ukur",
              "keluarga_berisiko": "keluarga", "tpk_lapor": "tpk_members", "pengingat_jawab": "pengingat_perlu"}
    for row in figures.rows:
        assert row.value == expected.get(row.key, 0), (row.key, row.value, expected.get(row.key, 0))
        if row.key in wholes:
            assert row.whole == expected.get(wholes[row.key], 0), (row.key, row.whole)


def periods(day: date) -> list[Period]:
    return [this_month(day), last_month(day), last_three_months(day), this_year(day), year(2025, day),
            Period.month(2026, 6), Period.months_ending(date(2026, 2, 1), 3)]


@pytest.mark.parametrize("area", [ROOT, CURUG, "36.73.04.1007"])
async def test_figures_equal_a_brute_force_recount(seeded: Services, area: str) -> None:
    await add_reminders_and_mothers(seeded, random.Random(3))
    await mutate(seeded, random.Random(4), steps=80)
    day = today(seeded)
    recount = await Brute.of(seeded)
    for period in periods(day):
        rekap = await build_rekap(seeded, scope=ROOT, area=area, period=period, depth=1)
        expected = recount(area, period)
        check(rekap.figures, expected)
        previous = recount(area, period.previous())
        for row in rekap.figures.rows:
            if row.compare and row.previous is not None:
                assert row.previous == previous.get(row.key, 0), (period, row.key)
        names = {seeded.regions.disambiguated_name(c) for c in expected["without_report"]}  # type: ignore[union-attr]
        assert set(rekap.without_report) == names
        for sub in rekap.sub_areas:
            check(sub.figures, recount(sub.code, period))
