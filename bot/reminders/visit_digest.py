"""The TPK member's daily digest of visit tasks, and /tugas on demand.

Tasks are derived, not stored: :func:`bot.domain.visit_tasks.plan_visit_tasks` over
the member's own active records and the last visit to each. Recording a kunjungan
moves ``last_visit_on``, which closes the task by itself. The digest goes out at the
configured local hour, once a day, and only when there is something to do.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot import callbacks as cb
from bot.domain.daytime import PROVINCE_ZONES
from bot.domain.visit_tasks import SasaranCategory, VisitAnchors, VisitTask, plan_visit_tasks
from bot.formatting import long_date
from bot.reminders import texts
from bot.reminders.limits import DispatchLimits, describe
from bot.services import Services
from storage import notices as notices_store
from storage import tugas as tugas_store
from storage.tugas import TaskSource

log = logging.getLogger(__name__)

KIND = "tpk_harian"
NAEGELE = timedelta(days=280)
_CATEGORY_LABELS = {
    "catin": "catin",
    "ibu_hamil": "ibu hamil",
    "ibu_nifas": "ibu nifas",
    "baduta": "baduta",
    "balita": "balita",
}
#: Keys the registration form may use for a catin's planned wedding date.
_WEDDING_KEYS = ("nikah",)  # the /lapor catin question "Tanggal rencana menikah?"


def zone_groups() -> list[tuple[ZoneInfo, tuple[str, ...]]]:
    """Each time zone with its province codes (for queries by local hour)."""
    groups: dict[str, tuple[ZoneInfo, list[str]]] = {}
    for province, zone in sorted(PROVINCE_ZONES.items()):
        groups.setdefault(zone.key, (zone, []))[1].append(province)
    return [(zone, tuple(provinces)) for zone, provinces in groups.values()]


@dataclass(frozen=True)
class TaskLine:
    source: TaskSource
    task: VisitTask


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


def open_tasks(sources: list[TaskSource], today: date, lookahead_days: int, services: Services) -> list[TaskLine]:
    """Tasks open on some day from today to ``lookahead_days`` ahead (late ones included
    while their window lasts), most urgent family first."""
    end = today + timedelta(days=lookahead_days)
    lines = [
        TaskLine(source, task)
        for source in sources
        for task in plan_visit_tasks(
            cast(SasaranCategory, source.category), _anchors(source), source.last_visit_on, services.settings.pengingat
        )
        if task.is_open_during(today, end)
    ]
    first_due: dict[int, date] = {}
    for line in lines:
        key = line.source.keluarga_id
        first_due[key] = min(first_due.get(key, line.task.due_date), line.task.due_date)
    lines.sort(key=lambda ln: (first_due[ln.source.keluarga_id], ln.source.keluarga_id, ln.task.due_date,
                               ln.source.sasaran_id))
    return lines


def render(lines: list[TaskLine], today: date, *, max_items: int) -> Digest:
    shown = lines[:max_items]
    parts = [f"📋 <b>Kunjungan keluarga — {long_date(today)}</b>"]
    buttons: list[list[dict[str, str]]] = []
    with_button: set[int] = set()
    family: int | None = None
    for number, line in enumerate(shown, start=1):
        source = line.source
        if source.keluarga_id != family:
            family = source.keluarga_id
            parts.append(f"\n🏠 <b>Keluarga {html.escape(source.head_name)}</b>")
        when = texts.relative_day(line.task.due_date, today)
        category = _CATEGORY_LABELS.get(source.category, source.category)
        parts.append(f"{number}. {html.escape(source.name)} ({category}) — {html.escape(line.task.label())}, "
                     f"<b>{when}</b>")
        if source.sasaran_id not in with_button:
            # One visit closes every task of the record, so one button per person.
            with_button.add(source.sasaran_id)
            label = f"{number}. {source.name}"[:40] + f" · {when}"
            buttons.append([{"text": label, "callback_data": cb.data(cb.VisitNew(source.sasaran_id))}])
    if len(lines) > len(shown):
        parts.append(f"\n… dan {len(lines) - len(shown)} lainnya.")
    parts.append("\nTekan tombol untuk mencatat kunjungan.")
    return Digest(text="\n".join(parts), markup=buttons, items=len(lines))


async def build(services: Services, member_id: int, scope: str, today: date, limits: DispatchLimits) -> Digest:
    sources = await tugas_store.sources_for_reporter(services.db, scope, member_id)
    lines = open_tasks(sources, today, limits.digest_lookahead_days, services)
    return render(lines, today, max_items=limits.digest_max_items)


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
