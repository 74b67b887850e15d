"""Typed form fields.

A field turns what a member typed (or the button they pressed) into a JSON-native
value, or raises :class:`Invalid` with a short Indonesian message that the engine
shows before asking the same question again. Values stay JSON-native (dates as ISO
strings) because drafts are stored as JSON after every answer.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.domain.nik import mask_nik, mask_phone
from bot.domain.regions import Level
from bot.formatting import long_date
from conversations import parsers
from conversations.forms import calendar
from conversations.forms.examples import example_for
from conversations.parsers import ParseError

if TYPE_CHECKING:
    from conversations.forms.model import FormContext

Answers = dict[str, Any]


class Invalid(Exception):
    """A rejected answer; ``message`` says what is expected, ``choices`` (label, button argument)
    are answers the member probably meant, offered as buttons (a misspelt kelurahan)."""

    def __init__(self, message: str, choices: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.choices = choices


@dataclass(frozen=True)
class Notice:
    """Something to confirm before an answer is accepted (a NIK that disagrees with the
    birth date, a possible duplicate). ``blocking`` notices cannot be confirmed, only
    changed or followed through ``actions`` (label, callback data)."""

    text: str
    blocking: bool = False
    actions: tuple[tuple[str, str], ...] = ()


Check = Callable[[Any, Answers, "FormContext"], Awaitable[Notice | None]]


@dataclass(frozen=True)
class Option:
    value: Any
    label: str


@dataclass(frozen=True, kw_only=True)
class Field:
    key: str
    label: str  # short name for the review screen
    prompt: str
    help: str | None = None
    optional: bool = False
    ask_if: Callable[[Answers], bool] | None = None
    depends_on: tuple[str, ...] = ()  # re-ask this field when one of these changes
    check: Check | None = None
    #: What the bot already knows for this question (a birth date in the NIK, the family form's
    #: count of children), offered as one «✅ …» tap instead of typing it again.
    suggest: Callable[[Answers, FormContext], Any] | None = None
    suggest_note: str = "sudah tercatat"
    #: What the bot knows for certain (the birth date a NIK carries): the question is answered
    #: with it without being asked, said above the next question, and correctable in the review.
    known: Callable[[Answers, FormContext], Any] | None = None
    known_note: str = "sudah tercatat"
    #: The key of the next question, which may be typed in the same answer after a "/"
    #: ("003/005" is RT 3 and RW 5); typed alone, this answer is this question's only. For plain
    #: values: neither question may have a ``check``.
    together: str = ""
    #: (this question's value, the question it opens): a typed answer that is not this question's
    #: own may be that follow-up's answer ("20 minggu" at "what do you know of the pregnancy?"),
    #: when exactly one follow-up reads it. Follow-ups may not have a ``check``.
    leads: tuple[tuple[Any, str], ...] = ()

    def relevant(self, answers: Answers) -> bool:
        return self.ask_if is None or bool(self.ask_if(answers))

    def suggestion(self, answers: Answers, ctx: FormContext) -> Any:
        """The known value, read back through ``parse`` so it obeys this question's rules; None if
        there is none or it does not fit (a family's last birth too old for a baduta)."""
        return self._read_back(self.suggest, answers, ctx)

    def known_value(self, answers: Answers, ctx: FormContext) -> Any:
        """The certain value (``known``), read back through ``parse`` like a suggestion."""
        return self._read_back(self.known, answers, ctx)

    def _read_back(self, source: Callable[[Answers, FormContext], Any] | None, answers: Answers,
                   ctx: FormContext) -> Any:
        raw = source(answers, ctx) if source is not None else None
        if raw is None:
            return None
        try:
            return self.parse(str(raw), answers, ctx)
        except Invalid:
            return None

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> Any:
        raise Invalid("Silakan pilih salah satu tombol di bawah pertanyaan.")

    def options(self, answers: Answers, ctx: FormContext) -> Sequence[Option]:
        """Buttons offered for this question (closed choices)."""
        return ()

    def from_button(self, arg: str, answers: Answers, ctx: FormContext) -> Any:
        """The value of a pressed option button; ``arg`` is its index."""
        options = self.options(answers, ctx)
        if not (arg.isascii() and arg.isdigit()) or int(arg) >= len(options):
            raise Invalid("Pilihan itu tidak tersedia lagi. Silakan pilih dari tombol yang baru.")
        return options[int(arg)].value

    def may_show(self, where: str, ctx: FormContext) -> bool:
        """Whether this question's picker may move to ``where`` (a calendar month, an area)."""
        return False

    def show(self, value: Any, ctx: FormContext) -> str:
        """The answer as the review screen shows it (plain text; the engine escapes)."""
        if value is None:
            return "–"
        return str(value)


def _parse(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ParseError as exc:
        raise Invalid(exc.message) from None


#: Invisible characters that are dropped from typed text (a stray zero-width space from a copy).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_INVISIBLE_IN_NAMES = {**_INVISIBLE, ord("\u200d"): None, ord("\u200c"): None}  # joiners only join emoji
#: Characters that reorder or hide text (bidi overrides, isolates, marks): a name must read as typed.
_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HIDDEN_CHARACTERS = "Teks ini berisi karakter tersembunyi atau karakter kontrol. Mohon ketik ulang dengan huruf biasa."
NO_EMOJI = "Nama ditulis dengan huruf saja, tanpa emoji atau simbol."


def clean_text(text: str, *, emoji: bool) -> str:
    """Typed text with spaces squeezed and stray zero-width characters dropped; Invalid for
    control characters (NUL included), direction overrides, text with nothing readable left,
    and (``emoji=False``, for names) emoji and symbols."""
    if any(ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r") for ch in text):
        raise Invalid(HIDDEN_CHARACTERS)
    value = " ".join(text.translate(_INVISIBLE if emoji else _INVISIBLE_IN_NAMES).split())
    if not value and text.strip():
        raise Invalid(HIDDEN_CHARACTERS)  # nothing but zero-width characters
    if value and not any(ch.isalnum() for ch in value):
        visible = any(unicodedata.category(ch)[0] in "PS" for ch in value)
        raise Invalid("Mohon tulis dengan huruf atau angka." if visible else HIDDEN_CHARACTERS)
    if not emoji and any(unicodedata.category(ch) in ("So", "Sk", "Cs", "Co") or ch in "\u200d\ufe0f"
                         for ch in value):
        raise Invalid(NO_EMOJI)
    return value


@dataclass(frozen=True, kw_only=True)
class TextField(Field):
    min_length: int = 1
    max_length: int = 100
    example: str = ""
    emoji: bool = True  # names: False

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        value = clean_text(text, emoji=self.emoji)
        if not (self.min_length <= len(value) <= self.max_length):
            hint = f", misalnya {self.example}" if self.example else ""
            raise Invalid(f"Tulis {self.min_length}–{self.max_length} karakter{hint}.")
        return value


@dataclass(frozen=True, kw_only=True)
class IntegerField(Field):
    min_value: int
    max_value: int
    words: tuple[str, ...] = ()
    example: str = "3"

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> int:
        return _parse(lambda: parsers.parse_int(text, words=self.words, min_value=self.min_value,
                                                max_value=self.max_value, example=self.example))

    def show(self, value: Any, ctx: FormContext) -> str:
        if value is None:
            return "–"
        return f"{value} {self.words[0]}" if self.words else str(value)


@dataclass(frozen=True, kw_only=True)
class DecimalField(Field):
    min_value: float
    max_value: float
    unit: str | None = None
    example: str = "11,5"
    missing: str = "–"  # how the review names a skipped value ("belum diukur")

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> float:
        example = example_for(self.key, answers, self.example)
        return _parse(lambda: parsers.parse_decimal(text, unit=self.unit, min_value=self.min_value,
                                                    max_value=self.max_value, example=example))

    def show(self, value: Any, ctx: FormContext) -> str:
        if value is None:
            return self.missing
        number = parsers.format_decimal(value)
        return f"{number} {self.unit}" if self.unit else number


@dataclass(frozen=True, kw_only=True)
class BirthWeightField(Field):
    """A birth weight as the KIA book writes it ("2800", "2.800 gram", "2,8 kg"), kept in kg."""

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> float:
        return _parse(lambda: parsers.parse_birth_weight(text))

    def show(self, value: Any, ctx: FormContext) -> str:
        if value is None:
            return "–"
        return f"{parsers.format_decimal(round(value * 1000), 0)} gram"


@dataclass(frozen=True, kw_only=True)
class DateField(Field):
    """A date typed in any common way, or picked from the inline calendar.

    ``earliest_days``/``latest_days`` bound it relative to today (negative = past)."""

    earliest_days: int = -365 * 100
    latest_days: int = 0
    too_early: str = "Tanggal ini terlalu lama. Mohon periksa lagi."
    too_late: str = "Tanggal ini tidak boleh di masa depan."
    today_button: bool = False  # a «Hari ini» button: the answer is usually today (a visit, a measurement)

    def bounds(self, ctx: FormContext) -> tuple[date, date]:
        from datetime import timedelta

        return ctx.today + timedelta(days=self.earliest_days), ctx.today + timedelta(days=self.latest_days)

    def validate(self, day: date, ctx: FormContext) -> str:
        earliest, latest = self.bounds(ctx)
        if day < earliest:
            raise Invalid(self.too_early)
        if day > latest:
            raise Invalid(self.too_late)
        return day.isoformat()

    @property
    def looks_ahead(self) -> bool:
        """A question about what is coming (HPL, wedding): "15 juli" is the next 15 July."""
        return self.latest_days > -self.earliest_days


    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        earliest, latest = self.bounds(ctx)
        future = max((latest - ctx.today).days, 0)
        try:
            day = parsers.parse_date(text, on=ctx.today, max_future_days=future, earliest=earliest,
                                     future=self.looks_ahead)
        except ParseError as exc:
            if exc.code != "date_range":
                raise Invalid(exc.message) from None
            # A real date outside this question's range: say so in the question's words.
            day = _parse(lambda: parsers.parse_date(text, on=ctx.today, max_future_days=36500,
                                                    future=self.looks_ahead))
        return self.validate(day, ctx)

    def from_button(self, arg: str, answers: Answers, ctx: FormContext) -> str:
        try:
            day = date(int(arg[:4]), int(arg[4:6]), int(arg[6:8]))
        except ValueError:
            raise Invalid("Tanggal itu tidak dikenal. Pilih lagi dari kalender.") from None
        return self.validate(day, ctx)

    def may_show(self, where: str, ctx: FormContext) -> bool:
        earliest, latest = self.bounds(ctx)
        if (year := calendar.year_of(where)) is not None:
            return earliest.year <= year <= latest.year
        month = calendar.month_of(where)
        return month is not None and earliest.replace(day=1) <= month <= latest

    def show(self, value: Any, ctx: FormContext) -> str:
        return "–" if value is None else long_date(date.fromisoformat(value))


_NO_MATCH = object()


def _words_of(label: str) -> set[str]:
    """What a member may type for a button: the label, without its emoji, the part before
    "(", the part inside it, and its first word ("Berbaring (panjang badan)" → "berbaring")."""
    plain = "".join(ch for ch in label if ch.isalnum() or ch in " -/()").strip().casefold()
    head, _, rest = plain.partition("(")
    names = {plain, head.strip(), rest.rstrip(")").strip()}
    if head.split():
        names.add(head.split()[0])
    return {n for n in names if n}


def typed_choice(text: str, options: Sequence[Option]) -> Any:
    """The option a typed answer names (its label or an obvious word for it, "ya"/"tidak"
    for a yes/no pair), or ``_NO_MATCH``. A word that fits several options is no answer."""
    typed = " ".join(text.casefold().split()).strip(".!?,")
    if not typed:
        return _NO_MATCH
    exact = [o for o in options if typed == "".join(ch for ch in o.label if ch.isalnum() or ch in " -/()")
             .strip().casefold()]
    if len(exact) == 1:
        return exact[0].value
    hits = [o for o in options if typed in _words_of(o.label)]
    if len(hits) == 1:
        return hits[0].value
    try:
        yes = parsers.parse_yes_no(typed)
    except ParseError:
        return _NO_MATCH
    starts = ("ya", "sudah", "ada") if yes else ("tidak", "belum", "bukan")
    hits = [o for o in options if o.label.casefold().split() and o.label.casefold().split()[0].strip(",") in starts]
    return hits[0].value if len(hits) == 1 else _NO_MATCH


def choose_from(options: Sequence[Option]) -> str:
    names = ", ".join(f"«{o.label}»" for o in options[:6])
    return f"Jawaban itu tidak ada di pilihan. Silakan pilih salah satu tombol, atau ketik pilihannya: {names}."


@dataclass(frozen=True, kw_only=True)
class ChoiceField(Field):
    choices: tuple[Option, ...]

    def options(self, answers: Answers, ctx: FormContext) -> Sequence[Option]:
        return self.choices

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> Any:
        value = typed_choice(text, self.options(answers, ctx))
        if value is _NO_MATCH:
            raise Invalid(choose_from(self.options(answers, ctx)))
        return value

    def show(self, value: Any, ctx: FormContext) -> str:
        return next((o.label for o in self.choices if o.value == value), "–")


@dataclass(frozen=True, kw_only=True)
class YesNoField(ChoiceField):
    choices: tuple[Option, ...] = (Option(True, "Ya"), Option(False, "Tidak"))

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> bool:
        return _parse(lambda: parsers.parse_yes_no(text))


@dataclass(frozen=True, kw_only=True)
class MultiChoiceField(Field):
    """Toggle buttons plus "Selesai"; the value is the list of chosen values. ``preset`` gives
    the usual answer (all immunisations due for the age) for a one-tap button."""

    choices: tuple[Option, ...]
    preset: Callable[[Answers, FormContext], list[Any]] | None = None
    preset_label: str = "✅ Lengkap sesuai usia"

    def preset_values(self, answers: Answers, ctx: FormContext) -> list[Any]:
        return list(self.preset(answers, ctx)) if self.preset is not None else []

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> list[Any]:
        """Typed instead of toggled: "tidak ada" is none; labels or their words, separated by commas
        or "dan", are those choices ("BCG, polio"). Anything else names the buttons."""
        typed = " ".join(text.casefold().split()).strip(".!")
        if typed in ("tidak ada", "tidak", "belum", "belum ada", "tdk ada", "ga ada", "gak ada", "nggak ada"):
            return []
        parts = [p for p in re.split(r"\s*(?:,|;|\bdan\b|&)\s*", typed) if p]
        values = [typed_choice(part, self.choices) for part in parts]
        if not values or any(v is _NO_MATCH for v in values):
            raise Invalid(f"{choose_from(self.choices)} Bisa beberapa, dipisah koma; «tidak ada» bila tidak ada.")
        order = [o.value for o in self.choices]
        return sorted(set(values), key=order.index)

    def options(self, answers: Answers, ctx: FormContext) -> Sequence[Option]:
        return self.choices

    def show(self, value: Any, ctx: FormContext) -> str:
        if not value:
            return "tidak ada"
        return ", ".join(o.label for o in self.choices if o.value in value)


@dataclass(frozen=True, kw_only=True)
class NikField(Field):
    """A 16-digit NIK. ``allow_none`` offers a "Tidak punya NIK" button (value "-")."""

    allow_none: bool = False
    NONE = "-"

    def options(self, answers: Answers, ctx: FormContext) -> Sequence[Option]:
        return (Option(self.NONE, "Tidak punya NIK"),) if self.allow_none else ()

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        info = _parse(lambda: parsers.parse_nik_number(text, on=ctx.today, region_listed=ctx.region_listed))
        return info.nik

    def show(self, value: Any, ctx: FormContext) -> str:
        if value is None:
            return "–"
        return "tidak punya" if value == self.NONE else mask_nik(value)


@dataclass(frozen=True, kw_only=True)
class KkField(Field):
    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        return _parse(lambda: parsers.parse_kk_number(text, region_listed=ctx.region_listed)).number

    def show(self, value: Any, ctx: FormContext) -> str:
        return "–" if value is None else mask_nik(value)


@dataclass(frozen=True, kw_only=True)
class PhoneField(Field):
    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        return _parse(lambda: parsers.parse_phone(text))

    def show(self, value: Any, ctx: FormContext) -> str:
        return "–" if value is None else mask_phone(value)


@dataclass(frozen=True, kw_only=True)
class RegionField(Field):
    """A desa/kelurahan inside the member's scope, picked by walking the tree."""

    level: Level = Level.DESAKEL

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        hits = [r for r in ctx.regions.search(text, within=ctx.scope, limit=50) if r.level == self.level]
        exact = [r for r in hits if r.name.casefold() == " ".join(text.split()).casefold()]
        if len(exact) == 1 or len(hits) == 1:
            return (exact or hits)[0].code
        near = hits[:4] or ctx.regions.closest(text, within=ctx.scope, level=self.level)
        if near:
            choices = tuple((ctx.regions.disambiguated_name(r.code), r.code) for r in near)
            raise Invalid("Maksud Anda salah satu ini? Tekan namanya, atau pilih dari daftar di bawah.", choices)
        raise Invalid("Nama itu tidak ditemukan di wilayah Anda. Pilih kelurahan/desa dengan tombol di bawah.")

    def from_button(self, arg: str, answers: Answers, ctx: FormContext) -> str:
        if arg not in ctx.regions or not ctx.in_scope(arg) or ctx.regions[arg].level != self.level:
            raise Invalid("Wilayah itu di luar wewenang Anda.")
        return arg

    def may_show(self, where: str, ctx: FormContext) -> bool:
        return where in ctx.regions and ctx.in_scope(where)

    def show(self, value: Any, ctx: FormContext) -> str:
        if value is None or value not in ctx.regions:
            return "–"
        return ctx.regions.disambiguated_name(value)


def escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Computed:
    """A value the bot works out for the review screen (HPL, IMT, z-scores, risks)."""

    label: str
    compute: Callable[[Answers, FormContext], str | None]
    keys: tuple[str, ...] = field(default=())
