"""A form, and what the engine knows about the member filling it in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.domain.regions import RegionTree, contains
from bot.domain.roles import Caller
from bot.services import Services
from conversations.forms.fields import Answers, Computed, Field
from storage.db import Transaction


@dataclass(frozen=True)
class FormContext:
    """Everything a field or a computed value may consult besides the answers."""

    services: Services
    caller: Caller
    today: date  # the member's local date, from the injectable clock
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the family a sasaran joins

    @property
    def regions(self) -> RegionTree:
        return self.services.regions

    @property
    def scope(self) -> str:
        return self.caller.scope or self.services.regions.root.code

    def in_scope(self, code: str) -> bool:
        return contains(self.scope, code)

    def region_listed(self, code: str) -> bool:
        """For NIK and No. KK checks: a province or kecamatan anywhere in Indonesia (NIKs travel)."""
        return code in self.services.kecamatan_codes or code in self.services.province_codes


@dataclass(frozen=True)
class Submitted:
    """What the member is told after "Kirim", with optional follow-up buttons, and
    which sasaran changed (their reminder plans are refreshed after the commit)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    sasaran_ids: tuple[int, ...] = ()


Submit = Callable[[Answers, FormContext, str, Transaction], Awaitable[Submitted]]
Existing = Callable[[str, FormContext], Awaitable[Submitted | None]]
AfterSubmit = Callable[[Submitted, FormContext, Any], Awaitable[None]]


@dataclass(frozen=True)
class Form:
    name: str  # stable id, stored with drafts
    title: str  # "Laporan keluarga"
    fields: Sequence[Field]
    submit: Submit  # runs inside the transaction that also deletes the draft
    already_submitted: Existing  # for a second "Kirim": find what the draft key created
    computed: Sequence[Computed] = ()
    initial: Callable[[FormContext], Answers] = lambda ctx: {}
    review_note: str = ""
    after_submit: AfterSubmit | None = None  # runs after the commit and the reminder-plan refresh
    #: Whom the record is about ("Siti Aminah — Ibu hamil, 23 minggu (Sukawana)"), said under the
    #: title of every question and of the review, so a visit is never recorded for the wrong person.
    subject: Callable[[FormContext], str | None] = lambda ctx: None

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def relevant_fields(self, answers: Answers) -> list[Field]:
        return [f for f in self.fields if f.relevant(answers)]
