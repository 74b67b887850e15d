"""Single-use invitations behind ``/start <token>`` deep links.

Only the SHA-256 of a token is stored. Claiming is one transaction that re-checks the
invitation — and that whoever made it is still active with authority over its role and
area — creates (or re-activates) the member and marks the invitation used, so a link
opened twice at the same moment makes one member. A deactivated member joins again only
through a link made for them (``for_user``); deactivating someone revokes the links they
made (:func:`storage.users.set_status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite

from bot.domain.roles import Role, TeamPosition, has_authority
from bot.domain.tokens import token_hash
from storage import audit, audit_kasus
from storage import users as users_store
from storage.at_rest import seal
from storage.crypto import USER_PHONE, IdentityCipher
from storage.db import Database, Transaction
from storage.timefmt import from_db, to_db


class Problem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_MEMBER = "already_member"
    REVOKED = "revoked"  # its maker was deactivated or lost authority over its area
    DEACTIVATED = "deactivated"  # a deactivated member, and the link was not made for them
    NOT_FOR_YOU = "not_for_you"  # made for another person
    UNCHECKED = "unchecked"  # a mother's link: this account has not confirmed who she is


class InvitationError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Invitation:
    id: int
    role: Role
    region_code: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    sasaran_id: int | None
    revoked_at: datetime | None = None
    for_user: int | None = None
    failed_checks: int = 0
    checked_by: int | None = None

    def problem(self, now: datetime) -> Problem | None:
        if self.used_at is not None:
            return Problem.USED
        if self.revoked_at is not None:
            return Problem.REVOKED
        if now >= self.expires_at:
            return Problem.EXPIRED
        return None

    def audit_view(self) -> dict[str, object]:
        return {
            "role": self.role.value,
            "region_code": self.region_code,
            "expires_at": to_db(self.expires_at),
            "used_by": self.used_by,
            "sasaran_id": self.sasaran_id,
            "for_user": self.for_user,
        }


_COLUMNS = ("id, role, region_code, created_by, created_at, expires_at, used_by, used_at, sasaran_id, revoked_at, "
            "for_user, failed_checks, checked_by")


def _invitation(row: aiosqlite.Row) -> Invitation:
    created, expires = from_db(row["created_at"]), from_db(row["expires_at"])
    assert created is not None and expires is not None
    return Invitation(
        id=row["id"],
        role=Role(row["role"]),
        region_code=row["region_code"],
        created_by=row["created_by"],
        created_at=created,
        expires_at=expires,
        used_by=row["used_by"],
        used_at=from_db(row["used_at"]),
        sasaran_id=row["sasaran_id"],
        revoked_at=from_db(row["revoked_at"]),
        for_user=row["for_user"],
        failed_checks=row["failed_checks"],
        checked_by=row["checked_by"],
    )


async def create(
    db: Database,
    *,
    token: str,
    role: Role,
    region_code: str,
    created_by: int,
    now: datetime,
    valid_for: timedelta,
    sasaran_id: int | None = None,
    for_user: int | None = None,
    audit_round_id: int | None = None,
    speciality: str | None = None,
) -> Invitation:
    """A link for a koordinator, TPK member or mother; for a pakar also the audit round and speciality."""
    async with db.transaction() as tx:
        new_id = await tx.insert(
            "INSERT INTO invitations (token_hash, role, region_code, created_by, created_at, "
            "expires_at, sasaran_id, for_user, audit_round_id, speciality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (token_hash(token), role, region_code, created_by, to_db(now), to_db(now + valid_for),
             sasaran_id, for_user, audit_round_id, speciality),
        )
        row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM invitations WHERE id = ?", (new_id,))
        assert row is not None
        invitation = _invitation(row)
        await audit.record(
            tx, at=now, actor_id=created_by, action="create", entity="invitation",
            entity_id=new_id, after=invitation.audit_view(),
        )
        return invitation


async def find(db: Database, token: str) -> Invitation | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM invitations WHERE token_hash = ?", (token_hash(token),)
    )
    return _invitation(row) if row else None


async def _find_in_tx(tx: Transaction, token: str) -> Invitation | None:
    """The invitation, locked until the transaction ends: two claims of one link run one after the other."""
    row = await tx.fetch_one(
        f"SELECT {_COLUMNS} FROM invitations WHERE token_hash = ?{tx.dialect.lock()}", (token_hash(token),)
    )
    return _invitation(row) if row else None


async def _maker_may_still(tx: Transaction, invitation: Invitation) -> bool:
    """The link's maker is active now and still has authority over its role and area."""
    maker = await users_store.get_in_tx(tx, invitation.created_by)
    return maker is not None and maker.active and has_authority(maker.role, maker.region_code, invitation.role,
                                                                invitation.region_code)


async def claim_membership(
    db: Database,
    *,
    token: str,
    user_id: int,
    full_name: str,
    phone: str | None,
    team_position: TeamPosition | None,
    now: datetime,
    cipher: IdentityCipher | None = None,
) -> tuple[users_store.Member, Invitation]:
    """Turn a valid koordinator/TPK invitation into an active member.

    Raises :class:`InvitationError` when the token is unknown, used, revoked or expired,
    its maker is no longer active with authority over its role and area, it was made for
    someone else, the person is already an active member, or was deactivated and the link
    was not made for them (the invitation then stays unused for its intended recipient).
    A shared ``phone`` is sealed with ``cipher``."""
    async with db.transaction() as tx:
        invitation = await _find_in_tx(tx, token)
        if invitation is None or invitation.role not in (Role.KOORDINATOR, Role.TPK, Role.PAKAR):
            raise InvitationError(Problem.UNKNOWN)
        if (problem := invitation.problem(now)) is not None:
            raise InvitationError(problem)
        if not await _maker_may_still(tx, invitation):
            raise InvitationError(Problem.REVOKED)
        if invitation.for_user is not None and invitation.for_user != user_id:
            raise InvitationError(Problem.NOT_FOR_YOU)
        before = await users_store.get_in_tx(tx, user_id)
        if before is not None and before.active:
            raise InvitationError(Problem.ALREADY_MEMBER)
        if before is not None and invitation.for_user != user_id:
            raise InvitationError(Problem.DEACTIVATED)
        position = team_position if invitation.role is Role.TPK else None
        if before is None:
            await tx.execute(
                "INSERT INTO users (id, full_name, role, region_code, team_position, status, "
                "invited_by, created_at, updated_at, last_active_at) "
                "VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                (user_id, full_name, invitation.role, invitation.region_code, position,
                 invitation.created_by, to_db(now), to_db(now), to_db(now)),
            )
        else:
            await tx.execute(
                "UPDATE users SET full_name = ?, role = ?, region_code = ?, "
                "team_position = ?, status = 'active', invited_by = ?, updated_at = ?, "
                "last_active_at = ? WHERE id = ?",
                (full_name, invitation.role, invitation.region_code, position,
                 invitation.created_by, to_db(now), to_db(now), user_id),
            )
        if phone:  # a phone not shared this time keeps the one shared before
            if cipher is None:
                raise TypeError("a phone number is stored encrypted: pass the cipher")
            await seal(tx, cipher, USER_PHONE, user_id, phone)
        await tx.execute(
            "UPDATE invitations SET used_by = ?, used_at = ? WHERE id = ?",
            (user_id, to_db(now), invitation.id),
        )
        if invitation.role is Role.PAKAR:
            await _join_audit_round(tx, invitation.id, user_id, now)
        member = await users_store.get_in_tx(tx, user_id)
        assert member is not None
        await audit.record(
            tx, at=now, actor_id=user_id, action="create" if before is None else "reactivate",
            entity="user", entity_id=user_id,
            before=before.audit_view() if before else None, after=member.audit_view(),
        )
        await audit.record(
            tx, at=now, actor_id=user_id, action="use", entity="invitation", entity_id=invitation.id,
            before=invitation.audit_view(),
        )
        return member, invitation


async def _join_audit_round(tx: Transaction, invitation_id: int, user_id: int, now: datetime) -> None:
    """A pakar's invitation names the audit round they review (issue 18)."""
    row = await tx.fetch_one("SELECT audit_round_id, speciality FROM invitations WHERE id = ?", (invitation_id,))
    if row is not None and row[0] is not None:
        await audit_kasus.add_pakar(tx, round_id=row[0], user_id=user_id, speciality=row[1] or "", now=now)
