"""Two dispatchers (two processes, each with its own connections) claiming due rows at the
same moment never take the same row, on either engine: on PostgreSQL the claim's SELECT
takes ``FOR UPDATE SKIP LOCKED``, on SQLite ``BEGIN IMMEDIATE`` makes the second wait."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.services import Services
from storage import notices as notices_store
from storage import outbox
from storage import reminders as reminders_store
from storage.db import Database
from storage.engine import open_database
from storage.timefmt import to_db
from storage.url import StorageURL
from tests.reminders.test_storage import ADMIN, mother, services  # noqa: F401 -- the fixture, on both engines

BATCH = 5


async def _due_reminders(deployment: Services, count: int) -> None:
    sasaran = await mother(deployment)
    now = deployment.clock.now()
    async with deployment.db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, send_after, created_at, "
            "updated_at) VALUES (?, ?, '2026-11-23', '2026-12-31', 'anc', ?, ?, ?)",
            [(sasaran, f"race_{n}", to_db(now - timedelta(minutes=n)), to_db(now), to_db(now)) for n in range(count)])


async def _due_notices(deployment: Services, count: int) -> None:
    await mother(deployment)
    now = deployment.clock.now()
    async with deployment.db.transaction() as tx:
        for n in range(count):
            await notices_store.queue(tx, recipient_id=ADMIN, kind="uji", dedupe_key=f"race-{n}", text="x",
                                      now=now - timedelta(minutes=n))


LANES = {"reminders": (_due_reminders, reminders_store.due_candidates),
         "notices": (_due_notices, notices_store.due_candidates)}


@pytest.mark.parametrize("table", list(LANES))
async def test_two_dispatchers_never_claim_the_same_row(services: Services, storage_url: StorageURL,  # noqa: F811
                                                        table: str) -> None:
    fill, due = LANES[table]
    await fill(services, 3 * BATCH)
    now = services.clock.now()
    first_has_chosen = asyncio.Event()

    async def dispatcher(db: Database, run_id: str, *, first: bool) -> list[int]:
        if not first:
            await first_has_chosen.wait()
        async with db.transaction() as tx:
            rows = await due(tx, now=now, limit=BATCH)
            if first:
                first_has_chosen.set()
                await asyncio.sleep(0.3)  # still inside its transaction while the other claims
            ids = [row.id for row in rows]
            await outbox.claim(tx, table, ids, run_id=run_id, now=now)  # type: ignore[arg-type]
            return ids

    one, two = await open_database(storage_url), await open_database(storage_url)
    try:
        a, b = await asyncio.gather(dispatcher(one, "a", first=True), dispatcher(two, "b", first=False))
    finally:
        await one.close()
        await two.close()
    assert len(a) == BATCH and len(b) == BATCH
    assert not set(a) & set(b), "a row claimed by both dispatchers would be sent twice"
    claimed = await services.db.fetch_all(f"SELECT id, claimed_by FROM {table} WHERE state = 'sending' ORDER BY id")
    assert {r[0]: r[1] for r in claimed} == {**{i: "a" for i in a}, **{i: "b" for i in b}}
