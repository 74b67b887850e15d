"""The "Grafik" PNG, drawn for a phone: families at risk and stunted children by
sub-area on top, risk factors below.

Coordinators open it in Telegram on a phone (issue 16), so it is portrait, 600 × 1200 px,
with fonts of at least 16 pt: shown 390 px wide (65 %) the smallest text is about 14 px,
and still about 12 px in a chat bubble 320 px wide, without zooming. Count axes have
whole-number ticks, numbers are written the Indonesian way ("1.234", "27,6%"), and only
the :data:`MAX_AREAS` sub-areas with the most cases are drawn; the caption names how many
more there are, and the workbook has every one.

:func:`chart_data` computes everything the PNG shows (tests check the numbers, not the
pixels); :func:`render_png` only draws it, with matplotlib's object API on the Agg
canvas (no pyplot, no display, safe in a worker thread). The numbers come from the same
:class:`~bot.rekap.figures.Rekap` as the message, so the chart never disagrees with it.
"""

from __future__ import annotations

import io
import logging
import textwrap
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.formatting import number, percent
from bot.rekap.figures import FLAG_LABELS, RISK_LABELS, Figures, Rekap

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_KRS_COLOUR = "#d95f02"
_STUNTED_COLOUR = "#7570b3"
_RISK_COLOUR = "#1b9e77"
_FLAG_COLOUR = "#e7298a"
WIDTH_PX, HEIGHT_PX, DPI = 600, 1200, 100
#: The smallest font anywhere on the chart (points; 16 pt is 22 px in the PNG).
MIN_FONT_PT = 16
#: Sub-areas drawn at most: two bars each still leave a readable row at this height.
MAX_AREAS = 8
#: Characters per line of a bar's label before it wraps (the labels share the width with the bars).
LABEL_WIDTH = 13

log = logging.getLogger(__name__)


def warm_up() -> threading.Thread:
    """Import matplotlib and draw one small text in a background thread, now.

    The first chart of a fresh install otherwise waits for matplotlib to build its font
    cache (seconds on a small machine; a CI run once timed out on it). Started at start-up,
    it costs the start nothing, and as a daemon thread it never holds up a shutdown; a
    chart asked for meanwhile simply waits for the same import."""
    thread = threading.Thread(target=_draw_something, name="chart-warm-up", daemon=True)
    thread.start()
    return thread


def _draw_something() -> None:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(1, 1), dpi=10)
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, "0", fontsize=8, fontweight="bold")
        figure.savefig(io.BytesIO(), format="png")
    except Exception:  # a warm-up only: the first real chart reports any problem itself
        log.warning("chart renderer warm-up failed", exc_info=True)


@dataclass(frozen=True)
class AreaBars:
    name: str
    krs: int
    families: int
    stunted: int
    assessed: int


@dataclass(frozen=True)
class ChartData:
    """What the PNG shows: the areas drawn (most cases first), how many were left out,
    and the risk factors as (label, value, colour)."""

    title: str
    areas: tuple[AreaBars, ...]
    hidden: int
    factors: tuple[tuple[str, int, str], ...]
    per_area: bool


def _bars(name: str, figures: Figures) -> AreaBars:
    return AreaBars(name, figures.value("keluarga_berisiko"), figures["keluarga_berisiko"].whole or 0,
                    figures.value("anak_pendek"), figures["anak_pendek"].whole or 0)


def chart_data(rekap: Rekap) -> ChartData:
    if rekap.sub_areas:
        areas = [_bars(s.name, s.figures) for s in rekap.sub_areas]
        areas.sort(key=lambda a: (-(a.krs + a.stunted), a.name))
    else:
        areas = [_bars(rekap.area_name, rekap.figures)]
    factors = [(label, rekap.figures.value(f"risk_{code}"), _RISK_COLOUR) for code, label in RISK_LABELS.items()]
    factors += [(label.split(" (")[0], rekap.figures.value(f"flag_{code}"), _FLAG_COLOUR)
                for code, label in FLAG_LABELS.items()]
    return ChartData(title=f"Rekap {rekap.area_label}\n{rekap.period.label()}", areas=tuple(areas[:MAX_AREAS]),
                     hidden=max(len(areas) - MAX_AREAS, 0), factors=tuple(factors), per_area=bool(rekap.sub_areas))


def caption_note(data: ChartData) -> str | None:
    """What the caption adds when some sub-areas are not drawn."""
    if not data.hidden:
        return None
    return f"Grafik memuat {number(len(data.areas))} wilayah dengan kasus terbanyak; {number(data.hidden)} " \
           "wilayah lain ada di 📥 Excel."


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, break_long_words=False)) or label


def _count_axis(ax: Axes, largest: int) -> None:
    """Whole-number ticks written "1.234", a little room right of the longest bar for its label."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_xlim(0, max(largest, 1) * 1.45)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(int(v))))
    ax.tick_params(labelsize=MIN_FONT_PT)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_areas(ax: Axes, data: ChartData) -> None:
    areas = list(reversed(data.areas))  # most cases at the top
    bar = 0.4
    positions = range(len(areas))
    ax.barh([p + bar / 2 for p in positions], [a.krs for a in areas], height=bar, color=_KRS_COLOUR,
            label="Keluarga berisiko")
    ax.barh([p - bar / 2 for p in positions], [a.stunted for a in areas], height=bar, color=_STUNTED_COLOUR,
            label="Anak stunting")
    ax.set_yticks(list(positions), [_wrap(a.name) for a in areas], fontsize=MIN_FONT_PT)
    for index, area in enumerate(areas):
        ax.text(area.krs, index + bar / 2, f" {number(area.krs)}", va="center", fontsize=MIN_FONT_PT)
        share = f" ({percent(area.stunted, area.assessed)})" if area.assessed else ""
        ax.text(area.stunted, index - bar / 2, f" {number(area.stunted)}{share}", va="center", fontsize=MIN_FONT_PT)
    _count_axis(ax, max((max(a.krs, a.stunted) for a in areas), default=0))


def _draw_factors(ax: Axes, data: ChartData) -> None:
    factors = list(reversed(data.factors))
    ax.barh(range(len(factors)), [f[1] for f in factors], color=[f[2] for f in factors])
    ax.set_yticks(range(len(factors)), [_wrap(f[0]) for f in factors], fontsize=MIN_FONT_PT)
    for index, (_, value, _) in enumerate(factors):
        ax.text(value, index, f" {number(value)}", va="center", fontsize=MIN_FONT_PT)
    _count_axis(ax, max((f[1] for f in factors), default=0))
    ax.set_title("Faktor risiko, KEK, anemia", fontsize=MIN_FONT_PT, loc="left", fontweight="bold")


def build_figure(data: ChartData) -> Figure:
    """The matplotlib Figure (tests read its texts and ticks)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, height_ratios=(max(len(data.areas), 3) + 1, len(data.factors)))
    _draw_areas(top, data)
    _draw_factors(bottom, data)
    figure.suptitle(data.title, fontsize=MIN_FONT_PT + 3, fontweight="bold")
    # Above the bars, never over them: the legend gets its own band under the title.
    top.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1, fontsize=MIN_FONT_PT, frameon=False,
               borderaxespad=0.2, handlelength=1.2)
    return figure


def render_png(rekap: Rekap) -> bytes:
    """The PNG (600 × 1200 px, portrait) of :func:`chart_data`."""
    buffer = io.BytesIO()
    build_figure(chart_data(rekap)).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def filename(rekap: Rekap) -> str:
    from bot.rekap.workbook import slug

    return f"grafik-{slug(rekap.area_name)}-{rekap.period.slug()}.png"
