"""One file row -> the answers a form would have collected, or the reasons it cannot.

Every cell goes through the parser of the ``/lapor`` field its column names
(:attr:`bot.impor.columns.Column.field`) with the same :class:`FormContext` a member's
form gets, so "35 Februari", a NIK with a wrong check or a birth date in the future is
refused with the same Indonesian sentence in both places. What this module adds is
only what a spreadsheet has and a chat has not: cells typed as numbers or dates, a
region written as a code or a name, and a row that holds a family, a member and a
measurement at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.regions import Level, contains, is_valid_code
from bot.impor.columns import BY_KEY, FAMILY_IDENTITY, Kind
from bot.impor.headers import normalise
from conversations import options as opt
from conversations.forms.fields import Answers, ChoiceField, DateField, Invalid, YesNoField
from conversations.forms.model import FormContext

#: A measurement row names its sasaran by birth date too; the category (and so the
#: allowed age) is that of the sasaran found, so the date is checked as a plain date.
_ANY_BIRTH_DATE = DateField(key="lahir", label="Tanggal lahir", prompt="")
_FAMILY_DATA = frozenset(c.key for c in BY_KEY.values() if c.kind is Kind.KELUARGA) - FAMILY_IDENTITY
_CHILD_OR_CATIN = frozenset({"catin", "baduta", "balita"})


@dataclass(frozen=True)
class Problem:
    column: str  # the header as written in the file
    reason: str  # Indonesian, for the coordinator


@dataclass
class ParsedRow:
    """What one row says, as form answers per record, and what is wrong with it."""

    row_no: int
    region_code: str | None = None
    family: Answers | None = None  # the family form's answers (``wilayah``, ``kepala``, …)
    family_full: bool = False  # the row describes the family, not only names it
    member: Answers | None = None  # the sasaran form's answers
    measure: Answers | None = None  # tanggal_ukur, berat, tinggi, cara_ukur, lila, hb
    out_of_scope: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.out_of_scope


def cell_text(value: object) -> str:
    """A cell as a person would type it: dates as DD-MM-YYYY, whole numbers without
    ".0" (Excel stores a NIK typed as a number as a float), text trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return " ".join(str(value).split())


def _choice(field_: ChoiceField, text: str, answers: Answers, ctx: FormContext) -> Any:
    wanted = normalise(text)
    for option in field_.choices:
        if wanted in (normalise(option.value), normalise(option.label)):
            return option.value
    if isinstance(field_, YesNoField):
        return field_.parse(text, answers, ctx)
    labels = "; ".join(o.label for o in field_.choices)
    raise Invalid(f"«{text}» bukan pilihan yang dikenal. Pilihan: {labels}.")


class RowParser:
    """Parses the rows of one sheet: ``mapping`` is column index -> column key."""

    def __init__(self, ctx: FormContext, headers: tuple[str, ...], mapping: dict[int, str], scope: str) -> None:
        self.ctx = ctx
        self.headers = headers
        self.mapping = mapping
        self.scope = scope
        self.keys = frozenset(mapping.values())
        self._places: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}

    def _header(self, key: str) -> str:
        index = next((i for i, k in self.mapping.items() if k == key), None)
        return self.headers[index] if index is not None else BY_KEY[key].header

    def parse(self, row_no: int, values: tuple[object, ...]) -> ParsedRow:
        cells = {key: cell_text(values[i]) if i < len(values) else "" for i, key in self.mapping.items()}
        out = ParsedRow(row_no)
        out.region_code = self._region(cells, out)
        if out.region_code is not None and not contains(self.scope, out.region_code):
            out.out_of_scope = True
        family: Answers = {"wilayah": out.region_code} if out.region_code else {}
        for f in _family_fields():
            self._put(f, cells, family, out)
        if family.get("kepala") or family.get("no_kk"):
            out.family = family
            out.family_full = bool(self.keys & _FAMILY_DATA)
            if out.family_full:
                self._require(family, ("kepala", "air", "jamban"), out)
        if "nama" in self.keys and "kategori" in self.keys:
            out.member = self._member(cells, out)
        if self.keys & {"tanggal_ukur", "berat", "tinggi", "lila", "hb"}:
            out.measure = self._measure(cells, out)
        if out.family is not None and out.region_code is None and not (cells.get("kode_wilayah") or cells.get("desa")):
            out.problems.append(Problem(self._header("kode_wilayah"), "Kode wilayah atau nama desa/kelurahan wajib "
                                                                      "diisi."))
        return out

    # -- pieces ----------------------------------------------------------------------

    def _put(self, column_key: str, cells: dict[str, str], answers: Answers, out: ParsedRow, *,
             form_key: str | None = None, check_relevance: bool = True) -> None:
        """Parse one cell into ``answers[form_key]`` with the field's own rules."""
        text = cells.get(column_key, "")
        if not text:
            return
        column = BY_KEY[column_key]
        field_ = column.field if column_key != "lahir" or out.member is not None or "kategori" in answers \
            else _ANY_BIRTH_DATE
        if check_relevance and not field_.relevant({**answers, **_implied(field_.key, answers)}):
            return
        try:
            if isinstance(field_, ChoiceField):
                value = _choice(field_, text, answers, self.ctx)
            else:
                value = field_.parse(text, answers, self.ctx)
        except Invalid as exc:
            out.problems.append(Problem(self._header(column_key), exc.message))
            return
        answers[form_key or field_.key] = value
        if _implied(field_.key, answers) and "pus" not in answers:
            answers["pus"] = True

    def _require(self, answers: Answers, keys: tuple[str, ...], out: ParsedRow) -> None:
        for key in keys:
            if answers.get(key) is None and not any(p.column == self._header(key) for p in out.problems):
                out.problems.append(Problem(self._header(key), f"{BY_KEY[key].header} wajib diisi."))

    def _member(self, cells: dict[str, str], out: ParsedRow) -> Answers:
        answers: Answers = {}
        self._put("kategori", cells, answers, out)
        category = answers.get("kategori")
        self._put("nama", cells, answers, out)
        if category == "ibu_hamil":
            answers["cara_hamil"] = "hpht" if cells.get("hpht") else "hpl" if cells.get("hpl") else "tidak_tahu"
        nik_key = "nik_anak" if category in opt.CHILDREN else "nik"
        for key in ("jk", "lahir", "hp", "hpht", "hpl", "persalinan", "anak_ke", "berat_lahir", "panjang_lahir"):
            self._put(key, cells, answers, out, check_relevance=category is not None)
        if cells.get("nik"):
            self._put("nik", cells, answers, out, form_key=nik_key, check_relevance=False)
        required = ("kategori", "nama", "lahir", "jk") if category in _CHILD_OR_CATIN else ("kategori", "nama",
                                                                                              "lahir")
        self._require(answers, required, out)
        return answers

    def _measure(self, cells: dict[str, str], out: ParsedRow) -> Answers:
        answers: Answers = {}
        for key in ("tanggal_ukur", "berat", "tinggi", "cara_ukur", "lila", "hb"):
            self._put(key, cells, answers, out, check_relevance=False)
        if out.member is None:
            for key in ("nik", "nama", "lahir"):
                self._put(key, cells, answers, out, check_relevance=False)
            if not answers.get("nik") and not (answers.get("nama") and answers.get("lahir")):
                out.problems.append(Problem(self._header("nik"), "Isi NIK, atau nama dan tanggal lahir sasaran."))
        return answers

    def _region(self, cells: dict[str, str], out: ParsedRow) -> str | None:
        code_text, desa, kecamatan = cells.get("kode_wilayah", ""), cells.get("desa", ""), cells.get("kecamatan", "")
        if not (code_text or desa):
            return None
        key = (code_text, desa.casefold(), kecamatan.casefold())
        if key not in self._places:
            self._places[key] = self._find_place(code_text, desa, kecamatan)
        code, problem = self._places[key]
        if problem:
            out.problems.append(Problem(self._header("kode_wilayah" if code_text else "desa"), problem))
        return code

    def _find_place(self, code_text: str, desa: str, kecamatan: str) -> tuple[str | None, str | None]:
        regions = self.ctx.regions
        root = regions.root.code
        if code_text:
            digits = "".join(ch for ch in code_text if ch.isdigit())
            code = code_text if "." in code_text else \
                f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}" if len(digits) == 10 else code_text
            if not is_valid_code(code) or len(code) != 13:
                return None, f"«{code_text}» bukan kode desa/kelurahan (contoh 36.73.04.1007)."
            if code in regions:
                return code, None
            if contains(root, code):
                return None, f"Kode {code} tidak ada dalam daftar desa/kelurahan."
            return code, None  # a real-looking code outside this deployment: out of scope, not written
        within = root
        if kecamatan:
            hits = [r for r in regions.search(kecamatan, within=root) if r.level == Level.KECAMATAN
                    and normalise(r.name) == normalise(kecamatan)]
            if len(hits) != 1:
                return None, f"Kecamatan «{kecamatan}» tidak dikenal di wilayah ini."
            within = hits[0].code
        hits = [r for r in regions.search(desa, within=within, limit=50) if r.level == Level.DESAKEL
                and normalise(r.name) == normalise(desa)]
        if not hits:
            return None, f"Desa/kelurahan «{desa}» tidak dikenal di wilayah ini."
        if len(hits) > 1:
            return None, f"Ada {len(hits)} desa/kelurahan bernama «{desa}»: isi juga Kecamatan atau Kode Wilayah."
        return hits[0].code, None


def _implied(form_key: str, answers: Answers) -> Answers:
    """A file that gives the wife's birth date or the KB method says there is a couple:
    the form's "is there a PUS?" question is answered by the row itself."""
    if form_key in ("istri_lahir", "anak", "anak_terakhir", "hamil", "kb") and "pus" not in answers:
        return {"pus": True, "hamil": answers.get("hamil", False), "anak": answers.get("anak", 1)}
    return {}


def _family_fields() -> tuple[str, ...]:
    return ("rt", "rw", "alamat", "kepala", "no_kk", "air", "jamban", "pus", "nama_istri", "istri_lahir", "anak",
            "anak_terakhir", "hamil", "kb")
