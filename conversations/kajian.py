"""A pakar's review of one audit case: causes, a recommendation and a follow-up item (RTL).

Started from the case card (``bot.callbacks.REVIEW_FORM``) by an active pakar of the
case's open round, at the kajian stage. Several pakar review one case; a pakar's second review
replaces their causes and recommendation and adds another RTL item. An RTL item for the TPK becomes
a visit task in the case's TPK member's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks as cb
from bot.audit import callbacks as acb
from bot.audit import service
from bot.context import TpkContext
from bot.domain.audit_round import Stage
from bot.domain.roles import Role
from conversations.forms import runner
from conversations.forms.fields import Answers, ChoiceField, DateField, Invalid, MultiChoiceField, Option, TextField
from conversations.forms.model import Form, FormContext, Submitted
from storage import audit_kasus as store
from storage.db import Transaction

NOT_YOURS = "Kajian kasus ini tidak tersedia untuk Anda, atau tahap kajian sudah lewat."
OTHER = "lainnya"
CAUSES = (Option("asupan", "Asupan gizi kurang"), Option("asuh", "Pola asuh / pemberian makan"),
          Option("infeksi", "Penyakit infeksi berulang"), Option("sanitasi", "Air/sanitasi tidak layak"),
          Option("layanan", "Akses layanan kesehatan"), Option("ekonomi", "Ekonomi keluarga"),
          Option("pengetahuan", "Pengetahuan keluarga"), Option("kehamilan", "Kesehatan ibu saat hamil"),
          Option(OTHER, "Lainnya"))
FIXED_PARTIES = ("TPK", "Puskesmas", "Desa/kelurahan")


class PartyField(ChoiceField):
    """TPK, puskesmas, desa, or one of the OPD in ``[audit] opd``."""

    def options(self, answers: Answers, ctx: FormContext) -> Sequence[Option]:
        return [Option(name, name) for name in (*FIXED_PARTIES, *ctx.services.settings.audit.opd)]

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> Any:
        typed = text.strip().casefold()
        for option in self.options(answers, ctx):
            if typed and typed == option.label.casefold():
                return option.value
        raise Invalid("Silakan pilih salah satu tombol di bawah pertanyaan.")

    def show(self, value: Any, ctx: FormContext) -> str:
        return "–" if value is None else str(value)


FIELDS = [
    MultiChoiceField(key="penyebab", label="Penyebab", choices=CAUSES,
                     prompt="Apa penyebab masalah pada kasus ini? (boleh lebih dari satu)"),
    TextField(key="penyebab_lain", label="Penyebab lainnya", prompt="Tulis penyebab lainnya:", max_length=200,
              ask_if=lambda a: OTHER in (a.get("penyebab") or []), depends_on=("penyebab",)),
    TextField(key="rekomendasi", label="Rekomendasi", prompt="Apa rekomendasi Anda untuk kasus ini?",
              max_length=500),
    PartyField(key="pihak", label="Pihak RTL", choices=(), prompt="Siapa yang melaksanakan tindak lanjut (RTL)?"),
    TextField(key="tindakan", label="Tindak lanjut", prompt="Apa tindak lanjut yang harus dilakukan?",
              max_length=200, example="PMT 90 hari dan timbang tiap bulan"),
    DateField(key="tenggat", label="Tenggat", prompt="Sampai tanggal berapa tindak lanjut ini harus selesai?",
              earliest_days=0, latest_days=365, too_early="Tenggat tidak boleh di masa lalu.",
              too_late="Tenggat paling lama setahun dari sekarang."),
]


def _causes(answers: Answers) -> list[str]:
    labels = {o.value: o.label for o in CAUSES}
    chosen = [labels[c] for c in answers.get("penyebab") or [] if c != OTHER]
    if answers.get("penyebab_lain"):
        chosen.append(f"Lainnya: {answers['penyebab_lain']}")
    return chosen


async def _submit(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    case_id = int(ctx.extra["case_id"])
    due = date.fromisoformat(answers["tenggat"])
    saved = await store.save_review(tx, case_id=case_id, pakar_id=ctx.caller.user_id, causes=_causes(answers),
                                    recommendation=answers["rekomendasi"],
                                    rtl=(answers["pihak"], answers["tindakan"], due), now=ctx.services.clock.now())
    if not saved:
        return Submitted(text=NOT_YOURS)
    return Submitted(text=f"✅ Kajian kasus no. {ctx.extra['number']} tersimpan. Terima kasih.")


async def _already(key: str, ctx: FormContext) -> Submitted | None:
    return None  # a second review replaces the first; its RTL item is another one


async def _queue_task(result: Submitted, ctx: FormContext, context: Any) -> None:
    """After the commit: the pakar's newest RTL item on this case, when it is for the TPK, becomes
    a visit task in the case's TPK member's list."""
    case = await store.case(ctx.services.db, int(ctx.extra["case_id"]))
    if case is None:
        return
    item = await store.latest_rtl(ctx.services.db, case_id=case.id, pakar_id=ctx.caller.user_id)
    if item is not None and item.party == "TPK":
        await service.queue_rtl_visit(ctx.services, case, item.action, item.due_on)


KAJIAN = runner.register_form(Form(name="audit_kajian", title="Kajian tim pakar", fields=FIELDS,
                                   submit=_submit, already_submitted=_already, after_submit=_queue_task))


async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    case_id = acb.parse_review_form(query.data)
    services, caller = context.services, context.caller
    case = await store.case(services.db, case_id) if case_id is not None and caller.role is Role.PAKAR else None
    round_ = await service.round_of_case(services, caller, case) if case is not None else None
    if case is None or round_ is None or round_.stage is not Stage.KAJIAN or case.status == "batal":
        await query.answer(NOT_YOURS, show_alert=True)
        return
    await query.answer()
    await runner.start(update, context, KAJIAN, {"case_id": case.id, "number": case.number})


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.REVIEW_FORM.pattern))
