"""Answering /rekap and /ekspor alike: the area and period typed after the command, and the
workbook sent as a reply. Both handlers use it, so neither imports the other.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatAction

from bot.context import TpkContext
from bot.formatting import number
from bot.rekap import workbook
from bot.rekap.periods import Period
from bot.rekap.request import OUT_OF_SCOPE, Request, RequestError, command_arguments, parse_request
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


Act = Callable[[Message, Services, str, Request], Awaitable[None]]


async def answer_request(update: Update, context: TpkContext, act: Act, skip: str = "") -> None:
    """Read the area and period typed after /rekap or /ekspor (the caller's scope by
    default), answer a bad one in Indonesian, and refuse one outside the scope.
    ``skip``: leading words that are not part of the request ("tutup ulang")."""
    target = update.effective_message
    assert target is not None
    services = context.services
    scope = context.caller.scope
    assert scope is not None
    try:
        words = command_arguments(target.text)
        request = parse_request(words[len(skip):].strip() if skip else words, services.regions, scope,
                                today(services))
    except RequestError as exc:
        await target.reply_text(str(exc))
        return
    try:
        await act(target, services, scope, request)
    except store.OutsideScope:
        await target.reply_text(OUT_OF_SCOPE)
