"""/ekspor: the /rekap figures, the breakdown per sub-area and one row per target
member, as an Excel workbook sent as a document. Same arguments as /rekap.

Only masked NIKs leave the bot: the rows are read by :mod:`storage.rekap_rows`, which
never selects names, phone numbers or encrypted identity numbers.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import Application, CommandHandler

from bot.access import for_command
from bot.context import TpkContext
from bot.rekap.keyboard import EXCEL
from bot.rekap.replies import answer_request, send_workbook
from bot.rekap.request import Request
from bot.services import Services


@for_command("ekspor")
async def ekspor(update: Update, context: TpkContext) -> None:
    async def export(target: Message, services: Services, scope: str, request: Request) -> None:
        await send_workbook(target, services, scope, request.area, request.period)

    await answer_request(update, context, export, pick=EXCEL)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("ekspor", ekspor))
