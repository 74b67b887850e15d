"""The playground page in a real headless Chromium: what a trainer does in front of a class.

Skipped, with the reason, where Debian's ``chromium`` or the ``playwright`` package is
missing (``.ci/run`` installs the first and requires these tests to run).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.playground.browser import Screen

pytestmark = pytest.mark.browser

#: Where ``TPK_PLAYGROUND_SCREENSHOT`` asks for the README's picture (docs/playground.png).
SCREENSHOT = os.environ.get("TPK_PLAYGROUND_SCREENSHOT")


async def expect_visible(locator: Any) -> None:
    """Waits up to 15 s: a chart drawn while other test workers load both cores once took
    longer than playwright's default 5 s. A wait, not a timing assertion."""
    from playwright.async_api import expect

    await expect(locator).to_be_visible(timeout=15_000)


async def invite_and_join(screen: Screen, role: str, path: list[str], pick: str, person: str,
                          position: str | None = None) -> None:
    """/undang in the current persona's chat, then open the link as ``person`` and join."""
    await screen.type("/undang")
    await screen.tap(role)
    for area in path:
        await screen.tap(area)
    await screen.tap(pick)
    await expect_visible(screen.bot_says("Undangan"))
    # The link made in one persona's chat is opened in another's.
    await screen.open_link_as(person)
    await expect_visible(screen.page.locator("#as-persona").filter(has_text=person))
    await expect_visible(screen.bot_says(f"Apakah nama Anda {person}?"))
    await screen.tap("Ya, benar")
    await screen.tap_reply("📱")  # the contact-share button under the text field
    if position is not None:
        await screen.tap(position)
    await expect_visible(screen.bot_says(f"Selamat bergabung, {person}"))


async def status_of(screen: Screen, key: str) -> str:
    return await screen.page.locator(f"#personas .persona[data-key='{key}'] .status").inner_text()


async def fill_lapor_for_a_pregnant_mother(screen: Screen) -> None:
    """The family and its pregnant mother, by typing and tapping as a TPK member does."""
    await screen.type("/lapor")
    await expect_visible(screen.bot_says("Nomor RT/RW?"))
    for answer in ("3", "2", "Jl. Melati No. 5", "Ahmad Yani"):
        await screen.type(answer)
    for label in ("Lewati ➡️", "Sumur tak terlindung", "Jamban sendiri tanpa tangki septik", "Ya"):
        await screen.tap(label)
    for answer in ("12-03-1990", "2 anak", "1 Jan 2022"):
        await screen.type(answer)
    await screen.tap("Tidak")
    await screen.tap("Suntik")
    await expect_visible(screen.bot_says("periksa dulu"))
    await screen.tap("✅ Kirim")
    await expect_visible(screen.bot_says("Keluarga Ahmad Yani tersimpan"))

    await screen.tap("➕ Ibu hamil")
    for answer in ("Sari Dewi", "3673045203900001"):  # her birth date is the NIK's, not asked
        await screen.type(answer)
    await screen.tap("Lewati ➡️")
    await screen.tap("Tahu HPHT (hari pertama haid terakhir)")
    await screen.type("1/8/26")  # the family form's wife: her children are known, not asked
    for answer in ("150", "52,5 kg", "22,5", "10,5", "30"):
        await screen.type(answer)
    await screen.tap("Ya")
    await expect_visible(screen.bot_says("HPL 8 Mei 2027"))
    await screen.tap("✅ Kirim")
    await expect_visible(screen.bot_says("Sari Dewi tersimpan sebagai Ibu hamil"))


async def test_the_whole_journey_in_one_browser(screen: Screen) -> None:
    """admin → koordinator kota → koordinator kecamatan → TPK → /lapor → the mother's
    consent → a reminder after moving the clock → /rekap and its chart."""
    page = screen.page
    # The admin's chat is empty, like a new Telegram chat: MULAI sends /start.
    await page.locator("#start-button").click()
    greeting = screen.bot_says("Halo, Hendra Admin")
    await expect_visible(greeting)
    assert await greeting.locator("b").filter(has_text="Kota Serang").count() == 1, "the bot's <b> is bold"

    await invite_and_join(screen, "Koordinator", [], "✅ Pilih Kota Serang", "Rina Wati")
    # The admin was told: a badge on the admin persona until the chat is opened.
    admin = page.locator("#personas .persona[data-key='admin']")
    await expect_visible(admin.locator(".badge"))
    await screen.persona("admin")
    await expect_visible(screen.bot_says("Rina Wati telah bergabung sebagai Koordinator"))
    assert not await admin.locator(".badge").is_visible()

    await screen.persona("koordinator-kota")
    await invite_and_join(screen, "Koordinator", ["Curug"], "✅ Pilih Kec. Curug", "Joko Santoso")
    await invite_and_join(screen, "Anggota TPK", [], "Sukawana", "Siti Aminah", position="Bidan")
    await expect_visible(page.locator(".msg.user .contact-card").filter(has_text="+6281400000004"))
    assert await status_of(screen, "koordinator-kecamatan") == "Koordinator · Kec. Curug"
    assert await status_of(screen, "tpk") == "Anggota TPK (Bidan) · Kel. Sukawana"

    # The TPK member reports a family and its pregnant mother, by tapping and typing.
    await fill_lapor_for_a_pregnant_mother(screen)

    # The invitation for the mother: a QR code, "scanned" with her phone.
    await screen.tap("📲 Buat undangan pengingat untuk ibu")
    qr = page.locator(".msg.bot img.photo").last
    await expect_visible(qr)
    await page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=await qr.element_handle())
    await screen.open_link_as("Sari Dewi", qr=True)
    await expect_visible(screen.bot_says("pastikan dulu bahwa ini Bunda"))
    await screen.type("S 12-03-1990")  # who she is: her initial and birth date
    await expect_visible(screen.bot_says("Yang akan Bunda terima"))
    await screen.tap("Setuju")
    await expect_visible(screen.bot_says("Terima kasih, Bunda Sari"))
    before = await screen.last_bot_id()

    # A day later (the clock moves, the reminder job runs) her first reminders are there.
    await page.locator("#clock-buttons button[data-hours='24']").click()
    await expect_visible(page.locator("#clock-report").filter(has_text="pengingat"))
    await expect_visible(page.locator("#clock-date").filter(has_text="Selasa, 24 November 2026"))
    reminder = page.locator(".msg.bot").filter(has_text="periksa kehamilan ke-2")
    await expect_visible(reminder)
    assert int(await reminder.get_attribute("data-id") or 0) > before
    assert await reminder.locator(".keyboard button").all_inner_texts() == ["Sudah periksa", "Belum"]
    await expect_visible(screen.bot_says("tablet tambah darah"))
    # Her TPK member was told she agreed.
    await expect_visible(page.locator("#personas .persona[data-key='tpk'] .badge"))
    if SCREENSHOT:
        await page.locator("#toast").wait_for(state="hidden")
        await page.mouse.move(900, 300)
        await page.screenshot(path=SCREENSHOT)
    await screen.tap("Sudah periksa")
    await screen.persona("tpk")
    await expect_visible(screen.bot_says("setuju menerima pengingat"))

    # The kecamatan coordinator sees the new family in /rekap, and its chart.
    await screen.persona("koordinator-kecamatan")
    await screen.type("/rekap")
    await expect_visible(screen.bot_says("Curug"))
    await screen.tap("📈 Grafik")
    chart = page.locator(".msg.bot img.photo").last
    await expect_visible(chart)
    await page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=await chart.element_handle())


@pytest.mark.parametrize("playground_options", [{"seed_demo": 80}], ids=["demo-data"])
async def test_rekap_its_chart_and_the_excel_download(screen: Screen, tmp_path: Path) -> None:
    page = screen.page
    await page.locator("#start-button").click()
    await expect_visible(screen.bot_says("Halo"))
    await screen.type("/rekap")
    await expect_visible(screen.bot_says("Rekap"))
    await screen.tap("📈 Grafik")
    chart = page.locator(".msg.bot img.photo").last
    await expect_visible(chart)
    await page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=await chart.element_handle())
    # The photo opens large, with a download link.
    await chart.click()
    await expect_visible(page.locator("#viewer-dialog img"))
    await page.locator("#viewer-dialog [data-close]").click()

    await screen.tap("📥 Excel")
    document = page.locator(".msg.bot a.document").last
    await expect_visible(document)
    async with page.expect_download() as downloading:
        await document.click()
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["phone"])
async def test_a_phone_sized_screen_and_text_that_looks_like_html(screen: Screen) -> None:
    page = screen.page
    side = page.locator("#side")
    assert not await side.is_visible() or (await side.bounding_box() or {"x": 0})["x"] < -100
    await page.locator("#show-side").click()
    await screen.persona("ibu")
    assert await page.locator("#as-persona").is_visible()

    await page.locator("#start-button").click()
    await expect_visible(screen.bot_says("tautan"))
    await screen.type('<img src=x onerror="alert(1)"> <b>tebal</b> & /bantuan')
    mine = page.locator(".msg.user .bubble").last
    await expect_visible(mine.filter(has_text='<img src=x onerror="alert(1)"> <b>tebal</b> & /bantuan'))
    assert await page.locator(".msg img:not(.photo), .msg.user b").count() == 0, "typed markup stays text"
    # Nothing sticks out sideways on a phone.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
