"""Inline keyboards that walk the region tree (kota → kecamatan → kelurahan).

Used by /undang, the report forms and /rekap. The keyboard only offers areas inside
the caller's scope, but callback data can be forged, so every handler that receives a
code re-checks it with :func:`within_scope` before acting.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.regions import RegionTree, contains

GO = "go"
PICK = "pick"


def within_scope(tree: RegionTree, scope: str | None, code: str) -> bool:
    return scope is not None and code in tree and contains(scope, code)


def _action_for(tree: RegionTree, code: str, selectable: Callable[[str], bool]) -> str:
    return PICK if not tree.children(code) and selectable(code) else GO


def region_keyboard(
    tree: RegionTree,
    *,
    at: str,
    scope: str,
    data: Callable[[str, str], str],
    selectable: Callable[[str], bool],
    pick_label: Callable[[str], str] | None = None,
    columns: int = 2,
    extra_rows: list[list[InlineKeyboardButton]] | None = None,
) -> InlineKeyboardMarkup:
    """Buttons for ``at``'s children (``data(GO, code)``; a selectable leaf is picked
    at once, ``data(PICK, code)``), a "pick this area" button when ``at`` is
    selectable, and "up" while above ``scope``; ``data`` builds the caller's callback data."""
    rows: list[list[InlineKeyboardButton]] = []
    if selectable(at):
        label = pick_label(at) if pick_label else f"✅ Pilih {tree.label(at)}"
        rows.append([InlineKeyboardButton(label, callback_data=data(PICK, at))])
    children = tree.children(at)
    for start in range(0, len(children), columns):
        rows.append(
            [
                InlineKeyboardButton(
                    child.name,
                    callback_data=data(_action_for(tree, child.code, selectable), child.code),
                )
                for child in children[start : start + columns]
            ]
        )
    parent = tree.parent(at)
    if at != scope and parent is not None and contains(scope, parent.code):
        rows.append(
            [InlineKeyboardButton(f"⬆️ Kembali ke {tree.label(parent.code)}",
                                  callback_data=data(GO, parent.code))]
        )
    rows.extend(extra_rows or [])
    return InlineKeyboardMarkup(rows)
