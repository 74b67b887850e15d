"""The application's Bot sends only the parameters each Bot API method defines
(bot/transport/bot.py): PTB's default parse mode never rides along on an edit of the buttons."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Defaults, ExtBot

from bot.dev.emulator import BotApiEmulator
from bot.dev.emulator.spec import BotApiSpec
from bot.transport.bot import FORMATTING, WITHOUT_FORMATTING, TpkBot
from bot.transport.http import AiohttpRequest

TOKEN = "123:ABC"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Sudah", callback_data="x:1")]])


def test_the_table_matches_the_spec() -> None:
    spec = BotApiSpec.load()
    for method in WITHOUT_FORMATTING:
        defined = spec.methods[method].fields
        assert method in spec.methods and not FORMATTING & defined.keys(), method
    for method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
        assert "parse_mode" in spec.methods[method].fields  # these keep the default parse mode


async def _edit_markup(bot_class: type[Bot]) -> None:
    async with BotApiEmulator(token=TOKEN) as emu:
        emu.user(42, "Sari")
        bot = bot_class(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, request=AiohttpRequest(),
                        defaults=Defaults(parse_mode=ParseMode.HTML))
        async with bot:
            sent = await bot.send_message(42, "<b>Periksa</b> kehamilan", reply_markup=KEYBOARD)
            assert sent.text == "Periksa kehamilan"  # the default parse mode still applies where defined
            await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=None)
        emu.assert_no_errors()


async def test_an_edit_of_the_buttons_goes_out_without_parse_mode() -> None:
    await _edit_markup(TpkBot)


async def test_ptb_alone_sends_parse_mode_and_the_emulator_refuses_it() -> None:
    """What the class above exists for: PTB's ExtBot adds the default to editMessageReplyMarkup."""
    with pytest.raises(BadRequest, match=r'(?i)unknown parameter "parse_mode"'):
        await _edit_markup(ExtBot)
