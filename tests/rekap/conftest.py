"""Fixtures for the rekap tests: a prepared deployment (Kota Serang) with demo data,
and helpers that change records the way the rest of the bot does."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest

from bot.clock import FakeClock
from bot.dev.seed import seed_demo
from bot.domain.regions import Level
from bot.rekap.periods import Period
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from storage.crypto import new_key
from storage.timefmt import to_db
from storage.url import StorageURL
from tests.harness import ADMIN_ID, START
from tests.rekap.brute import Assessed, Span, Tables, load, recount

ROOT = "36.73"
CURUG = "36.73.04"
KASEMEN = "36.73.02"
SEED_SASARAN = 900


def span_of(period: Period) -> Span:
    return Span(period.first, period.last, period.end)


@asynccontextmanager
async def prepared_at(storage_url: StorageURL, root: str) -> AsyncIterator[Services]:
    """A deployment rooted at ``root``, prepared as at start-up, closed afterwards."""
    settings = Settings(storage={"url": storage_url.as_setting()}, wilayah={"root": root},
                        access={"admins": [ADMIN_ID]}, privacy={"key": new_key()})
    prepared = await prepare(settings, FakeClock(START))
    try:
        yield prepared
    finally:
        await prepared.db.close()


@pytest.fixture
async def services(storage_url: StorageURL) -> AsyncIterator[Services]:
    async with prepared_at(storage_url, ROOT) as prepared:
        yield prepared


@pytest.fixture
async def seeded(services: Services) -> Services:
    await seed_demo(services.db, services.cipher, root=ROOT, sasaran=SEED_SASARAN, seed=7, now=START)
    return services


class Brute:
    """The brute-force recount over one snapshot of the raw tables."""

    def __init__(self, services: Services, tables: Tables, assessments: Sequence[Assessed] | None = None) -> None:
        self.services = services
        self.tables = tables
        self.assessments = assessments

    @classmethod
    async def of(cls, services: Services, assessments: Sequence[Assessed] | None = None) -> Brute:
        return cls(services, await load(services.db, services.settings.wilayah.zone), assessments)

    def __call__(self, area: str, period: Period) -> dict[str, object]:
        services = self.services
        today = services.clock.now().astimezone(services.settings.wilayah.zone).date()
        desa = [r.code for r in services.regions.descendants_at(services.regions.root.code, Level.DESAKEL)]
        return recount(self.tables, area=area, span=span_of(period), today=today,
                       zone=services.settings.wilayah.zone, boundaries=services.settings.trimester.boundaries,
                       desa=desa, assessments=self.assessments)


async def brute(services: Services, area: str, period: Period) -> dict[str, object]:
    return (await Brute.of(services))(area, period)


async def add_reminders_and_mothers(services: Services, rng: random.Random, count: int = 60,
                                    within: str = ROOT) -> None:
    """Reminder rows (some sent, some answered) and linked / consenting mothers inside
    ``within``, written as the reminder module's tables hold them."""
    db = services.db
    mothers = [r[0] for r in await db.fetch_all(
        "SELECT id FROM sasaran WHERE category IN ('ibu_hamil', 'ibu_nifas') AND erased_at IS NULL "
        "AND region_code LIKE ? ORDER BY id", (within + ".%",))]
    base = int(await db.fetch_value("SELECT coalesce(max(id), 0) FROM users WHERE role = 'ibu'") or 0)
    now = services.clock.now()
    async with db.transaction() as tx:
        for index in range(count):
            sasaran_id = rng.choice(mothers)
            sent = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
            needs_ack = rng.random() < 0.6
            acked = needs_ack and rng.random() < 0.5
            await tx.execute(
                "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, needs_ack, send_after, "
                "state, sent_at, ack, ack_at, created_at, updated_at) VALUES (?, ?, ?, ?, 't', ?, ?, ?, ?, ?, ?, ?, ?)",
                (sasaran_id, f"k{index}-{rng.random()}", sent.date().isoformat(), sent.date().isoformat(),
                 int(needs_ack), to_db(sent), "acknowledged" if acked else "sent", to_db(sent),
                 "sudah" if acked else None, to_db(sent + timedelta(hours=3)) if acked else None, to_db(sent),
                 to_db(sent)))
        for index, sasaran_id in enumerate(mothers[:12]):
            user_id = max(base, 7_000_000) + index + 1
            joined = now - timedelta(days=10 * index)
            await tx.execute("INSERT INTO users (id, full_name, role, region_code, status, created_at, updated_at) "
                             "SELECT ?, 'Ibu', 'ibu', region_code, 'active', ?, ? FROM sasaran WHERE id = ?",
                             (user_id, to_db(joined), to_db(joined), sasaran_id))
            consent = await tx.insert(
                "INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) "
                "VALUES (?, ?, 'setuju', 'v1', ?)", (sasaran_id, user_id, to_db(joined)))
            await tx.execute(
                "INSERT INTO ibu (user_id, sasaran_id, state, ttd_enabled, consent_id, next_plan_at, created_at, "
                "updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
                (user_id, sasaran_id, "berhenti" if index % 5 == 4 else "aktif", consent, to_db(joined),
                 to_db(joined), to_db(joined)))


def month_day(day: date, rng: random.Random) -> date:
    return day.replace(day=rng.randint(1, 28))
