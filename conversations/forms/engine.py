"""The form engine: pure state transitions, no Telegram.

The state is a JSON-able dict kept in the ``drafts`` table. Every transition either
changes the state (the caller saves it before showing anything) or returns a message
saying why not, and the same question is asked again. The next question is always
"the first relevant field without an answer", so answering in order, going back,
skipping and editing from the review screen are one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from conversations.forms.fields import ChoiceField, Field, IntegerField, Invalid, MultiChoiceField, Notice
from conversations.forms.model import Form, FormContext

REVIEW = "__review__"
FIRST_QUESTION = "Ini pertanyaan pertama."
USE_BUTTONS_ON_REVIEW = "Periksa ringkasan di atas: tekan ✅ Kirim, atau pilih jawaban yang ingin diubah."
CONFIRM_FIRST = "Mohon jawab dulu dengan tombol di bawah pesan sebelumnya."
NOT_OPTIONAL = "Pertanyaan ini wajib dijawab."
SKIPPED_UNKNOWN = "Dilewati karena belum diketahui; bisa diisi nanti lewat /ubah."
#: Typed answers that mean "I don't know" (compared lower case, spaces squeezed, end punctuation off).
DONT_KNOW = frozenset({"tidak tahu", "tidak tau", "tdk tahu", "tdk tau", "tdk tw", "gak tau", "ga tau", "gk tau",
                       "nggak tahu", "nggak tau", "ngga tau", "belum tahu", "belum tau", "blm tau", "blm tahu",
                       "tidak diketahui", "tak tahu", "entah", "lupa", "-", "--", "?", "??", "???"})


def dont_know(text: str) -> bool:
    cleaned = " ".join(text.casefold().split())
    return cleaned in DONT_KNOW or cleaned.rstrip(".!") in DONT_KNOW


def way_out(field: Field, answers: dict[str, Any], ctx: FormContext) -> str:
    """What a member who does not know the answer can do, in the words of the buttons on screen."""
    if field.optional:
        return "Bila belum tahu, tekan «Lewati» (atau ketik «tidak tahu»)."
    labels = [o.label for o in field.options(answers, ctx)] if not isinstance(field, MultiChoiceField) else []
    unknown = next((label for label in labels if "tahu" in label.casefold()
                    or label.casefold().startswith("tidak punya")), None)
    if unknown:
        return f"Bila belum tahu, tekan «{unknown}»."
    return "Bila belum tahu, ketik /batal: jawaban tersimpan, dan bisa dilanjutkan dengan /lanjut setelah bertanya."


@dataclass
class Step:
    """What a transition produced, for the caller to show."""

    error: str | None = None
    notice: Notice | None = None
    note: str | None = None  # said above the next question (a typed "tidak tahu" skipped this one)
    stale: bool = False  # a button of a question that is no longer current
    refresh: bool = False  # the same question with updated buttons (toggles, calendar)
    answered: Field | None = None  # the field that just got its answer
    filled: list[str] = _field(default_factory=list)  # answered in the same message before it ("003/005")
    known: list[str] = _field(default_factory=list)  # then answered by the bot without asking (see settle)


def new_state(form: Form, ctx: FormContext, extra: dict[str, Any]) -> dict[str, Any]:
    answers = dict(form.initial(ctx))
    state: dict[str, Any] = {
        "answers": answers, "history": [], "editing": False, "pending": None, "multi": None,
        "nav": None, "context": extra, "last_message_id": 0, "paused": False,
    }
    state["current"] = _next(form, answers)
    return state


def _next(form: Form, answers: dict[str, Any]) -> str:
    for field in form.relevant_fields(answers):
        if field.key not in answers:
            return field.key
    return REVIEW


def current_field(form: Form, state: dict[str, Any]) -> Field | None:
    return None if state["current"] == REVIEW else form.field(state["current"])


def answered_count(form: Form, state: dict[str, Any]) -> int:
    """Questions the member answered (what the bot filled in itself is not counted)."""
    auto = set(state.get("auto") or ())
    return sum(1 for f in form.relevant_fields(state["answers"]) if f.key in state["answers"] and f.key not in auto)


def projected_total(form: Form, answers: dict[str, Any], ctx: FormContext, auto: Any = ()) -> int:
    """How many questions this record may still ask in all: the relevant ones, plus those an
    unanswered choice or count could open (each such question is assumed to take the answer
    that opens most). The count only shrinks as answers come: never "9/9" and then "10/12"."""
    assumed = dict(answers)
    for field in form.fields:
        if field.key in assumed or not field.relevant(assumed):
            continue
        if isinstance(field, IntegerField):
            candidates: list[Any] = [field.min_value, field.max_value]
        elif isinstance(field, ChoiceField):
            candidates = [o.value for o in field.options(assumed, ctx)]
        else:
            continue
        if candidates:
            assumed[field.key] = max(candidates, key=lambda v: len(form.relevant_fields({**assumed, field.key: v})))
    return len([f for f in form.relevant_fields(assumed) if f.key not in auto])


def _clear_dependents(form: Form, answers: dict[str, Any], changed: str) -> None:
    for field in form.fields:
        if changed in field.depends_on and field.key in answers:
            del answers[field.key]
            _clear_dependents(form, answers, field.key)


def _commit(form: Form, state: dict[str, Any], field: Field, value: Any) -> Step:
    answers = state["answers"]
    changed = field.key in answers and answers[field.key] != value
    answers[field.key] = value
    if field.key in (auto := state.setdefault("auto", [])):
        auto.remove(field.key)  # the member's own answer now
    if changed:
        _clear_dependents(form, answers, field.key)
    history: list[str] = state["history"]
    if field.key in history:
        history.remove(field.key)
    history.append(field.key)
    state["pending"] = state["multi"] = state["nav"] = state["offered"] = None
    state["current"] = _next(form, answers)
    if state["current"] == REVIEW:
        state["editing"] = False
    return Step(answered=field)


async def _accept(form: Form, state: dict[str, Any], field: Field, value: Any, ctx: FormContext) -> Step:
    if field.check is not None and value is not None:
        notice = await field.check(value, state["answers"], ctx)
        if notice is not None:
            state["pending"] = {"key": field.key, "value": value, "blocking": notice.blocking}
            return Step(notice=notice)
    return _commit(form, state, field, value)


async def on_text(form: Form, state: dict[str, Any], text: str, ctx: FormContext) -> Step:
    field = current_field(form, state)
    if field is None:
        return Step(error=USE_BUTTONS_ON_REVIEW)
    if state["pending"] is not None:
        return Step(error=CONFIRM_FIRST)
    if dont_know(text):
        if not field.optional:
            return Step(error=f"{NOT_OPTIONAL} {way_out(field, state['answers'], ctx)}")
        step = _commit(form, state, field, None)
        step.note = SKIPPED_UNKNOWN
        return step
    try:
        value = field.parse(text, state["answers"], ctx)
    except Invalid as exc:
        if field.together and "/" in text:
            return _two_at_once(form, state, field, text, ctx)
        if field.leads and (ahead := _typed_ahead(form, state, field, text, ctx)) is not None:
            return ahead
        state["offered"] = [list(choice) for choice in exc.choices] or None
        return Step(error=f"{exc.message} {way_out(field, state['answers'], ctx)}" if field.optional
                    else exc.message)
    return await _accept(form, state, field, value, ctx)


def _two_at_once(form: Form, state: dict[str, Any], first: Field, text: str, ctx: FormContext) -> Step:
    """"003/005" at a question whose next one may be typed with it (``Field.together``)."""
    second = form.field(first.together)
    head, _, tail = text.partition("/")
    answers = state["answers"]
    try:
        value = first.parse(head, answers, ctx)
        if second is None or not second.relevant({**answers, first.key: value}):
            raise Invalid(f"Tulis {first.label} saja.")
        other = second.parse(tail, {**answers, first.key: value}, ctx)
    except Invalid as exc:
        return Step(error=exc.message)
    _commit(form, state, first, value)
    if state["current"] != second.key:  # already answered: the first value alone was new
        return Step(answered=first)
    step = _commit(form, state, second, other)
    step.filled = [first.key]
    return step


def _typed_ahead(form: Form, state: dict[str, Any], field_: Field, text: str, ctx: FormContext) -> Step | None:
    """A typed answer of the question a choice opens (``Field.leads``): the choice and that answer
    at once, when exactly one follow-up reads it; None when none does."""
    answers = state["answers"]
    readings: list[tuple[Any, Field, Any]] = []
    for value, key in field_.leads:
        follow, trial = form.field(key), {**answers, field_.key: value}
        if follow is None or not follow.relevant(trial):
            continue
        try:
            readings.append((value, follow, follow.parse(text, trial, ctx)))
        except Invalid:
            continue
    if not readings:
        return None
    if len(readings) > 1:
        meanings = ", ".join(f"«{field_.show(value, ctx)}»" for value, _, _ in readings)
        return Step(error=f"Jawaban itu bisa berarti {meanings}. Silakan tekan salah satu tombol dulu.")
    value, follow, answer = readings[0]
    _commit(form, state, field_, value)
    if state["current"] != follow.key:
        return Step(answered=field_)
    step = _commit(form, state, follow, answer)
    step.filled = [field_.key]
    return step


async def settle(form: Form, state: dict[str, Any], ctx: FormContext, step: Step | None = None) -> Step:
    """After an answer (and when a form opens): the questions now due whose answer the bot knows
    for certain (``Field.known``, the birth date in a NIK) are answered without asking, and
    those it filled before are read again, so a changed NIK never leaves the old date behind.
    A known value its question's ``check`` would question is asked instead (with its one tap)."""
    step = step or Step()
    if step.answered is None and state["history"]:
        return step  # nothing changed
    answers, auto = state["answers"], state.setdefault("auto", [])
    for key in list(auto):
        known = form.field(key)
        value = known.known_value(answers, ctx) if known is not None and known.relevant(answers) else None
        if key not in answers or value != answers[key]:
            auto.remove(key)
            if key in answers:
                del answers[key]
                _clear_dependents(form, answers, key)
            state["current"] = _next(form, answers)
    while (due := current_field(form, state)) is not None and due.key not in answers \
            and state["pending"] is None:
        value = due.known_value(answers, ctx)
        if value is None or (due.check is not None and await due.check(value, answers, ctx) is not None):
            break
        answers[due.key] = value
        auto.append(due.key)
        step.known.append(due.key)
        state["current"] = _next(form, answers)
    if state["current"] == REVIEW:
        state["editing"] = False
    return step


async def on_button(form: Form, state: dict[str, Any], key: str, arg: str, ctx: FormContext) -> Step:
    field = current_field(form, state)
    if field is None or field.key != key or state["pending"] is not None:
        return Step(stale=True)
    try:
        value = field.from_button(arg, state["answers"], ctx)
    except Invalid as exc:
        return Step(error=exc.message)
    if isinstance(field, MultiChoiceField):
        chosen: list[Any] = list(state["multi"] if state["multi"] is not None else state["answers"].get(key) or [])
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        state["multi"] = chosen
        return Step(refresh=True)
    return await _accept(form, state, field, value, ctx)


def on_multi_done(form: Form, state: dict[str, Any], key: str) -> Step:
    field = current_field(form, state)
    if not isinstance(field, MultiChoiceField) or field.key != key:
        return Step(stale=True)
    chosen = state["multi"] if state["multi"] is not None else state["answers"].get(key) or []
    order = [o.value for o in field.choices]
    return _commit(form, state, field, sorted(chosen, key=order.index))


def on_preset(form: Form, state: dict[str, Any], key: str, ctx: FormContext) -> Step:
    """«Lengkap sesuai usia»: the usual answer in one tap (Back shows it to untick exceptions)."""
    field = current_field(form, state)
    if not isinstance(field, MultiChoiceField) or field.key != key or state["pending"] is not None:
        return Step(stale=True)
    values = field.preset_values(state["answers"], ctx)
    if not values:
        return Step(stale=True)
    return _commit(form, state, field, values)


async def on_keep(form: Form, state: dict[str, Any], key: str, ctx: FormContext) -> Step:
    """«✅ Tetap» on a question gone back to: its answer stays, on to the next question. On a
    question not yet answered, the same button takes what the bot already knows (its suggestion)."""
    field = current_field(form, state)
    if field is None or field.key != key or state["pending"] is not None:
        return Step(stale=True)
    if key in state["answers"]:
        return _commit(form, state, field, state["answers"][key])
    value = field.suggestion(state["answers"], ctx)
    if value is None:
        return Step(stale=True)
    return await _accept(form, state, field, value, ctx)


def on_skip(form: Form, state: dict[str, Any], key: str) -> Step:
    field = current_field(form, state)
    if field is None or field.key != key:
        return Step(stale=True)
    if not field.optional:
        return Step(error=NOT_OPTIONAL)
    return _commit(form, state, field, None)


def on_back(form: Form, state: dict[str, Any], key: str) -> Step:
    if state["current"] != key:
        return Step(stale=True)
    history: list[str] = [k for k in state["history"] if k != key and form.field(k) is not None
                          and form.field(k).relevant(state["answers"])]  # type: ignore[union-attr]
    if not history:
        return Step(error=FIRST_QUESTION)
    state["history"] = history[:-1]
    state["current"] = history[-1]
    state["pending"] = state["multi"] = state["nav"] = state["offered"] = None
    return Step(refresh=True)


def on_edit(form: Form, state: dict[str, Any], key: str) -> Step:
    field = form.field(key)
    if state["current"] != REVIEW or field is None or not field.relevant(state["answers"]):
        return Step(stale=True)
    state["current"] = key
    state["editing"] = True
    return Step()


def on_review(form: Form, state: dict[str, Any], key: str) -> Step:
    """Back to the review screen from a question opened there, keeping its answer."""
    field = form.field(key)
    if state["current"] != key or not state["editing"] or field is None or key not in state["answers"]:
        return Step(stale=True)
    if _next(form, state["answers"]) != REVIEW:
        return Step(stale=True)
    state["current"] = REVIEW
    state["editing"] = False
    state["pending"] = state["multi"] = state["nav"] = state["offered"] = None
    return Step(refresh=True)


def on_confirm(form: Form, state: dict[str, Any], yes: bool) -> Step:
    pending = state["pending"]
    if pending is None:
        return Step(stale=True)
    field = form.field(pending["key"])
    if field is None or field.key != state["current"]:
        return Step(stale=True)
    if yes and not pending["blocking"]:
        return _commit(form, state, field, pending["value"])
    state["pending"] = None
    return Step(refresh=True)


def set_nav(form: Form, state: dict[str, Any], key: str, where: str, ctx: FormContext) -> Step:
    """Move a calendar (``where`` = YYYYMM) or region picker (a code) without answering.
    Only a month the calendar can show, or an area in the caller's scope, is kept: the
    draft is read back on every later input, so forged data must never reach it."""
    field = current_field(form, state)
    if field is None or field.key != key or state["pending"] is not None or not field.may_show(where, ctx):
        return Step(stale=True)
    state["nav"] = where
    return Step(refresh=True)


def review_items(form: Form, state: dict[str, Any], ctx: FormContext) -> list[tuple[Field, str]]:
    answers = state["answers"]
    return [(f, f.show(answers[f.key], ctx)) for f in form.relevant_fields(answers) if f.key in answers]


def submittable(form: Form, state: dict[str, Any]) -> dict[str, Any] | None:
    """The answers of relevant fields, or None while a question is still open."""
    if state["current"] != REVIEW or _next(form, state["answers"]) != REVIEW:
        return None
    return {f.key: state["answers"][f.key] for f in form.relevant_fields(state["answers"])}
