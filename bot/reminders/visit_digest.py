"""The TPK member's daily list of visit tasks, and /tugas on demand.

Tasks are derived, not stored: :func:`bot.domain.visit_tasks.plan_visit_tasks` over the
member's own active records and the last visit to each, plus the **visit requests**
queued for the member. Recording a kunjungan moves ``last_visit_on``, which settles every
task opened before it; a late task stays on the list ("terlambat N hari") until then, or
until the member closes it with a reason (pindah, meninggal, tidak ditemukan, menolak),
and once late ``[kunjungan] escalate_after_days`` it is named in the coordinators'
weekly summary (:mod:`bot.reminders.escalation`). One numbered item per person, each with
its own buttons (record the visit; close); families with the latest items first.

How a new kind of task is added:

- one that follows from a record's dates (an age, a due date): a generator in
  :func:`bot.domain.visit_tasks.plan_visit_tasks` and its label in ``_VISIT_LABELS``;
- one raised by an event (a reminder left unanswered, a pregnancy loss, a KMS reading
  that needs a referral): queue a notice to the record's TPK member whose keyboard is
  :func:`bot.reminders.planning.visit_markup` ``(sasaran_id)``. Nothing else is needed:
  the notice's first line becomes the item, listed from the day it was queued until a
  visit on or after that day, a closing reason, or :func:`storage.tugas.close` with the
  notice's dedupe key by whoever knows it is settled.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot import callbacks as cb
from bot.domain.daytime import PROVINCE_ZONES, local_date, zone_for_region
from bot.domain.regions import NATIONAL
from bot.domain.visit_tasks import (
    REQUEST,
    SasaranCategory,
    VisitAnchors,
    VisitTask,
    child_category,
    outstanding,
    plan_visit_tasks,
)
from bot.formatting import long_date
from bot.labels import fit_button
from bot.reminders import texts
from bot.reminders.limits import DispatchLimits, describe
from bot.reminders.planning import visit_target
from bot.services import Services
from storage import notices as notices_store
from storage import tugas as tugas_store
from storage.tugas import RequestNotice, TaskRow, TaskSource

#: The reason letters of ``bot.callbacks.TaskClose``: close this person's tasks as …
CLOSE_REASONS = {"p": "pindah", "m": "meninggal", "t": "tidak_ditemukan", "r": "menolak", "n": "menikah"}


def close_ask_data(sasaran_id: int) -> str:
    """Close this person's tasks: which reason?"""
    return cb.data(cb.TaskCloseAsk(sasaran_id))


def close_data(sasaran_id: int, reason: str) -> str:
    code = next(c for c, r in CLOSE_REASONS.items() if r == reason)
    return cb.data(cb.TaskClose(sasaran_id, code))


def keep_data(sasaran_id: int) -> str:
    """Keep them (the reason picker goes away)."""
    return cb.data(cb.TaskKeep(sasaran_id))


@dataclass(frozen=True)
class TaskPress:
    action: str  # "t" ask, "r" close, "k" keep
    sasaran_id: int
    reason: str | None = None


def parse_task_press(data: str | None) -> TaskPress | None:
    """A press on a task button, or None for anything the bot did not build."""
    press = cb.TUGAS.parse(data)
    if isinstance(press, cb.TaskCloseAsk):
        return TaskPress("t", press.sasaran_id)
    if isinstance(press, cb.TaskKeep):
        return TaskPress("k", press.sasaran_id)
    if isinstance(press, cb.TaskClose):
        return TaskPress("r", press.sasaran_id, CLOSE_REASONS[press.reason])
    return None


log = logging.getLogger(__name__)

KIND = "tpk_harian"
NAEGELE = timedelta(days=280)
#: Visit requests are read from the member's notices of this long ago at most.
REQUEST_LOOKBACK = timedelta(days=365)
_CATEGORY_LABELS = {
    "catin": "catin",
    "ibu_hamil": "ibu hamil",
    "ibu_nifas": "ibu nifas",
    "baduta": "baduta",
    "balita": "balita",
}
#: Keys the registration form may use for a catin's planned wedding date.
_WEDDING_KEYS = ("nikah",)  # the /lapor catin question "Tanggal rencana menikah?"
_TAG = re.compile(r"<[^>]+>")
_LEADING_SYMBOLS = re.compile(r"^[^\w]+")


def zone_groups() -> list[tuple[ZoneInfo, tuple[str, ...]]]:
    """Each time zone with its province codes (for queries by local hour), the nation's
    accounts (region "ID") with WIB's."""
    groups: dict[str, tuple[ZoneInfo, list[str]]] = {}
    for province, zone in sorted(PROVINCE_ZONES.items()):
        groups.setdefault(zone.key, (zone, []))[1].append(province)
    groups.setdefault(zone_for_region(NATIONAL).key, (zone_for_region(NATIONAL), []))[1].append(NATIONAL)
    return [(zone, tuple(provinces)) for zone, provinces in groups.values()]


@dataclass(frozen=True)
class TaskItem:
    """One numbered line of the list: a person and what is owed to them, latest first."""

    source: TaskSource
    tasks: list[VisitTask]

    def days_late(self, today: date) -> int:
        return max(task.days_late(today) for task in self.tasks)

    def category_label(self, today: date) -> str:
        category = self.source.category
        if category in ("baduta", "balita") and self.source.birth_date is not None:
            category = child_category(self.source.birth_date, today) or category
        return _CATEGORY_LABELS.get(category, category)


@dataclass(frozen=True)
class Digest:
    text: str
    markup: list[list[dict[str, str]]]
    items: int


def _wedding_date(answers: dict[str, Any]) -> date | None:
    for key in _WEDDING_KEYS:
        value = answers.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _anchors(source: TaskSource) -> VisitAnchors:
    return VisitAnchors(
        hpht=source.hpht or (source.hpl - NAEGELE if source.hpl else None),
        delivery_date=source.delivery_date,
        birth_date=source.birth_date,
        wedding_date=_wedding_date(source.answers),
        registered_on=source.registered_on,
    )


def request_label(text: str) -> str:
    """A notice's first line without markup or its leading emoji: the item's words."""
    first = html.unescape(_TAG.sub("", text.strip().splitlines()[0] if text.strip() else ""))
    return _LEADING_SYMBOLS.sub("", first).rstrip(" .") or "Mohon dikunjungi"


async def _requests(services: Services, member_id: int) -> list[tuple[int, RequestNotice]]:
    """The member's visit requests: notices with exactly one visit button, and for whom."""
    since = services.clock.now() - REQUEST_LOOKBACK
    notices = await tugas_store.notices_with_buttons(services.db, member_id, since=since, skip_kinds=(KIND,))
    return [(sasaran_id, notice) for notice in notices if (sasaran_id := visit_target(notice.markup)) is not None]


def _request_tasks(requests: list[tuple[int, RequestNotice]], sources: list[TaskSource],
                   zone: ZoneInfo) -> dict[int, list[VisitTask]]:
    """Each request still open, as a task from the day it was queued: a visit recorded
    after it settles it (a visit earlier the same day does not)."""
    recorded = {s.sasaran_id: s.last_recorded_at for s in sources}
    found: dict[int, list[VisitTask]] = {}
    for sasaran_id, notice in requests:
        if sasaran_id not in recorded:
            continue  # not the member's own record (any more), or erased
        last = recorded[sasaran_id]
        if last is not None and last > notice.created_at:
            continue
        day = local_date(notice.created_at, zone)
        found.setdefault(sasaran_id, []).append(VisitTask(
            REQUEST, day, day, closes_by_visit=False, text=request_label(notice.text), ident=notice.dedupe_key))
    return found


async def open_items(services: Services, member_id: int, scope: str, today: date, lookahead_days: int, *,
                     sasaran_id: int | None = None) -> list[TaskItem]:
    """What the member owes from today to ``lookahead_days`` ahead, late work included
    however late: families with the latest item first, and inside a family the latest first.
    An ended record (a pregnancy loss) is listed only for a visit asked for after it."""
    requests = await _requests(services, member_id)
    sources = await tugas_store.sources_for_reporter(
        services.db, scope, member_id, sasaran_id=sasaran_id, also_ended=tuple(sorted({sid for sid, _ in requests})))
    by_person = _request_tasks(requests, sources, zone_for_region(scope))
    closed = await tugas_store.closed_keys(services.db, [s.sasaran_id for s in sources])
    config = services.settings.pengingat
    items = []
    for source in sources:
        keys = closed.get(source.sasaran_id, set())
        if tugas_store.WHOLE_PERSON in keys:
            continue
        planned = plan_visit_tasks(cast(SasaranCategory, source.category), _anchors(source), source.last_visit_on,
                                   config) if source.active else []
        tasks = outstanding([*planned, *by_person.get(source.sasaran_id, [])], today=today,
                            lookahead_days=lookahead_days, last_visit_on=source.last_visit_on,
                            registered_on=source.registered_on, closed=keys)
        if tasks:
            items.append(TaskItem(source, tasks))
    latest: dict[int, int] = {}
    for item in items:
        family = item.source.keluarga_id
        latest[family] = max(latest.get(family, item.days_late(today)), item.days_late(today))
    items.sort(key=lambda it: (-latest[it.source.keluarga_id], it.source.keluarga_id, -it.days_late(today),
                               it.source.sasaran_id))
    return items


def when(task: VisitTask, today: date) -> str:
    """ "mulai besok" before it opens; then by its target: "3 hari lagi", "hari ini",
    "terlambat 2 hari" (never late before the contact's own date)."""
    if task.due_date > today:
        return f"mulai {texts.relative_day(task.due_date, today)}"
    return texts.relative_day(task.target, today)


#: Telegram's cap is 4096 characters; the list stops short of it with "… dan N lainnya".
MAX_TEXT = 3800


def render(items: list[TaskItem], today: date, *, max_items: int) -> Digest:
    parts = [f"📋 <b>Kunjungan keluarga — {long_date(today)}</b>"]
    footer = ("\nTekan nama untuk mencatat kunjungan, atau «Tutup…» bila tidak bisa dikunjungi "
              "(pindah, meninggal, tidak ditemukan, menolak).")
    size = len(parts[0]) + len(footer) + 40
    buttons: list[list[dict[str, str]]] = []
    family: int | None = None
    shown = 0
    for number, item in enumerate(items[:max_items], start=1):
        source = item.source
        lines = []
        if source.keluarga_id != family:
            lines.append(f"\n🏠 <b>Keluarga {html.escape(source.head_name)}</b>")
        what = "; ".join(f"{html.escape(task.label())}, <b>{when(task, today)}</b>" for task in item.tasks)
        # An ended record (a pregnancy loss) is named without a category that no longer holds.
        category = f" ({item.category_label(today)})" if source.active else ""
        lines.append(f"{number}. {html.escape(source.name)}{category} — {what}")
        if size + sum(len(line) + 1 for line in lines) > MAX_TEXT:
            break
        family = source.keluarga_id
        size += sum(len(line) + 1 for line in lines)
        parts += lines
        shown = number
        # One visit settles every task of the person: one visit button per numbered item.
        buttons.append([
            {"text": fit_button(f"{number}. {source.name}", 32) + " · catat",  # the whole name is in the text
             "callback_data": cb.data(cb.VisitNew(source.sasaran_id))},
            {"text": f"{number}. Tutup…", "callback_data": close_ask_data(source.sasaran_id)},
        ])
    if len(items) > shown:
        parts.append(f"\n… dan {len(items) - shown} lainnya.")
    parts.append(footer)
    return Digest(text="\n".join(parts), markup=buttons, items=len(items))


def late_rows(items: list[TaskItem], today: date) -> list[TaskRow]:
    return [TaskRow(item.source.sasaran_id, task.key, task.label(), task.target)
            for item in items for task in item.tasks if task.days_late(today) > 0]


async def build(services: Services, member_id: int, scope: str, today: date, limits: DispatchLimits) -> Digest:
    """The member's list for today; its late tasks are written to ``tugas`` for the
    coordinators' weekly summary."""
    items = await open_items(services, member_id, scope, today, limits.digest_lookahead_days)
    async with services.db.transaction() as tx:
        await tugas_store.refresh_late(tx, member_id, late_rows(items, today), today=today, now=services.clock.now())
    return render(items, today, max_items=limits.digest_max_items)


async def close_item(services: Services, member_id: int, scope: str, sasaran_id: int, reason: str,
                     today: date, limits: DispatchLimits) -> TaskItem | None:
    """Close what the member owes one person with a reason (each task audited); moved
    away or died closes the person for good. None when nothing of theirs is open."""
    found = await open_items(services, member_id, scope, today, limits.digest_lookahead_days, sasaran_id=sasaran_id)
    if not found:
        return None
    item = found[0]
    rows = [TaskRow(sasaran_id, task.key, task.label(), task.target) for task in item.tasks]
    if reason in ("pindah", "meninggal"):
        rows.append(TaskRow(sasaran_id, tugas_store.WHOLE_PERSON, "Tidak dikunjungi lagi", today))
    async with services.db.transaction() as tx:
        await tugas_store.close(tx, rows, reason=reason, by=member_id, today=today, now=services.clock.now())
    log.info("member %s closed %d task(s) of sasaran %s: %s", member_id, len(rows), sasaran_id, reason)
    return item


def _periods(now: datetime, hour: int, until: time) -> Iterator[tuple[ZoneInfo, tuple[str, ...], date]]:
    """Zones where the digest hour has come today and the day is not over (a digest
    first built at night would arrive next morning beside the new one), with their
    local date."""
    for zone, provinces in zone_groups():
        local = now.astimezone(zone)
        if hour <= local.hour and local.time() < until:
            yield zone, provinces, local.date()


async def queue_daily(services: Services, limits: DispatchLimits) -> int:
    """Build today's digest for members whose local digest hour has passed (bounded).

    Each member gets at most one per local day (``digest_log``); a member with nothing
    to do gets no message.
    """
    now = services.clock.now()
    config = services.settings.pengingat
    built = 0
    for _zone, provinces, today in _periods(now, config.visits.digest_hour, config.send_window.end):
        members = await notices_store.members_without_digest(
            services.db, roles=("tpk",), kind=KIND, period=today.isoformat(), provinces=provinces,
            limit=limits.digest_batch - built,
        )
        for member_id, scope, _name in members:
            try:
                digest = await build(services, member_id, scope, today, limits)
            except Exception as error:  # one unreadable record must not block everyone's digest
                log.error("daily digest for member %s failed, skipped today: %s", member_id, describe(error))
                digest = Digest(text="", markup=[], items=0)
            async with services.db.transaction() as tx:
                if not await notices_store.log_digest(tx, user_id=member_id, kind=KIND, period=today.isoformat(),
                                                      items=digest.items, now=now):
                    continue
                if digest.items:
                    await notices_store.queue(
                        tx, recipient_id=member_id, kind=KIND, dedupe_key=f"{KIND}:{member_id}:{today.isoformat()}",
                        text=digest.text, markup=digest.markup, now=now,
                    )
            built += 1
            log.info("daily digest for member %s: %d tasks", member_id, digest.items)
        if built >= limits.digest_batch:
            break
    return built
