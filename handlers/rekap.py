"""/rekap: counts for the caller's area and a period, drill-down, chart and workbook.

``/rekap`` shows the caller's whole scope for this month: ten figures that fit one phone
screen, with "Rincian" buttons that edit the message into one section's figures and back.
Arguments choose the period (``bulan lalu``, ``2026-10``, ``Oktober 2026``, ``2026``, ...),
the area (a region code or a name inside the scope; a name shared by several areas gets a
button for each) and ``grafik`` for the chart. Buttons walk the areas and periods in place.
Every step re-checks the area against the caller's scope: the storage layer refuses
anything outside it anyway.

The monthly digest job is registered here too (:mod:`bot.rekap.monthly_digest`).
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks as cb
from bot import refusals, texts
from bot.access import allowed, for_command, refuse
from bot.commands import spec
from bot.context import TpkContext
from bot.domain.roles import Role
from bot.rekap import chart, closing, message
from bot.rekap import keyboard as kb
from bot.rekap.figures import Rekap
from bot.rekap.pages import BY_TOKEN
from bot.rekap.periods import Period, PeriodError, check
from bot.rekap.replies import answer_request, send_workbook
from bot.rekap.request import OUT_OF_SCOPE, Request, command_arguments
from bot.rekap.service import build_rekap, today
from bot.services import Services
from bot.widgets.region_picker import GO, within_scope
from storage import rekap as store
from storage.access_log import Refusal

log = logging.getLogger(__name__)

def _reclose_rows(context: TpkContext, rekap: Rekap) -> list[list[InlineKeyboardButton]]:
    if rekap.revision and closing.may_reclose(context.caller.role is Role.ADMIN, context.caller.scope):
        return [[kb.reclose_button(rekap.period, rekap.area)]]
    return []


async def send_rekap(target: Message, services: Services, scope: str, area: str, period: Period,
                     context: TpkContext | None = None) -> None:
    rekap = await build_rekap(services, scope=scope, area=area, period=period)
    markup = kb.summary_keyboard(services.regions, scope=scope, area=area, period=period, today=today(services),
                                 extra_rows=_reclose_rows(context, rekap) if context else None)
    await target.reply_text(message.render_summary(rekap), reply_markup=markup)


async def send_chart(target: Message, services: Services, scope: str, area: str, period: Period) -> None:
    await target.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    rekap = await build_rekap(services, scope=scope, area=area, period=period, depth=1)
    png = await asyncio.to_thread(chart.render_png, rekap)
    caption = f"📈 Rekap <b>{html.escape(rekap.area_label)}</b> — {html.escape(period.label())}"
    if note := chart.caption_note(chart.chart_data(rekap)):
        caption += f"\n{html.escape(note)}"
    await target.reply_photo(png, filename=chart.filename(rekap), caption=caption)


RECLOSE_WORDS = "tutup ulang"
RECLOSE_REFUSED = "Tutup ulang hanya untuk admin dan koordinator kabupaten/kota."
NOT_CLOSED = "Periode itu belum ditutup, jadi belum ada revisi untuk dimasukkan."


async def reclose_and_show(target: Message, context: TpkContext, scope: str, area: str, period: Period) -> None:
    """Re-close ``period`` for the caller's scope (audited), then show it again."""
    services = context.services
    if not closing.may_reclose(context.caller.role is Role.ADMIN, scope):
        await target.reply_text(RECLOSE_REFUSED)
        return
    rekap = await build_rekap(services, scope=scope, area=area, period=period)
    if rekap.closed is None:
        await target.reply_text(NOT_CLOSED)
        return
    version = await closing.reclose(services, rekap, scope=scope, actor_id=context.caller.user_id)
    text = message.revision_text(rekap) or "tidak ada revisi"
    await target.reply_text(f"✅ {html.escape(period.label())} ditutup ulang (versi {version}); "
                            f"{html.escape(text)} kini masuk angka.")
    await send_rekap(target, services, scope, area, period, context)


@for_command("rekap")
async def rekap_command(update: Update, context: TpkContext) -> None:
    reclosing = command_arguments(update.effective_message.text if update.effective_message else None
                                  ).casefold().startswith(RECLOSE_WORDS)

    async def show(target: Message, services: Services, scope: str, request: Request) -> None:
        if reclosing:
            await reclose_and_show(target, context, scope, request.area, request.period)
        elif request.chart:
            await send_chart(target, services, scope, request.area, request.period)
        else:
            await send_rekap(target, services, scope, request.area, request.period, context)

    await answer_request(update, context, show, skip=RECLOSE_WORDS if reclosing else "",
                         pick=kb.RECLOSE if reclosing else GO)


@for_command("rekap")
async def on_button(update: Update, context: TpkContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.REKAP.parse(query.data)
    if isinstance(press, cb.DigestSwitch):
        await on_digest_switch(update, context, press)
        return
    action = kb.action_of(press) if isinstance(press, cb.RekapAction | cb.RekapPage) else None
    services = context.services
    scope = context.caller.scope
    if action is None:
        await cb.refuse(query, context)
        return
    if not within_scope(services.regions, scope, action.area):
        await refusals.record(services, context.caller.user_id, Refusal.SCOPE, "rekap", action.area)
        await query.answer(OUT_OF_SCOPE, show_alert=True)
        return
    assert scope is not None
    try:
        check(action.period, today(services))
    except PeriodError:
        await query.answer("Periode itu belum dimulai.", show_alert=True)
        return
    target = query.message if isinstance(query.message, Message) else None
    if target is None:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if action.action == kb.CHART:
        await query.answer("Menyiapkan grafik…")
        await send_chart(target, services, scope, action.area, action.period)
        return
    if action.action == kb.EXCEL:
        if not allowed(context, spec("ekspor").roles):
            await refuse(update, context, "ekspor")
            return
        await query.answer("Menyiapkan file Excel…")
        await send_workbook(target, services, scope, action.area, action.period)
        return
    if action.action == kb.RECLOSE:
        await query.answer()
        await reclose_and_show(target, context, scope, action.area, action.period)
        return
    await query.answer()
    await show_in_place(target, context, scope, action)


async def show_in_place(target: Message, context: TpkContext, scope: str, action: kb.Action) -> None:
    """Edit the message into the summary, a Rincian page or a picker of ``action``'s area
    and period (already checked against the caller's scope)."""
    services = context.services
    rekap = await build_rekap(services, scope=scope, area=action.area, period=action.period)
    extra = [*(_digest_row(target.reply_markup) or []), *_reclose_rows(context, rekap)]
    page = BY_TOKEN.get(action.action)
    if page is not None:
        text = message.render_page(rekap, page)
        markup = kb.page_keyboard(area=action.area, period=action.period, page=page, extra_rows=extra)
    else:
        text = message.render_summary(rekap)
        if action.action == kb.PERIODS:
            markup = kb.period_keyboard(area=action.area, period=action.period, today=today(services),
                                        extra_rows=extra)
        elif action.action == kb.AREAS:
            markup = kb.area_keyboard(services.regions, area=action.area, period=action.period,
                                      extra_rows=extra)
        else:
            assert action.action == GO
            markup = kb.summary_keyboard(services.regions, scope=scope, area=action.area, period=action.period,
                                         today=today(services), extra_rows=extra)
    try:
        await target.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def _digest_row(markup: InlineKeyboardMarkup | None) -> list[list[InlineKeyboardButton]] | None:
    """Keep the digest switch when navigating inside a digest message."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if kb.is_digest_switch(button):
                return [[button]]
    return None


async def on_digest_switch(update: Update, context: TpkContext, press: cb.DigestSwitch) -> None:
    query = update.callback_query
    assert query is not None
    if context.caller.role is not Role.KOORDINATOR:
        await query.answer("Rekap bulanan dikirim untuk koordinator.", show_alert=True)
        return
    enabled = press.state == "on"
    services = context.services
    await store.set_digest(services.db, context.caller.user_id, enabled=enabled, now=services.clock.now())
    await query.answer("Rekap bulanan akan dikirim tiap tanggal 1." if enabled
                       else "Rekap bulanan tidak dikirim lagi. Tekan 🔔 untuk menyalakannya kembali.",
                       show_alert=True)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(kb.with_digest_button(query.message.reply_markup, enabled))
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("rekap", rekap_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=cb.REKAP.pattern))
