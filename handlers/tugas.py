"""/tugas: the TPK member's visits due today, soon or late, any time of day.

The same list the member gets each morning (:mod:`bot.reminders.visit_digest`), grouped by
family, one numbered item per person with two buttons: record the visit, or close what is
owed with a reason (pindah, meninggal, tidak ditemukan, menolak; for a catin also "sudah
menikah"). Every close is audited; the buttons re-check that the person is the member's own.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import texts as common_texts
from bot.access import for_command
from bot.context import TpkContext
from bot.domain.daytime import local_date, zone_for_region
from bot.domain.roles import Role
from bot.reminders import visit_digest as digest_mod
from bot.reminders.limits import DispatchLimits

_REASON_LABELS = {
    "pindah": "Pindah",
    "meninggal": "Meninggal",
    "tidak_ditemukan": "Tidak ditemukan",
    "menolak": "Menolak dikunjungi",
    "menikah": "Sudah menikah",
}


def _markup(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
                                 for row in rows])


@for_command("tugas")
async def tugas(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None and context.caller.scope is not None
    services, limits = context.services, DispatchLimits()
    today = local_date(services.clock.now(), zone_for_region(context.caller.scope))
    digest = await digest_mod.build(services, context.caller.user_id, context.caller.scope, today, limits)
    if not digest.items:
        await message.reply_text(
            f"👍 Tidak ada kunjungan yang jatuh tempo sampai {limits.digest_lookahead_days} hari ke depan, "
            "dan tidak ada yang terlambat."
        )
        return
    await message.reply_text(digest.text, reply_markup=_markup(digest.markup))


async def task_button(update: Update, context: TpkContext) -> None:
    """Close a person's tasks: ask the reason (``cb.TaskCloseAsk``), close with it, or keep them."""
    query = update.callback_query
    assert query is not None
    press = digest_mod.parse_task_press(query.data)
    if press is None:
        await query.answer(common_texts.EXPIRED_BUTTON, show_alert=True)
        return
    if context.caller.role is not Role.TPK or context.caller.scope is None:
        await query.answer(common_texts.NOT_ALLOWED, show_alert=True)
        return
    services, limits, scope = context.services, DispatchLimits(), context.caller.scope
    today = local_date(services.clock.now(), zone_for_region(scope))
    if press.action == "k":
        await query.answer("Baik, tugasnya tetap di daftar.")
        await query.edit_message_reply_markup(None)
        return
    if press.action == "t":
        found = await digest_mod.open_items(services, context.caller.user_id, scope, today,
                                            limits.digest_lookahead_days, sasaran_id=press.sasaran_id)
        if not found:
            await query.answer("Tidak ada tugas terbuka untuk orang ini.", show_alert=True)
            return
        item = found[0]
        reasons = ["pindah", "meninggal", "tidak_ditemukan", "menolak"]
        if item.source.category == "catin":
            reasons.append("menikah")
        await query.answer()
        tasks = "\n".join(f"• {html.escape(task.label())}" for task in item.tasks)
        rows = [[{"text": _REASON_LABELS[r], "callback_data": digest_mod.close_data(press.sasaran_id, r)}]
                for r in reasons]
        rows.append([{"text": "Batal, tetap di daftar", "callback_data": digest_mod.keep_data(press.sasaran_id)}])
        await context.bot.send_message(
            context.caller.user_id,
            f"Tutup tugas untuk <b>{html.escape(item.source.name)}</b>?\n{tasks}\n\nPilih alasannya. "
            "Pindah atau meninggal: ia tidak masuk daftar lagi.",
            reply_markup=_markup(rows),
        )
        return
    assert press.reason is not None
    closed = await digest_mod.close_item(services, context.caller.user_id, scope, press.sasaran_id, press.reason,
                                         today, limits)
    if closed is None:
        await query.answer("Tugas ini sudah tidak ada di daftar.", show_alert=True)
        await query.edit_message_reply_markup(None)
        return
    await query.answer()
    await query.edit_message_text(
        f"✅ Tugas untuk <b>{html.escape(closed.source.name)}</b> ditutup: "
        f"{_REASON_LABELS[press.reason].lower()}. Tercatat atas nama Anda.",
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("tugas", tugas))
    app.add_handler(CallbackQueryHandler(task_button, pattern=cb.TUGAS.pattern))
