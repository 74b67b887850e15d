"""Fixtures: a playground (the real bot on the emulator, its own database in tmp_path,
the clock at a fixed Monday morning), an aiohttp test client for its JSON API, and for
the browser tests the page served on 127.0.0.1 in a headless Debian Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dev.playground.runtime import Playground
from bot.dev.playground.server import SECRET_COOKIE, address, create_app, serve
from tests.playground import browser as browser_support
from tests.playground.helpers import SECRET, new_playground


@pytest.fixture
def playground_options() -> dict[str, Any]:
    """Override in a test module (or parametrize) to start the playground differently."""
    return {}


@pytest.fixture
async def playground(tmp_path: Path, playground_options: dict[str, Any]) -> AsyncIterator[Playground]:
    async with new_playground(tmp_path, **playground_options) as pg:
        yield pg
    pg.emu.assert_no_errors()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[TestClient]:
    """A client as the page is one: holding this start's secret cookie, posting with the
    page's Origin."""
    headers = {"Cookie": f"{SECRET_COOKIE}={SECRET}", "Origin": "http://127.0.0.1"}
    async with TestClient(TestServer(create_app(playground, SECRET)), headers=headers) as test_client:
        yield test_client


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    reason = browser_support.missing()
    if reason is not None:
        if browser_support.REQUIRED:
            pytest.fail(f"browser tests are required here (TPK_BROWSER_TESTS=required): {reason}")
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(browser_support.CHROMIUM),
                                               args=browser_support.FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1280, "height": 800}


@pytest.fixture
async def screen(chromium: Any, playground: Playground,
                 viewport: dict[str, int]) -> AsyncIterator[browser_support.Screen]:
    """The playground page, opened; fails the test on any script error in the page."""
    runner = await serve(playground, 0)
    context = await chromium.new_context(viewport=viewport, accept_downloads=True, locale="id-ID")
    context.set_default_timeout(8000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("dialog", lambda dialog: problems.append(f"a native dialog opened: {dialog.message}"))
    try:
        await page.goto(address(runner))
        await page.locator("#personas .persona").first.wait_for()
        yield browser_support.Screen(page)
    finally:
        await context.close()
        await runner.cleanup()
    assert not problems, problems
