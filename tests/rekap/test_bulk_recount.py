"""The bulk path on PostgreSQL (storage/bulk_load.py): counters recounted with the triggers
off equal the counters the triggers keep, after every kind of change; the triggers count
again afterwards; and a bulk seed gives the same figures as the same seed through the
triggers."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.dev.seed import seed_bulk, seed_demo
from bot.rekap.service import build_rekap, today
from bot.services import Services
from storage import bulk_load, catalogue
from storage import rekap as store
from storage.seed import COLUMNS
from tests.harness import START
from tests.rekap.conftest import CURUG, ROOT, SEED_SASARAN, add_reminders_and_mothers
from tests.rekap.test_counters import counters_match_rebuild, mutate, periods

ON_POSTGRESQL = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


async def snapshots(services: Services) -> tuple[dict, dict]:
    return await store.counter_snapshot(services.db), await store.activity_snapshot(services.db)


@ON_POSTGRESQL
async def test_the_recount_without_triggers_equals_the_triggers(seeded: Services) -> None:
    await add_reminders_and_mothers(seeded, random.Random(3))
    await mutate(seeded, random.Random(4), steps=80)
    by_triggers = await snapshots(seeded)
    assert by_triggers[0], "no counters: the comparison would prove nothing"
    await bulk_load.recount(seeded.db)
    recounted = await snapshots(seeded)
    differences = {k: (by_triggers[0].get(k), recounted[0].get(k)) for k in by_triggers[0].keys() | recounted[0].keys()
                   if by_triggers[0].get(k) != recounted[0].get(k)}
    assert not differences, sorted(differences.items())[:20]
    assert recounted == by_triggers
    # The triggers are back on: later changes keep counting, and still match a rebuild.
    await mutate(seeded, random.Random(5), steps=30)
    assert await snapshots(seeded) != by_triggers
    await counters_match_rebuild(seeded)


@ON_POSTGRESQL
async def test_the_roll_ups_summed_level_by_level_equal_the_triggers_at_every_code_length(services: Services) -> None:
    """rebuild_rollups sums each level from the one below; counters kept at a kecamatan, a
    kabupaten or a province code (not only at desa) must land in the levels above them
    exactly as migration 0006's triggers put them."""
    rng = random.Random(11)
    codes = ["36.71", "36.71.01", "36.71.02", "36.71.01.1001", "36.71.01.1002", "36.71.02.1001", "36.72.01.1001",
             "32.04.01.2001", "32", "36"]
    async with services.db.transaction() as tx:
        for metric in ("keluarga", "inm:hamil", "risk:air"):
            for code in codes:
                for month in ("2026-09", "2026-10"):
                    for until in ("", "2026-11"):
                        if rng.random() < 0.7:
                            await tx.execute("INSERT INTO rekap_counts (metric, region_code, month, until, value)"
                                             " VALUES (?, ?, ?, ?, ?)",
                                             (metric, code, month, until, rng.randint(-3, 9)))
    by_triggers = await store.counter_snapshot(services.db)
    assert any(len(key[1]) == 2 for key in by_triggers), "no province roll-up: the comparison would prove little"
    async with services.db.transaction() as tx:
        await store.rebuild_rollups(tx)
    assert await store.counter_snapshot(services.db) == by_triggers


@ON_POSTGRESQL
async def test_a_bulk_seed_shows_what_the_same_seed_through_the_triggers_shows(services: Services) -> None:
    await seed_bulk(services.db, services.cipher, root=ROOT, sasaran=SEED_SASARAN, seed=7, now=START)
    bulk = await snapshots(services)
    day = today(services)
    shown = {(area, period.token()): (await build_rekap(services, scope=ROOT, area=area, period=period)).figures
             for area in (ROOT, CURUG) for period in periods(day)}
    await counters_match_rebuild(services)  # the bulk counters are what the triggers' rebuild gives
    assert await snapshots(services) == bulk
    db = services.db
    async with db.transaction() as tx:
        for table in ("kunjungan", "sasaran_flag", "sasaran", "keluarga_risk", "keluarga", "rekap_state_span"):
            await tx.execute(f"DELETE FROM {table}")
    await store.drop_zero_counts(db)
    # Only the TPK members' counters are left: the members stay, and the second seed reuses them.
    assert {key[0] for key in await store.counter_snapshot(db)} == {"tpk"}
    await seed_demo(db, services.cipher, root=ROOT, sasaran=SEED_SASARAN, seed=7, now=START)
    assert await snapshots(services) == bulk
    for (area, token), figures in shown.items():
        period = next(p for p in periods(day) if p.token() == token)
        assert (await build_rekap(services, scope=ROOT, area=area, period=period)).figures == figures


@ON_POSTGRESQL
async def test_a_load_puts_back_every_index_and_foreign_key_and_an_orphan_row_loads_nothing(services: Services) -> None:
    """The load drops the copied tables' non-unique indexes and foreign keys while it copies
    (storage.bulk_load._set_aside); afterwards the catalogue must be as before, and a row
    whose parent is missing must fail the whole load, as the foreign key would have."""
    db = services.db
    before = await catalogue.describe(db)
    assert before["kunjungan"].foreign_keys and before["kunjungan"].indexes, "nothing to set aside: proves nothing"
    await seed_bulk(db, services.cipher, root=ROOT, sasaran=60, seed=7, now=START)
    assert await catalogue.describe(db) == before

    async def row_counts() -> dict[str, int]:
        return {t: await db.fetch_value(f"SELECT count(*) FROM {t}") for t in COLUMNS}

    counts = await row_counts()
    row = list((await db.fetch_all(f"SELECT {', '.join(COLUMNS['kunjungan'])} FROM kunjungan LIMIT 1"))[0])
    row[0], row[1] = await db.fetch_value("SELECT max(id) + 1 FROM kunjungan"), 10**12  # id, sasaran_id

    async def orphan() -> AsyncIterator[dict[str, list]]:
        yield {"kunjungan": [tuple(row)]}

    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        await bulk_load.load(db, orphan())
    assert await row_counts() == counts
    assert await catalogue.describe(db) == before


async def test_the_bulk_path_refuses_sqlite(tmp_path) -> None:
    from storage.db import Database

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        with pytest.raises(TypeError):
            await bulk_load.recount(db)  # type: ignore[arg-type]
    finally:
        await db.close()
