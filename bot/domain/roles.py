"""Roles, team positions and who has authority over whom.

One rule decides both whether a caller may invite someone with a role into an area
and whether the caller may (de)activate such a member: authority flows down the
region tree and never sideways or up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.regions import Level, contains, level_of


class Role(StrEnum):
    ADMIN = "admin"
    KOORDINATOR = "koordinator"
    TPK = "tpk"
    IBU = "ibu"
    PAKAR = "pakar"  # a member of an audit round's tim pakar (issue 18)

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.KOORDINATOR: "Koordinator",
    Role.TPK: "Anggota TPK",
    Role.IBU: "Ibu",
    Role.PAKAR: "Tim pakar",
}


class TeamPosition(StrEnum):
    BIDAN = "bidan"
    KADER_PKK = "kader_pkk"
    KADER_KB = "kader_kb"

    @property
    def label(self) -> str:
        return {"bidan": "Bidan", "kader_pkk": "Kader PKK", "kader_kb": "Kader KB"}[self.value]


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Caller:
    """Who sent an update: loaded once per update by the access check."""

    user_id: int
    role: Role | None  # None: not registered (or deactivated)
    scope: str | None  # region code the caller is responsible for
    name: str = ""
    team_position: TeamPosition | None = None
    deactivated: bool = False

    @property
    def is_member(self) -> bool:
        return self.role is not None


def has_authority(actor_role: Role | None, actor_scope: str | None, role: Role, region: str) -> bool:
    """May an actor invite, or manage, a member with ``role`` responsible for ``region``?

    - admin: a koordinator anywhere in the deployment (the root included), a TPK member
      in any desa/kelurahan;
    - koordinator: a koordinator strictly below their own scope, a TPK member in a
      desa/kelurahan inside it;
    - admin or koordinator: a pakar for an audit round of an area inside their scope (their own
      included: the round is of their area);
    - nobody invites or manages admins (they come from the configuration) or mothers
      through this rule (a mother is linked by her own TPK member).
    """
    if actor_role not in (Role.ADMIN, Role.KOORDINATOR) or actor_scope is None:
        return False
    if not contains(actor_scope, region):
        return False
    if role is Role.TPK:
        return level_of(region) is Level.DESAKEL
    if role is Role.KOORDINATOR:
        return actor_role is Role.ADMIN or region != actor_scope
    # A pakar: the tim pakar of an audit round of the actor's own area or one inside it.
    return role is Role.PAKAR


def invitable_roles(actor_role: Role | None, actor_scope: str | None) -> list[Role]:
    """The roles an actor can invite at all (a kelurahan koordinator: only TPK)."""
    if actor_role is Role.ADMIN:
        return [Role.KOORDINATOR, Role.TPK]
    if actor_role is Role.KOORDINATOR and actor_scope is not None:
        if level_of(actor_scope) is Level.DESAKEL:
            return [Role.TPK]
        return [Role.KOORDINATOR, Role.TPK]
    return []
