"""Callback data of every inline button: one typed builder and parser per button family.

Telegram gives a button at most 64 bytes of data, and a modified client can send any
bytes at all, so the data is built and read in one place. Each family is a prefix,
fixed words and typed parts (the aiogram ``CallbackData`` idea, done for
python-telegram-bot); building checks every value and the 64-byte limit, parsing
accepts ASCII digits only (``str.isdigit`` takes ``²``), bounded to SQLite's integer
range or a tight range per field, and returns None for anything else — never raises.
A handler registers ``PREFIX.pattern`` and reads the press with ``PREFIX.parse``; a
None answers the button with :data:`UNKNOWN` (see :func:`refuse`). No other module
spells a prefix.

Every value parsed is still only a claim: handlers re-check ids and area codes
against the caller's scope before acting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from telegram import CallbackQuery

from bot import refusals, texts
from bot.context import TpkContext
from storage.access_log import Refusal

MAX_BYTES = 64
SQLITE_MAX = 2**63 - 1
UNKNOWN = texts.EXPIRED_BUTTON
"""The one answer to a button whose data is malformed, unknown or no longer valid."""


class Part(Protocol):
    def parse(self, text: str) -> Any | None: ...

    def show(self, value: Any) -> str: ...


@dataclass(frozen=True)
class Int:
    """A whole number in ``[low, high]``, written as plain ASCII digits without leading zeros."""

    low: int
    high: int

    def parse(self, text: str) -> int | None:
        if not text or len(text) > len(str(self.high)) or not text.isascii() or not text.isdigit():
            return None
        if text[0] == "0" and text != "0":
            return None  # one spelling per number: what the bot builds
        value = int(text)
        return value if self.low <= value <= self.high else None

    def show(self, value: Any) -> str:
        if type(value) is not int or not self.low <= value <= self.high:
            raise ValueError(f"{value!r} is not in {self.low}..{self.high}")
        return str(value)


@dataclass(frozen=True)
class Word:
    """Text matching ``pattern`` in full (never a ``:``)."""

    pattern: str

    def parse(self, text: str) -> str | None:
        return text if re.fullmatch(self.pattern, text, flags=re.ASCII) else None

    def show(self, value: Any) -> str:
        if not isinstance(value, str) or self.parse(value) is None:
            raise ValueError(f"{value!r} does not match {self.pattern}")
        return value


def choice(*words: str) -> Word:
    return Word("|".join(re.escape(w) for w in words))


ID = Int(1, SQLITE_MAX)
PAGE = Int(0, 100_000)
YEAR = r"(?:19\d\d|2[01]\d\d|2200)"
MONTH = Word(rf"{YEAR}(?:0[1-9]|1[0-2])")
DAY = Word(rf"{YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
REGION = Word(r"ID|\d\d(?:\.\d\d(?:\.\d\d(?:\.\d{4})?)?)?")  # "ID": the nation
TOKEN = Word(r"[A-Za-z0-9_-]{16,48}")
NAME = Word(r"[a-z][a-z0-9_]{0,23}")  # a form field, a category, a team position


PREFIXES: dict[str, Prefix] = {}
_NO_DEFAULT = object()


class Family:
    """One button shape: fixed words (plain strings) and typed parts, one per field of
    ``shape`` in order (fields left out take their NamedTuple defaults)."""

    def __init__(self, shape: type[NamedTuple], *parts: str | Part) -> None:
        self.shape, self.parts = shape, parts

    def build(self, prefix: str, value: NamedTuple) -> str | None:
        """The data for ``value``, or None when this family cannot carry it."""
        typed = sum(not isinstance(p, str) for p in self.parts)
        defaults = self.shape._field_defaults
        if len(value) < typed or any(getattr(value, f) != defaults.get(f, _NO_DEFAULT) for f in value._fields[typed:]):
            return None
        values = iter(value)
        out = [prefix]
        for part in self.parts:
            try:
                out.append(part if isinstance(part, str) else part.show(next(values)))
            except ValueError:
                return None
        return ":".join(out)

    def parse(self, pieces: list[str]) -> NamedTuple | None:
        if len(pieces) != len(self.parts):
            return None
        values = []
        for piece, part in zip(pieces, self.parts, strict=True):
            if isinstance(part, str):
                if piece != part:
                    return None
                continue
            value = part.parse(piece)
            if value is None:
                return None
            values.append(value)
        return self.shape(*values)


class Prefix:
    """The families sharing one prefix, handled by one CallbackQueryHandler."""

    def __init__(self, name: str, *families: Family) -> None:
        assert name not in PREFIXES, name
        self.name, self.families = name, families
        self.pattern = rf"^{re.escape(name)}:"
        PREFIXES[name] = self

    def parse(self, data: str | None) -> Any | None:
        """The press as one of this prefix's shapes, or None when it is not well-formed."""
        if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            return None
        pieces = data.split(":")
        if pieces[0] != self.name:
            return None
        for family in self.families:
            parsed = family.parse(pieces[1:])
            if parsed is not None:
                return parsed
        return None


def data(value: NamedTuple) -> str:
    """The callback data of ``value``; ValueError when no family of its shape carries
    it or it would exceed Telegram's 64 bytes."""
    for prefix in PREFIXES.values():
        for family in prefix.families:
            if family.shape is type(value):
                built = family.build(prefix.name, value)
                if built is not None:
                    if len(built.encode("utf-8")) > MAX_BYTES:
                        raise ValueError(f"callback data over {MAX_BYTES} bytes: {built!r}")
                    return built
    raise ValueError(f"no button family carries {value!r}")


def prefix_of(data: str | None) -> str:
    """The family prefix of a press, for logs and counts: a known prefix or "?", never what a
    client sent (a forged button may carry anything, a NIK included)."""
    prefix = (data or "").split(":", 1)[0]
    return prefix if prefix in PREFIXES else "?"


async def refuse(query: CallbackQuery, context: TpkContext) -> None:
    """Answer a press that could not be read: politely, never an exception; counted as a
    forged button (by its prefix only)."""
    await refusals.record(context.services, query.from_user.id, Refusal.CALLBACK, prefix_of(query.data))
    await query.answer(UNKNOWN, show_alert=True)


# -- the families ------------------------------------------------------------------------


class VisitNew(NamedTuple):
    """Record a visit for a sasaran (/kunjungan, digests, "belum" notices, duplicates)."""

    sasaran_id: int


class ReportAdd(NamedTuple):
    keluarga_id: int
    kategori: str


class ReportMore(NamedTuple):
    keluarga_id: int


class ReportDone(NamedTuple):
    keluarga_id: int


class EditSasaran(NamedTuple):
    sasaran_id: int


class EditKeluarga(NamedTuple):
    keluarga_id: int


class FamilyPage(NamedTuple):
    page: int


class FamilyOpen(NamedTuple):
    keluarga_id: int


class MemberPage(NamedTuple):
    page: int


class MemberAsk(NamedTuple):
    user_id: int
    status: str


class MemberSet(NamedTuple):
    user_id: int
    status: str


class ErasePick(NamedTuple):
    sasaran_id: int


class EraseConfirm(NamedTuple):
    sasaran_id: int


class EraseCancel(NamedTuple):
    pass


class ConsentText(NamedTuple):
    pass


class ConsentPick(NamedTuple):
    sasaran_id: int


class MotherConsent(NamedTuple):
    choice: str  # "ya" / "tidak"
    token: str


class ReminderAnswer(NamedTuple):
    reminder_id: int
    choice: str  # "y" / "n"


class IronSwitch(NamedTuple):
    state: str  # "on" / "off", or her choice "harian" / "mingguan"


class TabletAnswer(NamedTuple):
    """Her answer to an iron-tablet reminder: ``tablets`` taken (the reminder says over which days)."""

    reminder_id: int
    tablets: int  # 0–7 for the weekly check-in, 1 for the daily "Sudah minum"


class TabletFewer(NamedTuple):
    """"Kurang dari 7" on a weekly check-in: ask how many."""

    reminder_id: int


class MotherInvite(NamedTuple):
    sasaran_id: int


class InviteArea(NamedTuple):
    role: str  # a role code of /undang
    action: str  # "go" / "pick"
    code: str


class RekapAction(NamedTuple):
    period: str  # Period.token()
    action: str  # "go" / "g" / "x" / "tu" (re-close)
    area: str


class RekapPage(NamedTuple):
    """/rekap: a Rincian page (``bot.rekap.pages``) or a picker (period, sub-area) of one
    area and period, edited into the same message."""

    period: str  # Period.token()
    page: str  # a page token of bot.rekap.pages.PAGES, "per" (periods) or "wil" (sub-areas)
    area: str


class DigestSwitch(NamedTuple):
    state: str  # "on" / "off"


class JoinName(NamedTuple):
    choice: str  # "ok" / "edit"


class JoinPosition(NamedTuple):
    position: str


class JoinReturn(NamedTuple):
    """A deactivated member's answer to rejoining through a link made for them."""

    choice: str  # "ok" / "no"


class MemberRelink(NamedTuple):
    """/anggota: make a link for a deactivated member to join again."""

    user_id: int


class GrowthChart(NamedTuple):
    """Send a child's growth chart (/keluarga's card, the history, after a visit)."""

    sasaran_id: int


class GrowthHistory(NamedTuple):
    """A page of a child's measurement history."""

    sasaran_id: int
    page: int


class TaskCloseAsk(NamedTuple):
    """/tugas: close this person's tasks — which reason?"""

    sasaran_id: int


class TaskClose(NamedTuple):
    sasaran_id: int
    reason: str  # a letter of bot.reminders.visit_digest.CLOSE_REASONS


class TaskKeep(NamedTuple):
    sasaran_id: int


class ImporTemplate(NamedTuple):
    """/impor: send the template."""


class ImporList(NamedTuple):
    """/impor: list this area's imports."""


class ImporMap(NamedTuple):
    """Map an unknown header (column ``index`` of sheet ``sheet``) to a field, or ignore it."""

    impor_id: int
    sheet: int
    index: int
    choice: int


class ImporUseFile(NamedTuple):
    impor_id: int
    column: int


class ImporGo(NamedTuple):
    impor_id: int


class ImporCancel(NamedTuple):
    impor_id: int


class ImporDetails(NamedTuple):
    impor_id: int


class ImporUndo(NamedTuple):
    impor_id: int


class ImporAssign(NamedTuple):
    impor_id: int
    desa: int  # index into the import's desa list


class ImporAssignTo(NamedTuple):
    impor_id: int
    desa: int
    user_id: int


class DaftarPage(NamedTuple):
    """/daftar: a page of the member's list, by due date or risk, all or only unvisited."""

    order: str  # "d" / "r"
    only: str  # "a" / "b"
    page: int


class AccessPage(NamedTuple):
    """/akses: a page of who read one person's record."""

    sasaran_id: int
    page: int


class AuditPress(NamedTuple):
    """/audit (``handlers/audit.py``): an action of :data:`AUDIT_ACTIONS` with its one number …"""

    action: str
    a: int


class AuditPress2(NamedTuple):
    """… or two …"""

    action: str
    a: int
    b: int


class AuditPress3(NamedTuple):
    """… or three (ids, page numbers, indexes into a list of reasons)."""

    action: str
    a: int
    b: int
    c: int


class KkaForm(NamedTuple):
    """Complete a case's Kertas Kerja Audit (``conversations/kka.py``)."""

    case_id: int


class ReviewForm(NamedTuple):
    """A pakar's review of a case (``conversations/kajian.py``)."""

    case_id: int


class FormPress(NamedTuple):
    """A form-engine button: ``f:<draft key>:<action>[:<field>[:<argument>]]``."""

    key: str
    action: str
    field: str = ""
    arg: str = ""


ON_OFF = choice("on", "off")
STATUS = choice("active", "inactive")
DRAFT_KEY = Word(r"[0-9a-f]{12}")  # conversations.forms.runner: uuid4().hex[:12]
PERIOD = Word(rf"{MONTH.pattern}(?:-{MONTH.pattern})?")

KUNJUNGAN = Prefix("kj", Family(VisitNew, "new", ID))
LAPOR = Prefix("lp", Family(ReportAdd, "add", ID, NAME), Family(ReportMore, "more", ID),
               Family(ReportDone, "done", ID))
UBAH = Prefix("ub", Family(EditSasaran, ID))
UBAH_KELUARGA = Prefix("ubk", Family(EditKeluarga, ID))
KELUARGA = Prefix("kl", Family(FamilyPage, "p", PAGE), Family(FamilyOpen, "o", ID))
ANGGOTA = Prefix("ag", Family(MemberPage, "p", PAGE), Family(MemberAsk, "ask", ID, STATUS),
                 Family(MemberSet, "set", ID, STATUS), Family(MemberRelink, "link", ID))
HAPUS = Prefix("hp", Family(ErasePick, "p", ID), Family(EraseConfirm, "ok", ID), Family(EraseCancel, "x"))
PERSETUJUAN = Prefix("ps", Family(ConsentText, "t"), Family(ConsentPick, "s", ID))
AKSES = Prefix("ak", Family(AccessPage, ID, PAGE))
IBU = Prefix("ibu", Family(MotherConsent, choice("ya", "tidak"), TOKEN),
             Family(ReminderAnswer, "ack", ID, choice("y", "n")),
             Family(IronSwitch, "ttd", choice("on", "off", "harian", "mingguan")),
             Family(TabletAnswer, "tb", ID, Int(0, 7)), Family(TabletFewer, "tk", ID),
             Family(MotherInvite, "inv", ID))
UNDANG = Prefix("ud", Family(InviteArea, Word("[a-z]"), choice("go", "pick"), REGION))
REKAP_PAGES = choice("kel", "sas", "anak", "hamil", "ingat", "tpk", "per", "wil")
REKAP = Prefix("rk", Family(DigestSwitch, "dg", ON_OFF, "-"),
               Family(RekapAction, PERIOD, choice("go", "g", "x", "tu"), REGION),
               Family(RekapPage, "p", PERIOD, REKAP_PAGES, REGION))
GROWTH_CHART = Prefix("gr", Family(GrowthChart, ID))
GROWTH_HISTORY = Prefix("rw", Family(GrowthHistory, ID, Int(0, 999)))
TUGAS = Prefix("tg", Family(TaskCloseAsk, "t", ID), Family(TaskClose, "r", ID, choice("p", "m", "t", "r", "n")),
               Family(TaskKeep, "k", ID))
SMALL = Int(0, 999)
IMPOR = Prefix("im", Family(ImporTemplate, "t"), Family(ImporList, "l"),
               Family(ImporMap, "m", ID, SMALL, SMALL, SMALL), Family(ImporUseFile, "f", ID, SMALL),
               Family(ImporGo, "go", ID), Family(ImporCancel, "no", ID), Family(ImporDetails, "d", ID),
               Family(ImporUndo, "u", ID), Family(ImporAssign, "a", ID, SMALL),
               Family(ImporAssignTo, "as", ID, SMALL, ID))
DAFTAR = Prefix("df", Family(DaftarPage, choice("d", "r"), choice("a", "b"), PAGE))
#: The /audit actions and how many numbers each carries.
AUDIT_ACTIONS = {
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
AUDIT_NUMBER = Int(0, 2**53 - 1)


def _audit_actions(count: int) -> Word:
    return choice(*sorted(a for a, n in AUDIT_ACTIONS.items() if n == count))


AUDIT = Prefix("au", Family(AuditPress, _audit_actions(1), AUDIT_NUMBER),
               Family(AuditPress2, _audit_actions(2), AUDIT_NUMBER, AUDIT_NUMBER),
               Family(AuditPress3, _audit_actions(3), AUDIT_NUMBER, AUDIT_NUMBER, AUDIT_NUMBER))
KKA_FORM = Prefix("kka", Family(KkaForm, AUDIT_NUMBER))
REVIEW_FORM = Prefix("ap", Family(ReviewForm, AUDIT_NUMBER))
JOIN = Prefix("jn", Family(JoinName, "name", choice("ok", "edit")), Family(JoinPosition, "pos", NAME),
              Family(JoinReturn, "back", choice("ok", "no")))
FORM = Prefix(
    "f",
    Family(FormPress, DRAFT_KEY, choice("noop", "resume", "new", "del", "send", "cy", "cn")),
    Family(FormPress, DRAFT_KEY, choice("ok", "sk", "bk", "ed", "rv", "all", "kp"), NAME),
    Family(FormPress, DRAFT_KEY, choice("v"), NAME, Word(r"\d{1,3}")),  # an option's index
    Family(FormPress, DRAFT_KEY, choice("v"), NAME, DAY),  # a calendar day
    Family(FormPress, DRAFT_KEY, choice("v"), NAME, REGION),
    Family(FormPress, DRAFT_KEY, choice("cal"), NAME, MONTH),
    Family(FormPress, DRAFT_KEY, choice("yr"), NAME, Word(YEAR)),  # the calendar's month-and-year picker
    Family(FormPress, DRAFT_KEY, choice("rg"), NAME, REGION),
)
