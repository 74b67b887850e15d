"""Who may invite or manage whom: authority flows down the tree only."""

from __future__ import annotations

import pytest

from bot.domain.roles import Role, has_authority, invitable_roles

CITY, KEC, KEL, OTHER_KEC, OTHER_KEL = "36.73", "36.73.04", "36.73.04.1007", "36.73.01", "36.73.01.1008"


@pytest.mark.parametrize(
    ("actor", "scope", "role", "region", "ok"),
    [
        (Role.ADMIN, CITY, Role.KOORDINATOR, CITY, True),
        (Role.ADMIN, CITY, Role.TPK, KEL, True),
        (Role.ADMIN, CITY, Role.TPK, KEC, False),          # TPK serve one kelurahan/desa
        (Role.KOORDINATOR, CITY, Role.KOORDINATOR, KEC, True),
        (Role.KOORDINATOR, CITY, Role.KOORDINATOR, CITY, False),  # not beside themselves
        (Role.KOORDINATOR, KEC, Role.KOORDINATOR, KEL, True),
        (Role.KOORDINATOR, KEC, Role.TPK, KEL, True),
        (Role.KOORDINATOR, KEC, Role.TPK, OTHER_KEL, False),     # outside their kecamatan
        (Role.KOORDINATOR, KEC, Role.KOORDINATOR, CITY, False),  # above
        (Role.KOORDINATOR, KEC, Role.KOORDINATOR, OTHER_KEC, False),
        (Role.KOORDINATOR, KEL, Role.TPK, KEL, True),
        (Role.TPK, KEL, Role.TPK, KEL, False),
        (None, None, Role.TPK, KEL, False),
        (Role.ADMIN, CITY, Role.ADMIN, CITY, False),
        (Role.ADMIN, CITY, Role.IBU, KEL, False),
    ],
)
def test_authority(actor: Role | None, scope: str | None, role: Role, region: str, ok: bool) -> None:
    assert has_authority(actor, scope, role, region) is ok


def test_invitable_roles() -> None:
    assert invitable_roles(Role.ADMIN, CITY) == [Role.KOORDINATOR, Role.TPK]
    assert invitable_roles(Role.KOORDINATOR, KEC) == [Role.KOORDINATOR, Role.TPK]
    assert invitable_roles(Role.KOORDINATOR, KEL) == [Role.TPK]
    assert invitable_roles(Role.TPK, KEL) == []
    assert invitable_roles(None, None) == []
