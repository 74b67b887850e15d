"""Joining through an invitation link: ``/start <token>`` for koordinator and TPK.

The newcomer confirms or types their name, may share their phone number with
Telegram's contact button, and a TPK member picks their team position. Nothing is
written until the last step, which claims the invitation atomically; a flow cut short
leaves the link usable, so opening it again starts over.
"""

from __future__ import annotations

import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks as cb
from bot import texts
from bot.context import TpkContext
from bot.domain import identity
from bot.domain.roles import Role, TeamPosition
from bot.domain.tokens import is_well_formed
from bot.menu import show_menu
from bot.reminders import mothers
from bot.reminders import texts as rtexts
from conversations.parsers import ParseError, parse_date, parse_phone, parse_yes_no
from storage import invitations
from storage.invitations import Invitation, InvitationError, Problem

log = logging.getLogger(__name__)

CONFIRM_NAME, TYPE_NAME, PHONE, POSITION, REJOIN, MOTHER_CHECK = range(6)
KEY = "join"
SKIP = "Lewati"
SHARE = "📱 Kirim nomor HP saya"
_NAME = re.compile(r"^[^\W\d_][^\d]{1,78}[^\W\d_.]?\.?$")

PROBLEM_TEXTS = {
    Problem.UNKNOWN: "Tautan undangan ini tidak dikenal. Periksa lagi tautannya atau minta yang baru ke "
                     "koordinator Anda.",
    Problem.USED: "Tautan undangan ini sudah dipakai. Satu tautan hanya untuk satu orang — minta tautan baru "
                  "ke koordinator Anda.",
    Problem.EXPIRED: "Tautan undangan ini sudah kedaluwarsa. Minta tautan baru ke koordinator Anda.",
    Problem.ALREADY_MEMBER: "Anda sudah terdaftar, jadi tautan ini tidak dipakai. Ketik /bantuan untuk melihat "
                            "perintah Anda.",
    Problem.REVOKED: "Tautan undangan ini sudah tidak berlaku. Minta tautan baru ke koordinator Anda.",
    Problem.DEACTIVATED: "Akun Anda pernah dinonaktifkan, jadi tautan ini tidak bisa dipakai. Minta koordinator "
                         "Anda membuatkan tautan bergabung kembali khusus untuk Anda (lewat /anggota).",
    Problem.NOT_FOR_YOU: "Tautan undangan ini dibuat untuk orang lain. Minta tautan Anda sendiri ke koordinator Anda.",
}
REJOIN_QUESTION = ("Akun Anda pernah dinonaktifkan. Tautan ini dibuat khusus agar Anda bisa bergabung kembali "
                   "sebagai <b>{role}</b> untuk <b>{area}</b>. Lanjutkan?")


def _answers(context: TpkContext) -> dict[str, Any]:
    return context.user_data.setdefault(KEY, {})  # type: ignore[union-attr]


def _clean_name(text: str) -> str | None:
    name = " ".join(text.split())
    return name if 3 <= len(name) <= 80 and _NAME.match(name) else None


#: Shows a mother the consent screen of her invitation (``handlers.ibu.open_invitation``). :mod:`bot.app`
#: passes it in: conversations and handlers do not import each other.
MotherInvitationOpener = Callable[[Update, TpkContext, str, Invitation], Awaitable[int]]


async def entry(update: Update, context: TpkContext, open_mother_invitation: MotherInvitationOpener) -> int:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    token = (context.args or [""])[0]
    invitation = await invitations.find(context.services.db, token) if is_well_formed(token) else None
    problem = Problem.UNKNOWN if invitation is None else invitation.problem(context.services.clock.now())
    # A mother may take a new invitation (a later pregnancy); a member never takes one meant for someone else.
    mothers_link = invitation is not None and invitation.role is Role.IBU and context.caller.role in (None, Role.IBU)
    if problem is None and context.caller.role is not None and not mothers_link:
        problem = Problem.ALREADY_MEMBER
    if problem is not None or invitation is None:
        await message.reply_text(PROBLEM_TEXTS[problem or Problem.UNKNOWN])
        return ConversationHandler.END
    if invitation.role is Role.IBU:
        return await _ask_mother(update, context, token, invitation)
    if invitation.role not in (Role.KOORDINATOR, Role.TPK, Role.PAKAR):
        await message.reply_text(PROBLEM_TEXTS[Problem.UNKNOWN])
        return ConversationHandler.END
    mine = invitation.for_user == update.effective_user.id
    if (problem := _not_theirs(invitation, context, mine)) is not None:
        await message.reply_text(PROBLEM_TEXTS[problem])
        return ConversationHandler.END
    context.user_data[KEY] = {"token": token, "role": invitation.role.value}  # type: ignore[index]
    area = html.escape(context.services.regions.path_label(invitation.region_code))
    if context.caller.deactivated:
        await message.reply_text(
            REJOIN_QUESTION.format(role=invitation.role.label, area=area),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton("Ya, lanjutkan", callback_data=cb.data(cb.JoinReturn("ok"))),
                InlineKeyboardButton("Tidak", callback_data=cb.data(cb.JoinReturn("no")))]]),
        )
        return REJOIN
    return await _welcome(update, context, invitation)


def _not_theirs(invitation: Invitation, context: TpkContext, mine: bool) -> Problem | None:
    """A link made for someone else, or a deactivated member with a link not made for them."""
    if invitation.for_user is not None and not mine:
        return Problem.NOT_FOR_YOU
    if context.caller.deactivated and not mine:
        return Problem.DEACTIVATED
    return None


async def _ask_mother(update: Update, context: TpkContext, token: str, invitation: Invitation) -> int:
    """A mother's link: before anything about her is shown, whoever opened it confirms she is her
    (issue 15 §11): her initial and birth date, :data:`bot.domain.identity.TRIES` tries in all."""
    message = update.effective_message
    assert message is not None
    if context.caller.deactivated:
        await message.reply_text(PROBLEM_TEXTS[Problem.DEACTIVATED])
        return ConversationHandler.END
    if not await mothers.can_check(context.services, invitation):
        await message.reply_text(rtexts.IDENTITY_NOT_RECORDED)
        return ConversationHandler.END
    context.user_data[KEY] = {"token": token, "role": Role.IBU.value}  # type: ignore[index]
    await message.reply_text(rtexts.IDENTITY_QUESTION)
    return MOTHER_CHECK


async def mother_typed(update: Update, context: TpkContext, open_mother_invitation: MotherInvitationOpener) -> int:
    """Her answer to "who are you?": an initial and a birth date, e.g. "S 12-03-1990"."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    initial, _, rest = (message.text or "").strip().partition(" ")
    try:
        born = parse_date(rest, on=context.services.clock.now().date())
    except ParseError:
        born = None
    if identity.initial_of(initial) is None or born is None:
        await message.reply_text(rtexts.IDENTITY_FORMAT)
        return MOTHER_CHECK
    token = _answers(context).get("token", "")
    try:
        checked = await mothers.check_identity(context.services, token=token, telegram_id=update.effective_user.id,
                                               initial=initial, born=born)
    except InvitationError as exc:
        context.user_data.pop(KEY, None)  # type: ignore[union-attr]
        await message.reply_text(rtexts.LINK_PROBLEMS[exc.problem])
        return ConversationHandler.END
    if checked.outcome is mothers.Check.WRONG:
        await message.reply_text(rtexts.identity_wrong(checked.tries_left))
        return MOTHER_CHECK
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    if checked.outcome is mothers.Check.SPENT:
        await message.reply_text(rtexts.IDENTITY_SPENT)
        return ConversationHandler.END
    return await open_mother_invitation(update, context, token, checked.invitation)


async def rejoin_button(update: Update, context: TpkContext) -> int:
    """The answer to "Akun Anda pernah dinonaktifkan … Lanjutkan?"."""
    query = update.callback_query
    assert query is not None
    press = cb.JOIN.parse(query.data)
    if not isinstance(press, cb.JoinReturn):
        await cb.refuse(query, context)
        return REJOIN
    await query.answer()
    await query.edit_message_reply_markup(None)
    token = _answers(context).get("token", "")
    invitation = await invitations.find(context.services.db, token) if press.choice == "ok" else None
    if invitation is None:
        context.user_data.pop(KEY, None)  # type: ignore[union-attr]
        await query.message.reply_text("Baik, tidak dilanjutkan. Tautan ini masih bisa dibuka lagi "  # type: ignore[union-attr]
                                       "selama berlaku.")
        return ConversationHandler.END
    return await _welcome(update, context, invitation)


async def _welcome(update: Update, context: TpkContext, invitation: Invitation) -> int:
    """Who they are invited as, and the first question: their name."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    area = html.escape(context.services.regions.path_label(invitation.region_code))
    intro = f"Selamat datang! Anda diundang sebagai <b>{invitation.role.label}</b> untuk <b>{area}</b>."
    name = _clean_name(update.effective_user.full_name)
    if name is None:
        await message.reply_text(f"{intro}\n\nTulis nama lengkap Anda:")
        return TYPE_NAME
    _answers(context)["name"] = name
    await message.reply_text(
        f"{intro}\n\nApakah nama Anda <b>{html.escape(name)}</b>?", reply_markup=_name_buttons())
    return CONFIRM_NAME


async def name_button(update: Update, context: TpkContext) -> int:
    query = update.callback_query
    assert query is not None
    press = cb.JOIN.parse(query.data)
    if not isinstance(press, cb.JoinName):
        await cb.refuse(query, context)
        return CONFIRM_NAME
    await query.answer()
    await query.edit_message_reply_markup(None)
    if press.choice == "edit":
        await query.message.reply_text("Tulis nama lengkap Anda:")  # type: ignore[union-attr]
        return TYPE_NAME
    return await _ask_phone(update)


NAME_WORDS = "Tekan «Ya, benar» (atau ketik «ya») bila nama itu benar, atau «Ganti nama» (ketik «ganti»)."


async def name_word(update: Update, context: TpkContext) -> int:
    """A typed answer to "Apakah nama Anda …?": "ya" is the «Ya, benar» button, "tidak" or
    "ganti" the «Ganti nama» one; anything else repeats the question with the way out."""
    message = update.effective_message
    assert message is not None
    typed = " ".join((message.text or "").casefold().split()).strip(".!,")
    try:
        keep = typed in ("ya, benar", "ya benar") or parse_yes_no(typed)
    except ParseError:
        keep = None if typed not in ("ganti", "ganti nama", "ubah", "salah") else False
    if keep is None:
        name = html.escape(_answers(context).get("name", ""))
        await message.reply_text(f"Apakah nama Anda <b>{name}</b>? {NAME_WORDS}", reply_markup=_name_buttons())
        return CONFIRM_NAME
    if not keep:
        await message.reply_text("Tulis nama lengkap Anda:")
        return TYPE_NAME
    return await _ask_phone(update)


def _name_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Ya, benar", callback_data=cb.data(cb.JoinName("ok"))),
          InlineKeyboardButton("Ganti nama", callback_data=cb.data(cb.JoinName("edit")))]]
    )


async def name_typed(update: Update, context: TpkContext) -> int:
    message = update.effective_message
    assert message is not None
    name = _clean_name(message.text or "")
    if name is None:
        await message.reply_text("Nama belum sesuai. Tulis nama lengkap dengan huruf (3–80 karakter), "
                                 "misalnya: Siti Aminah")
        return TYPE_NAME
    _answers(context)["name"] = name
    return await _ask_phone(update)


async def _ask_phone(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(
        "Bagikan nomor HP Anda dengan tombol di bawah, supaya koordinator bisa menghubungi Anda. "
        "Boleh juga dilewati.",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton(SHARE, request_contact=True)], [KeyboardButton(SKIP)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        ),
    )
    return PHONE


async def phone_shared(update: Update, context: TpkContext) -> int:
    message = update.effective_message
    assert message is not None and message.contact is not None and update.effective_user is not None
    if message.contact.user_id != update.effective_user.id:
        await message.reply_text("Mohon bagikan nomor Anda sendiri dengan tombol di bawah, atau tekan Lewati.")
        return PHONE
    try:
        _answers(context)["phone"] = parse_phone(message.contact.phone_number)
    except ParseError:
        _answers(context)["phone"] = None
    return await _after_phone(update, context)


async def phone_skipped(update: Update, context: TpkContext) -> int:
    _answers(context)["phone"] = None
    return await _after_phone(update, context)


async def phone_other(update: Update, context: TpkContext) -> int:
    """A typed number is as good as the contact button (normalised to +62…); other text
    repeats the way out."""
    message = update.effective_message
    assert message is not None
    if message.text and any(ch.isdigit() for ch in message.text):
        try:
            _answers(context)["phone"] = parse_phone(message.text)
        except ParseError as exc:
            await message.reply_text(f"{exc.message} Atau tekan «{SHARE}» di bawah, atau «{SKIP}».")
            return PHONE
        return await _after_phone(update, context)
    await message.reply_text(
        f"Tekan tombol «{SHARE}» di bawah, ketik nomor HP Anda, atau tekan «{SKIP}» bila tidak ingin membagikannya."
    )
    return PHONE


async def _after_phone(update: Update, context: TpkContext) -> int:
    chat = update.effective_chat
    assert chat is not None
    if Role(_answers(context)["role"]) is not Role.TPK:
        return await _finish(update, context)
    await chat.send_message("Terima kasih.", reply_markup=ReplyKeyboardRemove())
    await chat.send_message("Apa posisi Anda di tim?", reply_markup=_position_buttons())
    return POSITION


def _position_buttons() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(p.label, callback_data=cb.data(cb.JoinPosition(p.value)))] for p in TeamPosition]
    )


def typed_position(text: str) -> TeamPosition | None:
    """"bidan", "Kader PKK", "pkk", "kader kb", "KB" → the position; anything else None."""
    typed = " ".join(text.casefold().replace("_", " ").split()).strip(".!,")
    for position in TeamPosition:
        label = position.label.casefold()
        if typed in (label, position.value.replace("_", " "), label.removeprefix("kader ")):
            return position
    return None


async def position_word(update: Update, context: TpkContext) -> int:
    message = update.effective_message
    assert message is not None
    position = typed_position(message.text or "")
    if position is None:
        names = ", ".join(f"«{p.label}»" for p in TeamPosition)
        await message.reply_text(f"Apa posisi Anda di tim? Tekan salah satu tombol atau ketik {names}.",
                                 reply_markup=_position_buttons())
        return POSITION
    await message.reply_text(f"Posisi: <b>{position.label}</b>")
    _answers(context)["position"] = position.value
    return await _finish(update, context)


async def position_button(update: Update, context: TpkContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    press = cb.JOIN.parse(query.data)
    try:
        position = TeamPosition(press.position if isinstance(press, cb.JoinPosition) else "")
    except ValueError:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return POSITION
    await query.answer()
    await query.edit_message_text(f"Posisi: <b>{position.label}</b>")
    _answers(context)["position"] = position.value
    return await _finish(update, context)


async def _finish(update: Update, context: TpkContext) -> int:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    answers = context.user_data.pop(KEY, {})  # type: ignore[union-attr]
    services = context.services
    try:
        member, invitation = await invitations.claim_membership(
            services.db,
            token=answers["token"],
            user_id=user.id,
            full_name=answers["name"],
            phone=answers.get("phone"),
            cipher=services.cipher,
            team_position=TeamPosition(answers["position"]) if answers.get("position") else None,
            now=services.clock.now(),
        )
    except InvitationError as exc:
        await chat.send_message(PROBLEM_TEXTS[exc.problem], reply_markup=ReplyKeyboardRemove())
        return ConversationHandler.END
    area = html.escape(services.regions.path_label(member.region_code))
    await chat.send_message(
        f"🎉 Selamat bergabung, {html.escape(member.full_name)}! Anda sekarang <b>{member.role.label}</b> "
        f"untuk <b>{area}</b>.\n\nKetik /bantuan untuk melihat perintah Anda.",
        reply_markup=ReplyKeyboardRemove(),
    )
    await show_menu(context.bot, user.id, member.role)
    await _tell_inviter(context, invitation, member.full_name)
    return ConversationHandler.END


async def _tell_inviter(context: TpkContext, invitation: Invitation, name: str) -> None:
    area = html.escape(context.services.regions.path_label(invitation.region_code))
    try:
        await context.bot.send_message(
            invitation.created_by,
            f"✅ {html.escape(name)} telah bergabung sebagai <b>{invitation.role.label}</b> untuk <b>{area}</b>.",
        )
    except TelegramError:
        log.warning("could not tell inviter %s about invitation %s", invitation.created_by, invitation.id)


async def cancel(update: Update, context: TpkContext) -> int:
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "Pendaftaran dibatalkan. Tautan undangan masih bisa dibuka lagi selama berlaku.",
        reply_markup=ReplyKeyboardRemove(),
    )
    return ConversationHandler.END


def build(open_mother_invitation: MotherInvitationOpener) -> ConversationHandler:  # type: ignore[type-arg]
    # Buttons here belong to the one open flow of this user, so per-chat tracking is
    # what we want; PTB warns about per_message=False regardless.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        name=KEY,
        entry_points=[CommandHandler("start", partial(entry, open_mother_invitation=open_mother_invitation),
                                     filters=filters.Regex(r"^/start\s+\S"))],
        states={
            CONFIRM_NAME: [CallbackQueryHandler(name_button, pattern=cb.JOIN.pattern),
                           MessageHandler(filters.TEXT & ~filters.COMMAND, name_word)],
            TYPE_NAME: [MessageHandler(filters.TEXT & ~filters.COMMAND, name_typed)],
            PHONE: [
                MessageHandler(filters.CONTACT, phone_shared),
                MessageHandler(filters.Regex(rf"^{SKIP}$"), phone_skipped),
                MessageHandler(~filters.COMMAND, phone_other),
            ],
            POSITION: [CallbackQueryHandler(position_button, pattern=cb.JOIN.pattern),
                       MessageHandler(filters.TEXT & ~filters.COMMAND, position_word)],
            REJOIN: [CallbackQueryHandler(rejoin_button, pattern=cb.JOIN.pattern)],
            MOTHER_CHECK: [MessageHandler(filters.TEXT & ~filters.COMMAND,
                                          partial(mother_typed, open_mother_invitation=open_mother_invitation))],
        },
        fallbacks=[CommandHandler("batal", cancel)],
        allow_reentry=True,
    )


def register(app: Application, open_mother_invitation: MotherInvitationOpener) -> None:  # type: ignore[type-arg]
    app.add_handler(build(open_mother_invitation))
