"""The diseminasi files: the slide deck (python-pptx), the workbook (openpyxl) and the KKA PDF (fpdf2).

The deck and the workbook are anonymous: case numbers, groups, kecamatan, criteria, causes,
recommendations and RTL — never a name or NIK. The PDF is the tim pakar's file, with names.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib
from fpdf import FPDF
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches, Pt

from bot.audit.kka import Section
from bot.domain.audit_criteria import Group
from bot.domain.audit_round import Trend
from bot.rekap.figures import Rekap
from storage.audit_kasus import Case, Review, Rtl

#: The semester figures the seed articles quote, in the deck's and the workbook's order.
FIGURE_KEYS = ("keluarga", "keluarga_berisiko", "catin", "ibu_hamil", "ibu_nifas", "baduta", "balita",
               "flag_kek", "flag_anaemia", "anak_ukur", "anak_pendek")
_FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
_FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Round:
    """What the files say about the round."""

    title: str  # "AKS Semester II 2026 — Kota Serang"
    part: int  # Diseminasi 1 or 2
    rekap: Rekap
    cases: list[Case]
    kecamatan: dict[int, str]  # case id → kecamatan name
    reviews: dict[int, list[Review]]
    rtl: list[Rtl]
    trends: dict[int, Trend | None]
    today: date


def figure_lines(rekap: Rekap) -> list[tuple[str, int]]:
    return [(rekap.figures[key].label, rekap.figures.value(key)) for key in FIGURE_KEYS]


def _causes(reviews: list[Review]) -> list[str]:
    return sorted({cause for r in reviews for cause in r.causes})


def _rtl_status(item: Rtl, today: date) -> str:
    if item.status == "selesai":
        return f"selesai: {item.outcome}"
    return "terlambat" if item.due_on < today else "berjalan"


def _chart(labels: list[str], values: list[int], title: str) -> bytes:
    """A horizontal bar chart on the Agg canvas (no pyplot: safe off the main thread, like /rekap's)."""
    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(labels, values, color="#2e7d32")
    ax.set_title(title)
    ax.invert_yaxis()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _slide(deck: Presentation, title: str, lines: list[str]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    body.clear()
    for i, line in enumerate(lines or ["–"]):
        paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(14 if len(lines) < 12 else 10)


def _picture(deck: Presentation, title: str, png: bytes) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = title
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.5), width=Inches(9))


def deck(r: Round) -> bytes:
    pres = Presentation()
    cover = pres.slides.add_slide(pres.slide_layouts[0])
    cover.shapes.title.text = f"Diseminasi {'I' * r.part} — {r.title}"
    cover.placeholders[1].text = f"Periode {r.rekap.period.label()} · dibuat {r.today:%d-%m-%Y}"
    _slide(pres, "Angka semester", [f"{label}: {value}" for label, value in figure_lines(r.rekap)])
    _slide(pres, "Per kecamatan", [
        f"{area.name}: keluarga berisiko {area.figures.value('keluarga_berisiko')}, "
        f"stunting {area.figures.value('anak_pendek')}" for area in r.rekap.sub_areas])
    if r.rekap.sub_areas:
        _picture(pres, "Keluarga berisiko stunting per kecamatan", _chart(
            [a.name for a in r.rekap.sub_areas], [a.figures.value("keluarga_berisiko") for a in r.rekap.sub_areas],
            "Keluarga berisiko stunting"))
    by_group = Counter(Group(c.group).label for c in r.cases)
    by_kec = Counter(r.kecamatan[c.id] for c in r.cases)
    _slide(pres, "Kasus per kelompok dan kecamatan",
           [f"{g}: {n} kasus" for g, n in sorted(by_group.items())]
           + [f"{k}: {n} kasus" for k, n in sorted(by_kec.items())])
    if by_group:
        _picture(pres, "Kasus per kelompok sasaran", _chart(list(by_group), list(by_group.values()), "Kasus"))
    _slide(pres, "Penyebab yang ditemukan", [
        f"Kasus {c.number}: {', '.join(_causes(r.reviews.get(c.id, []))) or 'belum dikaji'}" for c in r.cases])
    _slide(pres, "Rekomendasi", [
        f"Kasus {c.number}: {rv.recommendation}" for c in r.cases for rv in r.reviews.get(c.id, [])])
    _slide(pres, "Rencana tindak lanjut (RTL)", [
        f"Kasus {t.case_number} · {t.party} · {t.action} · {t.due_on:%d-%m-%Y} · {_rtl_status(t, r.today)}"
        for t in r.rtl])
    if r.part == 2:
        counted = Counter((r.trends.get(c.id) or "belum diukur") for c in r.cases)
        _slide(pres, "Hasil pemantauan", [f"Kasus {c.number}: {r.trends.get(c.id) or 'belum diukur'}"
                                           for c in r.cases]
               + [f"{name}: {n} kasus" for name, n in sorted(counted.items())])
    out = io.BytesIO()
    pres.save(out)
    return out.getvalue()


def workbook(r: Round) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Angka semester"
    sheet.append(["Angka", r.rekap.area_name] + [a.name for a in r.rekap.sub_areas])
    for key in FIGURE_KEYS:
        sheet.append([r.rekap.figures[key].label, r.rekap.figures.value(key)]
                     + [a.figures.value(key) for a in r.rekap.sub_areas])
    cases = book.create_sheet("Kasus")
    cases.append(["No. kasus", "Kelompok", "Kecamatan", "Asal", "Status", "Kriteria", "Penyebab", "Rekomendasi",
                  "RTL (pihak, tenggat, status)", "Tren"])
    rtl_by_case: dict[int, list[Rtl]] = {}
    for item in r.rtl:
        rtl_by_case.setdefault(item.case_id, []).append(item)
    for c in r.cases:
        reviews = r.reviews.get(c.id, [])
        cases.append([
            c.number, Group(c.group).label, r.kecamatan[c.id], c.origin, c.status,
            "; ".join(text for _, text in c.reasons), ", ".join(_causes(reviews)),
            " | ".join(rv.recommendation for rv in reviews),
            " | ".join(f"{t.party}: {t.action} ({t.due_on:%d-%m-%Y}, {_rtl_status(t, r.today)})"
                       for t in rtl_by_case.get(c.id, [])),
            str(r.trends.get(c.id) or ("belum diukur" if r.part == 2 else "")),
        ])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kka_pdf(title: str, documents: list[tuple[int, list[Section]]]) -> bytes:
    """One page (or more) per case: every KKA section as label and value."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(_FONT))
    pdf.add_font("DejaVu", "B", str(_FONT_BOLD))
    pdf.set_auto_page_break(auto=True, margin=15)
    for number, sections in documents:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, f"Kertas Kerja Audit — kasus no. {number}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
        for section in sections:
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 10)
            for label, value in section.lines:
                pdf.multi_cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
