"""The Kertas Kerja Audit (KKA) of one case: sections of labelled lines.

One document feeds the chat pages, the one-case PDF and the round's PDF, so what a pakar reads
in chat and on paper is the same. It holds names and the masked NIK: only :func:`bot.audit.service.may_read`
callers get it. Fields the bot lacks are the TPK member's (``conversations/kka.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.age import age_label
from bot.domain.anthropometry import imt
from bot.domain.audit_criteria import Group
from bot.domain.regions import RegionTree
from bot.labels import CATEGORY_LABELS_BY_VALUE
from bot.rekap.figures import FLAG_LABELS, RISK_LABELS
from storage.audit_kasus import Case, Review

#: The fields the TPK member completes after a home visit, with their labels (the form's keys).
TPK_FIELDS = {
    "pekerjaan": "Pekerjaan (kepala keluarga / ibu)",
    "pola_makan": "Pola makan / pemberian makan",
    "riwayat_sakit": "Riwayat penyakit",
    "intervensi": "Intervensi yang sudah diterima",
    "temuan": "Temuan kunjungan rumah",
}
MISSING = "— (belum diisi TPK)"


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[tuple[str, str], ...]


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{float(value):.1f}".replace(".", ",")
    return f"{text} {unit}".strip()


def _visit_line(visit: dict[str, Any]) -> tuple[str, str]:
    parts = []
    if visit.get("weight_kg") is not None:
        parts.append(f"BB {_num(visit['weight_kg'], 'kg')}")
    if visit.get("height_cm") is not None:
        parts.append(f"TB/PB {_num(visit['height_cm'], 'cm')}")
    if visit.get("haz") is not None:
        parts.append(f"TB/U {_num(visit['haz'], 'SD')}")
    if visit.get("lila_cm") is not None:
        parts.append(f"LiLA {_num(visit['lila_cm'], 'cm')}")
    if visit.get("hb") is not None:
        parts.append(f"Hb {_num(visit['hb'], 'g/dL')}")
    return str(visit["visited_on"]), ", ".join(parts) or "tanpa ukuran"


def _group_lines(group: Group, answers: dict[str, Any], visits: list[dict[str, Any]],
                 sources: dict[str, Any]) -> list[tuple[str, str]]:
    """What the worksheet of this target group asks beyond the common part."""
    if group is Group.ANAK:
        return [("Berat lahir", _num(answers.get("berat_lahir"), "kg")),
                ("Panjang lahir", _num(answers.get("panjang_lahir"), "cm")),
                ("ASI eksklusif", {True: "ya", False: "tidak"}.get(answers.get("asi"), "–")),
                ("Imunisasi", ", ".join(answers.get("imunisasi") or []) or "–")]
    if group in (Group.IBU_HAMIL, Group.CATIN, Group.IBU_NIFAS):
        measured = next((v for v in reversed(visits) if v.get("weight_kg") and v.get("height_cm")), None)
        lines = [("IMT", _num(imt(measured["weight_kg"], measured["height_cm"])) if measured else "–")]
        if group is Group.IBU_HAMIL:
            lines += [("Periksa kehamilan (ANC) dikonfirmasi ibu", str(sources["anc_confirmed"])),
                      ("TTD diminum", str(answers.get("ttd", "–")))]
        return lines
    return []


def document(case: Case, sources: dict[str, Any], reviews: list[Review], *, audit_day: date,
             regions: RegionTree) -> list[Section]:
    family, member = sources["family"], sources["member"]
    answers = json.loads(member["answers_json"] or "{}") if member else {}
    identity: list[tuple[str, str]] = [
        ("No. kasus", str(case.number)),
        ("Kelompok sasaran", Group(case.group).label),
        ("Tanggal audit", audit_day.strftime("%d-%m-%Y")),
        ("Alasan terpilih", "; ".join(text for _, text in case.reasons)),
    ]
    if member:
        identity += [
            ("Nama", member["name"]),
            ("NIK", member["nik_masked"] or "–"),
            ("Kategori", CATEGORY_LABELS_BY_VALUE.get(member["category"], member["category"])),
            ("Umur", age_label(date.fromisoformat(member["birth_date"]), audit_day) if member["birth_date"] else "–"),
        ]
    identity += [("Kepala keluarga", family.get("head_name", "–")), ("No. KK", family.get("no_kk_masked") or "–")]
    domicile = (
        ("Wilayah", regions.path_label(case.region_code)),
        ("Alamat", " ".join(x for x in (family.get("address") or "", f"RT {family.get('rt') or '–'}",
                                          f"RW {family.get('rw') or '–'}") if x)),
    )
    visits = sources["visits"]
    history = tuple(_visit_line(v) for v in visits) or (("–", "belum ada pengukuran"),)
    health = [
        ("Faktor risiko keluarga", ", ".join(RISK_LABELS.get(c, c) for c, _ in sources["factors"]) or "tidak ada"),
        ("Tanda risiko", ", ".join(FLAG_LABELS.get(c, c) for c, _ in sources["flags"]) or "tidak ada"),
        ("Kunjungan tercatat", str(sum(1 for v in visits if v["kind"] == "kunjungan"))),
        *_group_lines(Group(case.group), answers, visits, sources),
        ("Pengingat terkirim / dijawab", f"{sources['reminders_sent']} / {sources['reminders_answered']}"),
    ]
    kka = case.kka or {}
    visit_fields = tuple((label, str(kka.get(key) or MISSING)) for key, label in TPK_FIELDS.items())
    sections = [
        Section("Identitas", tuple(identity)),
        Section("Domisili", domicile),
        Section("Riwayat pengukuran", history),
        Section("Kesehatan dan layanan", tuple(health)),
        Section("Hasil kunjungan rumah (TPK)", visit_fields),
    ]
    if reviews:
        sections.append(Section("Kajian tim pakar", tuple(
            (f"{r.pakar_name} ({r.speciality})", f"Penyebab: {', '.join(r.causes)}. Rekomendasi: {r.recommendation}")
            for r in reviews)))
    return sections


def as_text(section: Section) -> list[str]:
    return [f"{label}: {value}" for label, value in section.lines]
