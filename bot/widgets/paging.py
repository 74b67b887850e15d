"""Previous/next buttons for long lists (``<prefix>:p:<page>``)."""

from __future__ import annotations

from telegram import InlineKeyboardButton


def page_row(prefix: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    """The navigation row for ``page`` of ``pages`` (empty when there is one page)."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀️ Sebelumnya", callback_data=f"{prefix}:p:{page - 1}"))
    if page < pages - 1:
        row.append(InlineKeyboardButton("Berikutnya ▶️", callback_data=f"{prefix}:p:{page + 1}"))
    return row
