"""Correcting a registered sasaran after submit: the reporter, or a coordinator/admin
whose scope holds it, opens the same questions pre-filled and lands on the review
screen. Measurements are not edited here; a new visit records new ones.
Buttons: ``bot.callbacks.EditSasaran`` and ``EditKeluarga``.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks as cb
from bot import texts
from bot.access import allowed, may_edit
from bot.commands import MANAGERS, MEMBERS
from bot.context import TpkContext
from bot.lapor_fields import FAMILY_FIELDS, SASARAN_FIELDS, new_keluarga, new_sasaran
from bot.reporting import reassess
from conversations.forms import runner
from conversations.forms.fields import Answers, Computed, Invalid, NikField
from conversations.forms.model import Form, FormContext, Submitted
from conversations.lapor import SASARAN_COMPUTED, family_risks_preview, family_status
from storage import keluarga as store
from storage.db import Transaction
from storage.keluarga import Keluarga, Sasaran

MEASUREMENTS = frozenset({"tinggi", "berat", "cara_ukur", "lila", "hb"})
EDIT_FIELDS = [f for f in SASARAN_FIELDS if f.key not in MEASUREMENTS]


def answers_of(sasaran: Sasaran, identity: dict[str, Any]) -> Answers:
    """The form's answers for a stored record. A pregnancy dated by weeks or months at
    registration is shown by its HPHT, so editing never shifts it to today."""
    answers: Answers = {k: v for k, v in sasaran.answers.items() if k not in MEASUREMENTS}
    answers.update(kategori=sasaran.category, nama=sasaran.name)
    nik = identity.get("nik")
    if sasaran.category in ("baduta", "balita"):
        answers["nik_anak"] = nik
        answers["jk"] = sasaran.sex
    else:
        answers["nik"] = nik or NikField.NONE
        if sasaran.category == "catin":
            answers["jk"] = sasaran.sex
    if sasaran.birth_date:
        answers["lahir"] = sasaran.birth_date.isoformat()
    if sasaran.category in ("ibu_hamil", "ibu_nifas"):
        answers["hp"] = identity.get("phone")
    if sasaran.category == "ibu_hamil":
        for stale in ("minggu", "bulan", "hpl"):
            answers.pop(stale, None)
        answers["cara_hamil"] = "hpht" if sasaran.hpht else "tidak_tahu"
        if sasaran.hpht:
            answers["hpht"] = sasaran.hpht.isoformat()
    if sasaran.delivery_date:
        answers["persalinan"] = sasaran.delivery_date.isoformat()
    return answers


async def _submit(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    sasaran_id = int(ctx.extra["sasaran_id"])
    row = await store.sasaran_in_tx(tx, sasaran_id)
    if row is None or not ctx.in_scope(row.region_code):
        raise Invalid("Sasaran ini tidak ditemukan di wilayah Anda.")
    data = new_sasaran(answers, ctx.today)
    services = ctx.services
    await store.correct_sasaran(tx, services.cipher, sasaran_id, data, actor_id=ctx.caller.user_id,
                                now=services.clock.now())
    await reassess(tx, row.keluarga_id, today=ctx.today, thresholds=services.settings.klinis,
                   boundaries=services.settings.trimester.boundaries)
    return Submitted(text=f"✅ Data <b>{html.escape(data.name)}</b> diperbarui.", sasaran_ids=(sasaran_id,))


async def _never(key: str, ctx: FormContext) -> Submitted | None:
    return None  # a correction applied twice changes nothing


UBAH = runner.register_form(Form(
    name="ubah_sasaran", title="Perbaikan data sasaran", fields=EDIT_FIELDS, submit=_submit,
    already_submitted=_never, initial=lambda ctx: dict(ctx.extra["answers"]),
    computed=[c for c in SASARAN_COMPUTED if c.label in ("Usia", "Kehamilan")],  # measurements are not here
    review_note="Ukuran badan tidak diubah di sini: catat kunjungan baru untuk ukuran terbaru.",
))


def family_answers(keluarga: Keluarga, no_kk: str | None) -> Answers:
    """A stored family as the form's answers. A None is a skipped optional question;
    for a required one it means "not asked" (e.g. no PUS), so it is left unanswered."""
    answers: Answers = dict(keluarga.answers)
    answers.update(wilayah=keluarga.region_code, rt=int(keluarga.rt) if keluarga.rt else None,
                   rw=int(keluarga.rw) if keluarga.rw else None, alamat=keluarga.address, kepala=keluarga.head_name,
                   no_kk=no_kk, air=keluarga.water_source, jamban=keluarga.latrine)
    optional = {f.key for f in FAMILY_FIELDS if f.optional}
    return {k: v for k, v in answers.items() if v is not None or k in optional}


async def _submit_family(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    keluarga_id = int(ctx.extra["keluarga_id"])
    row = await store.keluarga_in_tx(tx, keluarga_id)
    if row is None or not ctx.in_scope(row.region_code) or not ctx.in_scope(answers["wilayah"]):
        raise Invalid("Keluarga ini tidak ditemukan di wilayah Anda.")
    services = ctx.services
    data = new_keluarga(answers)
    await store.correct_keluarga(tx, services.cipher, keluarga_id, data, actor_id=ctx.caller.user_id,
                                 now=services.clock.now())
    assessment = await reassess(tx, keluarga_id, today=ctx.today, thresholds=services.settings.klinis,
                                boundaries=services.settings.trimester.boundaries)
    members = await store.member_ids_in_tx(tx, keluarga_id)
    return Submitted(text=f"✅ Data keluarga <b>{html.escape(data.head_name)}</b> diperbarui.\n"
                          f"Status: {family_status(assessment)}.", sasaran_ids=tuple(members))


UBAH_KELUARGA = runner.register_form(Form(
    name="ubah_keluarga", title="Perbaikan data keluarga", fields=FAMILY_FIELDS, submit=_submit_family,
    already_submitted=_never, initial=lambda ctx: dict(ctx.extra["answers"]),
    computed=[Computed("Faktor risiko keluarga", family_risks_preview)],
))


async def on_family_button(update: Update, context: TpkContext) -> None:
    """``EditKeluarga``: correct a family (its reporter, or a coordinator in scope)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.UBAH_KELUARGA.parse(query.data)
    keluarga = None
    scope = context.caller.scope or context.services.regions.root.code
    if allowed(context, MEMBERS) and press is not None:
        keluarga = await store.get_keluarga(context.services.db, scope, press.keluarga_id)
    if keluarga is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if context.caller.user_id != keluarga.reporter_id and not allowed(context, MANAGERS):
        await query.answer("Data ini hanya bisa diubah oleh pelapornya atau koordinator.", show_alert=True)
        return
    await query.answer()
    no_kk = await store.kk_for_edit(context.services.db, context.services.cipher, scope, keluarga.id)
    await runner.start(update, context, UBAH_KELUARGA, {"keluarga_id": keluarga.id,
                                                        "answers": family_answers(keluarga, no_kk)})


async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.UBAH.parse(query.data)
    sasaran = identity = None
    if allowed(context, MEMBERS) and press is not None:
        scope = context.caller.scope or context.services.regions.root.code
        sasaran = await store.get_sasaran(context.services.db, scope, press.sasaran_id)
        if sasaran is not None:
            identity = await store.identity_for_edit(context.services.db, context.services.cipher, scope, sasaran.id)
    if sasaran is None or identity is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if not may_edit(context, sasaran):
        await query.answer("Data ini hanya bisa diubah oleh pelapornya atau koordinator.", show_alert=True)
        return
    await query.answer()
    await runner.start(update, context, UBAH, {"sasaran_id": sasaran.id, "keluarga_id": sasaran.keluarga_id,
                                               "answers": answers_of(sasaran, identity)})


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.UBAH.pattern))
    app.add_handler(CallbackQueryHandler(on_family_button, pattern=cb.UBAH_KELUARGA.pattern))
