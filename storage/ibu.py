"""Mothers who joined: consent decisions, the link to their record, stop and resume.

A mother's consent is recorded with the time and the version of the text she read
(UU 27/2022 PDP); a refusal is recorded too, without creating an account. The link
between her Telegram account and her sasaran lives in ``ibu``; every decision (agree,
refuse, stop, resume, iron-tablet reminders off/on) is appended to ``ibu_consent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import aiosqlite

from bot.domain.roles import Role
from bot.domain.tokens import token_hash
from storage import audit
from storage import users as users_store
from storage.db import Database, Transaction
from storage.invitations import Invitation, InvitationError, Problem
from storage.invitations import _find_in_tx as find_invitation_in_tx
from storage.timefmt import from_db, to_db

#: Categories a mother can be invited for.
MOTHER_CATEGORIES = ("ibu_hamil", "ibu_nifas")


class LinkState(StrEnum):
    AKTIF = "aktif"
    BERHENTI = "berhenti"  # she sent /berhenti
    TAK_TERJANGKAU = "tak_terjangkau"  # she blocked the bot (403)


class Decision(StrEnum):
    SETUJU = "setuju"
    TIDAK = "tidak"
    BERHENTI = "berhenti"
    MULAI = "mulai"
    TTD_MATI = "ttd_mati"
    TTD_NYALA = "ttd_nyala"
    TTD_HARIAN = "ttd_harian"  # she chose the daily tablet reminder
    TTD_MINGGUAN = "ttd_mingguan"  # … or the weekly check-in


@dataclass(frozen=True)
class MotherLink:
    user_id: int
    sasaran_id: int
    state: LinkState
    ttd_enabled: bool
    consent_id: int
    resume_from: date | None
    next_plan_at: datetime
    #: "harian" / "mingguan" as she chose in /jadwal; None: the configured default.
    ttd_mode: str | None = None

    @property
    def active(self) -> bool:
        return self.state is LinkState.AKTIF


@dataclass(frozen=True)
class ConsentOutcome:
    """What a decision on the consent screen did."""

    consent_id: int
    decision: Decision
    sasaran_id: int
    invitation: Invitation


@dataclass(frozen=True)
class MotherRecord:
    """What the planner and the texts need of a mother's sasaran (system read, no scope)."""

    sasaran_id: int
    region_code: str
    category: str
    name: str
    reporter_id: int
    status: str
    ended_reason: str | None
    ended_on: date | None
    hpht: date | None
    hpl: date | None
    delivery_date: date | None
    erased: bool
    #: Latest kunjungan with an outcome (lahir / keguguran) and its date.
    outcome: str | None
    outcome_on: date | None
    #: Birth date of a baby registered with this mother (``sasaran.mother_id``).
    baby_birth_date: date | None


_LINK_COLS = "user_id, sasaran_id, state, ttd_enabled, consent_id, resume_from, next_plan_at, ttd_mode"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _link(row: aiosqlite.Row) -> MotherLink:
    next_plan = from_db(row["next_plan_at"])
    assert next_plan is not None
    return MotherLink(
        user_id=row["user_id"], sasaran_id=row["sasaran_id"], state=LinkState(row["state"]),
        ttd_enabled=bool(row["ttd_enabled"]), consent_id=row["consent_id"],
        resume_from=_day(row["resume_from"]), next_plan_at=next_plan, ttd_mode=row["ttd_mode"],
    )


# -- reading ---------------------------------------------------------------------------


async def link_for_user(db: Database, user_id: int) -> MotherLink | None:
    row = await db.fetch_one(f"SELECT {_LINK_COLS} FROM ibu WHERE user_id = ?", (user_id,))
    return _link(row) if row else None


async def link_for_sasaran(db: Database, sasaran_id: int) -> MotherLink | None:
    row = await db.fetch_one(f"SELECT {_LINK_COLS} FROM ibu WHERE sasaran_id = ?", (sasaran_id,))
    return _link(row) if row else None


async def link_for_sasaran_in_tx(tx: Transaction, sasaran_id: int) -> MotherLink | None:
    row = await tx.fetch_one(f"SELECT {_LINK_COLS} FROM ibu WHERE sasaran_id = ?", (sasaran_id,))
    return _link(row) if row else None


async def due_for_planning(db: Database, now: datetime, limit: int) -> list[int]:
    """Sasaran ids of active mothers whose rolling window needs extending (bounded)."""
    rows = await db.fetch_all(
        "SELECT sasaran_id FROM ibu WHERE state = 'aktif' AND next_plan_at <= ? ORDER BY next_plan_at LIMIT ?",
        (to_db(now), limit),
    )
    return [r[0] for r in rows]


async def record(db: Database | Transaction, sasaran_id: int) -> MotherRecord | None:
    """The facts of a mother's record, read by the system (planner, dispatcher)."""
    row = await db.fetch_one(
        "SELECT s.id, s.region_code, s.category, s.name, s.reporter_id, s.status, s.ended_reason, s.ended_on, "
        "s.hpht, s.hpl, s.delivery_date, s.erased_at, "
        "(SELECT k.outcome FROM kunjungan k WHERE k.sasaran_id = s.id AND k.outcome IS NOT NULL "
        " ORDER BY k.visited_on DESC, k.id DESC LIMIT 1) AS outcome, "
        "(SELECT k.visited_on FROM kunjungan k WHERE k.sasaran_id = s.id AND k.outcome IS NOT NULL "
        " ORDER BY k.visited_on DESC, k.id DESC LIMIT 1) AS outcome_on, "
        "(SELECT b.birth_date FROM sasaran b WHERE b.mother_id = s.id AND b.erased_at IS NULL "
        " AND b.birth_date IS NOT NULL ORDER BY b.id DESC LIMIT 1) AS baby_birth_date "
        "FROM sasaran s WHERE s.id = ?",
        (sasaran_id,),
    )
    if row is None:
        return None
    return MotherRecord(
        sasaran_id=row["id"], region_code=row["region_code"], category=row["category"], name=row["name"],
        reporter_id=row["reporter_id"], status=row["status"], ended_reason=row["ended_reason"],
        ended_on=_day(row["ended_on"]), hpht=_day(row["hpht"]), hpl=_day(row["hpl"]),
        delivery_date=_day(row["delivery_date"]), erased=row["erased_at"] is not None,
        outcome=row["outcome"], outcome_on=_day(row["outcome_on"]), baby_birth_date=_day(row["baby_birth_date"]),
    )


@dataclass(frozen=True)
class IdentityFacts:
    """What her record holds to confirm who opened her link (never shown to whoever did)."""

    name: str
    birth_date: date | None


async def identity_facts(db: Database | Transaction, sasaran_id: int) -> IdentityFacts | None:
    row = await db.fetch_one("SELECT name, birth_date FROM sasaran WHERE id = ? AND erased_at IS NULL",
                             (sasaran_id,))
    return IdentityFacts(row["name"], _day(row["birth_date"])) if row else None


async def mark_checked(tx: Transaction, *, token: str, telegram_id: int) -> None:
    """Record that ``telegram_id`` confirmed who she is for this link (set-up paths that
    skip the dialogue: benchmarks, seeded demo data and storage tests)."""
    await tx.execute("UPDATE invitations SET checked_by = ? WHERE token_hash = ?", (telegram_id, token_hash(token)))


async def _failed_checks(tx: Transaction, invitation_id: int) -> int:
    row = await tx.fetch_one("SELECT failed_checks FROM invitations WHERE id = ?", (invitation_id,))
    return int(row[0]) if row else 0


async def note_identity_check(tx: Transaction, invitation_id: int, *, telegram_id: int, ok: bool, limit: int,
                              now: datetime) -> int:
    """Keep the account that confirmed who she is, or count a wrong answer; at ``limit``
    wrong answers the link is spent (revoked). Returns the wrong answers so far."""
    if ok:
        await tx.execute("UPDATE invitations SET checked_by = ? WHERE id = ?", (telegram_id, invitation_id))
        return await _failed_checks(tx, invitation_id)
    await tx.execute("UPDATE invitations SET failed_checks = failed_checks + 1, "
                     "revoked_at = CASE WHEN failed_checks + 1 >= ? THEN ? ELSE revoked_at END WHERE id = ?",
                     (limit, to_db(now), invitation_id))
    failed = await _failed_checks(tx, invitation_id)
    if failed >= limit:
        await audit.record(tx, at=now, actor_id=None, action="spend", entity="invitation", entity_id=invitation_id,
                           after={"failed_checks": failed})
    return failed


async def mother_of(db: Database, sasaran_id: int) -> int | None:
    """The mother's sasaran id of a baby registered with one (``sasaran.mother_id``)."""
    return await db.fetch_value("SELECT mother_id FROM sasaran WHERE id = ?", (sasaran_id,))


async def consent_history(db: Database, sasaran_id: int) -> list[tuple[str, str, str, int]]:
    """(decision, text version, time, telegram id) for one record, oldest first."""
    rows = await db.fetch_all(
        "SELECT decision, text_version, at, telegram_id FROM ibu_consent WHERE sasaran_id = ? ORDER BY id",
        (sasaran_id,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


# -- the consent screen ----------------------------------------------------------------


async def decide(
    tx: Transaction,
    *,
    token: str,
    telegram_id: int,
    decision: Decision,
    text_version: str,
    now: datetime,
    ttd_default: bool,
) -> ConsentOutcome:
    """Record her answer on the consent screen and use up the invitation, inside the
    caller's transaction (which also queues the notice to her TPK member).

    ``setuju`` makes (or re-links) a users row with role ``ibu`` in the record's region
    and the ``ibu`` link; ``tidak`` stores only the refusal. Raises
    :class:`InvitationError` when the link is unknown, used or expired, the record is
    gone, or this Telegram account belongs to a TPK member or coordinator.
    """
    if decision not in (Decision.SETUJU, Decision.TIDAK):
        raise ValueError(decision)
    invitation = await find_invitation_in_tx(tx, token)
    if invitation is None or invitation.role is not Role.IBU or invitation.sasaran_id is None:
        raise InvitationError(Problem.UNKNOWN)
    if (problem := invitation.problem(now)) is not None:
        raise InvitationError(problem)
    if invitation.checked_by != telegram_id:
        raise InvitationError(Problem.UNCHECKED)
    sasaran = await tx.fetch_one(
        "SELECT id, name, region_code, category, status FROM sasaran WHERE id = ? AND erased_at IS NULL",
        (invitation.sasaran_id,),
    )
    if sasaran is None or sasaran["category"] not in MOTHER_CATEGORIES or sasaran["status"] != "aktif":
        raise InvitationError(Problem.UNKNOWN)
    before = await users_store.get_in_tx(tx, telegram_id)
    if before is not None and before.role is not Role.IBU:
        raise InvitationError(Problem.ALREADY_MEMBER)
    consent_id = await tx.insert(
        "INSERT INTO ibu_consent (sasaran_id, telegram_id, invitation_id, decision, text_version, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (sasaran["id"], telegram_id, invitation.id, decision, text_version, to_db(now)),
    )
    if decision is Decision.SETUJU:
        await _link_mother(tx, telegram_id, sasaran, invitation, consent_id, before, now, ttd_default)
        used_by: int | None = telegram_id
    else:
        used_by = before.id if before is not None else None
    await tx.execute("UPDATE invitations SET used_by = ?, used_at = ? WHERE id = ?",
                     (used_by, to_db(now), invitation.id))
    await audit.record(tx, at=now, actor_id=used_by, action=f"consent_{decision}", entity="sasaran",
                       entity_id=sasaran["id"], after={"consent_id": consent_id, "text_version": text_version})
    await audit.record(tx, at=now, actor_id=used_by, action="use", entity="invitation", entity_id=invitation.id,
                       before=invitation.audit_view())
    return ConsentOutcome(consent_id, decision, sasaran["id"], invitation)


async def _link_mother(
    tx: Transaction, telegram_id: int, sasaran: aiosqlite.Row, invitation: Invitation, consent_id: int,
    before: users_store.Member | None, now: datetime, ttd_default: bool,
) -> None:
    stamp = to_db(now)
    if before is None:
        await tx.execute(
            "INSERT INTO users (id, full_name, role, region_code, status, invited_by, created_at, updated_at, "
            "last_active_at) VALUES (?, ?, 'ibu', ?, 'active', ?, ?, ?, ?)",
            (telegram_id, sasaran["name"], sasaran["region_code"], invitation.created_by, stamp, stamp, stamp),
        )
    else:
        await tx.execute(
            "UPDATE users SET full_name = ?, region_code = ?, status = 'active', invited_by = ?, updated_at = ? "
            "WHERE id = ?",
            (sasaran["name"], sasaran["region_code"], invitation.created_by, stamp, telegram_id),
        )
    # A record has one mother; a mother follows one record (a new pregnancy re-links her).
    old = await tx.fetch_one("SELECT user_id, sasaran_id FROM ibu WHERE user_id = ? OR sasaran_id = ?",
                             (telegram_id, sasaran["id"]))
    if old is not None:
        await cancel_scheduled(tx, old["sasaran_id"], reason="selesai", now=now)
        await tx.execute("DELETE FROM ibu WHERE user_id = ? OR sasaran_id = ?", (telegram_id, sasaran["id"]))
    await tx.execute(
        "INSERT INTO ibu (user_id, sasaran_id, state, ttd_enabled, consent_id, resume_from, next_plan_at, "
        "created_at, updated_at) VALUES (?, ?, 'aktif', ?, ?, NULL, ?, ?, ?)",
        (telegram_id, sasaran["id"], int(ttd_default), consent_id, stamp, stamp, stamp),
    )


# -- stop, resume, preferences -----------------------------------------------------------


async def cancel_scheduled(tx: Transaction, sasaran_id: int, *, reason: str, now: datetime) -> int:
    """Cancel every reminder of a record that has not gone out yet; returns how many."""
    return await tx.execute(
        "UPDATE reminders SET state = 'cancelled', cancel_reason = ?, updated_at = ? "
        "WHERE sasaran_id = ? AND state = 'scheduled'",
        (reason, to_db(now), sasaran_id),
    )


async def close_followups(tx: Transaction, sasaran_id: int, *, now: datetime) -> None:
    """No "belum periksa" notice or summary line for reminders already sent."""
    await tx.execute(
        "UPDATE reminders SET followup = 'selesai', followup_at = coalesce(followup_at, ?), updated_at = ? "
        "WHERE sasaran_id = ? AND needs_ack = 1 AND (followup IS NULL OR followup = 'tpk')",
        (to_db(now), to_db(now), sasaran_id),
    )


async def _append(tx: Transaction, link: MotherLink, decision: Decision, version: str, now: datetime) -> int:
    return await tx.insert(
        "INSERT INTO ibu_consent (sasaran_id, telegram_id, decision, text_version, at) VALUES (?, ?, ?, ?, ?)",
        (link.sasaran_id, link.user_id, decision, version, to_db(now)),
    )


async def _locked_link(tx: Transaction, user_id: int) -> MotherLink | None:
    row = await tx.fetch_one(f"SELECT {_LINK_COLS} FROM ibu WHERE user_id = ?", (user_id,))
    return _link(row) if row else None


async def stop(tx: Transaction, user_id: int, *, state: LinkState, version: str, now: datetime) -> MotherLink | None:
    """She stops (``berhenti``) or cannot be reached (``tak_terjangkau``): every unsent
    reminder is cancelled and no follow-up is started for what was sent.

    Returns the link as it was, or None when she was not active (nothing changed).
    """
    if state is LinkState.AKTIF:
        raise ValueError(state)
    link = await _locked_link(tx, user_id)
    if link is None or not link.active:
        return None
    await tx.execute("UPDATE ibu SET state = ?, updated_at = ? WHERE user_id = ?", (state, to_db(now), user_id))
    await cancel_scheduled(tx, link.sasaran_id, reason=state.value, now=now)
    await close_followups(tx, link.sasaran_id, now=now)
    if state is LinkState.BERHENTI:
        await _append(tx, link, Decision.BERHENTI, version, now)
    await audit.record(tx, at=now, actor_id=user_id if state is LinkState.BERHENTI else None,
                       action=state.value, entity="ibu", entity_id=user_id)
    return link


async def resume(tx: Transaction, user_id: int, *, today: date, version: str, now: datetime) -> MotherLink | None:
    """/mulai: active again from ``today``; what fell due while stopped is skipped.

    Returns the link as it was, or None when she was already active or has no link.
    """
    link = await _locked_link(tx, user_id)
    if link is None or link.active:
        return None
    await tx.execute(
        "UPDATE ibu SET state = 'aktif', resume_from = ?, next_plan_at = ?, updated_at = ? WHERE user_id = ?",
        (today.isoformat(), to_db(now), to_db(now), user_id),
    )
    await _append(tx, link, Decision.MULAI, version, now)
    await audit.record(tx, at=now, actor_id=user_id, action="resume", entity="ibu", entity_id=user_id)
    return link


async def set_ttd(tx: Transaction, user_id: int, *, enabled: bool, version: str, now: datetime) -> MotherLink | None:
    """Her daily iron-tablet reminder on or off (off cancels the unsent ones at once)."""
    link = await _locked_link(tx, user_id)
    if link is None or link.ttd_enabled == enabled:
        return link
    await tx.execute("UPDATE ibu SET ttd_enabled = ?, next_plan_at = ?, updated_at = ? WHERE user_id = ?",
                     (int(enabled), to_db(now), to_db(now), user_id))
    if not enabled:
        await tx.execute(
            "UPDATE reminders SET state = 'cancelled', cancel_reason = 'ttd_mati', updated_at = ? "
            "WHERE sasaran_id = ? AND kind IN ('ttd', 'ttd_minggu') AND state = 'scheduled'",
            (to_db(now), link.sasaran_id),
        )
    await _append(tx, link, Decision.TTD_NYALA if enabled else Decision.TTD_MATI, version, now)
    return link


async def set_ttd_mode(tx: Transaction, user_id: int, *, mode: str, version: str, now: datetime
                       ) -> MotherLink | None:
    """Her choice of the daily tablet reminder or the weekly check-in (it also switches the
    reminder on). The re-plan that follows swaps the scheduled rows. Returns the link as it
    was, or None when she has no link."""
    if mode not in ("harian", "mingguan"):
        raise ValueError(mode)
    link = await _locked_link(tx, user_id)
    if link is None:
        return None
    await tx.execute("UPDATE ibu SET ttd_mode = ?, ttd_enabled = 1, next_plan_at = ?, updated_at = ? "
                     "WHERE user_id = ?", (mode, to_db(now), to_db(now), user_id))
    await _append(tx, link, Decision.TTD_HARIAN if mode == "harian" else Decision.TTD_MINGGUAN, version, now)
    return link


async def set_next_plan(tx: Transaction, sasaran_id: int, at: datetime) -> None:
    await tx.execute("UPDATE ibu SET next_plan_at = ? WHERE sasaran_id = ?", (to_db(at), sasaran_id))
