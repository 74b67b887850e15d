"""Callback data of the growth buttons: the chart and the measurement history of a child.

Both /keluarga (a handler) and /kunjungan (a conversation) offer "📈 Grafik
pertumbuhan", and handlers and conversations do not import each other, so the one
spelling of these prefixes lives here, beside nothing else. Data is never trusted:
the parsers accept only ASCII digits within bounds, and the handler looks the child
up again within the caller's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

# callback family: move to bot/callbacks.py
GROWTH_CHART = "gr"
"""``gr:<sasaran id>``: send the child's growth chart."""
GROWTH_HISTORY = "rw"
"""``rw:<sasaran id>:<page>``: show a page of the child's measurement history."""
MAX_ID = 2**63 - 1
MAX_PAGE = 999


@dataclass(frozen=True)
class HistoryPage:
    sasaran_id: int
    page: int


def _number(text: str, low: int, high: int) -> int | None:
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def chart_data(sasaran_id: int) -> str:
    return f"{GROWTH_CHART}:{sasaran_id}"


def parse_chart(data: str) -> int | None:
    """The sasaran id of a ``gr:`` button, or None when the data is not one."""
    parts = data.split(":")
    if len(parts) != 2 or parts[0] != GROWTH_CHART:
        return None
    return _number(parts[1], 1, MAX_ID)


def history_data(sasaran_id: int, page: int = 0) -> str:
    return f"{GROWTH_HISTORY}:{sasaran_id}:{page}"


def parse_history(data: str) -> HistoryPage | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != GROWTH_HISTORY:
        return None
    sasaran_id, page = _number(parts[1], 1, MAX_ID), _number(parts[2], 0, MAX_PAGE)
    return None if sasaran_id is None or page is None else HistoryPage(sasaran_id, page)
