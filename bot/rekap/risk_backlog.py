"""Give every family from before migration 0017 the one reassessment it is owed.

0017 started each existing family's dated risk history from the day it was reported,
with its state as it stood then and no end: a 4 Terlalu factor that changes by itself
later (the wife turns 20 or 36, 24 months pass since the last birth) was not foreseen
for them, so /rekap would count their later months by today's state until somebody
reported on them again. Migration 0018 lists those families; this job reassesses each
once, exactly as a report would (:func:`bot.reporting.reassess`, from today: the past
and the closed months are kept), and takes it off the list.

It works in small transactions (:data:`BATCH` families each) so a TPK member's answer
never waits behind it for long, and stops after :data:`BUDGET_SECONDS` to come back at
the next run; a stop in the middle loses nothing (a batch is reassessed and removed in
the same transaction). At 1M families it finishes within hours, while the bot serves
(bench/bench_risk_backlog.py); when the list is empty the job removes itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from telegram.ext import ContextTypes

from bot.context import SERVICES_KEY
from bot.rekap.service import today
from bot.reporting import reassess
from bot.services import Services
from storage import risk_backlog

log = logging.getLogger(__name__)

JOB_NAME = "risk-backlog"
INTERVAL_SECONDS = 60
#: Families per transaction: the writer is held about 0.1-0.2 s (bench/bench_risk_backlog.py).
BATCH = 20
#: Work per run; the rest waits for the next run.
BUDGET_SECONDS = 20.0


@dataclass
class BacklogReport:
    reassessed: int = 0
    remaining: int = 0


async def work_through(services: Services, *, budget_seconds: float = BUDGET_SECONDS,
                       batch: int = BATCH) -> BacklogReport:
    """Reassess listed families, a batch per transaction, until the list is empty or the
    budget is spent. Returns how many were reassessed and how many are left."""
    report = BacklogReport()
    began = time.monotonic()
    day = today(services)
    settings = services.settings
    while True:
        listed = await risk_backlog.next_batch(services.db, batch)
        if not listed:
            break
        async with services.db.transaction() as tx:
            for keluarga_id in await risk_backlog.live_among(tx, listed):
                await reassess(tx, keluarga_id, today=day, thresholds=settings.klinis,
                               boundaries=settings.trimester.boundaries)
                report.reassessed += 1
            await risk_backlog.remove(tx, listed)
        if time.monotonic() - began >= budget_seconds:
            break
    report.remaining = await risk_backlog.remaining(services.db)
    return report


async def run_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job (scheduled in :mod:`bot.jobs`): a run's worth of the backlog; gone once it is empty."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    try:
        report = await work_through(services)
    except Exception as error:  # the next run tries again; never let the job die silently
        log.error("risk backlog: reassessment failed: %s", type(error).__name__)
        return
    if report.reassessed:
        log.info("risk backlog: %d families reassessed, %d to go", report.reassessed, report.remaining)
    if report.remaining == 0 and context.job is not None:
        context.job.schedule_removal()
