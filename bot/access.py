"""The one access check every update passes, and the role gate handlers declare.

The check runs in handler group -100: it loads the caller's role and scope once, so
handlers never query users themselves. Admins are named in the configuration and
always have the whole root region.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot import callbacks as cb
from bot import refusals, texts
from bot.commands import MANAGERS, find, spec
from bot.context import TpkContext
from bot.domain.roles import Caller, Role
from storage import users as users_store
from storage.access_log import Refusal
from storage.keluarga import Sasaran

log = logging.getLogger(__name__)

Handler = Callable[[Update, TpkContext], Awaitable[Any]]
H = TypeVar("H", bound=Handler)


async def load_caller(update: Update, context: TpkContext) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    now = services.clock.now()
    root = services.regions.root.code
    if user.id in services.settings.access.admins:
        member = await users_store.ensure_admin(services.db, user.id, user.full_name, root, now)
    else:
        member = await users_store.get(services.db, user.id)
    if member is None:
        context.caller = Caller(user_id=user.id, role=None, scope=None)
        return
    if not member.active:
        context.caller = Caller(user_id=user.id, role=None, scope=None, name=member.full_name, deactivated=True)
        return
    context.caller = Caller(
        user_id=member.id,
        role=member.role,
        scope=member.region_code,
        name=member.full_name,
        team_position=member.team_position,
    )
    await users_store.touch(services.db, member, now)


def _command_of(text: str, bot_username: str) -> str | None:
    """``lapor`` of "/lapor", "/lapor@this_bot 2026"; None for text or another bot's command."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    name, _, addressee = word.partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


async def private_chats_only(update: Update, context: TpkContext) -> None:
    """Personal data only ever goes to private chats (issue 15 §3): in a group, supergroup or
    channel every button and every command declared ``private_only`` in :mod:`bot.commands` gets
    one line saying so, anything else typed there is left alone — forms never run in groups."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    user = update.effective_user
    services = context.services
    query, message = update.callback_query, update.effective_message
    if query is not None:
        what = cb.prefix_of(query.data)
    else:
        command = _command_of(message.text or "", services.bot_username) if message is not None else None
        if message is None or command is None or user is None:
            raise ApplicationHandlerStop
        declared = find(command)
        if declared is not None and not declared.private_only:
            return
        what = command if declared is not None else "?"  # never keep what was typed after a "/"
    if user is not None:
        await refusals.record(services, user.id, Refusal.CHAT, what[:16], chat.id)
    if query is not None:
        await query.answer(texts.PRIVATE_CHAT_ONLY, show_alert=True)
    elif message is not None:
        await message.reply_text(texts.PRIVATE_CHAT_ONLY)
    raise ApplicationHandlerStop


async def refuse(update: Update, context: TpkContext, what: str = "") -> None:
    """Tell the caller, kindly, that this is not for them (counted as a refusal by role)."""
    await refusals.record(context.services, context.caller.user_id, Refusal.ROLE, what)
    text = texts.DEACTIVATED if context.caller.deactivated else texts.NOT_ALLOWED
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def allowed(context: TpkContext, roles: frozenset[Role | None]) -> bool:
    return context.caller.role in roles


def may_edit(context: TpkContext, sasaran: Sasaran) -> bool:
    """Corrections after submit: the reporter, and the coordinators (the record was found in their scope)."""
    return context.caller.user_id == sasaran.reporter_id or allowed(context, MANAGERS)


def for_command(name: str) -> Callable[[H], H]:
    """Gate a handler by the roles declared for command ``name`` in bot.commands."""
    roles = spec(name).roles

    def decorate(handler: H) -> H:
        @functools.wraps(handler)
        async def gated(update: Update, context: TpkContext) -> Any:
            if not allowed(context, roles):
                await refuse(update, context, name)
                return ConversationHandler.END
            return await handler(update, context)

        return gated  # type: ignore[return-value]

    return decorate
