"""/kunjungan: a follow-up visit to a registered sasaran.

The sasaran is chosen first (by name within scope, from the member's own list, or
from a button elsewhere: ``bot.callbacks.VisitNew``); its category decides the
questions. A visit to a pregnant woman may record a birth — she becomes ibu nifas
and the baby a new baduta — or, handled gently, a pregnancy loss.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import reads, reminders, texts
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.anthropometry import format_decimal
from bot.domain.growth import GrowthAssessment, Position, assess_growth_on
from bot.domain.kms import MonthlyReading, Weighing, is_2t, kms_readings, monthly_weighings, referral_reasons
from bot.domain.pregnancy import gestational_age, hpht_from_hpl
from bot.domain.risk import SasaranFacts, SasaranKind, birth_flags, member_flags
from bot.labels import fit_button, growth_abbreviations, growth_summary, sasaran_label, under_two
from bot.next_steps import next_steps
from bot.reminders.planning import visit_markup
from bot.reminders.texts import initial
from bot.reporting import child_weighings, reassess
from conversations import options as opt
from conversations.forms import runner
from conversations.forms.fields import (
    Answers,
    BirthWeightField,
    ChoiceField,
    Computed,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    Invalid,
    MultiChoiceField,
    Notice,
    Option,
    TextField,
    YesNoField,
)
from conversations.forms.model import Form, FormContext, Submitted
from conversations.growth_text import recheck_notice
from storage import keluarga as store
from storage import notices
from storage.access_log import Read
from storage.db import Transaction
from storage.keluarga import Measurement, NewSasaran, Sasaran

#: Weighings kept in the draft for the review's KMS reading (2T needs the two before).
KMS_LOOKBACK = 3

OUTCOMES = (Option("hamil", "Masih hamil"), Option("lahir", "Sudah melahirkan"),
            Option("keguguran", "Kehamilan berakhir / keguguran"))
DANGER_SIGNS = (Option("perdarahan", "Perdarahan"), Option("bengkak", "Bengkak kaki/tangan/wajah"),
                Option("pusing", "Sakit kepala hebat"), Option("demam", "Demam tinggi"),
                Option("gerak", "Gerak janin berkurang"), Option("ketuban", "Keluar air ketuban"))
NIFAS_SIGNS = (Option("perdarahan", "Perdarahan banyak"), Option("demam", "Demam"),
               Option("payudara", "Payudara bengkak/nyeri"), Option("sedih", "Sangat sedih / murung"))


def _cat(*categories: str) -> Any:
    wanted = frozenset(categories)
    return lambda a: a.get("kategori") in wanted


def _pregnant_and(outcome: str) -> Any:
    return lambda a: a.get("kategori") == "ibu_hamil" and a.get("hasil") == outcome


STILL_PREGNANT = _pregnant_and("hamil")
BORN = _pregnant_and("lahir")
LOST = _pregnant_and("keguguran")
CHILD = _cat("baduta", "balita")


def _day(answers: Answers, key: str) -> date | None:
    value = answers.get(key)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _visit_growth(answers: Answers, ctx: FormContext) -> Any:
    sex, born = ctx.extra.get("jk"), ctx.extra.get("lahir")
    visited = _day(answers, "tanggal")
    if answers.get("kategori") not in opt.CHILDREN or sex not in ("L", "P") or not born or visited is None:
        return None
    if answers.get("berat") is None and answers.get("tinggi") is None:
        return None
    position = {"lying": Position.LYING, "standing": Position.STANDING}.get(answers.get("cara_ukur") or "")
    return assess_growth_on(sex, date.fromisoformat(born), visited, answers.get("berat"), answers.get("tinggi"),
                            position)


async def _growth_plausible(value: str, answers: Answers, ctx: FormContext) -> Notice | None:
    return recheck_notice(_visit_growth({**answers, "cara_ukur": value}, ctx))


VISIT_FIELDS: list[Field] = [
    DateField(key="tanggal", label="Tanggal kunjungan", prompt="Tanggal kunjungan?", earliest_days=-30,
              latest_days=0, today_button=True,
              too_early="Kunjungan lebih dari 30 hari lalu tidak bisa dicatat di sini.",
              too_late="Tanggal kunjungan tidak boleh di masa depan."),
    ChoiceField(key="hasil", label="Keadaan", prompt="Bagaimana keadaan kehamilan ibu?", choices=OUTCOMES,
                ask_if=_cat("ibu_hamil")),
    # still pregnant
    DecimalField(key="berat", label="Berat badan", prompt="Berat badan sekarang (kg)?", min_value=1, max_value=200,
                 unit="kg", example="55,5",
                 ask_if=lambda a: a.get("kategori") in ("catin", "baduta", "balita", "ibu_nifas")
                 or (a.get("kategori") == "ibu_hamil" and a.get("hasil") == "hamil"), depends_on=("hasil",)),
    DecimalField(key="tinggi", label="Tinggi/panjang", prompt="Tinggi atau panjang badan sekarang (cm)?",
                 min_value=40, max_value=130, unit="cm", example="85,5", ask_if=CHILD),
    ChoiceField(key="cara_ukur", label="Cara ukur", prompt="Anak diukur dengan cara apa?", choices=opt.POSITION,
                ask_if=CHILD, depends_on=("tinggi", "berat", "tanggal"), check=_growth_plausible),
    DecimalField(key="lila", label="LiLA", prompt="Lingkar lengan atas (LiLA), cm?", min_value=10, max_value=50,
                 optional=True, missing="belum diukur", help="Lewati bila LiLA belum diukur.",
                 unit="cm", example="24,5", ask_if=lambda a: a.get("kategori") == "catin" or STILL_PREGNANT(a),
                 depends_on=("hasil",)),
    DecimalField(key="hb", label="Hb", prompt="Kadar Hb (g/dL), bila diperiksa?", optional=True, min_value=3,
                 max_value=20, unit="g/dL", example="11,5",
                 ask_if=lambda a: a.get("kategori") == "catin" or STILL_PREGNANT(a), depends_on=("hasil",)),
    IntegerField(key="ttd", label="TTD sejak kunjungan lalu", prompt="Berapa tablet tambah darah (TTD) diminum "
                 "sejak kunjungan terakhir?", min_value=0, max_value=200, words=("tablet",), example="30",
                 ask_if=STILL_PREGNANT, depends_on=("hasil",)),
    MultiChoiceField(key="bahaya", label="Tanda bahaya", prompt="Adakah tanda bahaya kehamilan?",
                     choices=DANGER_SIGNS, ask_if=STILL_PREGNANT, depends_on=("hasil",)),
    YesNoField(key="anc", label="Periksa kehamilan (ANC)", prompt="Apakah ibu sudah periksa kehamilan ke "
               "bidan/puskesmas sejak kunjungan terakhir?", ask_if=STILL_PREGNANT, depends_on=("hasil",)),
    DateField(key="hpl_baru", label="HPL terbaru", prompt="HPL menurut pemeriksaan terakhir, bila berbeda dari "
              "catatan?", optional=True, ask_if=STILL_PREGNANT, depends_on=("hasil",), earliest_days=-28,
              latest_days=280, help="Lewati bila sama."),
    # birth
    DateField(key="lahir_tgl", label="Tanggal persalinan", prompt="Tanggal persalinan?", ask_if=BORN,
              depends_on=("hasil",), earliest_days=-42, latest_days=0,
              too_early="Persalinan lebih dari 42 hari lalu — ibu sudah lewat masa nifas.",
              too_late="Tanggal persalinan tidak boleh di masa depan."),
    ChoiceField(key="tempat", label="Tempat bersalin", prompt="Di mana ibu bersalin?", choices=opt.BIRTH_PLACE,
                ask_if=BORN, depends_on=("hasil",)),
    ChoiceField(key="penolong", label="Penolong", prompt="Siapa yang menolong persalinan?",
                choices=opt.BIRTH_HELPER, ask_if=BORN, depends_on=("hasil",)),
    TextField(key="bayi_nama", label="Nama bayi", prompt="Nama bayi? (boleh «Bayi Ny. …» bila belum diberi nama)",
              min_length=2, max_length=80, emoji=False, example="Bayi Ny. Siti", ask_if=BORN, depends_on=("hasil",)),
    ChoiceField(key="bayi_jk", label="Jenis kelamin bayi", prompt="Jenis kelamin bayi?", choices=opt.SEX,
                ask_if=BORN, depends_on=("hasil",)),
    BirthWeightField(key="bayi_berat", label="Berat lahir", prompt="Berat bayi waktu lahir? (seperti di buku KIA: "
                     "gram atau kg, misalnya 2800 atau 2,8 kg)", ask_if=BORN, depends_on=("hasil",)),
    DecimalField(key="bayi_panjang", label="Panjang lahir", prompt="Panjang bayi waktu lahir (cm)?", min_value=30,
                 max_value=60, unit="cm", example="49", ask_if=BORN, depends_on=("hasil",)),
    # loss
    DateField(key="hilang_tgl", label="Tanggal", prompt="Kami turut berduka. Kapan kehamilan ibu berakhir?",
              ask_if=LOST, depends_on=("hasil",), earliest_days=-90, latest_days=0),
    # nifas
    YesNoField(key="kf", label="Kunjungan nifas (KF)", prompt="Apakah ibu sudah periksa nifas ke bidan/puskesmas "
               "sejak kunjungan terakhir?", ask_if=_cat("ibu_nifas")),
    MultiChoiceField(key="bahaya_nifas", label="Tanda bahaya nifas", prompt="Adakah tanda bahaya masa nifas?",
                     choices=NIFAS_SIGNS, ask_if=_cat("ibu_nifas")),
    YesNoField(key="kb_pasca", label="KB pascapersalinan", prompt="Apakah ibu sudah ber-KB setelah bersalin?",
               ask_if=_cat("ibu_nifas")),
    ChoiceField(key="kb_metode", label="Metode KB", prompt="Metode KB apa?", choices=opt.KB_MODERN,
                ask_if=lambda a: a.get("kategori") == "ibu_nifas" and a.get("kb_pasca") is True),
    # children
    YesNoField(key="asi", label="ASI eksklusif", prompt="Apakah anak masih mendapat ASI eksklusif (hanya ASI)?",
               ask_if=lambda a: a.get("kategori") == "baduta" and a.get("bayi_kecil") is True),
    MultiChoiceField(key="imunisasi", label="Imunisasi baru", prompt="Imunisasi apa yang diberikan sejak "
                     "kunjungan terakhir?", choices=opt.IMMUNISATIONS, ask_if=_cat("baduta"),
                     preset=lambda answers, ctx: opt.due_for_age(ctx.extra.get("lahir"), _day(answers, "tanggal"),
                                                                 ctx)),
    YesNoField(key="posyandu", label="Ke posyandu bulan ini", prompt="Apakah anak ditimbang di posyandu bulan ini?",
               ask_if=CHILD),
]


def _young(answers: Answers, ctx: FormContext) -> bool:
    born, visited = ctx.extra.get("lahir"), _day(answers, "tanggal")
    return bool(born) and visited is not None and under_two(date.fromisoformat(born), visited)


def _growth_text(answers: Answers, ctx: FormContext) -> str | None:
    return growth_summary(_visit_growth(answers, ctx), _young(answers, ctx))


def _growth_words(answers: Answers, ctx: FormContext) -> str | None:
    return growth_abbreviations(_young(answers, ctx)) if _visit_growth(answers, ctx) is not None else None


def _kms(answers: Answers, ctx: FormContext) -> list[MonthlyReading]:
    """This visit's weighing read against the ones before it (kept in the draft)."""
    born, visited = ctx.extra.get("lahir"), _day(answers, "tanggal")
    if answers.get("kategori") not in opt.CHILDREN or not born or visited is None or answers.get("berat") is None:
        return []
    before = [Weighing(date.fromisoformat(on), kg) for on, kg in ctx.extra.get("timbang", [])]
    return kms_readings(date.fromisoformat(born), [*before, Weighing(visited, answers["berat"])],
                        ctx.services.settings.klinis)


def _kms_text(answers: Answers, ctx: FormContext) -> str | None:
    readings = _kms(answers, ctx)
    if not readings or readings[-1].weighing.on != _day(answers, "tanggal"):
        return None
    last = readings[-1]
    text = last.reading.label
    if last.gain_g is not None and last.kbm_g is not None:
        text += f": {format_decimal(last.gain_g, 0)} g sejak bulan lalu, minimal {format_decimal(last.kbm_g, 0)} g"
    return text + (" — 2T" if is_2t(readings) else "")


def _baby_facts(answers: Answers) -> SasaranFacts:
    return SasaranFacts(ref="bayi", kind=SasaranKind.BADUTA, birth_weight_kg=answers.get("bayi_berat"),
                        birth_length_cm=answers.get("bayi_panjang"))


def _visit_flags(answers: Answers, ctx: FormContext) -> list[Any]:
    """The health flags this visit shows: the baby's birth markers, the child's growth
    and KMS, the pregnant mother's KEK and anaemia."""
    thresholds = ctx.services.settings.klinis
    if BORN(answers):
        return birth_flags(_baby_facts(answers), thresholds)
    category = answers.get("kategori")
    if category in opt.CHILDREN:
        facts = SasaranFacts(ref="anak", kind=SasaranKind(category), growth=_visit_growth(answers, ctx),
                             kms_2t=is_2t(_kms(answers, ctx)))
        return member_flags(facts, thresholds)
    if STILL_PREGNANT(answers) or category == "catin":
        facts = SasaranFacts(ref="ibu", kind=SasaranKind(category), sex="P" if category == "ibu_hamil"
                             else ctx.extra.get("jk"), lila_cm=answers.get("lila"),
                             hb_g_dl=answers.get("hb"), trimester=ctx.extra.get("trimester"))
        return member_flags(facts, thresholds)
    return []


def _birth_text(answers: Answers, ctx: FormContext) -> str | None:
    if not BORN(answers) or answers.get("bayi_berat") is None:
        return None
    flags = _visit_flags(answers, ctx)
    return "; ".join(f.reason.rstrip(".") for f in flags) if flags else "berat dan panjang lahir normal"


def _follow_up(answers: Answers, ctx: FormContext) -> str | None:
    lines = next_steps(f.code.value for f in _visit_flags(answers, ctx))
    return "\n" + "\n".join(f"– {line}" for line in lines) if lines else None


def _initial(ctx: FormContext) -> Answers:
    """The sasaran's category and facts the questions depend on (not asked)."""
    answers: Answers = {"kategori": ctx.extra["kategori"]}
    born = ctx.extra.get("lahir")
    if born:
        answers["bayi_kecil"] = (ctx.today - date.fromisoformat(born)).days < 183
    return answers


def _measurement(answers: Answers, ctx: FormContext) -> Measurement:
    growth = _visit_growth(answers, ctx)
    lying = {"lying": True, "standing": False}.get(answers.get("cara_ukur") or "")
    return Measurement(
        visited_on=_day(answers, "tanggal") or ctx.today, weight_kg=answers.get("berat"),
        height_cm=answers.get("tinggi"), measured_lying=lying, lila_cm=answers.get("lila"), hb=answers.get("hb"),
        haz=growth.haz if growth else None, waz=growth.waz if growth else None, whz=growth.whz if growth else None,
        stunted=growth.stunted if growth else None, wasted=growth.wasted if growth else None,
        underweight=growth.underweight if growth else None,
    )


async def _submit(answers: Answers, ctx: FormContext, key: str, tx: Transaction) -> Submitted:
    services, now = ctx.services, ctx.services.clock.now()
    answers = {**_initial(ctx), **answers}  # the category the questions depended on (not itself a field)
    sasaran_id = int(ctx.extra["sasaran_id"])
    row = await store.sasaran_in_tx(tx, sasaran_id)
    if row is None or not ctx.in_scope(row.region_code) or row.status != "aktif":
        raise Invalid("Sasaran ini tidak ditemukan di wilayah Anda.")
    outcome = {"lahir": "lahir", "keguguran": "keguguran"}.get(answers.get("hasil") or "")
    recorded = {k: v for k, v in answers.items() if k not in ("kategori", "bayi_kecil")}
    await store.add_kunjungan(tx, sasaran_id=sasaran_id, reporter_id=ctx.caller.user_id, kind="kunjungan",
                              measurement=_measurement(answers, ctx), answers=recorded, outcome=outcome,
                              draft_key=key, now=now)
    name = html.escape(row.name)
    changed = [sasaran_id]
    text = f"✅ Kunjungan ke <b>{name}</b> tersimpan."
    buttons: tuple[tuple[str, str], ...] = ()
    if outcome == "lahir":
        delivered = _day(answers, "lahir_tgl")
        await store.update_sasaran(tx, sasaran_id, actor_id=ctx.caller.user_id, now=now, category="ibu_nifas",
                                   delivery_date=delivered)
        baby = NewSasaran(category="baduta", name=answers["bayi_nama"], sex=answers["bayi_jk"], birth_date=delivered,
                          mother_id=sasaran_id, answers={"tempat": answers.get("tempat"),
                                                         "penolong": answers.get("penolong"),
                                                         "berat_lahir": answers.get("bayi_berat"),
                                                         "panjang_lahir": answers.get("bayi_panjang")})
        baby_id = await store.add_sasaran(tx, services.cipher, row.keluarga_id, baby,
                                          reporter_id=ctx.caller.user_id, now=now)
        assert delivered is not None
        growth = assess_growth_on(answers["bayi_jk"], delivered, delivered, answers.get("bayi_berat"),
                                  answers.get("bayi_panjang"), Position.LYING)
        await store.add_kunjungan(
            tx, sasaran_id=baby_id, reporter_id=ctx.caller.user_id, kind="pendaftaran", answers={}, now=now,
            measurement=Measurement(visited_on=delivered, weight_kg=answers.get("bayi_berat"),
                                    height_cm=answers.get("bayi_panjang"), measured_lying=True, haz=growth.haz,
                                    waz=growth.waz, whz=growth.whz, stunted=growth.stunted, wasted=growth.wasted,
                                    underweight=growth.underweight))
        changed.append(baby_id)
        text = (f"✅ Selamat! Persalinan <b>{name}</b> tercatat. Ibu kini tercatat sebagai ibu nifas, dan "
                f"<b>{html.escape(baby.name)}</b> terdaftar sebagai baduta.")
    elif outcome == "keguguran":
        await store.update_sasaran(tx, sasaran_id, actor_id=ctx.caller.user_id, now=now, status="selesai",
                                   ended_reason="keguguran", ended_on=_day(answers, "hilang_tgl"))
        text = (f"Terima kasih, catatan untuk <b>{name}</b> sudah disimpan dan data kehamilannya ditutup. "
                "Semua pesan kehamilan untuk ibu dihentikan. Mohon tetap dampingi ibu dan sarankan periksa ke "
                "bidan atau puskesmas.")
    elif answers.get("hpl_baru"):
        await store.update_sasaran(tx, sasaran_id, actor_id=ctx.caller.user_id, now=now,
                                   hpl=_day(answers, "hpl_baru"), hpht=hpht_from_hpl(_day(answers, "hpl_baru")))  # type: ignore[arg-type]
    await reassess(tx, row.keluarga_id, today=ctx.today, thresholds=services.settings.klinis,
                   boundaries=services.settings.trimester.boundaries)
    if answers.get("bahaya") or answers.get("bahaya_nifas"):
        text += "\n⚠️ Ada tanda bahaya: segera rujuk ibu ke bidan atau puskesmas."
    growth = _visit_growth(answers, ctx)
    if growth is not None and growth.stunted:
        text += "\n⚠️ Anak tergolong pendek (stunting): mohon dirujuk dan didampingi."
    flags = _visit_flags(answers, ctx)
    if outcome == "lahir" and flags:
        text += "\n⚠️ Bayi: " + html.escape("; ".join(f.reason.rstrip(".") for f in flags)) + "."
    steps = next_steps(f.code.value for f in flags)
    if steps:
        text += "\nTindak lanjut:\n" + "\n".join(f"– {html.escape(line)}" for line in steps)
    if answers.get("kategori") in opt.CHILDREN:
        await _refer_if_needed(tx, ctx, sasaran_id, row.name, growth, answers)
        buttons = (("📈 Grafik pertumbuhan", cb.data(cb.GrowthChart(sasaran_id))),)
    elif outcome == "lahir":
        buttons = (("📈 Grafik pertumbuhan bayi", cb.data(cb.GrowthChart(changed[-1]))),)
    return Submitted(text=text, buttons=buttons, sasaran_ids=tuple(changed))


async def _refer_if_needed(tx: Transaction, ctx: FormContext, sasaran_id: int, name: str,
                           growth: GrowthAssessment | None, answers: Answers) -> None:
    """2T, a weight below −3 SD, or a child becoming stunted: a referral task for the
    child's TPK member ("rujuk ke puskesmas"), queued like the "mohon dikunjungi" requests
    and once per visit."""
    history = await store.kunjungan_history_in_tx(tx, sasaran_id)
    before = [v for v in history[:-1] if v.measurement.stunted is not None]
    born = ctx.extra.get("lahir")
    readings = kms_readings(date.fromisoformat(born), child_weighings(history), ctx.services.settings.klinis) \
        if born and answers.get("berat") is not None else []
    reasons = referral_reasons(
        readings=readings, waz=growth.waz if growth and "waz" not in growth.implausible else None,
        stunted_before=before[-1].measurement.stunted if before else None,
        stunted_now=bool(growth and growth.stunted and "haz" not in growth.implausible))
    if not reasons:
        return
    child = await store.sasaran_in_tx(tx, sasaran_id)
    assert child is not None
    who = initial(name).replace("Ibu", "Anak", 1)
    await notices.queue(
        tx, recipient_id=child.reporter_id, kind="rujuk", dedupe_key=f"rujuk:{sasaran_id}:{history[-1].id}",
        text=f"🏥 {html.escape(who)} perlu dirujuk ke puskesmas: {html.escape('; '.join(reasons))}. "
             "Mohon rujuk ke puskesmas dan catat kunjungannya.",
        markup=visit_markup(sasaran_id), now=ctx.services.clock.now())


async def _already(key: str, ctx: FormContext) -> Submitted | None:
    found = await store.kunjungan_by_draft(ctx.services.db, key)
    return Submitted(text="Kunjungan ini sudah tercatat.") if found else None


async def _after(result: Submitted, ctx: FormContext, context: Any) -> None:
    """A loss cancels every pregnancy and baby message at once (plans of the other
    changed records were refreshed by the runner)."""
    sasaran_id = int(ctx.extra["sasaran_id"])
    ended = await store.ended_reason(ctx.services.db, sasaran_id)
    if ended == "keguguran":
        await reminders.cancel_for_loss(ctx.services, sasaran_id)


KUNJUNGAN = runner.register_form(Form(
    name="kunjungan", title="Kunjungan", fields=VISIT_FIELDS, submit=_submit, already_submitted=_already,
    initial=_initial, after_submit=_after, subject=lambda ctx: ctx.extra.get("untuk"),
    computed=[Computed("Status gizi", _growth_text), Computed("Singkatan", _growth_words),
              Computed("KMS", _kms_text), Computed("Bayi", _birth_text),
              Computed("Tindak lanjut", _follow_up)],
))


async def start_visit(update: Update, context: TpkContext, sasaran: Sasaran) -> None:
    services = context.services
    today = services.clock.now().astimezone(services.settings.wilayah.zone).date()
    extra: dict[str, Any] = {"sasaran_id": sasaran.id, "kategori": sasaran.category, "jk": sasaran.sex,
                             "lahir": sasaran.birth_date.isoformat() if sasaran.birth_date else None,
                             "untuk": sasaran_label(sasaran, today, services.regions)}
    if sasaran.category in opt.CHILDREN:
        scope = context.caller.scope or services.regions.root.code
        weighings = monthly_weighings(child_weighings(await store.measurement_history(services.db, scope, sasaran.id)))
        extra["timbang"] = [[w.on.isoformat(), w.weight_kg] for w in weighings[-KMS_LOOKBACK:]]
    if sasaran.category == "ibu_hamil" and sasaran.hpht:
        boundaries = services.settings.trimester.boundaries
        extra["trimester"] = boundaries.trimester(gestational_age(sasaran.hpht, today).weeks)
    await runner.start(update, context, KUNJUNGAN, extra)


@for_command("kunjungan")
async def kunjungan(update: Update, context: TpkContext) -> None:
    """``/kunjungan`` lists the member's recent sasaran; ``/kunjungan <nama>`` searches the scope."""
    message = update.effective_message
    assert message is not None
    services = context.services
    scope = context.caller.scope or services.regions.root.code
    query = " ".join(context.args or []).strip()[:60]
    if query:
        found = await store.search_sasaran(services.db, scope, query)
        await reads.record(context, [s.id for s in found], Read.SEARCH)
        heading = f"Sasaran bernama «{html.escape(query)}»:"
    else:
        found = await store.recent_sasaran(services.db, scope, reporter_id=context.caller.user_id)
        heading = "Pilih sasaran yang dikunjungi (atau ketik /kunjungan nama):"
    if not found:
        await message.reply_text("Tidak ada sasaran yang cocok di wilayah Anda. Coba /kunjungan dengan nama lain, "
                                 "atau daftarkan dulu lewat /lapor.")
        return
    today = services.clock.now().astimezone(services.settings.wilayah.zone).date()
    labels = [sasaran_label(s, today, services.regions) for s in found]
    if any(fit_button(label) != label for label in labels):  # the whole names stay readable in the message
        heading += "\n" + "\n".join(f"• {html.escape(label)}" for label in labels)
    await message.reply_text(heading, reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(fit_button(label), callback_data=cb.data(cb.VisitNew(s.id)))]
         for label, s in zip(labels, found, strict=True)]))


@for_command("kunjungan")
async def on_button(update: Update, context: TpkContext) -> None:
    """``VisitNew``: start a visit form for the sasaran (re-checked against the scope)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.KUNJUNGAN.parse(query.data)
    sasaran = None
    if press is not None:
        scope = context.caller.scope or context.services.regions.root.code
        sasaran = await store.get_sasaran(context.services.db, scope, press.sasaran_id)
    if sasaran is None or sasaran.status != "aktif":
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    await query.answer()
    await start_visit(update, context, sasaran)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("kunjungan", kunjungan))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.KUNJUNGAN.pattern))


__all__ = ["KUNJUNGAN", "register", "start_visit"]
