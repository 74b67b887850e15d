"""Driving the playground page in Debian's Chromium with Playwright, as a trainer would.

Nothing here downloads a browser: Playwright starts the system's ``/usr/bin/chromium``
(``TPK_CHROMIUM`` to use another). Without it, or without the ``playwright`` package,
the browser tests are skipped with the reason, unless ``TPK_BROWSER_TESTS=required``
(set by ``.ci/run``), when they fail instead: CI must never pass by skipping them.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("TPK_CHROMIUM", "/usr/bin/chromium"))
#: As on this machine's notes: no GPU, no sandbox (root), and no background connections
#: (the network is closed, and Chromium would otherwise try Google's hosts at start).
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-extensions",
]
REQUIRED = os.environ.get("TPK_BROWSER_TESTS") == "required"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return (f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium; "
                ".ci/run does) or point TPK_CHROMIUM at a Chromium binary")
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


#: The newest bot message's id in the chat shown (0 when there is none).
LAST_BOT_ID = "() => Math.max(0, ...[...document.querySelectorAll('.msg.bot')].map(m => Number(m.dataset.id)))"
#: How many times the bot changed the chat shown (new, edited or deleted messages).
BOT_CHANGES = "() => Number(document.querySelector('#messages').dataset.botChanges || 0)"
SETTLED = """([before, quiet]) => {
  const box = document.querySelector('#messages');
  return Number(box.dataset.botChanges || 0) > before && performance.now() - Number(box.dataset.changedAt) > quiet;
}"""
#: Milliseconds without a change after which the bot is taken to have answered.
QUIET_MS = 150


class Screen:
    """The page, with the moves a person makes: switch persona, type, tap, share, open a link."""

    def __init__(self, page: Any) -> None:
        self.page = page

    async def last_bot_id(self) -> int:
        return int(await self.page.evaluate(LAST_BOT_ID))

    async def _answered(self, before: int, timeout: float = 5000) -> None:
        """Until the bot has changed the chat since ``before`` and then stayed quiet."""
        await self.page.wait_for_function(SETTLED, arg=[before, QUIET_MS], timeout=timeout)

    async def _changes(self) -> int:
        return int(await self.page.evaluate(BOT_CHANGES))

    async def persona(self, key: str) -> None:
        await self.page.locator(f"#personas .persona[data-key='{key}']").click()
        await self.page.wait_for_function(
            "key => document.querySelector(`#personas .persona[aria-current='true']`)?.dataset.key === key",
            arg=key)

    async def type(self, text: str, *, answer: bool = True) -> None:
        """Type and send; with ``answer`` wait for the bot's next message."""
        before = await self._changes()
        await self.page.locator("#text").fill(text)
        await self.page.locator("#text").press("Enter")
        if answer:
            await self._answered(before)

    async def tap(self, label: str, *, answer: bool = True) -> None:
        """Tap the newest inline button with exactly this label; wait for the bot's answer."""
        before = await self._changes()
        button = self.page.locator("#messages .keyboard button").filter(
            has_text=re.compile(rf"^{re.escape(label)}$")).last
        await button.click()
        if answer:
            await self._answered(before)

    async def tap_reply(self, label: str, *, answer: bool = True) -> None:
        """A button of the keyboard under the text field (📱 for the contact button)."""
        before = await self._changes()
        await self.page.locator("#reply-keyboard button").filter(has_text=label).first.click()
        if answer:
            await self._answered(before)

    async def open_link_as(self, person_name: str, *, qr: bool = False) -> None:
        """"Buka tautan sebagai…" (or "Pindai QR sebagai…") on the newest link, then pick someone."""
        label = "Pindai QR sebagai" if qr else "Buka tautan sebagai"
        await self.page.locator(".link-actions button").filter(has_text=label).last.click()
        dialog = self.page.locator("#open-as-dialog")
        await dialog.locator(".persona").filter(has_text=person_name).click()

    def bot_says(self, text: str) -> Any:
        """The newest bot bubble containing ``text`` (a Playwright locator)."""
        return self.page.locator(".msg.bot .bubble").filter(has_text=text).last
