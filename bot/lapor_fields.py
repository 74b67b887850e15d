"""The questions of /lapor and the records built from their answers.

Both the form (:mod:`conversations.lapor`, :mod:`conversations.ubah`) and the import of
by-name lists (:mod:`bot.impor`) check a value with these fields — one validation, not
a second copy — and build a family or a sasaran from answers with :func:`new_keluarga`
and :func:`new_sasaran`. The Telegram side of the form (submitting, the buttons, what
the review shows) stays in the conversation.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

from bot import callbacks as cb
from bot import duplicates
from bot.domain.growth import GrowthAssessment, Position, assess_growth_on
from bot.domain.nik import kecamatan_code_of, nik_conflicts, unlisted_region_notice
from bot.domain.pregnancy import (
    MAX_GESTATION_WEEKS,
    hpht_from_hpl,
    hpht_from_months,
    hpht_from_weeks,
    hpl_from_hpht,
)
from bot.domain.regions import Level, level_of
from conversations import options as opt
from conversations.forms.fields import (
    Answers,
    BirthWeightField,
    ChoiceField,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    Invalid,
    KkField,
    MultiChoiceField,
    NikField,
    Notice,
    PhoneField,
    RegionField,
    TextField,
    YesNoField,
)
from conversations.forms.model import FormContext
from conversations.growth_text import recheck_notice
from conversations.parsers import ParseError, parse_nik_number
from storage import keluarga as store
from storage.keluarga import Elsewhere, NewKeluarga, NewSasaran, SasaranOwner


def _family_initial(ctx: FormContext) -> Answers:
    """A TPK member reports in their own kelurahan/desa: no need to ask."""
    if ctx.caller.scope and level_of(ctx.caller.scope) is Level.DESAKEL:
        return {"wilayah": ctx.caller.scope}
    return {}


YEAR = 365


def _in(*categories: str) -> Any:
    wanted = frozenset(categories)
    return lambda a: a.get("kategori") in wanted


def day_of(answers: Answers, key: str) -> date | None:
    value = answers.get(key)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _unlisted_region(number: str, label: str, ctx: FormContext) -> str | None:
    """Ask about a NIK / No. KK from a kecamatan no longer in the list (issued before a
    split): worth a second look, never a refusal."""
    code = kecamatan_code_of(number)
    return None if ctx.region_listed(code) else unlisted_region_notice(code, label)


async def _kk_checks(value: str, answers: Answers, ctx: FormContext) -> Notice | None:
    unlisted = _unlisted_region(value, "No. KK", ctx)
    problems = [unlisted] if unlisted else []
    found = await store.find_kk(ctx.services.db, ctx.services.cipher, value, ctx.scope)
    if isinstance(found, Elsewhere):
        await duplicates.tell_keepers(ctx.services, ctx.caller, found)
        problems.append(duplicates.KK_ELSEWHERE)
    elif found is not None:
        where = ctx.regions.path_label(found.region_code) if found.region_code in ctx.regions else found.region_code
        problems.append(f"No. KK ini sudah pernah dilaporkan ({html.escape(where)}). Lanjutkan bila ini memang "
                        "keluarga yang berbeda atau laporan baru yang disengaja.")
    return Notice("\n".join(problems)) if problems else None


FAMILY_FIELDS: list[Field] = [
    RegionField(key="wilayah", label="Kelurahan/desa", prompt="Di kelurahan/desa mana keluarga ini tinggal?"),
    IntegerField(key="rt", label="RT", prompt="Nomor RT?", min_value=1, max_value=999, example="3"),
    IntegerField(key="rw", label="RW", prompt="Nomor RW?", min_value=1, max_value=999, example="2"),
    TextField(key="alamat", label="Alamat", prompt="Alamat rumah (jalan, gang, nomor)?", optional=True,
              min_length=3, max_length=200, example="Jl. Melati No. 5"),
    TextField(key="kepala", label="Kepala keluarga", prompt="Nama kepala keluarga?", min_length=2, max_length=80,
              emoji=False, example="Ahmad Yani"),
    KkField(key="no_kk", label="No. KK", prompt="Nomor Kartu Keluarga (16 angka)?", optional=True,
            help="Boleh dilewati bila belum ada.", check=_kk_checks),
    ChoiceField(key="air", label="Air minum", prompt="Sumber air minum utama keluarga?", choices=opt.WATER),
    ChoiceField(key="jamban", label="Jamban", prompt="Jamban (tempat buang air besar) keluarga?",
                choices=opt.LATRINE),
    YesNoField(key="pus", label="Ada PUS",
               prompt="Apakah ada pasangan suami-istri dengan istri berusia 15–49 tahun?"),
    DateField(key="istri_lahir", label="Tanggal lahir istri", prompt="Tanggal lahir istri?",
              ask_if=lambda a: a.get("pus") is True, earliest_days=-70 * YEAR, latest_days=-10 * YEAR,
              too_late="Istri harus berusia minimal 10 tahun. Mohon periksa tanggalnya.",
              too_early="Tanggal lahir ini terlalu lama. Mohon periksa lagi."),
    IntegerField(key="anak", label="Jumlah anak", prompt="Berapa jumlah anak yang masih hidup?",
                 ask_if=lambda a: a.get("pus") is True, min_value=0, max_value=20, words=("anak",), example="2"),
    DateField(key="anak_terakhir", label="Lahir anak terakhir", prompt="Tanggal lahir anak terakhir?",
              ask_if=lambda a: a.get("pus") is True and (a.get("anak") or 0) > 0, optional=True,
              depends_on=("anak",), earliest_days=-40 * YEAR, latest_days=0),
    YesNoField(key="hamil", label="Istri hamil", prompt="Apakah istri sedang hamil?",
               ask_if=lambda a: a.get("pus") is True),
    ChoiceField(key="kb", label="KB", prompt="Alat atau cara KB yang dipakai sekarang?", choices=opt.KB_ANY,
                ask_if=lambda a: a.get("pus") is True and a.get("hamil") is False),
]


FAMILY_ANSWER_KEYS = ("pus", "istri_lahir", "anak", "anak_terakhir", "hamil", "kb")


def new_keluarga(answers: Answers) -> NewKeluarga:
    return NewKeluarga(
        region_code=answers["wilayah"], head_name=answers["kepala"], water_source=answers["air"],
        latrine=answers["jamban"], rt=str(answers["rt"]), rw=str(answers["rw"]), address=answers.get("alamat"),
        no_kk=answers.get("no_kk"), answers={k: answers.get(k) for k in FAMILY_ANSWER_KEYS},
    )


class BirthDateField(DateField):
    """Birth date whose allowed range follows the category (a baduta is 0–23 months)."""

    def bounds(self, ctx: FormContext) -> tuple[date, date]:
        """Wide bounds for typing (two-digit years); the category range is checked after."""
        return ctx.today - timedelta(days=100 * YEAR), ctx.today

    def _range(self, answers: Answers, ctx: FormContext) -> tuple[date, date, str]:
        today, category = ctx.today, answers.get("kategori")
        if category == "baduta":
            return (today - timedelta(days=730), today,
                    "Anak baduta berusia 0–23 bulan. Bila 24 bulan ke atas, pilih balita.")
        if category == "balita":
            return (today - timedelta(days=1826), today - timedelta(days=730),
                    "Anak balita berusia 24–59 bulan. Bila lebih muda, pilih baduta.")
        return today - timedelta(days=60 * YEAR), today - timedelta(days=10 * YEAR), \
            "Usia harus 10–60 tahun. Mohon periksa tanggal lahirnya."

    def parse(self, text: str, answers: Answers, ctx: FormContext) -> str:
        return self._check(date.fromisoformat(super().parse(text, answers, ctx)), answers, ctx)

    def from_button(self, arg: str, answers: Answers, ctx: FormContext) -> str:
        return self._check(date.fromisoformat(super().from_button(arg, answers, ctx)), answers, ctx)

    def _check(self, day: date, answers: Answers, ctx: FormContext) -> str:
        earliest, latest, message = self._range(answers, ctx)
        if not earliest <= day <= latest:
            raise Invalid(message)
        return day.isoformat()


def owner_id(owner: SasaranOwner | Elsewhere) -> int:
    return owner.record_id if isinstance(owner, Elsewhere) else owner.sasaran_id


async def _nik_checks(value: str, answers: Answers, ctx: FormContext) -> Notice | None:
    """A NIK registered before (blocking: one person, one record) or from an unlisted
    kecamatan (to confirm)."""
    if value == NikField.NONE:
        return None
    owner = await store.find_by_nik(ctx.services.db, ctx.services.cipher, value, ctx.scope)
    if owner is None or owner_id(owner) == ctx.extra.get("sasaran_id"):
        unlisted = _unlisted_region(value, "NIK", ctx)
        return Notice(unlisted) if unlisted else None
    if isinstance(owner, Elsewhere):
        await duplicates.tell_keepers(ctx.services, ctx.caller, owner)
        return Notice(duplicates.NIK_ELSEWHERE, blocking=True)
    where = ctx.regions.path_label(owner.region_code) if owner.region_code in ctx.regions else owner.region_code
    text = (f"NIK {owner.nik_masked} sudah terdaftar sebagai {opt.CATEGORY_LABELS_BY_VALUE[owner.category]} di "
            f"{html.escape(where)}, dilaporkan oleh {html.escape(owner.reporter_name)}. Satu orang cukup "
            "didaftarkan sekali.")
    actions = (("📝 Catat kunjungan untuk sasaran itu", cb.data(cb.VisitNew(owner.sasaran_id))),)
    return Notice(text, blocking=True, actions=actions)


async def _birth_checks(value: str, answers: Answers, ctx: FormContext) -> Notice | None:
    born = date.fromisoformat(value)
    problems: list[str] = []
    nik = answers.get("nik") or answers.get("nik_anak")
    if nik and nik != NikField.NONE:
        info = parse_nik_number(nik, on=ctx.today, region_listed=ctx.region_listed)
        sex = "P" if answers.get("kategori") in opt.MOTHERS else answers.get("jk")
        problems += nik_conflicts(info, birth_date=born, sex=sex)
    keluarga = await store.get_keluarga(ctx.services.db, ctx.scope, int(ctx.extra.get("keluarga_id", 0)))
    if keluarga is not None and answers.get("nama"):
        twins = await store.same_person(ctx.services.db, keluarga.region_code, answers["nama"], born)
        if twins:
            problems.append(f"Sudah ada sasaran bernama {html.escape(answers['nama'])} dengan tanggal lahir yang "
                            "sama di kelurahan/desa ini. Apakah ini orang yang berbeda?")
    return Notice("\n".join(problems)) if problems else None


def child_growth_now(answers: Answers, ctx: FormContext) -> GrowthAssessment | None:
    born = day_of(answers, "lahir")
    if answers.get("kategori") not in opt.CHILDREN or born is None or answers.get("jk") not in ("L", "P"):
        return None
    if answers.get("berat") is None and answers.get("tinggi") is None:
        return None
    position = {"lying": Position.LYING, "standing": Position.STANDING}.get(answers.get("cara_ukur") or "")
    return assess_growth_on(answers["jk"], born, ctx.today, answers.get("berat"), answers.get("tinggi"), position)


async def _growth_plausible(value: str, answers: Answers, ctx: FormContext) -> Notice | None:
    return recheck_notice(child_growth_now({**answers, "cara_ukur": value}, ctx))


def hpht_from(answers: Answers, today: date) -> date | None:
    """One HPHT from whatever the member knew: HPHT, weeks, months or HPL."""
    way = answers.get("cara_hamil")
    if way == "hpht":
        return day_of(answers, "hpht")
    if way == "minggu" and answers.get("minggu") is not None:
        return hpht_from_weeks(answers["minggu"], today)
    if way == "bulan" and answers.get("bulan") is not None:
        return hpht_from_months(answers["bulan"], today)
    if way == "hpl" and day_of(answers, "hpl") is not None:
        return hpht_from_hpl(day_of(answers, "hpl"))  # type: ignore[arg-type]
    return None


ADULT, CHILD, MOTHER = _in("catin", "ibu_hamil", "ibu_nifas"), _in("baduta", "balita"), _in("ibu_hamil", "ibu_nifas")


PREGNANT, NIFAS, CATIN = _in("ibu_hamil"), _in("ibu_nifas"), _in("catin")


MEASURED_ADULT = _in("catin", "ibu_hamil")


BY_CATEGORY = ("kategori",)


def _family_knows(key: str) -> Any:
    """A value the family form recorded (``ctx.extra["keluarga"]``), offered as one tap instead of typing."""
    return lambda answers, ctx: (ctx.extra.get("keluarga") or {}).get(key)


def _known_birth_date(answers: Answers, ctx: FormContext) -> str | None:
    """The birth date the NIK carries, else the family form's: the wife's for a mother, the last
    birth for a child (the field's own range decides whether it fits)."""
    nik = answers.get("nik") or answers.get("nik_anak")
    if nik and nik != NikField.NONE:
        try:
            return parse_nik_number(nik, on=ctx.today, region_listed=ctx.region_listed).birth_date.isoformat()
        except ParseError:
            pass
    family = ctx.extra.get("keluarga") or {}
    if answers.get("kategori") in opt.MOTHERS:
        return family.get("istri_lahir")
    return family.get("anak_terakhir") if answers.get("kategori") in opt.CHILDREN else None


def _due_immunisations(answers: Answers, ctx: FormContext) -> list[str]:
    return opt.due_for_age(answers.get("lahir"), ctx.today, ctx)


def _dating(way: str) -> Any:
    return lambda a: a.get("kategori") == "ibu_hamil" and a.get("cara_hamil") == way


#: "20 minggu", "5 bulan" or a date typed at "what do you know of the pregnancy?" answers it too.
DATING_LEADS = (("hpht", "hpht"), ("minggu", "minggu"), ("bulan", "bulan"), ("hpl", "hpl"))


SASARAN_FIELDS: list[Field] = [
    ChoiceField(key="kategori", label="Kategori", prompt="Sasaran ini termasuk kelompok mana?",
                choices=opt.CATEGORIES),
    TextField(key="nama", label="Nama", prompt="Nama lengkap sasaran?", min_length=2, max_length=80,
              emoji=False, example="Siti Aminah"),
    NikField(key="nik", label="NIK", prompt="NIK (16 angka, lihat KTP atau KK)?", ask_if=ADULT, allow_none=True,
             depends_on=BY_CATEGORY, check=_nik_checks,
             help="Bila belum punya NIK, tekan «Tidak punya NIK»."),
    NikField(key="nik_anak", label="NIK anak", prompt="NIK anak (16 angka, lihat KK)?", ask_if=CHILD, optional=True,
             depends_on=BY_CATEGORY, check=_nik_checks, help="Boleh dilewati bila belum ada."),
    ChoiceField(key="jk", label="Jenis kelamin", prompt="Jenis kelamin?", choices=opt.SEX,
                ask_if=_in("catin", "baduta", "balita"), depends_on=BY_CATEGORY),
    BirthDateField(key="lahir", label="Tanggal lahir", prompt="Tanggal lahir?", depends_on=BY_CATEGORY,
                   check=_birth_checks, suggest=_known_birth_date, suggest_note="dari NIK atau data keluarga"),
    PhoneField(key="hp", label="Nomor HP", prompt="Nomor HP ibu (untuk dihubungi TPK)?", ask_if=MOTHER,
               optional=True, help="Contoh: 0812-3456-7890. Boleh dilewati."),
    DateField(key="nikah", label="Rencana menikah", prompt="Tanggal rencana menikah?", ask_if=CATIN,
              earliest_days=0, latest_days=YEAR, too_early="Tanggal menikah sudah lewat. Mohon periksa lagi.",
              too_late="Catin didampingi 3 bulan sebelum menikah; tanggal ini lebih dari setahun lagi."),
    ChoiceField(key="cara_hamil", label="Usia kehamilan dari", prompt="Apa yang ibu ketahui tentang kehamilannya?",
                choices=opt.PREGNANCY_DATING, ask_if=PREGNANT),
    DateField(key="hpht", label="HPHT", prompt="Hari pertama haid terakhir (HPHT)?", ask_if=_dating("hpht"),
              depends_on=("cara_hamil",), earliest_days=-7 * MAX_GESTATION_WEEKS, latest_days=0,
              too_early=f"Kehamilan lebih dari {MAX_GESTATION_WEEKS} minggu — mohon periksa lagi HPHT-nya.",
              too_late="HPHT tidak boleh di masa depan."),
    IntegerField(key="minggu", label="Usia kehamilan", prompt="Usia kehamilan berapa minggu?",
                 ask_if=_dating("minggu"), depends_on=("cara_hamil",), min_value=1, max_value=MAX_GESTATION_WEEKS,
                 words=("minggu",), example="20"),
    IntegerField(key="bulan", label="Usia kehamilan", prompt="Usia kehamilan berapa bulan?",
                 ask_if=_dating("bulan"), depends_on=("cara_hamil",), min_value=1, max_value=10,
                 words=("bulan",), example="5"),
    DateField(key="hpl", label="HPL", prompt="Tanggal taksiran persalinan (HPL)?", ask_if=_dating("hpl"),
              depends_on=("cara_hamil",), earliest_days=-7 * (MAX_GESTATION_WEEKS - 40), latest_days=280,
              too_early="HPL sudah lewat lebih dari 4 minggu — apakah ibu sudah bersalin?",
              too_late="HPL paling lama 40 minggu dari sekarang. Mohon periksa lagi."),
    IntegerField(key="anak", label="Jumlah anak", prompt="Berapa jumlah anak ibu yang masih hidup?", ask_if=MOTHER,
                 min_value=0, max_value=20, words=("anak",), example="2", suggest=_family_knows("anak"),
                 suggest_note="menurut data keluarga"),
    DateField(key="anak_terakhir", label="Lahir anak sebelumnya", prompt="Tanggal lahir anak sebelumnya?",
              ask_if=lambda a: a.get("kategori") == "ibu_hamil" and (a.get("anak") or 0) > 0, optional=True,
              depends_on=("anak",), earliest_days=-40 * YEAR, latest_days=0,
              suggest=_family_knows("anak_terakhir"), suggest_note="menurut data keluarga"),
    DateField(key="persalinan", label="Tanggal persalinan", prompt="Tanggal persalinan?", ask_if=NIFAS,
              earliest_days=-42, latest_days=0, too_early="Masa nifas hanya sampai 42 hari setelah bersalin.",
              too_late="Tanggal persalinan tidak boleh di masa depan."),
    ChoiceField(key="tempat", label="Tempat bersalin", prompt="Di mana ibu bersalin?", choices=opt.BIRTH_PLACE,
                ask_if=NIFAS),
    ChoiceField(key="penolong", label="Penolong", prompt="Siapa yang menolong persalinan?",
                choices=opt.BIRTH_HELPER, ask_if=NIFAS),
    MultiChoiceField(key="komplikasi", label="Komplikasi", prompt="Adakah komplikasi saat/sesudah bersalin?",
                     choices=opt.COMPLICATIONS, ask_if=NIFAS),
    YesNoField(key="kb_pasca", label="KB pascapersalinan", prompt="Apakah ibu sudah ber-KB setelah bersalin?",
               ask_if=NIFAS),
    ChoiceField(key="kb_metode", label="Metode KB", prompt="Metode KB apa?", choices=opt.KB_MODERN,
                ask_if=lambda a: a.get("kategori") == "ibu_nifas" and a.get("kb_pasca") is True),
    IntegerField(key="anak_ke", label="Anak ke-", prompt="Anak ke berapa?", ask_if=CHILD, min_value=1,
                 max_value=20, example="2"),
    BirthWeightField(key="berat_lahir", label="Berat lahir", prompt="Berat badan waktu lahir? (seperti di buku KIA: "
                     "gram atau kg, misalnya 2800 atau 2,8 kg)", ask_if=CHILD, optional=True),
    DecimalField(key="panjang_lahir", label="Panjang lahir", prompt="Panjang badan waktu lahir (cm)?",
                 ask_if=CHILD, optional=True, min_value=30, max_value=60, unit="cm", example="49"),
    DecimalField(key="tinggi", label="Tinggi/panjang", prompt="Tinggi atau panjang badan sekarang (cm)?",
                 ask_if=lambda a: a.get("kategori") in opt.CHILDREN | {"catin", "ibu_hamil"},
                 depends_on=BY_CATEGORY, min_value=40, max_value=200, unit="cm", example="85,5"),
    DecimalField(key="berat", label="Berat badan", prompt="Berat badan sekarang (kg)?",
                 ask_if=lambda a: a.get("kategori") in opt.CHILDREN | {"catin", "ibu_hamil"},
                 depends_on=BY_CATEGORY, min_value=1, max_value=200, unit="kg", example="9,2"),
    ChoiceField(key="cara_ukur", label="Cara ukur", prompt="Anak diukur dengan cara apa?", choices=opt.POSITION,
                ask_if=CHILD, depends_on=("tinggi", "berat", "lahir", "jk"), check=_growth_plausible),
    DecimalField(key="lila", label="LiLA", prompt="Lingkar lengan atas (LiLA), cm?", ask_if=MEASURED_ADULT,
                 min_value=10, max_value=50, optional=True, missing="belum diukur",
                 help="Lewati bila LiLA belum diukur.", unit="cm", example="24,5"),
    DecimalField(key="hb", label="Hb", prompt="Kadar Hb (g/dL), bila sudah diperiksa?", ask_if=MEASURED_ADULT,
                 optional=True, min_value=3, max_value=20, unit="g/dL", example="11,5"),
    IntegerField(key="ttd", label="TTD diminum", prompt="Berapa tablet tambah darah (TTD) yang sudah diminum "
                 "selama kehamilan ini?", ask_if=PREGNANT, min_value=0, max_value=300, words=("tablet",),
                 example="30"),
    ChoiceField(key="rokok", label="Rokok", prompt="Apakah catin merokok atau terpapar asap rokok?",
                choices=opt.SMOKE, ask_if=CATIN),
    YesNoField(key="asap", label="Terpapar asap rokok", prompt="Apakah ibu terpapar asap rokok di rumah?",
               ask_if=PREGNANT),
    YesNoField(key="asi", label="ASI eksklusif", prompt="Apakah anak mendapat ASI eksklusif (hanya ASI sampai "
               "6 bulan)?", ask_if=_in("baduta")),
    YesNoField(key="posyandu", label="Ke posyandu bulan ini", prompt="Apakah anak ditimbang di posyandu bulan ini?",
               ask_if=CHILD),
    MultiChoiceField(key="imunisasi", label="Imunisasi", prompt="Imunisasi apa saja yang sudah didapat?",
                     choices=opt.IMMUNISATIONS, ask_if=_in("baduta"), preset=_due_immunisations),
]


def new_sasaran(answers: Answers, today: date) -> NewSasaran:
    category = answers["kategori"]
    nik = answers.get("nik") or answers.get("nik_anak")
    hpht = hpht_from(answers, today) if category == "ibu_hamil" else None
    extra_keys = ("nikah", "cara_hamil", "minggu", "bulan", "anak", "anak_terakhir", "tempat", "penolong",
                  "komplikasi", "kb_pasca", "kb_metode", "anak_ke", "berat_lahir", "panjang_lahir", "ttd", "rokok",
                  "asap", "asi", "posyandu", "imunisasi")
    return NewSasaran(
        category=category, name=answers["nama"], nik=None if nik in (None, NikField.NONE) else nik,
        sex="P" if category in opt.MOTHERS else answers.get("jk"), birth_date=day_of(answers, "lahir"),
        phone=answers.get("hp"), hpht=hpht, hpl=hpl_from_hpht(hpht) if hpht else day_of(answers, "hpl"),
        delivery_date=day_of(answers, "persalinan"),
        answers={k: answers[k] for k in extra_keys if k in answers},
    )
