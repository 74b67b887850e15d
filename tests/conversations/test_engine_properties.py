"""Property: nothing a member types, at any step of any form, crashes the engine, loses
an earlier answer, or makes a screen Telegram would refuse."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.domain.roles import Caller, Role
from bot.lapor_fields import BirthDateField
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from conversations.forms import engine, render
from conversations.forms.fields import (
    DateField,
    DecimalField,
    Field,
    IntegerField,
    KkField,
    MultiChoiceField,
    NikField,
    PhoneField,
    TextField,
)
from conversations.forms.model import Form, FormContext
from conversations.kajian import KAJIAN
from conversations.kka import KKA
from conversations.kunjungan import KUNJUNGAN
from conversations.lapor import KELUARGA, SASARAN
from storage.crypto import new_key
from tests.harness import START

SUKAWANA = "36.73.04.1007"
PLAUSIBLE = ["3", "12", "0", "ya", "tidak", "12-03-1990", "1 Agustus 2026", "23/11/26", "150 cm", "52,5", "9,2 kg",
             "3673045203900001", "0812-3456-7890", "Siti Aminah", "Jl. Melati No. 5", "38 minggu", "2 anak", "11,5",
             # issue 16: date words, approximate numbers and units, "don't know", typed choices
             "hari ini", "kemarin", "2 hari lalu", "15 juli", "± 30", "sekitar 30", "3 org", "1,52 m", "tidak tahu",
             "-", "?", "bidan", "berbaring", "Siti\u202e", "\u200b", "Siti 🤰"]
FITTING = object()  # "type something of the right shape for the question on screen"
typed = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=300),
                  st.text(alphabet=st.characters(categories=["Nd", "Po", "Zs"]), max_size=20))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.AbstractEventLoop, Services]]:
    loop = asyncio.new_event_loop()
    path = Path(tmp_path_factory.mktemp("engine")) / "t.sqlite3"
    config = Settings(storage={"path": str(path)}, privacy={"key": new_key()})
    services = loop.run_until_complete(prepare(config, FakeClock(START)))
    yield loop, services
    loop.run_until_complete(services.db.close())
    loop.close()


FORMS: dict[str, tuple[Form, dict[str, object]]] = {
    "keluarga": (KELUARGA, {}),
    "sasaran": (SASARAN, {"keluarga_id": 1}),
    # the family form's wife: her NIK's birth date and the family's children are filled in, not asked
    "sasaran_istri": (SASARAN, {"keluarga_id": 1, "kategori": "ibu_hamil", "keluarga": {
        "istri_lahir": "1990-03-12", "anak": 2, "anak_terakhir": "2022-01-01"}}),
    "kunjungan_hamil": (KUNJUNGAN, {"sasaran_id": 1, "kategori": "ibu_hamil", "jk": "P", "lahir": "1990-03-12"}),
    "kunjungan_anak": (KUNJUNGAN, {"sasaran_id": 2, "kategori": "baduta", "jk": "L", "lahir": "2026-05-01"}),
    "audit_kka": (KKA, {"case_id": 1, "number": 1}),
    "audit_kajian": (KAJIAN, {"case_id": 1, "number": 1}),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(sorted(FORMS)),
       inputs=st.lists(st.one_of(st.just(FITTING), st.just(FITTING), typed, st.integers(0, 9)),
                       min_size=1, max_size=60))
def test_no_typed_string_crashes_or_loses_answers(world: tuple[asyncio.AbstractEventLoop, Services], which: str,
                                                  inputs: list[str | int]) -> None:
    loop, services = world
    form, extra = FORMS[which]
    ctx = FormContext(services=services, caller=Caller(3001, Role.TPK, SUKAWANA), today=START.date(), extra=extra)
    state = engine.new_state(form, ctx, extra)
    for item in inputs:
        before, auto = copy.deepcopy(state["answers"]), set(state.get("auto") or ())
        step = loop.run_until_complete(_act(form, state, item, ctx))
        if step.error or step.notice or step.refresh:
            assert state["answers"] == before
        else:
            # what the bot filled in itself is read again after each answer (a changed NIK, another date)
            assert step.answered is not None and set(before) <= set(state["answers"]) | _dependents(form, before) | auto
        json.dumps(state)  # stays storable as a draft
        review = " (review)" if state["current"] == engine.REVIEW else ""
        event(f"{which}: {len(state['answers']) // 5 * 5}+ answers{review}")
        screen = render.screen(form, state, ctx)
        assert 0 < len(screen.text) <= 4096
        if state["pending"] is not None:  # a notice: confirm it when allowed, else change the answer
            confirmed = engine.on_confirm(form, state, yes=not state["pending"]["blocking"])
            assert not confirmed.stale


def _fitting(field: Field, answers: dict[str, object], ctx: FormContext) -> str | None:
    if isinstance(field, IntegerField):
        return str(field.min_value + 1 if field.min_value < field.max_value else field.min_value)
    if isinstance(field, DecimalField):
        return str((field.min_value + field.max_value) / 2).replace(".", ",")
    if isinstance(field, BirthDateField):
        earliest, latest, _ = field._range(answers, ctx)
        return (earliest + (latest - earliest) / 2).strftime("%d-%m-%Y")
    if isinstance(field, DateField):
        earliest, latest = field.bounds(ctx)
        return (earliest + (latest - earliest) / 2).strftime("%d-%m-%Y")
    if isinstance(field, PhoneField):
        return "0812-3456-7890"
    if isinstance(field, NikField | KkField):
        return "3673045203900001"
    if isinstance(field, TextField):
        return "Siti Aminah"
    return None


async def _act(form: Form, state: dict[str, object], item: object, ctx: FormContext) -> engine.Step:
    """Type a string, type a fitting answer, or (an int) press the n-th button / skip; then what
    the bot knows is filled in, as the runner does after every step."""
    return await engine.settle(form, state, ctx, await _transition(form, state, item, ctx))  # type: ignore[arg-type]


async def _transition(form: Form, state: dict[str, object], item: object, ctx: FormContext) -> engine.Step:
    field = engine.current_field(form, state)
    if item is FITTING and field is not None:
        text = _fitting(field, state["answers"], ctx)  # type: ignore[arg-type]
        item = text if text is not None else 0
    if isinstance(item, str):
        return await engine.on_text(form, state, item, ctx)
    if field is None:
        return engine.Step(error="review")
    assert isinstance(item, int)
    options = field.options(state["answers"], ctx)
    if isinstance(field, MultiChoiceField):
        await engine.on_button(form, state, field.key, str(item % len(options)), ctx)
        return engine.on_multi_done(form, state, field.key)
    if options:
        return await engine.on_button(form, state, field.key, str(item % len(options)), ctx)
    if field.optional:
        return engine.on_skip(form, state, field.key)
    return engine.on_back(form, state, field.key)


def _dependents(form: Form, answers: dict[str, object]) -> set[str]:
    """Answers a changed answer may legitimately clear (its declared dependents)."""
    return {f.key for f in form.fields if f.depends_on}


@pytest.mark.parametrize("which", sorted(FORMS))
def test_fitting_answers_reach_the_review_screen(world: tuple[asyncio.AbstractEventLoop, Services],
                                                 which: str) -> None:
    """The walk the property test builds on: answers of the right shape get every form
    to its review, so random inputs exercise every question, not only the first."""
    loop, services = world
    form, extra = FORMS[which]
    ctx = FormContext(services=services, caller=Caller(3001, Role.TPK, SUKAWANA), today=START.date(), extra=extra)
    state = engine.new_state(form, ctx, extra)
    for _ in range(80):
        loop.run_until_complete(_act(form, state, FITTING, ctx))
        if state["pending"] is not None:
            engine.on_confirm(form, state, yes=not state["pending"]["blocking"])
        if state["current"] == engine.REVIEW:
            break
    assert state["current"] == engine.REVIEW, state
    assert engine.submittable(form, state) is not None
    if which == "sasaran_istri":
        assert {"lahir", "anak", "anak_terakhir"} <= set(state["auto"]), state
