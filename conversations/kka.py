"""The TPK member's part of a Kertas Kerja Audit: what the bot cannot know without a home visit.

Started from the task notice or ``/audit`` (``bot.callbacks.KKA_FORM``); a form like
every other, with drafts, review and one submit. Only the case's own TPK member, while the round is
open, may fill it in (re-checked at start and inside the submit's transaction).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks as cb
from bot.audit import callbacks as acb
from bot.audit import kka as document
from bot.context import TpkContext
from conversations.forms import runner
from conversations.forms.fields import Answers, MultiChoiceField, Option, TextField
from conversations.forms.model import Form, FormContext, Submitted
from storage import audit_kasus as store
from storage.db import Transaction

NOT_YOURS = "KKA ini bukan untuk Anda, atau putaran auditnya sudah ditutup."
INTERVENTIONS = (Option("pmt", "PMT (makanan tambahan)"), Option("ttd", "Tablet tambah darah"),
                 Option("imunisasi", "Imunisasi"), Option("rujukan", "Rujukan ke puskesmas/RS"),
                 Option("bansos", "Bantuan sosial"), Option("jamban", "Bantuan jamban/air bersih"),
                 Option("konseling", "Konseling gizi"))

FIELDS = [
    TextField(key="pekerjaan", label=document.TPK_FIELDS["pekerjaan"], max_length=100, example="buruh harian",
              prompt="Apa pekerjaan kepala keluarga dan ibu?"),
    TextField(key="pola_makan", label=document.TPK_FIELDS["pola_makan"], max_length=300,
              prompt="Bagaimana pola makan / pemberian makan di rumah (ASI, MP-ASI, lauk, frekuensi)?"),
    TextField(key="riwayat_sakit", label=document.TPK_FIELDS["riwayat_sakit"], max_length=300,
              prompt="Riwayat penyakit (diare, ISPA, TBC, cacingan, …)? Tulis «tidak ada» bila tidak ada."),
    MultiChoiceField(key="intervensi", label=document.TPK_FIELDS["intervensi"], choices=INTERVENTIONS,
                     prompt="Intervensi apa saja yang sudah diterima?"),
    TextField(key="temuan", label=document.TPK_FIELDS["temuan"], max_length=500,
              prompt="Apa temuan Anda saat kunjungan rumah?"),
]


def _stored(answers: Answers) -> dict[str, Any]:
    chosen = answers.get("intervensi") or []
    labels = ", ".join(o.label for o in INTERVENTIONS if o.value in chosen) or "belum ada"
    return {**{k: answers[k] for k in ("pekerjaan", "pola_makan", "riwayat_sakit", "temuan")}, "intervensi": labels}


async def _submit(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    case_id = int(ctx.extra["case_id"])
    saved = await store.save_kka(tx, case_id=case_id, tpk_id=ctx.caller.user_id, fields=_stored(answers),
                                 now=ctx.services.clock.now())
    if not saved:
        return Submitted(text=NOT_YOURS)
    return Submitted(text=f"✅ KKA kasus no. {ctx.extra['number']} tersimpan. Terima kasih atas kunjungannya.")


async def _already(key: str, ctx: FormContext) -> Submitted | None:
    return None  # the KKA is replaced by a second submit, never duplicated


KKA = runner.register_form(Form(name="audit_kka", title="Kertas Kerja Audit", fields=FIELDS, submit=_submit,
                                already_submitted=_already))


async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    case_id = acb.parse_kka_form(query.data)
    case = None
    if case_id is not None:
        case = next((c for c in await store.cases_of_tpk(context.services.db, context.caller.user_id)
                     if c.id == case_id), None)
    if case is None:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    await query.answer()
    await runner.start(update, context, KKA, {"case_id": case.id, "number": case.number})


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.KKA_FORM.pattern))
