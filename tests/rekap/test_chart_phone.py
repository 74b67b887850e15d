"""The /rekap chart drawn for a phone (issue 16): portrait, every text legible when the
picture is shown 390 px wide, whole-number ticks on the count axes written the Indonesian
way, decimal commas, and only the sub-areas that fit (the caption names the rest)."""

from __future__ import annotations

import io
import re

from PIL import Image

from bot.rekap import chart
from bot.rekap.chart import AreaBars, ChartData
from bot.rekap.periods import this_year
from bot.rekap.service import build_rekap, today
from bot.services import Services

WALANTAKA = "36.73.03"  # 14 kelurahan
PHONE_PX = 390


def drawn(data: ChartData):  # type: ignore[no-untyped-def]
    figure = chart.build_figure(data)
    figure.canvas.draw()
    return figure


async def test_a_kecamatan_chart_is_portrait_with_the_areas_that_fit(seeded: Services) -> None:
    rekap = await build_rekap(seeded, scope="36.73", area=WALANTAKA, period=this_year(today(seeded)), depth=1)
    data = chart.chart_data(rekap)
    assert len(rekap.sub_areas) == 14
    assert len(data.areas) == chart.MAX_AREAS and data.hidden == 14 - chart.MAX_AREAS
    cases = [a.krs + a.stunted for a in data.areas]
    assert cases == sorted(cases, reverse=True)
    left_out = sorted(s.figures.value("keluarga_berisiko") + s.figures.value("anak_pendek") for s in rekap.sub_areas)
    assert min(cases) >= left_out[data.hidden - 1]  # the ones left out have no more cases than those drawn
    note = chart.caption_note(data) or ""
    assert "6 wilayah lain" in note and "Excel" in note

    image = Image.open(io.BytesIO(chart.render_png(rekap)))
    width, height = image.size
    assert height > width * 1.5 and width <= 720, image.size


async def test_every_text_is_legible_at_390_px_and_numbers_are_indonesian(seeded: Services) -> None:
    rekap = await build_rekap(seeded, scope="36.73", area="36.73", period=this_year(today(seeded)), depth=1)
    figure = drawn(chart.chart_data(rekap))
    scale = PHONE_PX / (figure.get_figwidth() * figure.dpi)
    texts = [t for t in figure.findobj(lambda o: hasattr(o, "get_fontsize") and hasattr(o, "get_text"))
             if t.get_text().strip()]
    assert texts
    for text in texts:
        shown_px = text.get_fontsize() * figure.dpi / 72 * scale
        assert shown_px >= 11, (text.get_text(), shown_px)
    shares = [t.get_text() for t in texts if "%" in t.get_text()]
    assert shares and all(re.search(r"\d,\d%", s) and "." not in s.split("(")[-1] for s in shares), shares

    big = ChartData(title="Rekap", per_area=True, hidden=0,
                    areas=(AreaBars("Kasemen", 12_345, 20_000, 2_501, 9_000), AreaBars("Curug", 7, 10, 3, 3)),
                    factors=(("Air minum tidak layak", 4, "#000"), ("Anemia", 1, "#000")))
    figure = drawn(big)
    for ax in figure.axes:
        ticks = [label.get_text() for label in ax.get_xticklabels() if label.get_text()]
        assert ticks and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", t) for t in ticks), ticks
        assert all(float(v).is_integer() for v in ax.get_xticks())
    assert any(t.get_text() == " 12.345" for t in figure.axes[0].texts)
    assert any(t.get_text() == " 2.501 (27,8%)" for t in figure.axes[0].texts)
