"""A Telegram Bot API emulator speaking real HTTP on 127.0.0.1.

The end-to-end suite points the real python-telegram-bot ``Application`` at it::

    emu = BotApiEmulator(token="123456:TEST", bot_username="tpk_test_bot")
    await emu.start()
    app = (ApplicationBuilder().token(emu.token)
           .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
    user = emu.user(1001, first_name="Siti")
    await user.send("/start")
    reply = await user.next_message()

Every call is checked against ``data/telegram/bot-api.json`` plus Telegram's semantic
rules (HTML subset, length limits, callback_data bytes, ...); misuse lands in
``emu.errors``. ``emu.faults`` and ``emu.flood`` inject network faults and 429s;
``emu.stats`` counts calls and deliveries.

Known limitations: private chats, and group chats with one writing member each
(``emu.group``); Markdown/MarkdownV2 text is stored verbatim (not
parsed or validated); no inline mode, webhooks, payments or media groups; photos
get a single PhotoSize (no thumbnails); URL media is accepted but has no bytes.
"""

from bot.dev.emulator.faults import FAULT_KINDS, FaultInjector
from bot.dev.emulator.flood import FloodControl
from bot.dev.emulator.messages import BotMessage, Button, CallbackAnswer, ReplyButton
from bot.dev.emulator.server import BotApiEmulator
from bot.dev.emulator.stats import Stats
from bot.dev.emulator.users import SimUser

__all__ = [
    "FAULT_KINDS",
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "FaultInjector",
    "FloodControl",
    "ReplyButton",
    "SimUser",
    "Stats",
]
