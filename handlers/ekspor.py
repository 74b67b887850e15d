"""/ekspor: the /rekap figures, the breakdown per sub-area and one row per target
member, as an Excel workbook sent as a document. Same arguments as /rekap.

Only masked NIKs leave the bot: the rows are read by :mod:`storage.rekap_rows`, which
never selects names, phone numbers or encrypted identity numbers.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CommandHandler

from bot.access import for_command
from bot.context import TpkContext
from bot.formatting import number
from bot.rekap import workbook
from bot.rekap.periods import Period
from bot.rekap.request import OUT_OF_SCOPE, Request, RequestError, command_arguments, parse_request
from bot.rekap.service import build_rekap, today
from bot.services import Services
from storage import rekap as store
from storage import rekap_rows


async def send_workbook(target: Message, services: Services, scope: str, area: str, period: Period) -> None:
    """Build the workbook of ``area`` (inside ``scope``) and send it as a reply."""
    await target.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    rekap = await build_rekap(services, scope=scope, area=area, period=period, depth=3)
    _, end_utc = period.utc_bounds(services.settings.wilayah.zone)
    rows, total = await rekap_rows.sasaran_rows(services.db, scope=scope, area=area, registered_by=end_utc,
                                                on=rekap.reference_day, limit=services.settings.rekap.export_max_rows)
    data = await asyncio.to_thread(workbook.build_workbook, rekap, rows, total, services.regions)
    caption = (f"📥 Rekap <b>{html.escape(rekap.area_label)}</b> — {html.escape(period.label())}\n"
               f"{number(total)} sasaran. NIK disamarkan; tanpa nomor telepon.")
    if total > len(rows):
        caption += f"\nHanya {number(len(rows))} baris pertama dimuat; pilih wilayah yang lebih kecil."
    await target.reply_document(data, filename=workbook.filename(rekap), caption=caption)


Act = Callable[[Message, Services, str, Request], Awaitable[None]]


async def answer_request(update: Update, context: TpkContext, act: Act) -> None:
    """Read the area and period typed after /rekap or /ekspor (the caller's scope by
    default), answer a bad one in Indonesian, and refuse one outside the scope."""
    target = update.effective_message
    assert target is not None
    services = context.services
    scope = context.caller.scope
    assert scope is not None
    try:
        request = parse_request(command_arguments(target.text), services.regions, scope, today(services))
    except RequestError as exc:
        await target.reply_text(str(exc))
        return
    try:
        await act(target, services, scope, request)
    except store.OutsideScope:
        await target.reply_text(OUT_OF_SCOPE)


@for_command("ekspor")
async def ekspor(update: Update, context: TpkContext) -> None:
    async def export(target: Message, services: Services, scope: str, request: Request) -> None:
        await send_workbook(target, services, scope, request.area, request.period)

    await answer_request(update, context, export)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("ekspor", ekspor))
