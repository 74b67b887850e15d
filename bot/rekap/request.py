"""What a coordinator types after /rekap or /ekspor: area, period and "grafik".

``/rekap``, ``/rekap bulan lalu``, ``/rekap Oktober 2026``, ``/rekap 36.73.04 2026``,
``/rekap Curug 2026-10``, ``/rekap grafik tahun ini``. An area outside the caller's
scope is refused here already (and again in storage).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from bot.domain.regions import RegionTree, contains
from bot.rekap.periods import EXAMPLES, Period, PeriodError, UnknownPeriod, parse_period

OUT_OF_SCOPE = "Wilayah itu di luar wewenang Anda. /rekap hanya menampilkan wilayah tugas Anda."
_CODE = re.compile(r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$")
_CHART_WORDS = {"grafik", "chart", "diagram"}


class RequestError(ValueError):
    """What the user typed cannot be served; the message says why (Indonesian)."""


class AmbiguousArea(RequestError):
    """The typed name is shared by several areas inside the scope: offer each as a button
    (with the period and "grafik" typed), never "write the code"."""

    def __init__(self, name: str, codes: list[str], period: Period | None = None, chart: bool = False) -> None:
        super().__init__(f"Ada {len(codes)} wilayah bernama {html.escape(name)}. Pilih salah satu:")
        self.name, self.codes, self.period, self.chart = name, codes, period, chart

    def choices(self, tree: RegionTree) -> list[tuple[str, str]]:
        """(code, button label) per area: "Kec. Kasemen — Kota Serang", "Kel. Kasemen — Kec. Kasemen"."""
        out = []
        for code in self.codes:
            parent = tree.parent(code)
            out.append((code, f"{tree.label(code)} — {tree.label(parent.code)}" if parent else tree.label(code)))
        return out


@dataclass(frozen=True)
class Request:
    area: str
    period: Period
    chart: bool = False


def parse_request(text: str, tree: RegionTree, scope: str, today: date) -> Request:
    """Area (default: the whole scope), period (default: this month) and "grafik"."""
    words = text.split()
    chart = any(w.casefold() in _CHART_WORDS for w in words)
    words = [w for w in words if w.casefold() not in _CHART_WORDS]
    area = scope
    codes = [w for w in words if _CODE.match(w)]
    if len(codes) > 1:
        raise RequestError("Tulis satu kode wilayah saja, misalnya /rekap 36.73.04.")
    if codes:
        area = codes[0]
        if area not in tree and not contains(scope, area):
            raise RequestError(OUT_OF_SCOPE)
        if area not in tree:
            raise RequestError(f"Kode wilayah {area} tidak dikenal.")
        if not contains(scope, area):
            raise RequestError(OUT_OF_SCOPE)
        words = [w for w in words if w != area]
    first_error: PeriodError | None = None
    name_error: RequestError | None = None
    # "<name> <period>": try the whole text as a period first, then shorter tails.
    for cut in range(len(words) + 1):
        name, period_text = " ".join(words[:cut]), " ".join(words[cut:])
        try:
            period = parse_period(period_text, today)
        except PeriodError as exc:
            first_error = first_error or exc
            continue
        if name:
            if codes:
                name_error = name_error or RequestError(f"“{html.escape(name)}” tidak dikenali.")
                continue
            try:
                area = area_by_name(tree, scope, name)
            except AmbiguousArea as exc:
                name_error = name_error or AmbiguousArea(exc.name, exc.codes, period, chart)
                continue
            except RequestError as exc:
                if str(exc) == OUT_OF_SCOPE:
                    raise
                name_error = name_error or exc
                continue
        return Request(area, period, chart)
    if first_error is not None and not isinstance(first_error, UnknownPeriod):
        raise RequestError(str(first_error))
    raise name_error or RequestError(str(first_error))


def area_by_name(tree: RegionTree, scope: str, name: str) -> str:
    """The one area inside ``scope`` with this name (case-insensitive);
    :class:`AmbiguousArea` when several inside the scope have it."""
    hits = tree.search(name, within=scope, limit=5)
    exact = [r for r in hits if r.name.casefold() == name.casefold()]
    if len(exact) == 1:
        return exact[0].code
    if len(exact) > 1:
        raise AmbiguousArea(name, [r.code for r in exact])
    if len(hits) == 1:
        return hits[0].code
    if not hits and tree.search(name, limit=1):
        raise RequestError(OUT_OF_SCOPE)
    raise RequestError(f"Wilayah atau periode “{html.escape(name)}” tidak dikenali. Contoh: {EXAMPLES}.")


def command_arguments(text: str | None) -> str:
    """The words after "/command" (or "/command@bot")."""
    if not text or not text.startswith("/"):
        return ""
    return text.partition(" ")[2].strip()
