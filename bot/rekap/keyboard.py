"""Inline keyboards of /rekap and the monthly digest, and their callback data.

Callback data is ``bot.callbacks.RekapAction`` (period token, action, area code):
``go`` shows the summary of that area and period (drill-down, back up and the period
buttons are all "go"), ``g`` sends the chart, ``x`` the workbook, ``tu`` re-closes;
``bot.callbacks.RekapPage`` opens a Rincian page or a picker (periods, sub-areas) in the
same message. The digest switch is ``bot.callbacks.DigestSwitch``. Handlers re-check
every code against the caller's scope: buttons only offer areas inside it, but data can
be forged.

The summary's keyboard is kept to six rows so that the summary fits one phone screen:
the Rincian pages, this month / last month / the other periods, the sub-areas behind one
button, the chart and the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.regions import RegionTree, contains, level_of
from bot.rekap.pages import PAGES, Page
from bot.rekap.periods import CALENDAR_CHOICES, CHOICES, Period, last_month, this_month
from bot.widgets.region_picker import GO, region_keyboard

CHART = "g"
EXCEL = "x"
RECLOSE = "tu"
RECLOSE_LABEL = "🔁 Tutup ulang (masukkan revisi)"
CHART_LABEL = "📈 Grafik"
EXCEL_LABEL = "📥 Excel"
PERIODS = "per"
AREAS = "wil"
OTHER_PERIODS_LABEL = "📅 Periode lain"
SUMMARY_LABEL = "⬅️ Ringkasan"
AREAS_LABELS = {1: "🗺️ Per provinsi", 2: "🗺️ Per kab/kota", 3: "🗺️ Per kecamatan", 4: "🗺️ Per kel./desa"}
DIGEST_OFF_LABEL = "🔕 Matikan rekap bulanan"
DIGEST_ON_LABEL = "🔔 Kirimi saya rekap bulanan"


@dataclass(frozen=True)
class Action:
    period: Period
    action: str
    area: str


def action_of(press: cb.RekapAction | cb.RekapPage) -> Action | None:
    """The action a parsed press asks for (a Rincian page or picker token for a
    :class:`~bot.callbacks.RekapPage`), or None when its period is not one /rekap shows."""
    try:
        period = Period.from_token(press.period)
    except ValueError:
        return None
    return Action(period, press.page if isinstance(press, cb.RekapPage) else press.action, press.area)


def data(period: Period, action: str, area: str) -> str:
    return cb.data(cb.RekapAction(period.token(), action, area))


def page_data(period: Period, page: str, area: str) -> str:
    return cb.data(cb.RekapPage(period.token(), page, area))


def _ticked(label: str, ticked: bool) -> str:
    return f"✓ {label}" if ticked else label


def _page_rows(period: Period, area: str, current: Page | None = None) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(_ticked(page.button_label, page == current),
                                    callback_data=page_data(period, page.token, area)) for page in PAGES]
    return [buttons[start:start + 2] for start in range(0, len(buttons), 2)]


def _share_row(period: Period, area: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(CHART_LABEL, callback_data=data(period, CHART, area)),
            InlineKeyboardButton(EXCEL_LABEL, callback_data=data(period, EXCEL, area))]


def summary_keyboard(tree: RegionTree, *, scope: str, area: str, period: Period, today: date,
                     extra_rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """Under the summary: the Rincian pages, last month (this month when last month is
    shown), the other periods, the sub-areas (one button), back up while below the
    caller's scope, chart and workbook. The header names the period shown."""
    now, before = this_month(today), last_month(today)
    rows = _page_rows(period, area)
    quick = ("Bulan lalu", before) if period == now else ("Bulan ini", now)
    rows.append([InlineKeyboardButton(quick[0], callback_data=data(quick[1], GO, area)),
                 InlineKeyboardButton(OTHER_PERIODS_LABEL, callback_data=page_data(period, PERIODS, area))])
    places: list[InlineKeyboardButton] = []
    if tree.children(area):
        places.append(InlineKeyboardButton(AREAS_LABELS.get(int(level_of(area)) + 1, "🗺️ Per wilayah"),
                                           callback_data=page_data(period, AREAS, area)))
    parent = tree.parent(area)
    if area != scope and parent is not None and contains(scope, parent.code):
        places.append(InlineKeyboardButton(f"⬆️ Kembali ke {tree.label(parent.code)}",
                                           callback_data=data(period, GO, parent.code)))
    rows += [places] if places else []
    rows.append(_share_row(period, area))
    rows += extra_rows or []
    return InlineKeyboardMarkup(rows)


def page_keyboard(*, area: str, period: Period, page: Page,
                  extra_rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """Under a Rincian page: the other pages (this one ticked) and the way back."""
    rows = _page_rows(period, area, page)
    rows.append([InlineKeyboardButton(SUMMARY_LABEL, callback_data=data(period, GO, area))])
    return InlineKeyboardMarkup([*rows, *(extra_rows or [])])


def period_keyboard(*, area: str, period: Period, today: date,
                    extra_rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """The period picker (under the summary, in place of its keyboard)."""
    rows = _period_rows(area, period, today)
    rows.append([InlineKeyboardButton(SUMMARY_LABEL, callback_data=data(period, GO, area))])
    return InlineKeyboardMarkup([*rows, *(extra_rows or [])])


def area_keyboard(tree: RegionTree, *, area: str, period: Period,
                  extra_rows: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """The sub-area picker: each sub-area's summary, and the way back (going up is the
    summary's own button, so the picker is drawn as if ``area`` were the scope)."""
    back = [[InlineKeyboardButton(SUMMARY_LABEL, callback_data=data(period, GO, area))], *(extra_rows or [])]
    return region_keyboard(tree, at=area, scope=area,
                           data=lambda action, code: data(period, action, code),
                           selectable=lambda _code: False, extra_rows=back)


def _period_rows(area: str, period: Period, today: date) -> list[list[InlineKeyboardButton]]:
    """Every period choice as "go" buttons, the one shown ticked: two rows of CHOICES, one of the calendar."""
    choices = [InlineKeyboardButton(_ticked(label, choose(today) == period),
                                    callback_data=data(choose(today), GO, area)) for label, choose in CHOICES]
    calendar = [InlineKeyboardButton(_ticked(label, choose(today) == period),
                                     callback_data=data(choose(today), GO, area)) for label, choose in CALENDAR_CHOICES]
    return [choices[:2], choices[2:], calendar]


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
