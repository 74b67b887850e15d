"""Materialising a mother's plan as reminder rows for a rolling window.

The plan itself is pure (:func:`bot.domain.reminder_plan.plan_for`); this module reads
the record's facts, asks the plan what is open in the next ``window_days`` local days
and makes the stored rows match. It runs when a mother agrees or resumes, when the
lead's flows change a record (:func:`refresh_plan`), and once a day per mother from
the periodic job (``ibu.next_plan_at``), a bounded batch per tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from bot import callbacks as cb
from bot.domain.daytime import local_date, send_at, zone_for_region
from bot.domain.reminder_plan import PlanFacts, PlannedReminder, plan_for
from bot.domain.schedule_config import ReminderConfig
from bot.reminders import texts
from bot.reminders.limits import DispatchLimits, describe
from bot.services import Services
from storage import ibu as ibu_store
from storage import notices as notices_store
from storage import reminders as reminders_store
from storage.ibu import MotherLink, MotherRecord
from storage.reminders import RowPlan

log = logging.getLogger(__name__)

NAEGELE = timedelta(days=280)
LIMITS = DispatchLimits()


def lost_on(record: MotherRecord) -> date | None:
    """The day a pregnancy loss was recorded (on the record or by a visit), if any."""
    if record.ended_reason == "keguguran":
        return record.ended_on or record.outcome_on or date.min
    if record.outcome == "keguguran":
        return record.outcome_on
    return None


def ttd_mode(link: MotherLink, config: ReminderConfig) -> str:
    """Her tablet reminder: ``mati``, or ``harian`` / ``mingguan`` as she chose in /jadwal
    (a mother who never chose follows ``[pengingat.ttd] mode``)."""
    if not link.ttd_enabled:
        return "mati"
    return link.ttd_mode or config.ttd.mode


def facts_for(record: MotherRecord, link: MotherLink, config: ReminderConfig) -> PlanFacts | None:
    """:func:`facts_from_record` with her tablet setting."""
    mode = ttd_mode(link, config)
    facts = facts_from_record(record, ttd_enabled=mode != "mati")
    return replace(facts, ttd_daily=mode == "harian") if facts is not None else None


def facts_from_record(record: MotherRecord, *, ttd_enabled: bool) -> PlanFacts | None:
    """The plan's facts, or None when nothing may be planned any more (the record was
    erased, or ended for a reason other than a birth)."""
    if record.erased:
        return None
    lost = lost_on(record)
    if lost is not None:
        return PlanFacts(pregnancy_lost_on=lost)
    if record.status != "aktif" and record.ended_reason != "lahir":
        return None
    delivery = (
        record.delivery_date
        or (record.ended_on if record.ended_reason == "lahir" else None)
        or (record.outcome_on if record.outcome == "lahir" else None)
        or record.baby_birth_date
    )
    hpht = record.hpht or (record.hpl - NAEGELE if record.hpl else None)
    return PlanFacts(
        hpht=hpht,
        delivery_date=delivery,
        baby_birth_date=record.baby_birth_date,
        ttd_enabled=ttd_enabled and delivery is None,
    )


def _next_local_midnight(now: datetime, record: MotherRecord) -> datetime:
    zone = zone_for_region(record.region_code)
    tomorrow = local_date(now, zone) + timedelta(days=1)
    # A minute past midnight: the new local date is certain whatever the rounding.
    return datetime.combine(tomorrow, time(0, 1), tzinfo=zone)


async def refresh_plan(services: Services, sasaran_id: int, *, limits: DispatchLimits = LIMITS) -> None:
    """Re-plan one record's reminders after any change to it (HPHT/HPL corrected, a
    birth, a loss, a baby registered or its birth date corrected: a baby's id re-plans
    its mother), or when its window needs extending.

    Call it after the change is committed (it opens its own transaction). A record
    without a mother who agreed costs two indexed reads and does nothing. After a loss
    it behaves as :func:`cancel_for_loss`.
    """
    db, now = services.db, services.clock.now()
    config = services.settings.pengingat
    if await ibu_store.link_for_sasaran(db, sasaran_id) is None:
        # A baby's record: its mother's plan holds the KN, immunisation and posyandu items.
        mother = await ibu_store.mother_of(db, sasaran_id)
        if mother is not None and mother != sasaran_id:
            await refresh_plan(services, mother, limits=limits)
        return
    record = await ibu_store.record(db, sasaran_id)
    if record is None:
        return
    if lost_on(record) is not None:
        await cancel_for_loss(services, sasaran_id)
        return
    async with db.transaction() as tx:
        link = await ibu_store.link_for_sasaran_in_tx(tx, sasaran_id)
        if link is None:
            return
        next_at = _next_local_midnight(now, record)
        facts = facts_for(record, link, config)
        if not link.active or facts is None:
            reason = "selesai" if facts is None else link.state.value
            await reminders_store.cancel_all(tx, sasaran_id, reason=reason, now=now)
            await ibu_store.set_next_plan(tx, sasaran_id, next_at)
            return
        zone = zone_for_region(record.region_code)
        today = local_date(now, zone)
        items = plan_for(facts, today, today + timedelta(days=limits.window_days - 1), config)
        if link.resume_from is not None:
            # /mulai resumes from that day: what fell due while she had stopped is skipped.
            items = [item for item in items if item.due_date >= link.resume_from]
        window = config.send_window.daytime()
        rows = [
            RowPlan(
                kind=item.kind, due_date=item.due_date, window_end=item.window_end, text_key=item.text_key,
                payload=dict(item.payload), needs_ack=item.needs_ack,
                send_after=send_at(item.due_date, zone, window, item.send_hour),
            )
            for item in items
            if item.audience == "ibu"
        ]
        kept, removed = await reminders_store.apply_plan(tx, sasaran_id, rows, today=today, now=now)
        await ibu_store.set_next_plan(tx, sasaran_id, next_at)
    log.debug("planned sasaran %s: %d scheduled, %d cancelled or expired", sasaran_id, kept, removed)


async def cancel_for_loss(services: Services, sasaran_id: int) -> None:
    """After a pregnancy loss: cancel every pregnancy and baby reminder of the record at
    once, drop pending "belum periksa" follow-ups, and ask her TPK member to visit.

    Idempotent (the visit request is queued once). Nothing is sent to the mother.
    """
    db, now = services.db, services.clock.now()
    record = await ibu_store.record(db, sasaran_id)
    async with db.transaction() as tx:
        cancelled = await reminders_store.cancel_all(tx, sasaran_id, reason="keguguran", now=now)
        await ibu_store.close_followups(tx, sasaran_id, now=now)
        link = await ibu_store.link_for_sasaran_in_tx(tx, sasaran_id)
        if link is None or record is None:
            return
        await ibu_store.set_next_plan(tx, sasaran_id, _next_local_midnight(now, record))
        await notices_store.queue(
            tx, recipient_id=record.reporter_id, kind="keguguran", dedupe_key=f"keguguran:{sasaran_id}",
            text=texts.loss_notice(record.name), markup=visit_markup(sasaran_id), now=now,
        )
    log.info("sasaran %s: record closed, %d reminders cancelled, TPK %s notified",
             sasaran_id, cancelled, record.reporter_id)


def visit_markup(sasaran_id: int) -> list[list[dict[str, str]]]:
    """One button starting the lead's /kunjungan for this record."""
    return [[{"text": texts.VISIT_BUTTON, "callback_data": cb.data(cb.VisitNew(sasaran_id))}]]


def visit_target(markup: list[list[dict[str, str]]] | None) -> int | None:
    """The record a notice asks to visit: its keyboard is exactly :func:`visit_markup`
    (one row, one visit button). Whatever queues such a notice raises a visit request
    that /tugas lists (:mod:`bot.reminders.visit_digest`); a digest, with many, is not one."""
    if not markup or len(markup) != 1 or len(markup[0]) != 1:
        return None
    press = cb.KUNJUNGAN.parse(str(markup[0][0].get("callback_data", "")))
    return press.sasaran_id if isinstance(press, cb.VisitNew) else None


async def extend_windows(services: Services, *, limits: DispatchLimits = LIMITS) -> int:
    """Extend the rolling window of mothers whose local day has turned (bounded batch)."""
    ids = await ibu_store.due_for_planning(services.db, services.clock.now(), limits.plan_batch)
    for sasaran_id in ids:
        try:
            await refresh_plan(services, sasaran_id, limits=limits)
        except Exception as exc:
            log.error("planning sasaran %s failed; retrying in an hour: %s", sasaran_id, describe(exc))
            async with services.db.transaction() as tx:
                await ibu_store.set_next_plan(tx, sasaran_id, services.clock.now() + timedelta(hours=1))
    return len(ids)


@dataclass(frozen=True)
class Upcoming:
    """One line of /jadwal: what is coming and on which day it is *for*."""

    #: The check-up's own date (ANC: the contact, not the reminder 3 days before it),
    #: else the day the reminder is due.
    day: date
    text_key: str
    payload: dict[str, object]
    #: Last day it can still be done (KF/KN windows, immunisation, KB), if it differs.
    until: date | None
    #: Its day has passed but it is still open and not sent yet: "secepatnya".
    overdue: bool


def _event_day(item: PlannedReminder) -> date:
    visit = item.payload.get("visit_date")
    return date.fromisoformat(visit) if isinstance(visit, str) else item.due_date


async def upcoming(services: Services, sasaran_id: int, *, horizon_weeks: int = 40, limit: int = 8
                   ) -> tuple[list[Upcoming], str | None]:
    """Her next reminders for /jadwal from the plan itself, not from the stored 14-day
    window: what is still open and not yet sent (a reminder due yesterday that goes out
    this morning included), by the date of the check-up itself, without the daily and
    weekly messages; and her iron-tablet setting (:func:`ttd_mode`; None: not pregnant
    any more)."""
    link = await ibu_store.link_for_sasaran(services.db, sasaran_id)
    record = await ibu_store.record(services.db, sasaran_id)
    if link is None or record is None:
        return [], None
    facts = facts_from_record(record, ttd_enabled=link.ttd_enabled)
    if facts is None or facts.pregnancy_lost_on is not None:
        return [], None
    today = local_date(services.clock.now(), zone_for_region(record.region_code))
    start = max(today, link.resume_from or today)
    planned = plan_for(replace(facts, ttd_enabled=False), start, today + timedelta(weeks=horizon_weeks),
                       services.settings.pengingat)
    earliest = min((item.due_date for item in planned), default=today)
    settled = await reminders_store.settled_keys(services.db, sasaran_id, since=earliest)
    resume = link.resume_from or date.min
    lines = []
    for item in planned:
        if item.text_key in ("ttd", "ttd_minggu", "pekan") or item.key in settled or item.due_date < resume:
            continue
        day = _event_day(item)
        until = date.fromisoformat(str(item.payload["until"])) if "until" in item.payload else None
        lines.append(Upcoming(day=day, text_key=item.text_key, payload=dict(item.payload),
                              until=until if until and until != day else None, overdue=day < today))
    lines.sort(key=lambda line: (not line.overdue, line.day, line.text_key))
    pregnant = facts.delivery_date is None and facts.hpht is not None
    return lines[:limit], (ttd_mode(link, services.settings.pengingat) if pregnant else None)
