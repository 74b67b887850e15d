"""Migration 0018 and the risk-backlog job (issue 14): a family reported before 0017 has
its dated risk history started open from the day it was reported, so a 4 Terlalu factor
that changes by itself later was not foreseen. 0018 lists every such family; the job
reassesses each once from today, as a report would: the later months then count it by
its factors on their own reference day, the months already past keep what they showed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.rekap import risk_backlog
from bot.rekap.periods import Period
from bot.rekap.service import build_rekap
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from storage import risk_backlog as backlog_store
from storage.crypto import new_key
from storage.db import Database, bundled_migrations
from tests.harness import ADMIN_ID, START

ROOT, DESA = "36.73", "36.73.04.1007"
REPORTED = "2026-11-02T02:00:00Z"
#: Reported in November 2026, before the upgrade, as the family form stored them then:
#: 1 the wife turns 36 on 10 January 2027 (terlalu tua from then), not berisiko now;
#: 2 the last birth was 15 January 2025 (terlalu dekat until 15 January 2027), berisiko now;
#: 3 like 2, but erased: counted nowhere, reassessed never;
#: 4 like 2, but anonymised by retention (its answers gone): it keeps what it counted.
FAMILIES = {
    1: ({"pus": True, "istri_lahir": "1991-01-10", "anak": 2, "kb": "suntik"}, [], None),
    2: ({"pus": True, "istri_lahir": "1996-04-02", "anak": 1, "kb": "pil", "anak_terakhir": "2025-01-15"},
        ["terlalu_dekat"], None),
    3: ({"pus": True, "istri_lahir": "1996-04-02", "anak": 1, "kb": "pil", "anak_terakhir": "2025-01-15"},
        ["terlalu_dekat"], REPORTED),
    4: ({}, ["terlalu_dekat"], None),
}
ANONYMISED = 4


async def _seed_before_0017(path: Path) -> None:
    db = await Database.open(path)
    try:
        await db.migrate([m for m in bundled_migrations() if m.version < 17])
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO regions (code, name, level, parent_code) VALUES ('36.73', 'Kota Serang',"
                             " 2, '36'), ('36.73.04', 'Curug', 3, '36.73'), (?, 'Sukawana', 4, '36.73.04')", (DESA,))
            await tx.execute("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at)"
                             " VALUES (3001, 'Siti', 'tpk', ?, ?, ?)", (DESA, REPORTED, REPORTED))
            for family_id, (answers, risks, erased) in FAMILIES.items():
                await tx.execute(
                    "INSERT INTO keluarga (id, region_code, head_name, water_source, latrine, answers_json, berisiko,"
                    " reporter_id, created_at, updated_at, erased_at, anonymised_at) VALUES (?, ?, 'K', 'ledeng',"
                    " 'sendiri_septik', ?, ?, 3001, ?, ?, ?, ?)",
                    (family_id, DESA, json.dumps(answers), int(bool(risks)), REPORTED, REPORTED, erased,
                     REPORTED if family_id == ANONYMISED else None))
                for code in risks:
                    await tx.execute("INSERT INTO keluarga_risk (keluarga_id, code, reason) VALUES (?, ?, 'x')",
                                     (family_id, code))
    finally:
        await db.close()


async def _upgraded(tmp_path: Path) -> Services:
    path = tmp_path / "tpk.sqlite3"
    await _seed_before_0017(path)
    settings = Settings(storage={"path": str(path)}, wilayah={"root": ROOT}, access={"admins": [ADMIN_ID]},
                        privacy={"key": new_key()})
    return await prepare(settings, FakeClock(START))  # 23 November 2026; migrates 0017 and 0018


async def _figures(services: Services, period: Period) -> tuple[int | None, ...]:
    shown = (await build_rekap(services, scope=ROOT, area=ROOT, period=period, live=True)).figures
    return tuple(shown.value(key) for key in ("keluarga_berisiko", "risk_terlalu_tua", "risk_terlalu_dekat"))


async def test_the_backlog_foresees_what_0017_could_not_and_keeps_the_past(tmp_path: Path) -> None:
    services = await _upgraded(tmp_path)
    clock = services.clock
    assert isinstance(clock, FakeClock)
    try:
        assert await backlog_store.next_batch(services.db, 10) == [1, 2]  # not the erased or anonymised one
        november, january, february = Period.month(2026, 11), Period.month(2027, 1), Period.month(2027, 2)
        assert await _figures(services, november) == (2, 0, 2)

        report = await risk_backlog.work_through(services, batch=1)
        assert (report.reassessed, report.remaining) == (2, 0)
        assert await risk_backlog.work_through(services) == risk_backlog.BacklogReport(0, 0)

        assert await _figures(services, november) == (2, 0, 2)
        clock.advance(timedelta(days=100))  # 3 March 2027: January and February are past
        assert await _figures(services, november) == (2, 0, 2)
        # January's reference day is its last: family 1's wife is 36, family 2's last birth 24 months
        # ago; the anonymised family 4 keeps counting as it did.
        assert await _figures(services, january) == (2, 1, 1)
        assert await _figures(services, february) == (2, 1, 1)
    finally:
        await services.db.close()


async def test_without_the_backlog_the_old_families_would_keep_todays_state(tmp_path: Path) -> None:
    """The gap the job closes, shown on the same data: nothing foreseen before it runs."""
    services = await _upgraded(tmp_path)
    clock = services.clock
    assert isinstance(clock, FakeClock)
    try:
        clock.advance(timedelta(days=100))
        assert await _figures(services, Period.month(2027, 2)) == (2, 0, 2)
    finally:
        await services.db.close()


async def test_a_run_stops_at_its_budget_and_the_next_goes_on(tmp_path: Path) -> None:
    services = await _upgraded(tmp_path)
    try:
        first = await risk_backlog.work_through(services, budget_seconds=0, batch=1)
        assert (first.reassessed, first.remaining) == (1, 1)
        second = await risk_backlog.work_through(services, budget_seconds=0, batch=1)
        assert (second.reassessed, second.remaining) == (1, 0)
    finally:
        await services.db.close()
