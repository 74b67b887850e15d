"""When an action reminder is not acted on: her TPK member, then the coordinator.

1. "Belum", or no answer within ``[pengingat.ack] timeout_hours`` of sending: her TPK
   member gets "Ibu R. belum periksa kehamilan ke-4 — mohon dikunjungi" with a button
   that starts /kunjungan for her (the "Belum" case is handled in :mod:`mothers`).
2. Still open ``coordinator_escalation_hours`` after that (no "Sudah", no visit recorded
   since): listed in the weekly summary each coordinator gets for their area.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from bot.formatting import long_date
from bot.reminders import texts
from bot.reminders.limits import DispatchLimits, describe
from bot.reminders.planning import visit_markup
from bot.reminders.visit_digest import zone_groups
from bot.services import Services
from storage import notices as notices_store
from storage import reminders as reminders_store
from storage.reminders import FollowUp

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


def render_summary(services: Services, items: list[FollowUp], total: int, week_label: str) -> str:
    regions = services.regions
    parts = [f"🗂️ <b>Ringkasan mingguan pengingat — {week_label}</b>",
             f"{total} hal belum ditindaklanjuti setelah anggota TPK diberi tahu:"]
    area: str | None = None
    for item in items:
        if item.region_code != area:
            area = item.region_code
            label = regions.path_label(area) if area in regions else area
            parts.append(f"\n📍 <b>{html.escape(label)}</b>")
        since = long_date(item.followup_at.date()) if item.followup_at else "-"
        who = html.escape(item.reporter_name or "anggota TPK")
        parts.append(f"• {html.escape(texts.initial(item.name))} belum "
                     f"{html.escape(texts.missing_action(item.text_key, item.payload))} "
                     f"(TPK: {who}, sejak {since})")
    if total > len(items):
        parts.append(f"\n… dan {total - len(items)} lainnya.")
    return "\n".join(parts)


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
                items, total = await open_items(services, scope, limits)
            except Exception as error:  # skip this member this week rather than block the others
                log.error("weekly summary for member %s failed, skipped: %s", member_id, describe(error))
                items, total = [], 0
            async with services.db.transaction() as tx:
                if not await notices_store.log_digest(tx, user_id=member_id, kind=SUMMARY_KIND, period=period,
                                                      items=total, now=now):
                    continue
                if total:
                    await notices_store.queue(
                        tx, recipient_id=member_id, kind=SUMMARY_KIND,
                        dedupe_key=f"{SUMMARY_KIND}:{member_id}:{period}",
                        text=render_summary(services, items, total, f"minggu {week}, {year}"), now=now,
                    )
            built += 1
            log.info("weekly summary for member %s: %d open items", member_id, total)
        if built >= limits.digest_batch:
            break
    return built
