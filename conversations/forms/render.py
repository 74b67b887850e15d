"""What a member sees for a form state: the question or the review screen.

Buttons are described as (label, action, field, argument) and turned into callback data
(``bot.callbacks.FormPress``, with the draft key) by the runner, so the rendering stays
independent of Telegram and every button names the draft it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.regions import Level
from conversations.forms import calendar
from conversations.forms.engine import REVIEW, answered_count, current_field, projected_total, review_items
from conversations.forms.fields import (
    ChoiceField,
    DateField,
    Field,
    MultiChoiceField,
    NikField,
    RegionField,
    escape,
)
from conversations.forms.model import Form, FormContext


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    key: str = ""
    arg: str = ""


@dataclass
class Screen:
    text: str
    rows: list[list[Button]] = field(default_factory=list)


def _nav_row(field_: Field, state: dict[str, Any]) -> list[Button]:
    row = []
    if state.get("editing") and field_.key in state["answers"]:
        row.append(Button("↩️ Ke ringkasan", "rv", field_.key))
    else:
        if state["history"]:
            row.append(Button("⬅️ Kembali", "bk", field_.key))
        if field_.key in state["answers"]:
            row.append(Button("✅ Tetap", "kp", field_.key))
    if field_.optional:
        row.append(Button("Lewati ➡️", "sk", field_.key))
    return row


def _option_rows(labels: list[Button], per_row: int) -> list[list[Button]]:
    return [labels[i : i + per_row] for i in range(0, len(labels), per_row)]


def _calendar_rows(field_: DateField, state: dict[str, Any], ctx: FormContext) -> list[list[Button]]:
    """A "pick on the calendar" button; once pressed, the month grid (most dates are
    typed, and a 40-button grid on every date question is heavy on a cheap phone)."""
    earliest, latest = field_.bounds(ctx)
    current = state["answers"].get(field_.key)
    anchor = date.fromisoformat(current) if current else min(max(ctx.today, earliest), latest)
    if not state.get("nav"):
        row = [Button("📅 Pilih di kalender", "cal", field_.key, anchor.strftime("%Y%m"))]
        if field_.today_button and earliest <= ctx.today <= latest:
            row.insert(0, Button("Hari ini", "v", field_.key, ctx.today.strftime("%Y%m%d")))
        return [row]
    if (year := calendar.year_of(state.get("nav"))) is not None:
        return _year_rows(field_, year, earliest, latest)
    month = calendar.parse_month(state.get("nav"), anchor)
    title, grid = calendar.month_grid(month, earliest, latest, ctx.today)
    rows: list[list[Button]] = []
    previous, following = calendar.shift(month, -1), calendar.shift(month, 1)
    nav = [Button("◀️", "cal", field_.key, previous.strftime("%Y%m")) if previous >= earliest.replace(day=1)
           else Button(" ", "noop"), Button(title, "yr", field_.key, str(month.year)),
           Button("▶️", "cal", field_.key, following.strftime("%Y%m")) if following <= latest
           else Button(" ", "noop")]
    rows.append(nav)
    for week in grid:
        rows.append([Button(label, "v", field_.key, arg) if arg else Button(label, "noop") for label, arg in week])
    return rows


def _year_rows(field_: DateField, year: int, earliest: date, latest: date) -> list[list[Button]]:
    """The month-and-year picker (a tap on the calendar's title): years by the arrows, a month
    by its button; months the question forbids are dots, as days are in the month grid."""
    nav = [Button(f"◀️ {year - 1}", "yr", field_.key, str(year - 1)) if year - 1 >= earliest.year
           else Button(" ", "noop"), Button(str(year), "noop"),
           Button(f"{year + 1} ▶️", "yr", field_.key, str(year + 1)) if year + 1 <= latest.year
           else Button(" ", "noop")]
    jumps = [Button(f"⏪ {year - 10}", "yr", field_.key, str(year - 10)) if year - 10 >= earliest.year
             else Button(" ", "noop"),
             Button(f"{year + 10} ⏩", "yr", field_.key, str(year + 10)) if year + 10 <= latest.year
             else Button(" ", "noop")]
    months = []
    for number, name in enumerate(calendar.MONTH_SHORT, start=1):
        first = date(year, number, 1)
        allowed = earliest.replace(day=1) <= first <= latest
        months.append(Button(name, "cal", field_.key, first.strftime("%Y%m")) if allowed else Button("·", "noop"))
    return [nav, jumps, *_option_rows(months, 4)]


def date_hint(field_: DateField) -> str:
    """How a date may be typed, with words that fit the question's direction."""
    words = "15 Juli" if field_.looks_ahead else "kemarin, 2 hari lalu, 15 Juli"
    today = ", tekan «Hari ini»" if field_.today_button else ""
    return f"Ketik tanggalnya (mis. 12-03-2024, {words}){today} atau pilih di kalender."


def _region_rows(field_: RegionField, state: dict[str, Any], ctx: FormContext) -> list[list[Button]]:
    at = state.get("nav") or ctx.scope
    if at not in ctx.regions or not ctx.in_scope(at):
        at = ctx.scope
    rows: list[list[Button]] = [[Button(label, "v", field_.key, code)] for label, code in state.get("offered") or []
                                if code in ctx.regions and ctx.in_scope(code)]
    children = ctx.regions.children(at)
    buttons = [Button(child.name, "v" if child.level == field_.level else "rg", field_.key, child.code)
               for child in children]
    rows.extend(_option_rows(buttons, 2))
    parent = ctx.regions.parent(at)
    if at != ctx.scope and parent is not None and ctx.in_scope(parent.code):
        rows.append([Button(f"⬆️ {ctx.regions.label(parent.code)}", "rg", field_.key, parent.code)])
    return rows


def _subject(form: Form, ctx: FormContext) -> list[str]:
    subject = form.subject(ctx)
    return [f"Untuk: <b>{escape(subject)}</b>"] if subject else []


def question(form: Form, state: dict[str, Any], ctx: FormContext) -> Screen:
    field_ = current_field(form, state)
    assert field_ is not None
    answers = state["answers"]
    total = projected_total(form, answers, ctx, state.get("auto") or ())
    number = min(answered_count(form, state) + (0 if field_.key in answers else 1), total)
    lines = [f"<b>{escape(form.title)}</b> · {number}/{total}", *_subject(form, ctx), "",
             f"<b>{escape(field_.prompt)}</b>"]
    if field_.help:
        lines.append(f"<i>{escape(field_.help)}</i>")
    rows: list[list[Button]] = []
    if field_.key in answers:
        lines.append(f"Jawaban sekarang: {escape(field_.show(answers[field_.key], ctx))}")
    elif (known := field_.suggestion(answers, ctx)) is not None:
        shown, note = field_.show(known, ctx), field_.suggest_note
        lines.append(f"<i>{escape(note[:1].upper() + note[1:])}: {escape(shown)}. Tekan «✅ {escape(shown)}» "
                     "bila benar, atau ketik yang lain.</i>")
        rows.append([Button(f"✅ {shown}", "kp", field_.key)])
    if isinstance(field_, MultiChoiceField):
        chosen = state["multi"] if state["multi"] is not None else answers.get(field_.key) or []
        toggles = [Button(("✅ " if o.value in chosen else "▫️ ") + o.label, "v", field_.key, str(i))
                   for i, o in enumerate(field_.choices)]
        rows.extend(_option_rows(toggles, 2))
        if field_.preset_values(answers, ctx):
            rows.append([Button(field_.preset_label, "all", field_.key)])
        rows.append([Button("Selesai ✔️", "ok", field_.key)])
        lines.append("<i>Pilih semua yang sesuai, lalu tekan Selesai.</i>")
    elif isinstance(field_, ChoiceField | NikField):
        options = [Button(o.label, "v", field_.key, str(i)) for i, o in enumerate(field_.options(answers, ctx))]
        per_row = 1 if any(len(b.label) > 18 for b in options) else 2
        rows.extend(_option_rows(options, per_row))
    elif isinstance(field_, DateField):
        rows.extend(_calendar_rows(field_, state, ctx))
        lines.append(f"<i>{escape(date_hint(field_))}</i>")
    elif isinstance(field_, RegionField) and field_.level is Level.DESAKEL:
        rows.extend(_region_rows(field_, state, ctx))
    nav = _nav_row(field_, state)
    if nav:
        rows.append(nav)
    lines.append("\n/batal untuk berhenti (jawaban tersimpan)")
    return Screen("\n".join(lines), rows)


def review(form: Form, state: dict[str, Any], ctx: FormContext) -> Screen:
    lines = [f"<b>{escape(form.title)} — periksa dulu</b>", *_subject(form, ctx), ""]
    for field_, shown in review_items(form, state, ctx):
        lines.append(f"• {escape(field_.label)}: <b>{escape(shown)}</b>")
    computed = [(c.label, c.compute(state["answers"], ctx)) for c in form.computed]
    computed = [(label, value) for label, value in computed if value]
    if computed:
        lines.append("")
        lines.append("<b>Dihitung oleh bot:</b>")
        lines.extend(f"• {escape(label)}: {escape(value)}" for label, value in computed)
    if form.review_note:
        lines.extend(["", f"<i>{escape(form.review_note)}</i>"])
    lines.extend(["", "Tekan ✅ Kirim bila sudah benar, atau pilih jawaban yang ingin diubah."])
    edits = [Button(f"✏️ {f.label}", "ed", f.key) for f, _ in review_items(form, state, ctx)]
    rows = [[Button("✅ Kirim", "send")], *_option_rows(edits, 2), [Button("🗑 Buang draf", "del")]]
    return Screen("\n".join(lines), rows)


def answered_lines(form: Form, state: dict[str, Any], ctx: FormContext, step: Any, *, all_answers: bool) -> str:
    """"✔️ RT: 3" and "✔️ Tanggal lahir: 12 Maret 1990 (dari NIK …)" above the next question: what
    the last message answered (``all_answers``, else only dates typed in words and answers given
    together) and what the bot then filled in itself, so nothing is decided out of sight."""
    answers = state["answers"]
    keys = list(step.filled)
    if step.answered is not None and (all_answers or keys or isinstance(step.answered, DateField)):
        keys.append(step.answered.key)
    lines = []
    for key in [*keys, *step.known]:
        field_ = form.field(key)
        if field_ is None or key not in answers:
            continue
        line = f"✔️ {escape(field_.label)}: <b>{escape(field_.show(answers[key], ctx))}</b>"
        if key in step.known:
            line += f" <i>({escape(field_.known_note)}; bisa diubah di ringkasan)</i>"
        lines.append(line)
    return "\n".join(lines)


def screen(form: Form, state: dict[str, Any], ctx: FormContext) -> Screen:
    return review(form, state, ctx) if state["current"] == REVIEW else question(form, state, ctx)


def summary_line(form: Form, state: dict[str, Any], ctx: FormContext) -> str:
    """One line for resuming: what is already filled."""
    items = review_items(form, state, ctx)
    if not items:
        return f"↩️ Melanjutkan <b>{escape(form.title)}</b> dari awal."
    shown = ", ".join(escape(f.label) for f, _ in items[:6]) + ("…" if len(items) > 6 else "")
    return f"↩️ Melanjutkan <b>{escape(form.title)}</b> — sudah terisi {len(items)} jawaban: {shown}."
