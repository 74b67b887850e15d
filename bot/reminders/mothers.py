"""What a mother decides, and what her TPK member hears about it.

Each decision and the notice to her TPK member commit in one transaction, so the
member is told exactly once even if the bot stops right after. The re-plan that
follows runs in its own transaction: if it is lost, the periodic job does it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.daytime import local_date, zone_for_region
from bot.domain.identity import TRIES, confirms
from bot.domain.roles import Role
from bot.reminders import texts
from bot.reminders.planning import refresh_plan, visit_markup
from bot.services import Services
from storage import ibu as ibu_store
from storage import notices as notices_store
from storage import reminders as reminders_store
from storage import tugas as tugas_store
from storage.db import Transaction
from storage.ibu import ConsentOutcome, Decision, LinkState, MotherLink, find_invitation_in_tx
from storage.invitations import Invitation, InvitationError, Problem
from storage.reminders import Reminder
from storage.tugas import TaskRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    reminder: Reminder
    name: str


async def _tell_reporter(tx: Transaction, services: Services, sasaran_id: int, *, kind: str, key: str,
                         text_of: Callable[[str], str], with_visit: bool = False) -> None:
    record = await ibu_store.record(tx, sasaran_id)
    if record is None:
        return
    text = text_of(record.name)
    await notices_store.queue(
        tx, recipient_id=record.reporter_id, kind=kind, dedupe_key=key, text=text,
        markup=visit_markup(sasaran_id) if with_visit else None, now=services.clock.now(),
    )


async def consent(services: Services, *, token: str, telegram_id: int, agreed: bool) -> ConsentOutcome:
    """Her answer on the consent screen; raises ``InvitationError`` for a bad link."""
    now = services.clock.now()
    decision = Decision.SETUJU if agreed else Decision.TIDAK
    async with services.db.transaction() as tx:
        outcome = await ibu_store.decide(
            tx, token=token, telegram_id=telegram_id, decision=decision, text_version=texts.CONSENT_VERSION,
            now=now, ttd_default=services.settings.pengingat.ttd.enabled_by_default,
        )
        record = await ibu_store.record(tx, outcome.sasaran_id)
        assert record is not None
        recipients = {record.reporter_id, outcome.invitation.created_by}
        for recipient in sorted(recipients):
            await notices_store.queue(
                tx, recipient_id=recipient, kind=f"persetujuan_{decision}",
                dedupe_key=f"persetujuan:{outcome.consent_id}:{recipient}",
                text=texts.consent_notice(record.name, agreed), now=now,
            )
    log.info("sasaran %s: consent %s by user %s (invitation %s)", outcome.sasaran_id, decision, telegram_id,
             outcome.invitation.id)
    if agreed:
        await refresh_plan(services, outcome.sasaran_id)
    return outcome


class Check(StrEnum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    SPENT = "spent"  # the last try was wrong: the link is revoked and her TPK member told


@dataclass(frozen=True)
class IdentityCheck:
    outcome: Check
    tries_left: int
    invitation: Invitation


async def can_check(services: Services, invitation: Invitation) -> bool:
    """Her record holds what she must confirm (a birth date)."""
    facts = await ibu_store.identity_facts(services.db, invitation.sasaran_id or 0)
    return facts is not None and facts.birth_date is not None


async def check_identity(services: Services, *, token: str, telegram_id: int, initial: str,
                         born: date) -> IdentityCheck:
    """Her answer to "who are you?"; raises ``InvitationError`` for a bad link."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        invitation = await find_invitation_in_tx(tx, token)
        if invitation is None or invitation.role is not Role.IBU or invitation.sasaran_id is None:
            raise InvitationError(Problem.UNKNOWN)
        if (problem := invitation.problem(now)) is not None:
            raise InvitationError(problem)
        facts = await ibu_store.identity_facts(tx, invitation.sasaran_id)
        if facts is None or facts.birth_date is None:
            raise InvitationError(Problem.UNKNOWN)
        ok = confirms(initial, born, facts.name, facts.birth_date)
        failed = await ibu_store.note_identity_check(tx, invitation.id, telegram_id=telegram_id, ok=ok, limit=TRIES,
                                                     now=now)
        outcome = Check.CONFIRMED if ok else Check.SPENT if failed >= TRIES else Check.WRONG
        if outcome is Check.SPENT:
            await notices_store.queue(
                tx, recipient_id=invitation.created_by, kind="identitas_gagal",
                dedupe_key=f"identitas_gagal:{invitation.id}", text=texts.identity_failed_notice(facts.name),
                now=now)
    log.info("invitation %s: identity check by user %s %s", invitation.id, telegram_id, outcome.value)
    return IdentityCheck(outcome, max(TRIES - failed, 0), invitation)


async def stop(services: Services, user_id: int) -> MotherLink | None:
    """/berhenti. None when she was not receiving reminders."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        link = await ibu_store.stop(tx, user_id, state=LinkState.BERHENTI, version=texts.CONSENT_VERSION, now=now)
        if link is not None:
            await _tell_reporter(tx, services, link.sasaran_id, kind="berhenti",
                                 key=f"berhenti:{link.sasaran_id}:{now.isoformat()}", text_of=texts.stopped_notice)
    if link is not None:
        log.info("sasaran %s: mother %s stopped her reminders", link.sasaran_id, user_id)
    return link


async def mark_unreachable(services: Services, user_id: int) -> MotherLink | None:
    """She blocked the bot (403) or her account is gone: stop trying, tell her TPK member."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        link = await ibu_store.stop(tx, user_id, state=LinkState.TAK_TERJANGKAU, version=texts.CONSENT_VERSION,
                                    now=now)
        if link is not None:
            await _tell_reporter(tx, services, link.sasaran_id, kind="tak_terjangkau",
                                 key=f"tak_terjangkau:{link.sasaran_id}:{now.isoformat()}",
                                 text_of=texts.unreachable_notice, with_visit=True)
    if link is not None:
        log.info("sasaran %s: mother %s unreachable, reminders stopped", link.sasaran_id, user_id)
    return link


async def resume(services: Services, user_id: int) -> MotherLink | None:
    """/mulai: from today on; what she missed while stopped is skipped. None when she
    was already receiving reminders (or has no link)."""
    now = services.clock.now()
    link = await ibu_store.link_for_user(services.db, user_id)
    if link is None:
        return None
    record = await ibu_store.record(services.db, link.sasaran_id)
    if record is None:
        return None
    today = local_date(now, zone_for_region(record.region_code))
    async with services.db.transaction() as tx:
        before = await ibu_store.resume(tx, user_id, today=today, version=texts.CONSENT_VERSION, now=now)
        if before is not None:
            await _tell_reporter(tx, services, before.sasaran_id, kind="mulai",
                                 key=f"mulai:{before.sasaran_id}:{now.isoformat()}", text_of=texts.resumed_notice)
    if before is not None:
        log.info("sasaran %s: mother %s resumed her reminders", before.sasaran_id, user_id)
        await refresh_plan(services, before.sasaran_id)
    return before


async def set_ttd(services: Services, user_id: int, *, enabled: bool) -> MotherLink | None:
    async with services.db.transaction() as tx:
        link = await ibu_store.set_ttd(tx, user_id, enabled=enabled, version=texts.CONSENT_VERSION,
                                       now=services.clock.now())
    if link is not None and enabled:
        await refresh_plan(services, link.sasaran_id)
    return link


async def set_ttd_mode(services: Services, user_id: int, *, mode: str) -> MotherLink | None:
    """Her choice in /jadwal: the daily tablet reminder (``harian``) or the weekly
    check-in (``mingguan``); the re-plan swaps the scheduled rows at once."""
    async with services.db.transaction() as tx:
        link = await ibu_store.set_ttd_mode(tx, user_id, mode=mode, version=texts.CONSENT_VERSION,
                                            now=services.clock.now())
    if link is not None:
        await refresh_plan(services, link.sasaran_id)
    return link


async def answer(services: Services, user_id: int, reminder_id: int, *, done: bool) -> Answered | None:
    """Her "Sudah periksa" / "Belum". "Belum" tells her TPK member at once. None when the
    reminder is not hers or was answered already."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        reminder = await reminders_store.acknowledge(tx, reminder_id, user_id=user_id,
                                                     answer="sudah" if done else "belum", now=now)
        if reminder is None:
            return None
        record = await ibu_store.record(tx, reminder.sasaran_id)
        assert record is not None
        if done and reminder.followup == "selesai":
            # Her TPK member was asked to visit; "Sudah" settles that request on the list.
            today = local_date(now, zone_for_region(record.region_code))
            await tugas_store.close(tx, [TaskRow(reminder.sasaran_id, f"belum:{reminder_id}", "Ibu menjawab «Sudah»",
                                                 today)], reason="sudah", by=None, today=today, now=now)
        if not done and await reminders_store.start_followup(tx, reminder_id, now=now):
            await notices_store.queue(
                tx, recipient_id=record.reporter_id, kind="belum", dedupe_key=f"belum:{reminder_id}",
                text=texts.not_yet_notice(record.name, reminder.text_key, reminder.payload, answered=True),
                markup=visit_markup(reminder.sasaran_id), now=now,
            )
    log.info("reminder %s (sasaran %s) answered", reminder_id, reminder.sasaran_id)
    return Answered(reminder, record.name)
