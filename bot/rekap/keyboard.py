"""Inline keyboards of /rekap and the monthly digest, and their callback data.

Callback data is ``bot.callbacks.RekapAction`` (period token, action, area code):
``go`` shows the rekap of that area and period (drill-down, back up and the period
buttons are all "go"), ``g`` sends the chart, ``x`` the workbook, ``tu`` re-closes. The digest switch is
``bot.callbacks.DigestSwitch``. Handlers re-check every code against the caller's
scope: buttons only offer areas inside it, but data can be forged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.regions import RegionTree
from bot.rekap.periods import CALENDAR_CHOICES, CHOICES, Period
from bot.widgets.region_picker import GO, region_keyboard

CHART = "g"
EXCEL = "x"
RECLOSE = "tu"
RECLOSE_LABEL = "🔁 Tutup ulang (masukkan revisi)"
CHART_LABEL = "📈 Grafik"
EXCEL_LABEL = "📥 Excel"
DIGEST_OFF_LABEL = "🔕 Matikan rekap bulanan"
DIGEST_ON_LABEL = "🔔 Kirimi saya rekap bulanan"


@dataclass(frozen=True)
class Action:
    period: Period
    action: str
    area: str


def action_of(press: cb.RekapAction) -> Action | None:
    """The action a parsed press asks for, or None when its period is not one /rekap shows."""
    try:
        period = Period.from_token(press.period)
    except ValueError:
        return None
    return Action(period, press.action, press.area)


def data(period: Period, action: str, area: str) -> str:
    return cb.data(cb.RekapAction(period.token(), action, area))


def rekap_keyboard(tree: RegionTree, *, scope: str, area: str, period: Period, today: date,
                   extra_rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """Sub-areas to drill into, "back up" while below the caller's scope, the period
    choices (the current one ticked) and the chart and workbook buttons."""
    choices = []
    for label, choose in CHOICES:
        choice = choose(today)
        shown = f"✓ {label}" if choice == period else label
        choices.append(InlineKeyboardButton(shown, callback_data=data(choice, GO, area)))
    calendar = [InlineKeyboardButton(f"✓ {label}" if choose(today) == period else label,
                                     callback_data=data(choose(today), GO, area))
                for label, choose in CALENDAR_CHOICES]
    rows = [
        choices[:2],
        choices[2:],
        calendar,
        [InlineKeyboardButton(CHART_LABEL, callback_data=data(period, CHART, area)),
         InlineKeyboardButton(EXCEL_LABEL, callback_data=data(period, EXCEL, area))],
        *(extra_rows or []),
    ]
    return region_keyboard(tree, at=area, scope=scope, data=lambda action, code: data(period, action, code),
                           selectable=lambda _code: False, extra_rows=rows)


def reclose_button(period: Period, area: str) -> InlineKeyboardButton:
    """Offered under a closed period with a revision, to those who may re-close."""
    return InlineKeyboardButton(RECLOSE_LABEL, callback_data=data(period, RECLOSE, area))


def digest_button(enabled: bool) -> InlineKeyboardButton:
    """The switch shown under a digest: it offers the opposite of the current state."""
    if enabled:
        return InlineKeyboardButton(DIGEST_OFF_LABEL, callback_data=cb.data(cb.DigestSwitch("off")))
    return InlineKeyboardButton(DIGEST_ON_LABEL, callback_data=cb.data(cb.DigestSwitch("on")))


def is_digest_switch(button: InlineKeyboardButton) -> bool:
    return isinstance(cb.REKAP.parse(str(button.callback_data or "")), cb.DigestSwitch)


def with_digest_button(markup: InlineKeyboardMarkup | None, enabled: bool) -> InlineKeyboardMarkup:
    """``markup`` with its digest switch replaced (or added) to match ``enabled``."""
    rows = [
        [b for b in row if not is_digest_switch(b)]
        for row in (markup.inline_keyboard if markup else ())
    ]
    rows = [row for row in rows if row]
    rows.append([digest_button(enabled)])
    return InlineKeyboardMarkup(rows)
