"""Every periodic job of the bot, in one place: what runs, when, and why.

:func:`register` is called once by :func:`bot.app.build_application`. The jobs run on PTB's
JobQueue (APScheduler); each reads :class:`~bot.services.Services` from ``bot_data`` and the
injectable clock, so tests and the playground run a job with ``job.run(app)`` after moving
time. A job that does nothing today returns at once; none may die silently.

=================  ============================================  ==============================================
job                when                                          why
=================  ============================================  ==============================================
reminders          every 15 s (``DispatchLimits.tick``), only    sends due reminders and notices, one claim-and-
                   on the wall clock                             send loop (:mod:`bot.reminders.dispatcher`)
retensi            hourly, works once per local day              anonymises records ended longer than
                                                                 ``[privacy] retention_days`` ago
rekap-zone         once, at start                                makes the /rekap counters bucket by the
                                                                 deployment's zone before the first /rekap
rekap-digest       every ``[rekap] digest_check_seconds``        last month's /rekap to each koordinator on the
                                                                 1st from ``digest_hour`` (once per month), and
                                                                 the anonymous one to TPPS groups (``/grup``)
rekap-close        every ``[rekap] digest_check_seconds``        closes each month that ended (and the quarter,
                                                                 semester, year it completes): its figures are
                                                                 kept as they stood (:mod:`bot.rekap.closing`)
rekap-tidy         daily at 03:00 local                          drops counter rows that fell to zero
expire_drafts      hourly, first a minute after start            deletes drafts untouched ``[formulir]
                                                                 draft_days`` and tells their owners
risk-backlog       every minute from start, until its list is    reassesses once each family from before
                   empty (then it removes itself)                migration 0017, so its 4 Terlalu change days
                                                                 are foreseen (:mod:`bot.rekap.risk_backlog`)
=================  ============================================  ==============================================
"""

from __future__ import annotations

from datetime import time
from typing import Any

from telegram.ext import Application, ContextTypes

from bot import reminders
from bot.context import SERVICES_KEY
from bot.privacy import retention
from bot.rekap import closing, group_digest, monthly_digest, risk_backlog
from bot.rekap.service import ensure_ready
from bot.services import Services
from conversations.forms.runner import expire_drafts
from storage import rekap as rekap_store

#: Jobs that never overlap themselves and run once after a pause, however many runs were missed.
_ONE_AT_A_TIME = {"max_instances": 1, "coalesce": True}


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def _rekap_zone(context: ContextTypes.DEFAULT_TYPE) -> None:
    await ensure_ready(_services(context))


async def _rekap_digest(context: ContextTypes.DEFAULT_TYPE) -> None:
    await monthly_digest.send_monthly_digests(_services(context), context.bot)
    await group_digest.send_group_digests(_services(context), context.bot)


async def _rekap_close(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    await ensure_ready(services)
    await closing.close_due(services)


async def _rekap_tidy(context: ContextTypes.DEFAULT_TYPE) -> None:
    await rekap_store.drop_zero_counts(_services(context).db)


def register(app: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    """Schedule every job of the table above (the reminder dispatcher schedules its own tick)."""
    reminders.register(app, services)
    queue = app.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        return
    queue.run_repeating(retention.run_job, interval=retention.INTERVAL_SECONDS, first=retention.INTERVAL_SECONDS,
                        name=retention.JOB_NAME, job_kwargs=_ONE_AT_A_TIME)
    rekap = services.settings.rekap
    queue.run_once(_rekap_zone, when=0, name="rekap-zone")
    queue.run_repeating(_rekap_digest, interval=rekap.digest_check_seconds, first=rekap.digest_check_seconds,
                        name="rekap-digest")
    queue.run_repeating(_rekap_close, interval=rekap.digest_check_seconds, first=rekap.digest_check_seconds,
                        name="rekap-close", job_kwargs=_ONE_AT_A_TIME)
    queue.run_daily(_rekap_tidy, time=time(3, 0, tzinfo=services.settings.wilayah.zone), name="rekap-tidy")
    queue.run_repeating(expire_drafts, interval=3600, first=60, name="expire_drafts")
    queue.run_repeating(risk_backlog.run_job, interval=risk_backlog.INTERVAL_SECONDS, first=5,
                        name=risk_backlog.JOB_NAME, job_kwargs=_ONE_AT_A_TIME)
