"""Telegram's command menu, per chat: each member sees the commands of their role."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.commands import commands_for
from bot.domain.roles import Role

log = logging.getLogger(__name__)


async def show_menu(bot: Bot, user_id: int, role: Role | None) -> None:
    """Best effort: a menu that could not be set is not worth failing a reply for."""
    commands = [BotCommand(c.name, c.description) for c in commands_for(role)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.warning("could not set the command menu for user %s", user_id)
