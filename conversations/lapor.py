"""/lapor: register a family (keluarga) and then its target members (sasaran).

Two forms run one after the other: the family first (saved on its own, so a weak
signal never costs the whole report), then one sasaran form per member, offered
with a button per category after each save. Risk factors are recomputed from the
stored records after every save (:func:`bot.reporting.reassess`).
"""

from __future__ import annotations

import asyncio
import html
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.age import age_in_years, age_label
from bot.domain.anthropometry import imt, imt_category, is_kek, is_short_mother
from bot.domain.pregnancy import (
    gestational_age,
    hpl_from_hpht,
)
from bot.domain.regions import Level, level_of
from bot.domain.risk import (
    IstriPus,
    Jamban,
    KeluargaFacts,
    MetodeKb,
    SasaranFacts,
    SasaranKind,
    SumberAirMinum,
    birth_flags,
    family_factors,
    member_flags,
)
from bot.domain.roles import Role
from bot.formatting import long_date
from bot.labels import growth_abbreviations, growth_summary, under_two
from bot.lapor_fields import (
    FAMILY_FIELDS,
    SASARAN_FIELDS,
    child_growth_now,
    day_of,
    hpht_from,
    new_keluarga,
    new_sasaran,
)
from bot.next_steps import next_steps
from bot.reporting import reassess
from conversations import options as opt
from conversations.forms import runner
from conversations.forms.fields import (
    Answers,
    Computed,
    Invalid,
)
from conversations.forms.model import Form, FormContext, Submitted
from conversations.parsers import format_decimal
from storage import keluarga as store
from storage.db import Transaction
from storage.keluarga import Measurement


def _family_initial(ctx: FormContext) -> Answers:
    """A TPK member reports in their own kelurahan/desa: no need to ask."""
    if ctx.caller.scope and level_of(ctx.caller.scope) is Level.DESAKEL:
        return {"wilayah": ctx.caller.scope}
    return {}


def _istri(answers: Answers) -> IstriPus | None:
    born = day_of(answers, "istri_lahir")
    if not answers.get("pus") or born is None or answers.get("anak") is None:
        return None
    kb = answers.get("kb")
    return IstriPus(birth_date=born, children=int(answers["anak"]), last_birth_date=day_of(answers, "anak_terakhir"),
                    kb_method=MetodeKb(kb) if kb else None, pregnant=bool(answers.get("hamil")))


def family_risks_preview(answers: Answers, ctx: FormContext) -> str | None:
    if "air" not in answers or "jamban" not in answers:
        return None
    facts = KeluargaFacts(SumberAirMinum(answers["air"]), Jamban(answers["jamban"]), _istri(answers))
    factors = family_factors(facts, ctx.today, ctx.services.settings.klinis)
    if not factors:
        return "tidak ada faktor risiko keluarga"
    return "; ".join(f.reason.rstrip(".") for f in factors)


def family_status(assessment: Any) -> str:
    if not assessment.family_factors:
        return "belum ada faktor risiko keluarga"
    return "⚠️ <b>berisiko stunting</b>: " + "; ".join(html.escape(f.reason.rstrip(".")) for f in
                                                      assessment.family_factors)


async def _submit_family(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    data = new_keluarga(answers)
    services = ctx.services
    keluarga_id = await store.create_keluarga(tx, services.cipher, data, reporter_id=ctx.caller.user_id,
                                              draft_key=key, now=services.clock.now())
    assessment = await reassess(tx, keluarga_id, today=ctx.today, thresholds=services.settings.klinis,
                                boundaries=services.settings.trimester.boundaries)
    return Submitted(
        text=(f"✅ Keluarga <b>{html.escape(data.head_name)}</b> tersimpan (RT {data.rt}/RW {data.rw}, "
              f"{html.escape(ctx.regions.label(data.region_code))}).\nStatus: {family_status(assessment)}.\n\n"
              "Sekarang tambahkan anggota sasaran keluarga ini:"),
        buttons=_add_member_buttons(keluarga_id),
    )


def _add_member_buttons(keluarga_id: int) -> tuple[tuple[str, str], ...]:
    return (*((f"➕ {label}", cb.data(cb.ReportAdd(keluarga_id, kind.value)))
              for kind, label in opt.CATEGORY_LABELS.items()),
            ("Selesai", cb.data(cb.ReportDone(keluarga_id))))


async def _family_done(key: str, ctx: FormContext) -> Submitted | None:
    found = await store.keluarga_by_draft(ctx.services.db, key)
    return Submitted(text="Laporan keluarga ini sudah terkirim.") if found else None


KELUARGA = runner.register_form(Form(
    name="keluarga", title="Laporan keluarga", fields=FAMILY_FIELDS, submit=_submit_family,
    already_submitted=_family_done, initial=_family_initial,
    computed=[Computed("Faktor risiko keluarga", family_risks_preview)],
))


def _measured(answers: Answers) -> Measurement:
    lying = {"lying": True, "standing": False}.get(answers.get("cara_ukur") or "")
    return Measurement(visited_on=date.min, weight_kg=answers.get("berat"), height_cm=answers.get("tinggi"),
                       measured_lying=lying, lila_cm=answers.get("lila"), hb=answers.get("hb"))


def _pregnancy_summary(answers: Answers, ctx: FormContext) -> str | None:
    if answers.get("kategori") != "ibu_hamil":
        return None
    hpht = hpht_from(answers, ctx.today)
    if hpht is None:
        return "usia kehamilan belum diketahui — mohon dipastikan saat kunjungan" if answers.get("cara_hamil") else None
    age = gestational_age(hpht, ctx.today)
    trimester = ctx.services.settings.trimester.boundaries.trimester(age.weeks)
    return f"HPL {long_date(hpl_from_hpht(hpht))}; usia kehamilan {age.label()} (trimester {trimester})"


def _age(answers: Answers, ctx: FormContext) -> str | None:
    born = day_of(answers, "lahir")
    return age_label(born, ctx.today) if born else None


def _imt(answers: Answers, ctx: FormContext) -> str | None:
    if answers.get("kategori") not in ("catin", "ibu_hamil") or not answers.get("berat") or not answers.get("tinggi"):
        return None
    value = imt(answers["berat"], answers["tinggi"])
    return f"{format_decimal(value)} ({imt_category(value, ctx.services.settings.klinis.imt).label})"


def too_young(answers: Answers, ctx: FormContext) -> str | None:
    """"usia 19 tahun: terlalu muda untuk hamil (di bawah 20 tahun)" for a pregnant woman under the
    configured age: her own review and saved message say it, not only the family's risks."""
    born, rules = day_of(answers, "lahir"), ctx.services.settings.klinis.terlalu
    if answers.get("kategori") != "ibu_hamil" or born is None or born > ctx.today:
        return None
    age = age_in_years(born, ctx.today)
    if not rules.is_muda(age):
        return None
    return f"usia {age} tahun: terlalu muda untuk hamil (di bawah {rules.muda_below_age} tahun)"


def _mother_flags(answers: Answers, ctx: FormContext) -> str | None:
    thresholds = ctx.services.settings.klinis
    flags = [young] if (young := too_young(answers, ctx)) else []
    if answers.get("lila") is not None and is_kek(answers["lila"], thresholds):
        cutoff_lila = format_decimal(thresholds.lila_kek_below_cm)
        flags.append(f"KEK (LiLA {format_decimal(answers['lila'])} cm < {cutoff_lila})")
    hb = answers.get("hb")
    if hb is not None:
        if answers.get("kategori") == "ibu_hamil":
            hpht = hpht_from(answers, ctx.today)
            trimester = (ctx.services.settings.trimester.boundaries.trimester(gestational_age(hpht, ctx.today).weeks)
                         if hpht else None)
            cutoff = thresholds.hb_hamil_cutoff(trimester)
        else:
            cutoff = thresholds.hb_catin_below_g_dl
        if hb < cutoff:
            flags.append(f"anemia (Hb {format_decimal(hb)} < {format_decimal(cutoff)} g/dL)")
    if answers.get("tinggi") is not None and answers.get("kategori") in opt.MOTHERS | {"catin"} \
            and is_short_mother(answers["tinggi"], thresholds):
        flags.append(f"tinggi badan < {format_decimal(thresholds.tinggi_ibu_below_cm)} cm")
    if answers.get("kategori") not in opt.ADULTS:
        return None
    return "; ".join(flags) if flags else "tidak ada"


def _young(answers: Answers, ctx: FormContext) -> bool:
    born = day_of(answers, "lahir")
    return born is not None and under_two(born, ctx.today)


def _growth(answers: Answers, ctx: FormContext) -> str | None:
    return growth_summary(child_growth_now(answers, ctx), _young(answers, ctx))


def _growth_words(answers: Answers, ctx: FormContext) -> str | None:
    return growth_abbreviations(_young(answers, ctx)) if child_growth_now(answers, ctx) is not None else None


def _answer_facts(answers: Answers, ctx: FormContext) -> SasaranFacts | None:
    """The member as answered so far, for the same flags ``reassess`` will store."""
    category = answers.get("kategori")
    if category not in opt.CATEGORY_LABELS_BY_VALUE:
        return None
    hpht = hpht_from(answers, ctx.today) if category == "ibu_hamil" else None
    trimester = ctx.services.settings.trimester.boundaries.trimester(gestational_age(hpht, ctx.today).weeks) \
        if hpht else None
    return SasaranFacts(
        ref="baru", kind=SasaranKind(category), sex="P" if category in opt.MOTHERS else answers.get("jk"),
        height_cm=answers.get("tinggi"), weight_kg=answers.get("berat"), lila_cm=answers.get("lila"),
        hb_g_dl=answers.get("hb"), trimester=trimester, growth=child_growth_now(answers, ctx),
        birth_weight_kg=answers.get("berat_lahir"), birth_length_cm=answers.get("panjang_lahir"))


def _at_birth(answers: Answers, ctx: FormContext) -> str | None:
    facts = _answer_facts(answers, ctx)
    if facts is None or answers.get("kategori") not in opt.CHILDREN:
        return None
    if answers.get("berat_lahir") is None and answers.get("panjang_lahir") is None:
        return None
    flags = birth_flags(facts, ctx.services.settings.klinis)
    return "; ".join(f.reason.rstrip(".") for f in flags) if flags else "normal"


def _follow_up(answers: Answers, ctx: FormContext) -> str | None:
    facts = _answer_facts(answers, ctx)
    if facts is None:
        return None
    lines = next_steps(f.code.value for f in member_flags(facts, ctx.services.settings.klinis))
    return "\n" + "\n".join(f"– {line}" for line in lines) if lines else None


SASARAN_COMPUTED = [
    Computed("Usia", _age),
    Computed("Kehamilan", _pregnancy_summary),
    Computed("IMT", _imt),
    Computed("Tanda risiko", _mother_flags),
    Computed("Status gizi", _growth),
    Computed("Singkatan", _growth_words),
    Computed("Saat lahir", _at_birth),
    Computed("Tindak lanjut", _follow_up),
]


def _sasaran_initial(ctx: FormContext) -> Answers:
    category = ctx.extra.get("kategori")
    return {"kategori": category} if category in opt.CATEGORY_LABELS_BY_VALUE else {}


def measurement_for(answers: Answers, ctx: FormContext) -> Measurement:
    base = _measured(answers)
    growth = child_growth_now(answers, ctx)
    values = dict(base.__dict__, visited_on=ctx.today)
    if growth is not None:
        values.update(haz=growth.haz, waz=growth.waz, whz=growth.whz, stunted=growth.stunted, wasted=growth.wasted,
                      underweight=growth.underweight)
    return Measurement(**values)


async def _submit_sasaran(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    services = ctx.services
    keluarga_id = int(ctx.extra["keluarga_id"])
    keluarga = await store.keluarga_in_tx(tx, keluarga_id)
    if keluarga is None or not ctx.in_scope(keluarga.region_code):
        raise Invalid("Keluarga ini tidak ditemukan di wilayah Anda.")
    data = new_sasaran(answers, ctx.today)
    now = services.clock.now()
    sasaran_id = await store.add_sasaran(tx, services.cipher, keluarga_id, data, reporter_id=ctx.caller.user_id,
                                         now=now)
    await store.add_kunjungan(tx, sasaran_id=sasaran_id, reporter_id=ctx.caller.user_id, kind="pendaftaran",
                              measurement=measurement_for(answers, ctx), answers={}, draft_key=key, now=now)
    assessment = await reassess(tx, keluarga_id, today=ctx.today, thresholds=services.settings.klinis,
                                boundaries=services.settings.trimester.boundaries)
    flags = [f.reason.rstrip(".") for f in assessment.member_flags if f.member_ref == str(sasaran_id)]
    if (young := too_young(answers, ctx)) is not None:
        flags.insert(0, young[:1].upper() + young[1:])
    lines = [f"✅ <b>{html.escape(data.name)}</b> tersimpan sebagai {opt.CATEGORY_LABELS_BY_VALUE[data.category]}."]
    if flags:
        lines.append("⚠️ Perlu perhatian: " + html.escape("; ".join(flags)) + ".")
        steps = next_steps(f.code.value for f in assessment.member_flags if f.member_ref == str(sasaran_id))
        lines.extend(f"– {html.escape(step)}" for step in steps)
    if assessment.is_berisiko:
        lines.append("Status keluarga: berisiko stunting.")
    elif flags:
        lines.append(f"Status keluarga: belum termasuk keluarga berisiko stunting (KRS) menurut kriteria BKKBN — "
                     f"tetapi {html.escape(data.name)} tetap perlu perhatian, lihat di atas.")
    else:
        lines.append("Status keluarga: belum berisiko stunting (bukan KRS menurut kriteria BKKBN).")
    buttons = [("➕ Tambah sasaran lain", cb.data(cb.ReportMore(keluarga_id))),
               ("Selesai", cb.data(cb.ReportDone(keluarga_id)))]
    if data.category in opt.MOTHERS:
        buttons.insert(0, ("📲 Buat undangan pengingat untuk ibu", cb.data(cb.MotherInvite(sasaran_id))))
    return Submitted(text="\n".join(lines), buttons=tuple(buttons), sasaran_ids=(sasaran_id,))


async def _sasaran_done(key: str, ctx: FormContext) -> Submitted | None:
    found = await store.kunjungan_by_draft(ctx.services.db, key)
    return Submitted(text="Data sasaran ini sudah terkirim.") if found else None


SASARAN = runner.register_form(Form(
    name="sasaran", title="Data sasaran", fields=SASARAN_FIELDS, submit=_submit_sasaran,
    already_submitted=_sasaran_done, initial=_sasaran_initial, computed=SASARAN_COMPUTED,
))


@for_command("lapor")
async def lapor(update: Update, context: TpkContext) -> None:
    await runner.start(update, context, KELUARGA)


@for_command("lapor")
async def on_button(update: Update, context: TpkContext) -> None:
    """``bot.callbacks.LAPOR``: add a member of a category, offer the categories again, or finish."""
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.LAPOR.parse(query.data)
    if press is None or (isinstance(press, cb.ReportAdd) and press.kategori not in opt.CATEGORY_LABELS_BY_VALUE):
        await cb.refuse(query, context)
        return
    scope = context.caller.scope or context.services.regions.root.code
    keluarga = await store.get_keluarga(context.services.db, scope, press.keluarga_id)
    if keluarga is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    # The press is acknowledged while its buttons are removed: one round trip to Telegram, not two.
    await asyncio.gather(query.answer(), query.edit_message_reply_markup(None))
    if isinstance(press, cb.ReportDone):
        await context.bot.send_message(query.message.chat.id, "Terima kasih! Laporan keluarga selesai. "  # type: ignore[union-attr]
                                       "Ketik /keluarga untuk melihat daftar keluarga Anda.")
    elif isinstance(press, cb.ReportMore):
        await context.bot.send_message(
            query.message.chat.id,  # type: ignore[union-attr]
            f"Tambah sasaran untuk keluarga <b>{html.escape(keluarga.head_name)}</b>:",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]
                                               for label, data in _add_member_buttons(keluarga.id)]))
    else:
        known = {k: keluarga.answers.get(k) for k in ("istri_lahir", "anak", "anak_terakhir")
                 if keluarga.answers.get(k) is not None}
        await runner.start(update, context, SASARAN,
                           {"keluarga_id": keluarga.id, "kategori": press.kategori, "keluarga": known})


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("lapor", lapor))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.LAPOR.pattern))


__all__ = ["KELUARGA", "SASARAN", "Role", "register"]
