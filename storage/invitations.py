"""Single-use invitations behind ``/start <token>`` deep links.

Only the SHA-256 of a token is stored. Claiming is one transaction that re-checks the
invitation, creates (or re-activates) the member and marks the invitation used, so a
link opened twice at the same moment makes one member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite

from bot.domain.roles import Role, TeamPosition
from bot.domain.tokens import token_hash
from storage import audit
from storage import users as users_store
from storage.db import Database, Transaction
from storage.timefmt import from_db, to_db


class Problem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_MEMBER = "already_member"


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

    def problem(self, now: datetime) -> Problem | None:
        if self.used_at is not None:
            return Problem.USED
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
        }


_COLUMNS = "id, role, region_code, created_by, created_at, expires_at, used_by, used_at, sasaran_id"


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
) -> Invitation:
    async with db.transaction() as tx:
        new_id = await tx.insert(
            "INSERT INTO invitations (token_hash, role, region_code, created_by, created_at, "
            "expires_at, sasaran_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_hash(token), role, region_code, created_by, to_db(now), to_db(now + valid_for),
             sasaran_id),
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


async def claim_membership(
    db: Database,
    *,
    token: str,
    user_id: int,
    full_name: str,
    phone: str | None,
    team_position: TeamPosition | None,
    now: datetime,
) -> tuple[users_store.Member, Invitation]:
    """Turn a valid koordinator/TPK invitation into an active member.

    Raises :class:`InvitationError` when the token is unknown, used or expired, or the
    person is already an active member (the invitation then stays unused for its
    intended recipient)."""
    async with db.transaction() as tx:
        invitation = await _find_in_tx(tx, token)
        if invitation is None or invitation.role not in (Role.KOORDINATOR, Role.TPK):
            raise InvitationError(Problem.UNKNOWN)
        if (problem := invitation.problem(now)) is not None:
            raise InvitationError(problem)
        before = await users_store.get_in_tx(tx, user_id)
        if before is not None and before.active:
            raise InvitationError(Problem.ALREADY_MEMBER)
        position = team_position if invitation.role is Role.TPK else None
        if before is None:
            await tx.execute(
                "INSERT INTO users (id, full_name, phone, role, region_code, team_position, status, "
                "invited_by, created_at, updated_at, last_active_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                (user_id, full_name, phone, invitation.role, invitation.region_code, position,
                 invitation.created_by, to_db(now), to_db(now), to_db(now)),
            )
        else:
            await tx.execute(
                "UPDATE users SET full_name = ?, phone = coalesce(?, phone), role = ?, region_code = ?, "
                "team_position = ?, status = 'active', invited_by = ?, updated_at = ?, "
                "last_active_at = ? WHERE id = ?",
                (full_name, phone, invitation.role, invitation.region_code, position,
                 invitation.created_by, to_db(now), to_db(now), user_id),
            )
        await tx.execute(
            "UPDATE invitations SET used_by = ?, used_at = ? WHERE id = ?",
            (user_id, to_db(now), invitation.id),
        )
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
