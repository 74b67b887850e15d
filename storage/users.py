"""Users: TPK members, coordinators, admins (and later mothers).

Every listing takes the caller's scope and filters in SQL, so no handler can forget it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.roles import Role, Status, TeamPosition
from storage import audit
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import from_db, to_db

#: ``last_active_at`` is refreshed at most this often, so chatting is not a write per message.
ACTIVITY_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Member:
    id: int
    full_name: str
    role: Role
    region_code: str
    team_position: TeamPosition | None
    status: Status
    invited_by: int | None
    created_at: datetime
    last_active_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE

    def audit_view(self) -> dict[str, object]:
        """What the audit log keeps of a member (the phone number is not even read)."""
        return asdict(self)


_COLUMNS = (
    "id, full_name, role, region_code, team_position, status, invited_by, "
    "created_at, last_active_at"
)


def _member(row: aiosqlite.Row) -> Member:
    created = from_db(row["created_at"])
    assert created is not None
    return Member(
        id=row["id"],
        full_name=row["full_name"],
        role=Role(row["role"]),
        region_code=row["region_code"],
        team_position=TeamPosition(row["team_position"]) if row["team_position"] else None,
        status=Status(row["status"]),
        invited_by=row["invited_by"],
        created_at=created,
        last_active_at=from_db(row["last_active_at"]),
    )


async def get(db: Database, user_id: int) -> Member | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return _member(row) if row else None


async def get_in_tx(tx: Transaction, user_id: int) -> Member | None:
    row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return _member(row) if row else None


async def list_in_scope(
    db: Database, scope: str, roles: tuple[Role, ...] = (Role.KOORDINATOR, Role.TPK)
) -> list[Member]:
    """Members whose area lies inside ``scope``, by area then name."""
    marks = ",".join("?" for _ in roles)
    inside, params = within("region_code", scope)
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM users WHERE {inside} "
        f"AND role IN ({marks}) ORDER BY region_code, full_name COLLATE NOCASE",
        (*params, *roles),
    )
    return [_member(r) for r in rows]


async def sync_admins(db: Database, admin_ids: list[int], root: str, now: datetime) -> None:
    """Admins come from the configuration: keep their rows' scope at the root, and
    demote rows of ids no longer listed (they stay as inactive history)."""
    async with db.transaction() as tx:
        marks = ",".join("?" for _ in admin_ids)
        listed = f"AND id NOT IN ({marks})" if admin_ids else ""
        await tx.execute(
            f"UPDATE users SET status = 'inactive', updated_at = ? "
            f"WHERE role = 'admin' AND status = 'active' {listed}",
            (to_db(now), *admin_ids),
        )
        if admin_ids:
            await tx.execute(
                f"UPDATE users SET region_code = ?, status = 'active', updated_at = ? "
                f"WHERE role = 'admin' AND id IN ({marks})",
                (root, to_db(now), *admin_ids),
            )


async def ensure_admin(db: Database, user_id: int, name: str, root: str, now: datetime) -> Member:
    """Give a configured admin a users row on first contact (invitations name their
    creator), turning any earlier row of theirs into the admin row.

    Called on every update of an admin, so the usual case (the row is already right) is
    a read: it must not take the write lock, which another process may be holding."""
    current = await get(db, user_id)
    if current is not None and current.role is Role.ADMIN and current.active and current.region_code == root:
        return current
    async with db.transaction() as tx:
        before = await get_in_tx(tx, user_id)
        if before is None:
            await tx.execute(
                "INSERT INTO users (id, full_name, role, region_code, status, created_at, updated_at, "
                "last_active_at) VALUES (?, ?, 'admin', ?, 'active', ?, ?, ?)",
                (user_id, name, root, to_db(now), to_db(now), to_db(now)),
            )
        elif before.role is not Role.ADMIN or not before.active or before.region_code != root:
            await tx.execute(
                "UPDATE users SET role = 'admin', region_code = ?, status = 'active', "
                "team_position = NULL, updated_at = ? WHERE id = ?",
                (root, to_db(now), user_id),
            )
        else:
            return before
        after = await get_in_tx(tx, user_id)
        assert after is not None
        await audit.record(
            tx, at=now, actor_id=None, action="create" if before is None else "promote",
            entity="user", entity_id=user_id,
            before=before.audit_view() if before else None, after=after.audit_view(),
        )
        return after


async def touch(db: Database, member: Member, now: datetime) -> None:
    """Record activity, at most once per :data:`ACTIVITY_RESOLUTION`, and only when the
    database is free: a stamp is not worth making a member wait for a lock."""
    if member.last_active_at and now - member.last_active_at < ACTIVITY_RESOLUTION:
        return
    await db.write_if_free("UPDATE users SET last_active_at = ? WHERE id = ?", (to_db(now), member.id))


async def set_status(db: Database, *, actor_id: int, user_id: int, status: Status, now: datetime) -> Member:
    """Activate or deactivate a member; deactivating also revokes their links and closes their forms."""
    async with db.transaction() as tx:
        before = await get_in_tx(tx, user_id)
        if before is None:
            raise LookupError(user_id)
        if before.status is status:
            return before
        await tx.execute(
            "UPDATE users SET status = ?, updated_at = ? WHERE id = ?", (status, to_db(now), user_id)
        )
        after = await get_in_tx(tx, user_id)
        assert after is not None
        await audit.record(
            tx, at=now, actor_id=actor_id,
            action="activate" if status is Status.ACTIVE else "deactivate",
            entity="user", entity_id=user_id, before=before.audit_view(), after=after.audit_view(),
        )
        if status is not Status.ACTIVE:
            await _contain(tx, actor_id=actor_id, user_id=user_id, now=now)
        return after


async def _contain(tx: Transaction, *, actor_id: int, user_id: int, now: datetime) -> None:
    """Deactivating someone ends what they could still do (issue 15 §4): the links they made
    and did not see used are revoked (kept, with the time, for the audit), and the forms they
    had open are closed — their drafts deleted, as stale drafts are, with the count audited."""
    revoked = await tx.execute(
        "UPDATE invitations SET revoked_at = ? WHERE created_by = ? AND used_at IS NULL AND revoked_at IS NULL",
        (to_db(now), user_id))
    drafts = await tx.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
    await audit.record(tx, at=now, actor_id=actor_id, action="contain", entity="user", entity_id=user_id,
                       after={"invitations_revoked": revoked, "drafts_closed": drafts})


async def keepers_of(db: Database, region_code: str, reporter_id: int) -> list[int]:
    """Who looks after a record in ``region_code``: its reporter (while active) and the active
    coordinators of the nearest area above it that has any (admins when none has)."""
    parts = region_code.split(".")
    ancestors = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    marks = ",".join("?" for _ in ancestors)
    rows = await db.fetch_all(
        f"SELECT id, region_code FROM users WHERE status = 'active' AND role = 'koordinator' "
        f"AND region_code IN ({marks}) ORDER BY length(region_code) DESC, id", ancestors)
    nearest = [r[0] for r in rows if len(r[1]) == len(rows[0][1])] if rows else []
    if not nearest:
        nearest = [r[0] for r in await db.fetch_all(
            "SELECT id FROM users WHERE status = 'active' AND role = 'admin' ORDER BY id")]
    reporter = await db.fetch_value("SELECT id FROM users WHERE id = ? AND status = 'active' "
                                    "AND role IN ('tpk', 'koordinator', 'admin')", (reporter_id,))
    return list(dict.fromkeys([*([reporter] if reporter else []), *nearest]))
