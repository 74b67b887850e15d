"""Previous/next buttons for long lists (the list's page family of ``bot.callbacks``)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton


def page_row(page_data: Callable[[int], str], page: int, pages: int) -> list[InlineKeyboardButton]:
    """The navigation row for ``page`` of ``pages`` (empty when there is one page)."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀️ Sebelumnya", callback_data=page_data(page - 1)))
    if page < pages - 1:
        row.append(InlineKeyboardButton("Berikutnya ▶️", callback_data=page_data(page + 1)))
    return row
