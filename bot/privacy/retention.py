"""Retention: ended records are anonymised once the retention period has passed.

``[privacy] retention_days`` (default 1825, five years; 0 switches it off) counts from
the day a record ended: status 'selesai' (a loss, a move, …), a child's fifth birthday
(the end of balita age), or — for a family — the last thing recorded about any of its
members once none is active. Anonymised records keep what the counts need and lose
what identifies the person (see :mod:`storage.privacy`); ``erased_at`` is not set, so
/rekap's figures do not change.

A JobQueue job (:mod:`bot.jobs`) looks every hour and does the work once per local day, in bounded
batches (what is left waits for the next hour). :func:`sweep` reads the injectable
clock, so tests move a FakeClock and run the job (or call it) directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from telegram.ext import ContextTypes

from bot.context import SERVICES_KEY
from bot.domain.daytime import local_date
from bot.services import Services
from storage import audit, meta
from storage import privacy as store
from storage.compaction import compact

log = logging.getLogger(__name__)

JOB_NAME = "retensi"
META_KEY = "privacy_retention_day"
BATCH = 200
INTERVAL_SECONDS = 3600
#: Why an active child's record is closed by the job.
AGED_OUT = "lewat_usia"


@dataclass
class RetentionReport:
    day: date
    ended: int = 0
    aged_out: int = 0
    families: int = 0
    complete: bool = True
    skipped: bool = False

    @property
    def total(self) -> int:
        return self.ended + self.aged_out + self.families


def fifth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 5)
    except ValueError:  # 29 February
        return born.replace(year=born.year + 5, day=28)


async def sweep(services: Services, *, force: bool = False, batch: int = BATCH) -> RetentionReport:
    """Anonymise what is due today; once a local day unless ``force``."""
    db, now = services.db, services.clock.now()
    today = local_date(now, services.settings.wilayah.zone)
    report = RetentionReport(day=today)
    days = services.settings.privacy.retention_days
    if days == 0 or (not force and await meta.get(db, META_KEY) == today.isoformat()):
        report.skipped = True
        return report
    cutoff = today - timedelta(days=days)
    ended = await store.ended_by(db, cutoff, limit=batch)
    for sasaran_id in ended:
        if await _anonymise(services, sasaran_id):
            report.ended += 1
    aged = await store.aged_out_by(db, cutoff, limit=batch)
    for sasaran_id in aged:
        if await _anonymise(services, sasaran_id, end_as=AGED_OUT):
            report.aged_out += 1
    families = await store.idle_families_by(db, cutoff, limit=batch)
    for keluarga_id in families:
        await _anonymise_family(services, keluarga_id)
        report.families += 1
    report.complete = max(len(ended), len(aged), len(families)) < batch
    if report.complete:
        async with db.transaction() as tx:
            await meta.put(tx, META_KEY, today.isoformat())
    if report.total:
        await compact(db.path)
        log.info("retention (%d days): %d ended records, %d children past balita age and %d families anonymised",
                 days, report.ended, report.aged_out, report.families)
    return report


async def _anonymise(services: Services, sasaran_id: int, *, end_as: str | None = None) -> bool:
    now = services.clock.now()
    async with services.db.transaction() as tx:
        row = await store.anonymisation_state(tx, sasaran_id)
        if row is None or row["anonymised_at"] is not None:
            return False
        ended_on = fifth_birthday(date.fromisoformat(row["birth_date"])) if end_as and row["birth_date"] else None
        await store.secure_delete(tx)
        await store.anonymise_sasaran(tx, services.cipher, sasaran_id, actor_id=None, reason=store.RETENTION,
                                      now=now, erase=False, end_as=end_as, ended_on=ended_on)
    return True


async def _anonymise_family(services: Services, keluarga_id: int) -> None:
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await store.secure_delete(tx)
        for sasaran_id in await store.members_left(tx, keluarga_id):
            await store.anonymise_sasaran(tx, services.cipher, sasaran_id, actor_id=None, reason=store.RETENTION,
                                          now=now, erase=False)
        if not await store.family_anonymised(tx, keluarga_id):
            await store.anonymise_keluarga(tx, services.cipher, keluarga_id, now=now, erase=False)
            await audit.record(tx, at=now, actor_id=None, action="anonimkan", entity="keluarga",
                               entity_id=keluarga_id, after={"alasan": store.RETENTION})


async def run_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The hourly job (scheduled in :mod:`bot.jobs`; it works once per local day); tests run it with ``job.run``."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    try:
        await sweep(services)
    except Exception as error:  # the next hour tries again; never let the job die silently
        log.error("retention sweep failed: %s", type(error).__name__)
