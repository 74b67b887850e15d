"""Finding personal data in log records (issue 8: "logs contain no names, NIK, phone
numbers or health values").

The autouse fixture in ``tests/conftest.py`` gives every test of the suite a
:class:`PersonalDataWatch`: while the test runs it learns the personal data the test
puts into the bot — every simulated Telegram user's name, everything a user types or
shares (names, NIKs, dates, measurements, phone numbers), and every family and sasaran
written to storage (names, NIK, No. KK, phone, address) — and afterwards scans every
log record of the test (root logger at DEBUG, libraries at the levels ``bot.logs``
allows) for those values and for anything shaped like a NIK/No. KK or an Indonesian
mobile number. A hit fails the test naming the logger.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

#: 16 digits (NIK, No. KK), together or in groups of four (not the decimals of a fraction).
NIK_SHAPE = re.compile(r"(?<![\d.,])(?:\d{16}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4})(?!\d)")
#: Indonesian mobile numbers: 08…, 628…, +628…, with or without separators.
PHONE_SHAPE = re.compile(r"(?<![\d+])(?:\+?62|0)[ -]?8\d{1,3}(?:[ -]?\d{3,4}){2}(?:\d{0,3})(?!\d)")
#: Typed dates (a birth date, HPHT): 12-03-1990, 1/8/26, 12 Maret 1990.
DATE_SHAPE = re.compile(r"^\s*\d{1,2}\s*[-/. ]\s*(\d{1,2}|[A-Za-z]{3,9})\s*[-/. ]\s*\d{2,4}\s*$")
#: Names the harness gives to users that are not people (and words logs use).
NOT_PERSONAL = frozenset({"User", "Admin", "Bot", "Test"})
MIN_VALUE = 4


@dataclass(frozen=True)
class Finding:
    logger: str
    level: str
    kind: str
    value: str
    message: str

    def __str__(self) -> str:
        shown = self.message if len(self.message) <= 300 else self.message[:300] + "…"
        return f"logger {self.logger!r} ({self.level}) logged {self.kind} {self.value!r}: {shown}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass
class PersonalDataWatch:
    """What one test made personal, and a scan of log records for it."""

    names: set[str] = field(default_factory=set)
    typed: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)

    # -- learning -----------------------------------------------------------------------

    def name(self, value: Any) -> None:
        if isinstance(value, str):
            value = value.strip()
            if len(value) >= 3 and value not in NOT_PERSONAL:
                self.names.add(value)

    def number(self, value: Any) -> None:
        if isinstance(value, str) and len(_digits(value)) >= 8:
            self.numbers.add(_digits(value))

    def text(self, value: Any) -> None:
        """Something a user typed: kept when it could say something about a person."""
        if not isinstance(value, str):
            return
        value = value.strip()
        if value.startswith("/"):
            return
        if len(_digits(value)) >= 8:
            self.number(value)
        if len(value) >= MIN_VALUE and (re.search(r"[^\W\d_]", value) or DATE_SHAPE.match(value)):
            self.typed.add(value)

    # -- scanning ------------------------------------------------------------------------

    def _patterns(self) -> list[tuple[str, str, re.Pattern[str]]]:
        out = []
        for kind, values in (("a name", self.names), ("typed text", self.typed)):
            for value in sorted(values, key=len, reverse=True):
                out.append((kind, value, re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")))
        return out

    def scan(self, records: Iterable[logging.LogRecord]) -> list[Finding]:
        patterns = self._patterns()
        findings: list[Finding] = []
        for record in records:
            message = _message(record)
            hit = self._first_hit(message, patterns)
            if hit is not None:
                findings.append(Finding(record.name, record.levelname, hit[0], hit[1], message))
        return findings

    def _first_hit(self, message: str, patterns: list[tuple[str, str, re.Pattern[str]]]) -> tuple[str, str] | None:
        match = NIK_SHAPE.search(message)
        if match:
            return "a NIK / No. KK", match.group(0)
        match = PHONE_SHAPE.search(message)
        if match:
            return "a phone number", match.group(0)
        digits = _digits(message)
        for number in self.numbers:
            if number in digits and len(number) >= 10:
                return "a typed number", number
        for kind, value, pattern in patterns:
            if pattern.search(message):
                return kind, value
        return None


def _message(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is not a leak
        message = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        message += "\n" + logging.Formatter().formatException(record.exc_info)
    elif record.exc_text:
        message += "\n" + record.exc_text
    return message


# -- learning what a test makes personal ------------------------------------------------------


def _wrap_sync(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, learn: Any) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        learn(*args, **kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)


def _wrap_async(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, learn: Any) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        learn(*args, **kwargs)
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)


def install(monkeypatch: pytest.MonkeyPatch) -> PersonalDataWatch:
    """Watch the places personal data enters the bot during one test."""
    from bot.dev.emulator import users as emulator_users
    from storage import invitations as invitations_store
    from storage import keluarga as keluarga_store

    watch = PersonalDataWatch()

    def sim_user(self: Any, state: Any, chat: Any, *args: Any, **kwargs: Any) -> None:
        watch.name(chat.user.get("first_name"))
        watch.name(chat.user.get("last_name"))
        if chat.user.get("last_name"):
            watch.name(f"{chat.user.get('first_name')} {chat.user.get('last_name')}")
        phone = args[0] if args else kwargs.get("phone_number")
        watch.number(phone)

    def sent(self: Any, body: dict[str, Any]) -> None:
        watch.text(body.get("text"))
        watch.text(body.get("caption"))
        contact = body.get("contact") or {}
        watch.number(contact.get("phone_number"))
        watch.name(contact.get("first_name"))
        watch.name(contact.get("last_name"))

    def record(*args: Any, **kwargs: Any) -> None:
        """A NewKeluarga / NewSasaran, wherever it is among the arguments."""
        for value in (*args, *kwargs.values()):
            if hasattr(value, "head_name"):
                watch.name(value.head_name)
                watch.text(value.address)
                watch.number(value.no_kk)
            elif hasattr(value, "category") and hasattr(value, "nik"):
                watch.name(value.name)
                watch.number(value.nik)
                watch.number(value.phone)

    def member(*args: Any, **kwargs: Any) -> None:
        watch.name(kwargs.get("full_name"))
        watch.number(kwargs.get("phone"))

    _wrap_sync(monkeypatch, emulator_users.SimUser, "__init__", sim_user)
    _wrap_sync(monkeypatch, emulator_users.SimUser, "_send_message", sent)
    for function in ("create_keluarga", "add_sasaran", "correct_sasaran"):
        _wrap_async(monkeypatch, keluarga_store, function, record)
    _wrap_async(monkeypatch, invitations_store, "claim_membership", member)
    return watch


#: Where the autouse fixture leaves the test's watch (tests of the scanner read it).
WATCH = pytest.StashKey[PersonalDataWatch]()


def records_of(item: pytest.Item, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Every record of the test so far: set-up, call, and the teardown up to now."""
    records: list[logging.LogRecord] = []
    for when in ("setup", "call"):
        records += caplog.get_records(when)  # type: ignore[arg-type]
    seen = {id(r) for r in records}
    return records + [r for r in caplog.records if id(r) not in seen]
