"""When an action reminder is not acted on: her TPK member, then the coordinator.

1. "Belum", or no answer within ``[pengingat.ack] timeout_hours`` of sending: her TPK
   member gets "Ibu R. belum periksa kehamilan ke-4 — mohon dikunjungi" with a button
   that starts /kunjungan for her (the "Belum" case is handled in :mod:`mothers`).
2. Still open ``coordinator_escalation_hours`` after that (no "Sudah", no visit recorded
   since): listed in the weekly summary each coordinator gets for their area.

The same weekly summary names, by area, every visit task still on a TPK member's list
``[kunjungan] escalate_after_days`` after its date (as the member's list last showed it,
``storage.tugas``), and every pregnancy at 42 weeks or more with no birth recorded, read
from the records themselves so it reaches the coordinator whatever the TPK member does.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.daytime import local_date, zone_for_region
from bot.domain.pregnancy import gestational_age
from bot.domain.visit_tasks import POST_TERM_WEEKS, stale_from
from bot.formatting import long_date
from bot.reminders import texts
from bot.reminders.limits import DispatchLimits, describe
from bot.reminders.planning import visit_markup
from bot.reminders.visit_digest import MAX_TEXT, zone_groups
from bot.services import Services
from storage import notices as notices_store
from storage import reminders as reminders_store
from storage import tugas as tugas_store
from storage.reminders import FollowUp
from storage.tugas import LateTask, PostTerm

log = logging.getLogger(__name__)

SUMMARY_KIND = "koordinator_mingguan"


async def notify_unanswered(services: Services, limits: DispatchLimits) -> int:
    """Tell TPK members about action reminders left unanswered past the timeout."""
    now = services.clock.now()
    timeout = timedelta(hours=services.settings.pengingat.ack.timeout_hours)
    async with services.db.transaction() as tx:
        items = await reminders_store.unanswered(tx, sent_before=now - timeout, limit=limits.followup_batch)
        for item in items:
            if not await reminders_store.start_followup(tx, item.reminder_id, now=now):
                continue
            await notices_store.queue(
                tx, recipient_id=item.reporter_id, kind="belum", dedupe_key=f"belum:{item.reminder_id}",
                text=texts.not_yet_notice(item.name, item.text_key, item.payload, answered=False),
                markup=visit_markup(item.sasaran_id), now=now,
            )
    for item in items:
        log.info("reminder %s (sasaran %s) unanswered: TPK %s told", item.reminder_id, item.sasaran_id,
                 item.reporter_id)
    return len(items)


async def open_items(services: Services, scope: str, limits: DispatchLimits) -> tuple[list[FollowUp], int]:
    """Open follow-ups in ``scope`` old enough for the coordinator (also for /rekap)."""
    now = services.clock.now()
    delay = timedelta(hours=services.settings.pengingat.ack.coordinator_escalation_hours)
    return await reminders_store.open_followups(
        services.db, scope, told_before=now - delay, told_since=now - limits.summary_lookback,
        limit=limits.digest_max_items,
    )


@dataclass(frozen=True)
class Summary:
    """What one coordinator's weekly summary lists, each part a page and its total."""

    followups: list[FollowUp]
    followups_total: int
    late: list[LateTask]
    late_total: int
    post_term: list[PostTerm]
    post_term_total: int

    @property
    def total(self) -> int:
        return self.followups_total + self.late_total + self.post_term_total


#: Late requests of these kinds are already the summary's first part (follow-ups).
_FOLLOWUP_KEYS = ("belum:",)
_POST_TERM_KEYS = ("pascaterm_",)


async def summary_for(services: Services, scope: str, limits: DispatchLimits) -> Summary:
    """Everything the coordinator of ``scope`` should hear about this week."""
    followups, followups_total = await open_items(services, scope, limits)
    today = local_date(services.clock.now(), zone_for_region(scope))
    late_after = timedelta(days=services.settings.kunjungan.escalate_after_days)
    late, late_total = await tugas_store.late_in_scope(
        services.db, scope, target_by=today - late_after, skip_key_prefixes=(*_FOLLOWUP_KEYS, *_POST_TERM_KEYS),
        limit=limits.digest_max_items)
    post_term, post_term_total = await tugas_store.post_term_in_scope(
        services.db, scope, hpht_by=today - timedelta(weeks=POST_TERM_WEEKS), limit=limits.digest_max_items)
    return Summary(followups, followups_total, late, late_total, post_term, post_term_total)


def _area_lines(services: Services, items: list[Any], line: Any) -> list[str]:
    parts: list[str] = []
    area: str | None = None
    for item in items:
        if item.region_code != area:
            area = item.region_code
            label = services.regions.path_label(area) if area in services.regions else area
            parts.append(f"\n📍 <b>{html.escape(label)}</b>")
        parts.append(line(item))
    return parts


def _more(shown: int, total: int) -> list[str]:
    return [f"… dan {total - shown} lainnya."] if total > shown else []


def render_summary(services: Services, summary: Summary, week_label: str, today: date) -> str:
    parts = [f"🗂️ <b>Ringkasan mingguan pengingat — {week_label}</b>"]

    def tpk(name: str | None) -> str:
        return html.escape(name or "anggota TPK")

    if summary.followups_total:
        parts.append(f"{summary.followups_total} hal belum ditindaklanjuti setelah anggota TPK diberi tahu:")
        parts += _area_lines(services, summary.followups, lambda item: (
            f"• {html.escape(texts.initial(item.name))} belum "
            f"{html.escape(texts.missing_action(item.text_key, item.payload))} "
            f"(TPK: {tpk(item.reporter_name)}, sejak "
            f"{long_date(item.followup_at.date()) if item.followup_at else '-'})"))
        parts += _more(len(summary.followups), summary.followups_total)
    if summary.late_total:
        days = services.settings.kunjungan.escalate_after_days
        parts.append(f"\n⏰ <b>{summary.late_total} kunjungan terlambat {days} hari atau lebih</b> (masih di daftar "
                     "anggota TPK):")
        parts += _area_lines(services, summary.late, lambda item: (
            f"• {html.escape(item.name)} — {html.escape(item.label)}, "
            f"{texts.relative_day(item.target_date, today)} (TPK: {tpk(item.reporter_name)})"))
        parts += _more(len(summary.late), summary.late_total)
    if summary.post_term_total:
        parts.append(f"\n🤰 <b>{summary.post_term_total} kehamilan 42 minggu atau lebih tanpa catatan "
                     "persalinan</b>:")

        def post_term_line(item: PostTerm) -> str:
            age = gestational_age(item.hpht, today).weeks
            todo = ("perbarui catatannya" if today >= stale_from(item.hpht)
                    else "perlu dirujuk dan dikunjungi")
            return f"• {html.escape(item.name)} — {age} minggu, {todo} (TPK: {tpk(item.reporter_name)})"

        parts += _area_lines(services, summary.post_term, post_term_line)
        parts += _more(len(summary.post_term), summary.post_term_total)
    return _fit(parts)


def _fit(parts: list[str]) -> str:
    """The lines that fit one Telegram message, and how many were left out."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(parts):
        if size + len(line) + 1 > MAX_TEXT:
            left = sum(1 for rest in parts[index:] if rest.startswith("•"))
            kept.append(f"\n… dan {left} baris lainnya.")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


async def queue_weekly(services: Services, limits: DispatchLimits) -> int:
    """Once per ISO week, from the digest hour of its first day: each coordinator (and
    admin) gets the open items of their area, if there are any."""
    now: datetime = services.clock.now()
    hour = services.settings.pengingat.visits.digest_hour
    built = 0
    for zone, provinces in zone_groups():
        local = now.astimezone(zone)
        if local.isoweekday() < limits.summary_weekday or local.hour < hour:
            continue
        year, week, _ = local.isocalendar()
        period = f"{year}-W{week:02d}"
        members = await notices_store.members_without_digest(
            services.db, roles=("koordinator", "admin"), kind=SUMMARY_KIND, period=period, provinces=provinces,
            limit=limits.digest_batch - built,
        )
        for member_id, scope, _name in members:
            try:
                summary: Summary | None = await summary_for(services, scope, limits)
            except Exception as error:  # skip this member this week rather than block the others
                log.error("weekly summary for member %s failed, skipped: %s", member_id, describe(error))
                summary = None
            total = summary.total if summary else 0
            async with services.db.transaction() as tx:
                if not await notices_store.log_digest(tx, user_id=member_id, kind=SUMMARY_KIND, period=period,
                                                      items=total, now=now):
                    continue
                if summary and total:
                    await notices_store.queue(
                        tx, recipient_id=member_id, kind=SUMMARY_KIND,
                        dedupe_key=f"{SUMMARY_KIND}:{member_id}:{period}",
                        text=render_summary(services, summary, f"minggu {week}, {year}", local.date()), now=now,
                    )
            built += 1
            log.info("weekly summary for member %s: %d open items", member_id, total)
        if built >= limits.digest_batch:
            break
    return built
