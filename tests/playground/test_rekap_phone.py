"""/rekap on a phone (issue 16), in the playground at 390 × 844 in a real Chromium: the
summary fits the screen without scrolling it away, a Rincian button edits the same
message, and the chart is portrait and shown within the screen's width.

``TPK_PLAYGROUND_REKAP_SHOTS`` (a folder) keeps the screenshots for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.rekap import chart as chart_module
from tests.playground.browser import Screen
from tests.playground.test_browser import expect_visible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TPK_PLAYGROUND_REKAP_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def box(locator: Any) -> dict[str, float]:
    found = await locator.bounding_box()
    assert found is not None
    return found


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
@pytest.mark.parametrize("playground_options", [{"seed_demo": 80}], ids=["demo-data"])
async def test_rekap_summary_rincian_and_chart_on_a_phone(screen: Screen, tmp_path: Path) -> None:
    page = screen.page
    folder = shots(tmp_path)
    await page.locator("#start-button").click()
    await expect_visible(screen.bot_says("Halo"))
    await screen.type("/rekap")
    summary = page.locator(".msg.bot").last
    await expect_visible(summary.filter(has_text="Keluarga berisiko stunting"))
    await page.locator("#toast").wait_for(state="hidden")
    await page.screenshot(path=str(folder / "rekap-summary.png"))

    # The whole summary, text and buttons, is on screen at once: nothing scrolled away.
    chat, message = await box(page.locator("#messages")), await box(summary)
    assert message["height"] <= chat["height"], (message, chat)
    assert message["y"] >= chat["y"] - 1 and message["y"] + message["height"] <= chat["y"] + chat["height"] + 1
    header = await box(summary.locator(".bubble").filter(has_text="Rekap Kota Serang"))
    assert header["y"] >= chat["y"] - 1, "the summary's first line is visible"
    keyboard = await box(summary.locator(".keyboard"))
    assert keyboard["y"] + keyboard["height"] <= chat["y"] + chat["height"] + 1, "its last button too"
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # "Anak" edits the same message into that section, and "Ringkasan" brings the summary back.
    count = await page.locator(".msg.bot").count()
    message_id = await summary.get_attribute("data-id")
    await screen.tap("Anak")
    edited = page.locator(f".msg.bot[data-id='{message_id}']")
    await expect_visible(edited.filter(has_text="Rincian: Anak"))
    assert await page.locator(".msg.bot").count() == count
    await expect_visible(edited.filter(has_text="Stunting (pendek + sangat pendek)"))
    await page.screenshot(path=str(folder / "rekap-rincian-anak.png"))
    await screen.tap("⬅️ Ringkasan")
    await expect_visible(edited.filter(has_text="Keluarga berisiko stunting"))
    assert await page.locator(".msg.bot").count() == count

    await screen.tap("📈 Grafik")
    chart = page.locator(".msg.bot img.photo").last
    await expect_visible(chart)
    handle = await chart.element_handle()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=handle)
    natural = await chart.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[1] > natural[0], f"portrait, not {natural}"
    await chart.scroll_into_view_if_needed()
    shown = await box(chart)
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE["width"], shown
    assert shown["height"] > shown["width"]
    # Its smallest text as displayed, without zooming: at least 11 px.
    smallest = chart_module.MIN_FONT_PT * chart_module.DPI / 72 * shown["width"] / natural[0]
    assert smallest >= 11, smallest
    await page.locator("#toast").wait_for(state="hidden")
    await page.screenshot(path=str(folder / "rekap-chart.png"))
    await chart.screenshot(path=str(folder / "rekap-chart-as-shown.png"))
