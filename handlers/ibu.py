"""Mothers: joining with consent, /jadwal, /berhenti, /mulai and answering reminders;
and the TPK side: the invitation (link + QR code). The TPK member's /tugas is :mod:`handlers.tugas`.

Stateless: every button carries what it needs (the invitation token, the reminder id,
the sasaran id) and every step re-checks it, so a restart between two taps costs
nothing. Buttons (``bot.callbacks.IBU``): her consent, her answer to a reminder, her
answers to the iron-tablet reminders (:mod:`bot.reminders.tablets`), the iron-tablet
switch (off/on, daily or weekly), and the member's "make an invitation".
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
)

from bot import callbacks as cb
from bot import texts as common_texts
from bot.access import for_command
from bot.commands import commands_for
from bot.context import TpkContext
from bot.domain.daytime import zone_for_region
from bot.domain.roles import Role
from bot.domain.tokens import is_well_formed
from bot.formatting import long_date
from bot.reminders import mothers, planning, tablets
from bot.reminders import texts as rtexts
from bot.reminders.invite import CannotInvite
from bot.reminders.invite import create as create_invitation
from bot.reminders.messages import day_span
from storage import ibu as ibu_store
from storage import users as users_store
from storage.invitations import Invitation, InvitationError, Problem

log = logging.getLogger(__name__)

PROBLEMS = rtexts.LINK_PROBLEMS


def _window_label(context: TpkContext) -> str:
    window = context.services.settings.pengingat.send_window
    return f"pukul {window.start:%H.%M}–{window.end:%H.%M} waktu setempat"


def invite_button(sasaran_id: int) -> InlineKeyboardButton:
    """The button the registration flows show under a new ibu hamil / ibu nifas."""
    return InlineKeyboardButton(rtexts.INVITE_BUTTON, callback_data=cb.data(cb.MotherInvite(sasaran_id)))


# -- joining ------------------------------------------------------------------------------


async def open_invitation(update: Update, context: TpkContext, token: str, invitation: Invitation) -> int:
    """A mother's invitation once she has confirmed who she is (passed to conversations.join by
    bot.app): the consent screen, greeting her by her initial. Nothing is stored until she answers."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    inviter = await users_store.get(services.db, invitation.created_by)
    record = await ibu_store.record(services.db, invitation.sasaran_id or 0)
    await chat.send_message(
        rtexts.consent_screen(inviter.full_name if inviter else "", _window_label(context),
                              services.settings.privacy.retention_days, record.name if record else ""),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton(rtexts.AGREE, callback_data=cb.data(cb.MotherConsent("ya", token))),
            InlineKeyboardButton(rtexts.REFUSE, callback_data=cb.data(cb.MotherConsent("tidak", token))),
        ]]),
    )
    return ConversationHandler.END


async def consent_button(update: Update, context: TpkContext, press: cb.MotherConsent) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    if not is_well_formed(press.token):
        await cb.refuse(query, context)
        return
    token, agreed = press.token, press.choice == "ya"
    try:
        await mothers.consent(context.services, token=token, telegram_id=update.effective_user.id, agreed=agreed)
    except InvitationError as exc:
        if exc.problem is Problem.USED and await ibu_store.link_for_user(context.services.db, update.effective_user.id):
            await query.answer(rtexts.ALREADY_ANSWERED)  # a second tap on "Setuju"
            return
        if exc.problem is Problem.UNCHECKED:  # a token taken from the QR code, pressed by another account
            await query.answer(PROBLEMS[exc.problem], show_alert=True)
            return
        await query.answer()
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(update.effective_user.id, PROBLEMS[exc.problem])
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    user_id = update.effective_user.id
    if not agreed:
        await context.bot.send_message(user_id, rtexts.REFUSED)
        return
    link = await ibu_store.link_for_user(context.services.db, user_id)
    record = await ibu_store.record(context.services.db, link.sasaran_id) if link else None
    await context.bot.send_message(user_id, rtexts.welcome(record.name if record else ""))
    await _set_commands(context, user_id)


async def _set_commands(context: TpkContext, user_id: int) -> None:
    commands = [BotCommand(c.name, c.description) for c in commands_for(Role.IBU)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.warning("could not set the command menu for user %s", user_id)


# -- her commands ---------------------------------------------------------------------------


async def _switch_reminders(update: Update, context: TpkContext, switch: Any, done: str, already: str) -> None:
    """/berhenti and /mulai: only for a mother linked to her record."""
    message = update.effective_message
    assert message is not None
    link = await ibu_store.link_for_user(context.services.db, context.caller.user_id)
    if link is None:
        await message.reply_text(rtexts.NOT_LINKED)
        return
    changed = await switch(context.services, context.caller.user_id)
    await message.reply_text(done if changed else already)


@for_command("berhenti")
async def berhenti(update: Update, context: TpkContext) -> None:
    await _switch_reminders(update, context, mothers.stop, rtexts.STOPPED, rtexts.ALREADY_STOPPED)


@for_command("mulai")
async def mulai(update: Update, context: TpkContext) -> None:
    await _switch_reminders(update, context, mothers.resume, rtexts.RESUMED, rtexts.ALREADY_ACTIVE)


def _switch(label: str, state: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=cb.data(cb.IronSwitch(state)))]


def _ttd_markup(mode: str | None) -> InlineKeyboardMarkup | None:
    """Her tablet reminder switch under /jadwal: the other rhythm, and off (or on)."""
    if mode is None:
        return None
    if mode == "mati":
        return InlineKeyboardMarkup([_switch("Nyalakan pengingat tablet tambah darah", "on")])
    other = (_switch("Ganti ke pengingat setiap hari", "harian") if mode == "mingguan"
             else _switch("Ganti ke tanya seminggu sekali", "mingguan"))
    return InlineKeyboardMarkup([other, _switch("Matikan pengingat tablet tambah darah", "off")])


async def _schedule_view(context: TpkContext, link: ibu_store.MotherLink) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    items, mode = await planning.upcoming(services, link.sasaran_id)
    lines = [rtexts.schedule_line(item.day, rtexts.item_label(item.text_key, item.payload), until=item.until,
                                  overdue=item.overdue) for item in items]
    count = await tablets.progress_line(services, link.sasaran_id) if mode is not None else None
    text = rtexts.schedule(context.caller.name, lines, ttd=mode, window=_window_label(context), tablets=count)
    return text, _ttd_markup(mode)


@for_command("jadwal")
async def jadwal(update: Update, context: TpkContext) -> None:
    message = update.effective_message
    assert message is not None
    services = context.services
    link = await ibu_store.link_for_user(services.db, context.caller.user_id)
    if link is None:
        await message.reply_text(rtexts.NOT_LINKED)
        return
    if not link.active:
        await message.reply_text(rtexts.paused_schedule())
        return
    text, markup = await _schedule_view(context, link)
    await message.reply_text(text, reply_markup=markup)


_SWITCHED = {"on": rtexts.TTD_ON, "off": rtexts.TTD_OFF, "harian": rtexts.TTD_DAILY, "mingguan": rtexts.TTD_WEEKLY}


async def ttd_button(update: Update, context: TpkContext, press: cb.IronSwitch) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    user_id = context.caller.user_id
    if press.state in ("harian", "mingguan"):
        link = await mothers.set_ttd_mode(context.services, user_id, mode=press.state)
    else:
        link = await mothers.set_ttd(context.services, user_id, enabled=press.state == "on")
    if link is None:
        await query.answer(rtexts.NOT_LINKED, show_alert=True)
        return
    await query.answer(_SWITCHED[press.state])
    now = await ibu_store.link_for_user(context.services.db, user_id)
    if now is None or not now.active:
        await query.edit_message_reply_markup(None)
        return
    text, markup = await _schedule_view(context, now)
    await query.edit_message_text(text, reply_markup=markup)


async def tablet_button(update: Update, context: TpkContext, press: cb.TabletAnswer) -> None:
    """«Sudah minum 7», a number after «Kurang dari 7», or the daily «Sudah minum»."""
    query = update.callback_query
    assert query is not None and query.data is not None
    done = await tablets.answer(context.services, context.caller.user_id, press.reminder_id, press.tablets)
    if done is None:  # not hers, not sent to her, or a number its buttons never offer
        await cb.refuse(query, context)
        return
    report = done.report
    if not done.recorded:
        await query.answer(rtexts.tablet_answered_before(report.tablets, report.days, done.taken, done.goal),
                           show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    span = day_span(report.start, report.end) if report.days > 1 else ""
    await context.bot.send_message(context.caller.user_id,
                                   rtexts.tablet_thanks(report.tablets, report.days, done.taken, done.goal, span))


async def fewer_button(update: Update, context: TpkContext, press: cb.TabletFewer) -> None:
    """«Kurang dari 7»: how many, 0–6, by buttons (nothing is stored until she picks)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    span = await tablets.week_of(context.services, context.caller.user_id, press.reminder_id)
    if span is None:
        await cb.refuse(query, context)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(context.caller.user_id, rtexts.TABLETS_HOW_MANY.format(span=span),
                                   reply_markup=tablets.how_many_markup(press.reminder_id))


async def ack_button(update: Update, context: TpkContext, press: cb.ReminderAnswer) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    done = press.choice == "y"
    answered = await mothers.answer(context.services, context.caller.user_id, press.reminder_id, done=done)
    if answered is None:  # answered before, or not her reminder: change nothing
        await query.answer(rtexts.ALREADY_ANSWERED)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(context.caller.user_id, rtexts.THANKS_DONE if done else rtexts.THANKS_NOT_YET)


async def chat_member(update: Update, context: TpkContext) -> None:
    """She blocked the bot: the same as a 403 on the next reminder, only sooner."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.new_chat_member.status != ChatMemberStatus.BANNED:
        return
    if context.caller.role is Role.IBU:
        await mothers.mark_unreachable(context.services, context.caller.user_id)


# -- the TPK member's side ------------------------------------------------------------------


async def send_invitation(context: TpkContext, chat_id: int, sasaran_id: int) -> bool:
    """Make a mother's invitation and send its QR code and link to ``chat_id`` (the
    caller); the registration flows may call this directly. False (with a message to
    the member) when no invitation can be made."""
    services = context.services
    try:
        invitation = await create_invitation(services, context.caller, sasaran_id)
    except CannotInvite as exc:
        await context.bot.send_message(chat_id, str(exc))
        return False
    until = invitation.expires_at.astimezone(zone_for_region(invitation.sasaran.region_code))
    caption = (
        f"📲 Undangan pengingat untuk <b>{html.escape(invitation.sasaran.name)}</b>\n\n"
        "Tunjukkan kode QR ini kepada ibu untuk dipindai dengan kamera HP-nya, atau kirimkan tautan ini "
        f"kepadanya:\n{invitation.link}\n\n"
        f"Berlaku sampai {long_date(until.date())} pukul {until:%H.%M}, untuk satu kali pakai. "
        "Anda akan diberi tahu jawabannya."
    )
    await context.bot.send_photo(chat_id, photo=invitation.qr_png, caption=caption)
    log.info("invitation for sasaran %s made by member %s", sasaran_id, context.caller.user_id)
    return True


async def invite_button_pressed(update: Update, context: TpkContext, press: cb.MotherInvite) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    if context.caller.role not in (Role.TPK, Role.KOORDINATOR, Role.ADMIN):
        await query.answer(common_texts.NOT_ALLOWED, show_alert=True)
        return
    await query.answer()
    await send_invitation(context, update.effective_chat.id, press.sasaran_id)


_BUTTONS: dict[type, Any] = {cb.MotherConsent: consent_button, cb.ReminderAnswer: ack_button,
                             cb.IronSwitch: ttd_button, cb.TabletAnswer: tablet_button,
                             cb.TabletFewer: fewer_button, cb.MotherInvite: invite_button_pressed}


#: Buttons only a mother may press (on reminders she received, on her /jadwal).
_HERS = (cb.ReminderAnswer, cb.IronSwitch, cb.TabletAnswer, cb.TabletFewer)


async def _on_button(update: Update, context: TpkContext) -> None:
    """Every ``ibu`` button, routed by its shape; one that cannot be read is refused, and a
    mother's button pressed by anyone else is answered with "not allowed"."""
    assert update.callback_query is not None
    press = cb.IBU.parse(update.callback_query.data)
    if press is None:
        await cb.refuse(update.callback_query, context)
        return
    if isinstance(press, _HERS) and context.caller.role is not Role.IBU:
        await update.callback_query.answer(common_texts.NOT_ALLOWED, show_alert=True)
        return
    await _BUTTONS[type(press)](update, context, press)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("berhenti", berhenti))
    app.add_handler(CommandHandler("mulai", mulai))
    app.add_handler(CommandHandler("jadwal", jadwal))
    app.add_handler(CallbackQueryHandler(_on_button, pattern=cb.IBU.pattern))
    app.add_handler(ChatMemberHandler(chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
