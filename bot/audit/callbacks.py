"""The audit's buttons, as the audit's code speaks of them: an action and its numbers.

The families themselves are registered in :mod:`bot.callbacks` (``AUDIT``, ``KKA_FORM``,
``REVIEW_FORM``) like every other button; this module only turns them into the
:class:`AuditButton` the handlers match on. Callback data is never trusted: the parser takes
ASCII digits only, within bounds, and every handler re-checks access after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import callbacks as base

ACTIONS = base.AUDIT_ACTIONS
_SHAPES = {1: base.AuditPress, 2: base.AuditPress2, 3: base.AuditPress3}


@dataclass(frozen=True)
class AuditButton:
    action: str
    args: tuple[int, ...]


def audit(action: str, *args: int) -> str:
    assert ACTIONS.get(action) == len(args), action
    return base.data(_SHAPES[len(args)](action, *args))


def parse_audit(data: str | None) -> AuditButton | None:
    press = base.AUDIT.parse(data)
    if press is None:
        return None
    action, *args = press
    return AuditButton(action, tuple(args))


def kka_form(case_id: int) -> str:
    return base.data(base.KkaForm(case_id))


def parse_kka_form(data: str | None) -> int | None:
    press = base.KKA_FORM.parse(data)
    return press.case_id if press is not None else None


def review_form(case_id: int) -> str:
    return base.data(base.ReviewForm(case_id))


def parse_review_form(data: str | None) -> int | None:
    press = base.REVIEW_FORM.parse(data)
    return press.case_id if press is not None else None
