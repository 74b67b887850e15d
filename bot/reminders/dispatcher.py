"""The one periodic job: plan, escalate, and send what is due, within Telegram's limits.

Every tick (PTB's JobQueue, i.e. APScheduler; never one timer per reminder):

1. put back rows a previous run left in ``sending`` (it died mid-dispatch);
2. extend the rolling window of mothers whose local day has turned;
3. start follow-ups for unanswered action reminders, build due digests and summaries;
4. claim a bounded batch of due reminders, then of notices (``scheduled → sending`` in
   one transaction), at most one per chat per tick, and send them one at a time.

Sending one at a time means at most one message is in flight: if the process dies,
that one may go out twice, every other claimed row is simply sent after the restart.
Each outcome is committed right after its HTTP call. Outside the recipient's local
daytime a row waits for the morning; past its window it expires unsent.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot import callbacks as cb
from bot.clock import SystemClock
from bot.domain.daytime import DaytimeWindow, is_expired, local_date, next_allowed, zone_for_region
from bot.reminders import escalation, tablets, texts
from bot.reminders import visit_digest as digest_mod
from bot.reminders.limits import DispatchLimits, describe
from bot.reminders.messages import render_text
from bot.reminders.mothers import mark_unreachable
from bot.reminders.planning import extend_windows
from bot.services import Services
from storage import notices as notices_store
from storage import outbox
from storage import reminders as reminders_store
from storage.notices import NoticeCandidate
from storage.outbox import Table
from storage.reminders import Candidate

log = logging.getLogger(__name__)

JOB_NAME = "pengingat"
DISPATCHER_KEY = "reminder_dispatcher"
#: Telegram says a chat is gone this way (account deleted): as good as blocked.
_GONE = ("chat not found", "user is deactivated", "bot was blocked")


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    BLOCKED = "blocked"
    FLOOD = "flood"  # 429 after the rate limiter's own retries: stop this tick


@dataclass
class TickReport:
    recovered: int = 0
    planned: int = 0
    followups: int = 0
    digests: int = 0
    summaries: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    expired: int = 0
    deferred: int = 0
    notices_sent: int = 0
    rounds: int = 0
    flooded: bool = False  # Telegram answered 429: nothing more this tick


def ack_markup(reminder_id: int, text_key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.done_label(text_key), callback_data=cb.data(cb.ReminderAnswer(reminder_id, "y"))),
        InlineKeyboardButton(texts.NOT_YET_LABEL, callback_data=cb.data(cb.ReminderAnswer(reminder_id, "n"))),
    ]])


def reminder_markup(reminder_id: int, text_key: str, *, needs_ack: bool) -> InlineKeyboardMarkup | None:
    """A reminder's buttons: the tablet answers for the tablet reminders, "Sudah … / Belum"
    for an action reminder, none for the rest."""
    if text_key in tablets.TEXT_KEYS:
        return tablets.markup(reminder_id, text_key)
    return ack_markup(reminder_id, text_key) if needs_ack else None


def _markup(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                                 for row in rows])


class Drop(Enum):
    """Why a due row is never sent (the other verdicts: now, or later at an instant)."""

    EXPIRE = "expired"  # past its window where she lives
    CANCEL = "cancelled"  # nobody to send it to any more


RowT = TypeVar("RowT", Candidate, NoticeCandidate)


@dataclass(frozen=True)
class Lane(Generic[RowT]):
    """One outbox table as a send round sees it. The round itself (claim a bounded batch,
    send one at a time, commit each outcome) is shared; what differs per table is here."""

    table: Table
    #: The due ``scheduled`` rows in send order, at most ``limit``.
    due: Callable[..., Awaitable[list[RowT]]]
    #: ``None``: send now; an instant: wait for it (night where they live); a :class:`Drop`.
    verdict: Callable[[RowT, datetime, DaytimeWindow], datetime | Drop | None]
    send: Callable[[Bot, RowT], Awaitable[Outcome]]
    #: Adds one send's outcome to the tick's report.
    count: Callable[[TickReport, Outcome], None]


def _reminder_verdict(row: Candidate, now: datetime, window: DaytimeWindow) -> datetime | Drop | None:
    zone = zone_for_region(row.region_code)
    if is_expired(row.window_end, now, zone):
        return Drop.EXPIRE
    allowed = next_allowed(now, zone, window)
    if allowed > now:  # night where she lives: wait for the morning
        return Drop.EXPIRE if local_date(allowed, zone) > row.window_end else allowed
    return None


def _notice_verdict(row: NoticeCandidate, now: datetime, window: DaytimeWindow) -> datetime | Drop | None:
    if not row.recipient_active:
        return Drop.CANCEL
    allowed = next_allowed(now, zone_for_region(row.region_code), window)
    return allowed if allowed > now else None


def _count_reminder(report: TickReport, outcome: Outcome) -> None:
    if outcome is Outcome.SENT:
        report.sent += 1
    elif outcome in (Outcome.RETRY, Outcome.FLOOD):
        report.retried += 1
    elif outcome is Outcome.BLOCKED:
        report.blocked += 1
    else:
        report.failed += 1


def _count_notice(report: TickReport, outcome: Outcome) -> None:
    if outcome is Outcome.SENT:
        report.notices_sent += 1


def _detail(error: BaseException) -> str:
    """Error class and Telegram's own description (it never quotes message text)."""
    if isinstance(error, RetryAfter):
        return f"RetryAfter retry_after={getattr(error, '_retry_after', '?')}"
    return f"{type(error).__name__}: {str(error)[:120]}"


class Dispatcher:
    """One per running Application. ``tick`` is safe to call directly (tests) and from
    the job; a lock keeps two ticks from overlapping."""

    def __init__(self, services: Services, limits: DispatchLimits | None = None) -> None:
        self.services = services
        self.limits = limits or DispatchLimits()
        self.run_id = secrets.token_hex(6)
        self._lock = asyncio.Lock()
        self._reminders = Lane("reminders", reminders_store.due_candidates, _reminder_verdict,
                               self._send_reminder, _count_reminder)
        self._notices = Lane("notices", notices_store.due_candidates, _notice_verdict,
                             self._send_notice, _count_notice)

    async def tick(self, bot: Bot) -> TickReport:
        async with self._lock:
            report = TickReport()
            services, limits = self.services, self.limits
            began = asyncio.get_running_loop().time()
            now = services.clock.now()
            for table in ("reminders", "notices"):
                report.recovered += await outbox.recover(services.db, table, run_id=self.run_id,
                                                         stale_before=now - limits.lease, now=now)
            if report.recovered:
                log.warning("recovered %d rows left in 'sending' by an earlier run", report.recovered)
            # Each stage on its own: a failure in one (say, a record the digest cannot
            # read) is logged and must not keep reminders from going out.
            report.planned = await self._stage("planning", extend_windows(services, limits=limits))
            report.followups = await self._stage("follow-ups", escalation.notify_unanswered(services, limits))
            report.digests = await self._stage("daily digests", digest_mod.queue_daily(services, limits))
            report.summaries = await self._stage("weekly summaries", escalation.queue_weekly(services, limits))
            await self._send_rounds(bot, report, began)
            return report

    async def _send_rounds(self, bot: Bot, report: TickReport, began: float) -> None:
        """Send due rows in rounds of at most ``batch`` per table while a round comes back
        full and the tick has time left, one message per chat per tick.

        Why rounds: a whole kota's 18:00 tablet reminders fall due at once; one batch per
        tick (100 a minute) would push thousands past the evening end of the send window.
        Rounds send them at the rate limiter's pace (Telegram's 30/s) instead, while a
        round stays small (bounded memory, short transactions). A round is only started
        if, taking as long as the last one, it ends before the next tick is due (``began``
        is this tick's start, event-loop time), so the job's runs do not overlap."""
        loop = asyncio.get_running_loop()
        stop_at = began + self.limits.tick.total_seconds() - self.limits.tick_margin.total_seconds()
        used_chats: set[int] = set()
        while True:
            round_began = loop.time()
            report.rounds += 1
            reminders = await self._stage("reminders", self._send_round(bot, report, used_chats, self._reminders))
            notices = await self._stage("notices", self._send_round(bot, report, used_chats, self._notices))
            claimed = max(reminders, notices)
            now = loop.time()
            if claimed < self.limits.batch or report.flooded or now + (now - round_began) > stop_at:
                return

    @staticmethod
    async def _stage(name: str, work: Coroutine[Any, Any, int | None]) -> int:
        try:
            return await work or 0
        except Exception as error:
            log.error("reminder tick: %s failed: %s", name, describe(error))
            return 0

    async def _send_round(self, bot: Bot, report: TickReport, used_chats: set[int], lane: Lane[RowT]) -> int:
        """One round of one table: claim up to ``batch`` due rows in one transaction (one
        per chat per tick), send them one at a time, each outcome committed at once.
        A 429 puts the rest of the round back and ends the tick. Returns how many were claimed."""
        services, limits = self.services, self.limits
        now = services.clock.now()
        window = services.settings.pengingat.send_window.daytime()
        claimed: list[RowT] = []
        dropped: dict[Drop, list[int]] = {Drop.EXPIRE: [], Drop.CANCEL: []}
        deferred: list[tuple[int, datetime]] = []
        async with services.db.transaction() as tx:
            for row in await lane.due(tx, now=now, limit=limits.scan):
                verdict = lane.verdict(row, now, window)
                if isinstance(verdict, Drop):
                    dropped[verdict].append(row.id)
                elif verdict is not None:
                    deferred.append((row.id, verdict))
                elif row.chat_id not in used_chats and len(claimed) < limits.batch:
                    used_chats.add(row.chat_id)
                    claimed.append(row)
            await outbox.expire(tx, lane.table, dropped[Drop.EXPIRE], now=now)
            await outbox.cancel(tx, lane.table, dropped[Drop.CANCEL])
            await outbox.defer(tx, lane.table, deferred)
            await outbox.claim(tx, lane.table, [row.id for row in claimed], run_id=self.run_id, now=now)
        report.expired += len(dropped[Drop.EXPIRE])
        report.deferred += len(deferred)
        for index, row in enumerate(claimed):
            outcome = await lane.send(bot, row)
            lane.count(report, outcome)
            if outcome is Outcome.FLOOD:
                report.flooded = True
                rest = [r.id for r in claimed[index + 1:]]
                await outbox.release(services.db, lane.table, rest, at=services.clock.now() + timedelta(seconds=1))
                break
        return len(claimed)

    # -- reminders --------------------------------------------------------------------------

    async def _send_reminder(self, bot: Bot, row: Candidate) -> Outcome:
        try:
            today = local_date(self.services.clock.now(), zone_for_region(row.region_code))
            text = html.escape(render_text(row.text_key, row.payload, first_name=row.name, on=today), quote=False)
            markup = reminder_markup(row.id, row.text_key, needs_ack=row.needs_ack)
            message = await bot.send_message(row.chat_id, text, reply_markup=markup)
        except Forbidden as error:
            return await self._blocked(row.id, row.chat_id, error)
        except BadRequest as error:
            if any(marker in str(error).lower() for marker in _GONE):
                return await self._blocked(row.id, row.chat_id, error)
            return await self._failed("reminders", row.id, error)
        except RetryAfter as error:
            return await self._flood("reminders", row.id, error)
        except NetworkError as error:  # timeouts, connection errors, 5xx
            return await self._retry("reminders", row.id, row.attempts, error, outcome="network")
        except Exception as error:
            log.error("sending reminder %s failed: %s", row.id, describe(error))
            return await self._retry("reminders", row.id, row.attempts, error, outcome="error")
        await outbox.mark_sent(self.services.db, "reminders", row.id, message_id=message.message_id,
                               now=self.services.clock.now())
        log.info("reminder %s sent to sasaran %s", row.id, row.sasaran_id)
        return Outcome.SENT

    async def _blocked(self, reminder_id: int, chat_id: int, error: TelegramError) -> Outcome:
        now = self.services.clock.now()
        await outbox.mark_failed(self.services.db, "reminders", reminder_id, outcome="blocked",
                                 detail=_detail(error), now=now)
        await mark_unreachable(self.services, chat_id)
        return Outcome.BLOCKED

    # -- notices ----------------------------------------------------------------------------

    async def _send_notice(self, bot: Bot, row: NoticeCandidate) -> Outcome:
        try:
            await bot.send_message(row.chat_id, row.text, reply_markup=_markup(row.markup))
        except (Forbidden, BadRequest) as error:
            log.warning("notice %s to member %s not deliverable: %s", row.id, row.chat_id,
                        type(error).__name__)
            return await self._failed("notices", row.id, error)
        except RetryAfter as error:
            return await self._flood("notices", row.id, error)
        except NetworkError as error:
            return await self._retry("notices", row.id, row.attempts, error, outcome="network")
        except Exception as error:
            log.error("sending notice %s failed: %s", row.id, describe(error))
            return await self._retry("notices", row.id, row.attempts, error, outcome="error")
        await outbox.mark_sent(self.services.db, "notices", row.id, message_id=None, now=self.services.clock.now())
        log.info("notice %s sent to member %s", row.id, row.chat_id)
        return Outcome.SENT

    # -- shared outcomes --------------------------------------------------------------------

    async def _failed(self, table: Table, row_id: int, error: TelegramError) -> Outcome:
        await outbox.mark_failed(self.services.db, table, row_id, outcome="rejected", detail=_detail(error),
                                 now=self.services.clock.now())
        log.warning("%s %s rejected by Telegram (%s)", table, row_id, type(error).__name__)
        return Outcome.FAILED

    async def _retry(self, table: Table, row_id: int, attempts: int, error: BaseException, *, outcome: str) -> Outcome:
        now = self.services.clock.now()
        again = await outbox.retry_later(
            self.services.db, table, row_id, at=now + self.limits.backoff(attempts + 1), outcome=outcome,
            detail=_detail(error), now=now, max_attempts=self.limits.max_attempts,
        )
        if not again:
            log.warning("%s %s failed after %d attempts (%s)", table, row_id, attempts + 1, type(error).__name__)
            return Outcome.FAILED
        return Outcome.RETRY

    async def _flood(self, table: Table, row_id: int, error: RetryAfter) -> Outcome:
        now = self.services.clock.now()
        # ``_retry_after`` is the timedelta behind the deprecated int-or-timedelta property.
        wait = getattr(error, "_retry_after", None) or timedelta(seconds=1)
        # A 429 means Telegram did not act: try again after retry_after, not counted against the row.
        await outbox.retry_later(self.services.db, table, row_id, at=now + wait, outcome="rate_limited",
                                 detail=_detail(error), now=now, max_attempts=1_000_000)
        log.warning("%s %s: flood control, waiting %s", table, row_id, wait)
        return Outcome.FLOOD


# -- wiring ------------------------------------------------------------------------------------


def dispatcher_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Dispatcher:
    return app.bot_data[DISPATCHER_KEY]


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    dispatcher: Dispatcher = context.application.bot_data[DISPATCHER_KEY]
    try:
        await dispatcher.tick(context.bot)
    except Exception as error:  # the next tick tries again; never let the job die silently
        log.error("reminder tick failed: %s", describe(error))


def register(app: Application[Any, Any, Any, Any, Any, Any], services: Services,
             limits: DispatchLimits | None = None, *, schedule: bool | None = None) -> Dispatcher:
    """Create the dispatcher and its one repeating job on the application's JobQueue.

    ``schedule`` defaults to "the clock is the wall clock": with a FakeClock (tests, the
    playground) time only moves when told, so ticks are run explicitly with
    :func:`dispatch_due` right after moving it, and a real-time job would only race them.
    """
    dispatcher = Dispatcher(services, limits)
    app.bot_data[DISPATCHER_KEY] = dispatcher
    if schedule is None:
        schedule = isinstance(services.clock, SystemClock)
    if not schedule:
        return dispatcher
    if app.job_queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
    app.job_queue.run_repeating(
        _job, interval=dispatcher.limits.tick, first=dispatcher.limits.first_tick, name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    return dispatcher


async def dispatch_due(services: Services, bot: Bot, app: Application[Any, Any, Any, Any, Any, Any] | None = None
                       ) -> TickReport:
    """One tick now (tests, the playground): through the app's dispatcher when given."""
    dispatcher = dispatcher_of(app) if app is not None else Dispatcher(services)
    return await dispatcher.tick(bot)
