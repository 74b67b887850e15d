"""Answering /rekap and /ekspor alike: the area and period typed after the command, and the
workbook sent as a reply. Both handlers use it, so neither imports the other.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction

from bot.context import TpkContext
from bot.formatting import number
from bot.rekap import workbook
from bot.rekap.keyboard import CHART, data
from bot.rekap.periods import Period
from bot.rekap.request import (
    OUT_OF_SCOPE,
    AmbiguousArea,
    Request,
    RequestError,
    command_arguments,
    parse_request,
)
from bot.rekap.service import build_export, today
from bot.services import Services
from storage import rekap as store


async def send_workbook(target: Message, services: Services, scope: str, area: str, period: Period) -> None:
    """Build the workbook of ``area`` (inside ``scope``) and send it as a reply."""
    await target.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    export = await build_export(services, scope=scope, area=area, period=period)
    caption = (f"📥 Rekap <b>{html.escape(export.rekap.area_label)}</b> — {html.escape(period.label())}\n"
               f"{number(export.total)} sasaran. NIK disamarkan; tanpa nomor telepon.")
    if export.total > export.rows:
        caption += f"\nHanya {number(export.rows)} baris pertama dimuat; pilih wilayah yang lebih kecil."
    await target.reply_document(export.data, filename=workbook.filename(export.rekap), caption=caption)


def _area_choices(ambiguous: AmbiguousArea, services: Services, action: str) -> InlineKeyboardMarkup:
    period = ambiguous.period or Period.month(today(services).year, today(services).month)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data(period, action, code))]
                                 for code, label in ambiguous.choices(services.regions)])


Act = Callable[[Message, Services, str, Request], Awaitable[None]]


async def answer_request(update: Update, context: TpkContext, act: Act, skip: str = "", *, pick: str) -> None:
    """Read the area and period typed after /rekap or /ekspor (the caller's scope by
    default), answer a bad one in Indonesian, and refuse one outside the scope.
    ``skip``: leading words that are not part of the request ("tutup ulang"); ``pick``:
    the :mod:`bot.rekap.keyboard` action of the buttons offered when the typed name is
    shared by several areas (the /rekap button handler re-checks each against the scope)."""
    target = update.effective_message
    assert target is not None
    services = context.services
    scope = context.caller.scope
    assert scope is not None
    try:
        words = command_arguments(target.text)
        request = parse_request(words[len(skip):].strip() if skip else words, services.regions, scope,
                                today(services))
    except AmbiguousArea as exc:
        await target.reply_text(str(exc), reply_markup=_area_choices(exc, services, CHART if exc.chart else pick))
        return
    except RequestError as exc:
        await target.reply_text(str(exc))
        return
    try:
        await act(target, services, scope, request)
    except store.OutsideScope:
        await target.reply_text(OUT_OF_SCOPE)
