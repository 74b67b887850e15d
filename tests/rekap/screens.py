"""Reading /rekap as a coordinator does on a phone: the summary, then every Rincian page.

The summary holds ten figures; a test that compares every figure (with a recount, the
workbook, a closed period) presses each Rincian button in turn, as a person would, and
reads all the pages together.
"""

from __future__ import annotations

import re

from bot.dev.emulator import BotMessage, SimUser
from bot.rekap.keyboard import SUMMARY_LABEL
from bot.rekap.pages import PAGES

_FIGURE = re.compile(r"^(?P<label>[^:\n]+): (?P<value>–|\d[\d.]*)", re.MULTILINE)


def figures_in(text: str) -> dict[str, int | None]:
    """Every "<label>: <number>" of a /rekap message (inline figures included)."""
    found: dict[str, int | None] = {}
    for chunk in re.split(r" · |\n\s*", text):
        match = _FIGURE.match(chunk.strip())
        if match:
            value = match["value"]
            found[match["label"].strip()] = None if value == "–" else int(value.replace(".", ""))
    return found


async def full_text(user: SimUser, shown: BotMessage) -> str:
    """The summary ``shown`` and each of its Rincian pages, opened by pressing the buttons
    (each edits the same message), then back to the summary."""
    texts = [shown.plain_text]
    for page in PAGES:
        await user.press(page.button_label)
        edited = await user.next_edit()
        assert edited.message_id == shown.message_id, "a Rincian button edits the message in place"
        assert f"Rincian: {page.label}" in edited.plain_text, edited.plain_text
        texts.append(edited.plain_text)
    await user.press(SUMMARY_LABEL)
    back = await user.next_edit()
    assert back.message_id == shown.message_id
    return "\n".join(texts)


async def every_figure(user: SimUser, shown: BotMessage) -> dict[str, int | None]:
    return figures_in(await full_text(user, shown))
