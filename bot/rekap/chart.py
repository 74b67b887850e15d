"""The "Grafik" PNG: families at risk and stunted children by sub-area, and risk factors.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, safe to
run in a worker thread). The numbers come from the same :class:`~bot.rekap.figures.Rekap`
as the message, so the chart never disagrees with it.
"""

from __future__ import annotations

import io
import logging
import textwrap
import threading

from bot.rekap.figures import FLAG_LABELS, RISK_LABELS, Rekap

_KRS_COLOUR = "#d95f02"
_STUNTED_COLOUR = "#7570b3"
_RISK_COLOUR = "#1b9e77"
_FLAG_COLOUR = "#e7298a"
#: Above this many sub-areas the bars would be unreadable: show the largest ones.
MAX_BARS = 40

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


def _short(name: str, width: int = 22) -> str:
    return textwrap.shorten(name, width=width, placeholder="…")


def render_png(rekap: Rekap) -> bytes:
    """A PNG (about 1000×700 px) titled with the area and the period."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if rekap.sub_areas:
        areas = [(s.name, s.figures.value("keluarga_berisiko"), s.figures.value("anak_pendek"))
                 for s in rekap.sub_areas]
        areas.sort(key=lambda a: (a[1] + a[2], a[0]), reverse=True)
        hidden = max(len(areas) - MAX_BARS, 0)
        areas = areas[:MAX_BARS]
        areas.reverse()  # largest at the top of a horizontal bar chart
    else:
        hidden = 0
        f = rekap.figures
        areas = [(rekap.area_name, f.value("keluarga_berisiko"), f.value("anak_pendek"))]
    factors = [(label, rekap.figures.value(f"risk_{code}"), _RISK_COLOUR) for code, label in RISK_LABELS.items()]
    factors += [(label.split(" (")[0], rekap.figures.value(f"flag_{code}"), _FLAG_COLOUR)
                for code, label in FLAG_LABELS.items()]

    height = max(6.0, 1.2 + 0.32 * len(areas))
    figure = Figure(figsize=(11, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(3, 2))
    positions = list(range(len(areas)))
    bar = 0.4
    left.barh([p + bar / 2 for p in positions], [a[1] for a in areas], height=bar, color=_KRS_COLOUR,
              label="Keluarga berisiko stunting")
    left.barh([p - bar / 2 for p in positions], [a[2] for a in areas], height=bar, color=_STUNTED_COLOUR,
              label="Anak stunting (diukur di periode)")
    left.set_yticks(positions, [_short(a[0]) for a in areas], fontsize=8)
    left.legend(loc="lower right", fontsize=8)
    left.grid(axis="x", alpha=0.3)
    per = "per wilayah" if rekap.sub_areas else rekap.area_name
    left.set_title(f"Keluarga berisiko & anak stunting {per}", fontsize=10)
    if hidden:
        left.set_xlabel(f"{hidden} wilayah lain tidak ditampilkan", fontsize=8)
    for index, (_, krs, stunted) in enumerate(areas):
        left.text(krs, index + bar / 2, f" {krs:,}".replace(",", "."), va="center", fontsize=7)
        left.text(stunted, index - bar / 2, f" {stunted:,}".replace(",", "."), va="center", fontsize=7)

    factors.reverse()
    right.barh(range(len(factors)), [f[1] for f in factors], color=[f[2] for f in factors])
    right.set_yticks(range(len(factors)), [f[0] for f in factors], fontsize=8)
    right.grid(axis="x", alpha=0.3)
    right.set_title("Faktor risiko (keluarga) dan KEK/anemia (ibu)", fontsize=10)
    for index, (_, value, _) in enumerate(factors):
        right.text(value, index, f" {value:,}".replace(",", "."), va="center", fontsize=7)

    figure.suptitle(f"Rekap {rekap.area_label} — {rekap.period.label()}", fontsize=13, fontweight="bold")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def filename(rekap: Rekap) -> str:
    from bot.rekap.workbook import slug

    return f"grafik-{slug(rekap.area_name)}-{rekap.period.slug()}.png"
