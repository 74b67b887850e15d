"""The real bot, in-process, against the Bot API emulator, with a clock people can move.

:class:`Playground` builds the bot exactly as production does (``prepare`` +
``build_application`` + ``running`` from :mod:`bot.app`), only the Telegram server is
the emulator on 127.0.0.1 and the clock is a :class:`~bot.clock.FakeClock`. Moving the
clock runs what the scheduler would have run in that time: the reminder dispatcher
(which, with a fake clock, deliberately schedules no job of its own) and every job on
the application's JobQueue (monthly digest, draft expiry, ...), hour by hour, so a
week ahead delivers that week's reminders in order, each in the recipient's daytime.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.dev.emulator import BotApiEmulator
from bot.dev.playground import config as pg_config
from bot.dev.playground.chats import Revisions, WatchedUser, start_links
from bot.dev.playground.personas import PERSONAS, Persona
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from storage import seed as seed_store
from storage import users as users_store

log = logging.getLogger(__name__)

#: The clock moves in steps of at most this much; every job runs after each step.
STEP = timedelta(hours=1)
#: The longest single move the page may ask for.
MAX_ADVANCE = timedelta(days=31)
#: Ticks of the dispatcher per step at most (it sends one message per chat per tick).
MAX_TICKS = 25


@dataclass
class AdvanceReport:
    """What moving the clock did, for the page's status line."""

    steps: int = 0
    reminders: int = 0  # reminders delivered to mothers
    notices: int = 0  # notices to TPK members and coordinators (follow-ups, digests, consent news)
    expired: int = 0
    jobs: dict[str, int] = field(default_factory=dict)  # JobQueue job name -> runs

    def as_json(self) -> dict[str, Any]:
        return {"steps": self.steps, "reminders": self.reminders, "notices": self.notices,
                "expired": self.expired, "jobs": dict(self.jobs)}


@dataclass
class SeedResult:
    requested: int
    created: int = 0
    families: int = 0
    note: str = ""


class Playground:
    """Owns the emulator, the bot and the clock for one playground process (or test)."""

    def __init__(self, base: Settings, *, db_path: Path = pg_config.DEFAULT_DB, start: datetime | None = None,
                 seed_demo: int = 0, seed: int = 1, overrides: dict[str, dict[str, Any]] | None = None) -> None:
        self.base = base
        self.db_path = db_path
        self.seed_demo = seed_demo
        self.seed = seed
        self.overrides = overrides
        saved = pg_config.saved_clock(db_path)
        now = start or datetime.now(UTC).replace(second=0, microsecond=0)
        self.clock = FakeClock(max(now, saved) if saved and start is None else now)
        self.revisions = Revisions()
        self.emu = BotApiEmulator(token=pg_config.TOKEN, bot_username=pg_config.BOT_USERNAME, clock=self.clock,
                                  bot_first_name=pg_config.BOT_NAME)
        self.users: dict[str, WatchedUser] = {}
        self.links = start_links(pg_config.BOT_USERNAME)
        self.seeded: SeedResult | None = None
        self.settings: Settings
        self.services: Services
        self.app: Any = None
        self._stack: AsyncExitStack | None = None
        self._advance_lock = asyncio.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        stack = AsyncExitStack()
        try:
            await self.emu.start()
            stack.push_async_callback(self.emu.stop)
            self.settings = pg_config.playground_settings(
                self.base, db_path=self.db_path, base_url=self.emu.base_url, base_file_url=self.emu.base_file_url,
                overrides=self.overrides)
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            self.services = await prepare(self.settings, self.clock)
            stack.push_async_callback(self.services.db.close)
            if self.seed_demo:
                self.seeded = await self._seed(self.seed_demo)
            for persona in PERSONAS:
                user = self.emu.user(persona.user_id, persona.first_name, persona.last_name,
                                     phone_number=persona.phone, sim_class=WatchedUser)
                assert isinstance(user, WatchedUser)
                user.watch(self.revisions)
                self.users[persona.key] = user
            self.app = build_application(self.services)
            await stack.enter_async_context(running(self.app, poll_timeout=10))
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        pg_config.save_clock(self.db_path, self.clock.now())

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def __aenter__(self) -> Playground:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- demo data --------------------------------------------------------------------------

    async def _seed(self, count: int) -> SeedResult:
        """``bot.dev.seed.seed_demo`` into an empty playground database (never twice)."""
        result = SeedResult(requested=count)
        try:
            from bot.dev.seed import seed_demo
        except ImportError:
            result.note = "data demo belum tersedia di versi ini (bot.dev.seed tidak ada)"
            return result
        db = self.services.db
        if await seed_store.holds_sasaran(db):
            result.note = "basis data playground sudah berisi data; data demo tidak ditambah (pakai --reset)"
            return result
        summary = await seed_demo(db, self.services.cipher, root=self.settings.wilayah.root, sasaran=count,
                                  seed=self.seed, now=self.clock.now())
        result.created, result.families = summary.sasaran, summary.keluarga
        result.note = f"data demo: {summary.sasaran} sasaran dalam {summary.keluarga} keluarga"
        return result

    # -- people -----------------------------------------------------------------------------

    def user(self, persona: Persona | str) -> WatchedUser:
        return self.users[persona if isinstance(persona, str) else persona.key]

    async def membership(self, persona: Persona) -> str:
        """What the bot knows of this persona: "belum terdaftar" or role and area."""
        member = await users_store.get(self.services.db, persona.user_id)
        if member is None and persona.user_id in self.settings.access.admins:
            return f"Admin · {self.services.regions.label(self.settings.wilayah.root)}"  # an account on first /start
        if member is None:
            return "belum terdaftar"
        if not member.active:
            return "nonaktif"
        area = self.services.regions.label(member.region_code) if member.region_code in self.services.regions \
            else member.region_code
        label = member.role.label
        if member.team_position is not None:
            label += f" ({member.team_position.label})"
        return f"{label} · {area}"

    # -- time -------------------------------------------------------------------------------

    async def advance(self, delta: timedelta) -> AdvanceReport:
        """Move the clock forward by ``delta`` in steps of at most an hour, running the
        reminder dispatcher and every periodic job after each step."""
        if not timedelta(0) < delta <= MAX_ADVANCE:
            raise ValueError(f"the clock moves forward by up to {MAX_ADVANCE.days} days")
        report = AdvanceReport()
        async with self._advance_lock:
            target = self.clock.now() + delta
            while self.clock.now() < target:
                self.clock.advance(min(STEP, target - self.clock.now()))
                report.steps += 1
                await self.run_jobs(report)
            pg_config.save_clock(self.db_path, self.clock.now())
            self.revisions.bump()
        return report

    async def run_jobs(self, report: AdvanceReport | None = None) -> AdvanceReport:
        """Run, now, what the scheduler runs: the reminder dispatcher until it has nothing
        more to send at this instant, then every job on the JobQueue once."""
        from bot.reminders import dispatch_due
        from bot.reminders.dispatcher import JOB_NAME

        report = report or AdvanceReport()
        for _ in range(MAX_TICKS):
            tick = await dispatch_due(self.services, self.app.bot, self.app)
            report.reminders += tick.sent
            report.notices += tick.notices_sent
            report.expired += tick.expired
            if not (tick.sent or tick.notices_sent or tick.retried):
                break
        report.jobs[JOB_NAME] = report.jobs.get(JOB_NAME, 0) + 1
        job_queue = self.app.job_queue
        for job in job_queue.jobs() if job_queue is not None else ():
            if job.name == JOB_NAME or job.removed:
                continue
            await job.run(self.app)
            report.jobs[job.name] = report.jobs.get(job.name, 0) + 1
        return report
