"""The /rekap chat message: compact Telegram HTML, one line per figure, readable on a phone.

/rekap shows :func:`render_summary` first (ten figures, one screen) and a Rincian page
(:func:`render_page`) per button; :func:`render` is the whole text, for the TPPS group's
digest, which has no buttons. Every figure of a Rincian page is written "<label>: <value>"
exactly as the workbook's Ringkasan sheet labels it, so a reader (and the tests) can match
the two; the summary shortens a few labels (:data:`bot.rekap.pages.SUMMARY`).
"""

from __future__ import annotations

import html
from itertools import groupby

from bot.formatting import long_date, number, percent, points, signed
from bot.rekap.figures import AKTIVITAS, Rekap, Row, summary_rows
from bot.rekap.pages import Page, rows_of, summary

#: Telegram's limit for one message (we measure the HTML source, which is never shorter).
MESSAGE_LIMIT = 4096
#: At most this many names of areas without a report in the message (the workbook has all).
MAX_NAMES = 24
NOT_AVAILABLE = "–"


def value_text(row: Row) -> str:
    return NOT_AVAILABLE if row.value is None else number(row.value)


def share_text(row: Row) -> str | None:
    """"27,6%" when the row has a whole (even "–" when the whole is zero)."""
    if not row.whole or row.value is None:
        return None
    return percent(row.value, row.whole)


def change_text(row: Row) -> str | None:
    if not row.compare or row.value is None or row.previous is None:
        return None
    if row.whole is not None:
        if row.share is None or row.share_previous is None:
            return None
        return points(row.share - row.share_previous)
    return signed(row.value - row.previous)


def figure_text(row: Row, label: str | None = None) -> str:
    """"Berisiko stunting: 2.345 (34,5%; +0,4 poin)" / "Keluarga baru: 120 (−5)"."""
    text = f"{html.escape(label or row.label)}: {value_text(row)}"
    if row.key == "tpk_lapor" and row.whole is not None:
        text += f" dari {number(row.whole)}"
    extras = [part for part in (share_text(row), change_text(row)) if part]
    if extras:
        text += f" ({'; '.join(extras)})"
    return text


def _lines(rows: list[Row]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        if row.inline and lines:
            joiner = "\n   " if row.key == "hamil_tm1" else " · "
            lines[-1] += joiner + figure_text(row)
        else:
            lines.append(figure_text(row))
    return lines


def without_report_lines(rekap: Rekap) -> list[str]:
    if rekap.desa_total <= 1:
        if rekap.desa_total == 1 and rekap.without_report:
            return ["Belum ada laporan pada periode ini."]
        return []
    missing = rekap.without_report
    line = f"Kel./desa tanpa laporan: {number(len(missing))} dari {number(rekap.desa_total)}"
    if not missing:
        return [line]
    shown = [html.escape(name) for name in missing[:MAX_NAMES]]
    rest = len(missing) - len(shown)
    tail = f" … dan {number(rest)} lainnya (lihat /ekspor)" if rest else ""
    return [line, ", ".join(shown) + tail]


def header(rekap: Rekap, *, title: str = "📊 Rekap") -> list[str]:
    lines = [
        f"{title} <b>{html.escape(rekap.area_label)}</b>",
        f"Periode: <b>{html.escape(rekap.period.label())}</b> (dibanding {html.escape(rekap.previous.label())})",
    ]
    if rekap.reference_day < rekap.period.end:
        lines.append(f"Data s.d. {long_date(rekap.reference_day)}")
    else:
        lines.append(f"Keadaan per {long_date(rekap.reference_day)}")
    lines += closed_lines(rekap)
    return lines


def revision_text(rekap: Rekap) -> str | None:
    """"revisi setelah ditutup: +2 keluarga terdaftar, −1 ibu hamil", or None."""
    if not rekap.revision:
        return None
    changes = ", ".join(f"{signed(delta)} {row.label[:1].lower()}{row.label[1:]}" for row, delta in rekap.revision)
    return f"revisi setelah ditutup: {changes}"


def closed_lines(rekap: Rekap) -> list[str]:
    """For a closed period: when it was closed, and what was learned since (apart)."""
    if rekap.closed is None:
        return []
    day = long_date(rekap.closed_on) if rekap.closed_on is not None else "–"
    lines = [f"🔒 Angka ditutup {day}" + (" (ditutup ulang)" if rekap.closed.version > 1 else "")]
    if text := revision_text(rekap):
        lines.append(f"⚠️ {html.escape(text)} (belum masuk angka di bawah)")
    return lines


def render(rekap: Rekap, *, title: str = "📊 Rekap", hint: str | None = None) -> str:
    """The whole message (may exceed the limit only for huge areas; see :func:`split`)."""
    parts = ["\n".join(header(rekap, title=title))]
    rows = summary_rows(rekap.figures)
    for section, grouped in groupby(rows, key=lambda r: r.section):
        lines = _lines(list(grouped))
        if section == AKTIVITAS:
            lines += without_report_lines(rekap)
        parts.append(f"<b>{html.escape(section)}</b>\n" + "\n".join(lines))
    if hint:
        parts.append(hint)
    return "\n\n".join(parts)


#: The summary's last line: where the other figures are.
SUMMARY_FOOTER = "Rincian: tombol di bawah · /ekspor"


def render_summary(rekap: Rekap, *, title: str = "📊 Rekap") -> str:
    """The first screen: the header and the ten figures asked for most, each with its change."""
    lines = [figure_text(row, label) for row, label in summary(rekap.figures)]
    return "\n\n".join(["\n".join(header(rekap, title=title)), "\n".join(lines), SUMMARY_FOOTER])


def render_page(rekap: Rekap, page: Page, *, title: str = "📊 Rekap") -> str:
    """One Rincian page: the header and every figure of its sections, as :func:`render` writes them."""
    rows = rows_of(page, summary_rows(rekap.figures))
    if page.keys:
        groups = [(page.label, rows)]
    else:
        groups = [(section, list(grouped)) for section, grouped in groupby(rows, key=lambda r: r.section)]
    parts = ["\n".join(header(rekap, title=title)), f"🔎 <b>Rincian: {html.escape(page.label)}</b>"]
    for heading, grouped in groups:
        lines = _lines(grouped)
        if page.lists_without_report:
            lines += without_report_lines(rekap)
        parts.append((f"<b>{html.escape(heading)}</b>\n" if len(groups) > 1 else "") + "\n".join(lines))
    return "\n\n".join(parts)


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long message at section breaks (blank lines), then at line breaks, so
    no tag is ever cut in half; each part is at most ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        pieces = [block] if len(block) <= limit else _by_lines(block, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _by_lines(block: str, limit: int) -> list[str]:
    out: list[str] = []
    current = ""
    for line in block.split("\n"):
        while len(line) > limit:  # a single enormous line: cut at a separator
            cut = line.rfind(", ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            out.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = line
    if current:
        out.append(current)
    return out
