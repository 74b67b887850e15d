"""Iron tablets (TTD): the buttons on the tablet reminders and what an answer does.

The weekly check-in carries «Sudah minum 7» / «Kurang dari 7» (the latter asks how many,
0–6, by buttons); the daily reminder carries «💊 Sudah minum» (1 tablet that day). Every
button carries the reminder's id, so an answer is stored once per reminder
(:mod:`storage.tablets`) and an old week's button answers that week. The answer, her
count toward the goal and, for fewer than 7, the visit request to her TPK member commit
in one transaction; the request is queued at most once per ISO week of her local date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.daytime import local_date, zone_for_region
from bot.domain.tablets import DAILY, WEEKLY, TabletReport, count_tablets
from bot.reminders import texts
from bot.reminders.messages import day_span
from bot.reminders.planning import visit_markup
from bot.services import Services
from storage import ibu as ibu_store
from storage import notices as notices_store
from storage import tablets as tablets_store
from storage.tablets import TabletReminder

log = logging.getLogger(__name__)

#: The text keys of the tablet reminders (their buttons are built here).
TEXT_KEYS = frozenset(tablets_store.TABLET_KINDS)
NOTICE_KIND = "ttd_kurang"


def _answer(reminder_id: int, tablets: int) -> str:
    return cb.data(cb.TabletAnswer(reminder_id, tablets))


def markup(reminder_id: int, text_key: str) -> InlineKeyboardMarkup:
    """The buttons a tablet reminder goes out with."""
    if text_key == "ttd":
        return InlineKeyboardMarkup([[InlineKeyboardButton(texts.TABLET_TAKEN, callback_data=_answer(reminder_id, 1))]])
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.TABLETS_ALL, callback_data=_answer(reminder_id, 7)),
        InlineKeyboardButton(texts.TABLETS_FEWER, callback_data=cb.data(cb.TabletFewer(reminder_id))),
    ]])


def how_many_markup(reminder_id: int) -> InlineKeyboardMarkup:
    """0–6, for «Kurang dari 7»."""
    numbers = [InlineKeyboardButton(str(n), callback_data=_answer(reminder_id, n)) for n in range(7)]
    return InlineKeyboardMarkup([numbers[:4], numbers[4:]])


def report_of(reminder: TabletReminder, tablets: int) -> TabletReport | None:
    """What pressing ``tablets`` on this reminder reports; None for a number its buttons never offer."""
    if reminder.kind == "ttd":
        return TabletReport(reminder.due_date, DAILY, 1) if tablets == 1 else None
    start = reminder.payload_from or reminder.due_date - timedelta(days=WEEKLY - 1)
    return TabletReport(start, WEEKLY, tablets) if 0 <= tablets <= WEEKLY else None


@dataclass(frozen=True)
class Answered:
    """What her press did: ``recorded`` False means the reminder was answered before
    (``report`` is then the answer stored first)."""

    report: TabletReport
    recorded: bool
    taken: int
    goal: int


async def week_of(services: Services, user_id: int, reminder_id: int) -> str | None:
    """ "17–23 November" for a weekly check-in of hers, None for anything else."""
    async with services.db.transaction() as tx:
        reminder = await tablets_store.reminder_for(tx, reminder_id, user_id=user_id)
    if reminder is None or reminder.kind != "ttd_minggu":
        return None
    report = report_of(reminder, 0)
    assert report is not None
    return day_span(report.start, report.end)


async def answer(services: Services, user_id: int, reminder_id: int, tablets: int) -> Answered | None:
    """Store her answer; None when the reminder is not hers (or not sent to her) or the
    number is not one its buttons offer."""
    now = services.clock.now()
    goal = services.settings.pengingat.ttd.goal
    async with services.db.transaction() as tx:
        reminder = await tablets_store.reminder_for(tx, reminder_id, user_id=user_id)
        report = report_of(reminder, tablets) if reminder is not None else None
        if reminder is None or report is None:
            return None
        recorded = await tablets_store.add(tx, reminder, report, now=now)
        if not recorded:
            report = await tablets_store.answer_of(tx, reminder_id) or report
        taken = count_tablets(await tablets_store.reports(tx, reminder.sasaran_id))
        if recorded and report.days == WEEKLY and report.tablets < WEEKLY:
            record = await ibu_store.record(tx, reminder.sasaran_id)
            if record is not None:
                year, week, _ = local_date(now, zone_for_region(record.region_code)).isocalendar()
                await notices_store.queue(
                    tx, recipient_id=record.reporter_id, kind=NOTICE_KIND,
                    dedupe_key=f"{NOTICE_KIND}:{reminder.sasaran_id}:{year}-W{week:02d}",
                    text=texts.tablets_fewer_notice(record.name, report.tablets, taken, goal),
                    markup=visit_markup(reminder.sasaran_id), now=now,
                )
    log.info("tablet reminder %s (sasaran %s) answered%s", reminder_id, reminder.sasaran_id,
             "" if recorded else " again: unchanged")
    return Answered(report, recorded, taken, goal)


async def progress_line(services: Services, sasaran_id: int) -> str | None:
    """Her count toward the goal for /jadwal, once she has answered at least once."""
    reports = await tablets_store.reports(services.db, sasaran_id)
    if not reports:
        return None
    return "Tablet tambah darah: " + texts.tablet_progress(count_tablets(reports), services.settings.pengingat.ttd.goal)
