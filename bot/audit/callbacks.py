"""The audit's button families: one typed builder and one parser each.

# callback family: move to bot/callbacks.py
``au`` belongs to ``handlers/audit.py``, ``ak`` (complete a KKA) to ``conversations/kka.py`` and
``ap`` (a pakar's review) to ``conversations/kajian.py``. Callback data is never trusted: the parser
takes ASCII digits only, within bounds, and every handler re-checks access after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

AUDIT = "au"
KKA_FORM = "ak"
REVIEW_FORM = "ap"

#: The actions of ``au:<action>:<id>[:<arg>]`` and how many numeric arguments each takes.
ACTIONS = {
    "open": 2,  # year, half
    "round": 1, "next": 2,  # round, stage index
    "list": 2,  # round, page
    "case": 1, "keep": 1, "drop": 1, "dr": 2,  # case, reason index
    "kka": 2,  # case, page
    "kpdf": 1, "done": 1,
    "add": 2, "ar": 3,  # round, sasaran, reason index
    "inv": 1, "invs": 2,  # round, speciality index
    "tim": 1, "rmp": 2,  # round, pakar user id
    "dis": 2,  # round, 1 or 2
    "pdf": 1, "rtl": 1, "rtlx": 2, "rtlok": 3,  # round, rtl, outcome index
    "akses": 1, "trend": 1,
}
_MAX_ID = 2**53


@dataclass(frozen=True)
class AuditButton:
    action: str
    args: tuple[int, ...]


def audit(action: str, *args: int) -> str:
    assert ACTIONS.get(action) == len(args), action
    return ":".join((AUDIT, action, *(str(a) for a in args)))


def parse_audit(data: str) -> AuditButton | None:
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != AUDIT or parts[1] not in ACTIONS or len(parts) != 2 + ACTIONS[parts[1]]:
        return None
    args = parts[2:]
    if not all(_number(a) for a in args):
        return None
    return AuditButton(parts[1], tuple(int(a) for a in args))


def _number(text: str) -> bool:
    """ASCII digits only, no sign or leading zero, below 2**53: the ids the builders write."""
    return (text.isascii() and text.isdigit() and len(text) <= 16 and (text == "0" or text[0] != "0")
            and int(text) < _MAX_ID)


def _one_id(prefix: str, data: str) -> int | None:
    head, _, rest = data.partition(":")
    return int(rest) if head == prefix and _number(rest) else None


def kka_form(case_id: int) -> str:
    return f"{KKA_FORM}:{case_id}"


def parse_kka_form(data: str) -> int | None:
    return _one_id(KKA_FORM, data)


def review_form(case_id: int) -> str:
    return f"{REVIEW_FORM}:{case_id}"


def parse_review_form(data: str) -> int | None:
    return _one_id(REVIEW_FORM, data)
