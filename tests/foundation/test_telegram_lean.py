"""Sending and editing without parsing Telegram's answer (bot/transport/lean.py): what
the member sees is the same as through PTB's wrappers, errors are PTB's, and PTB's
advice to use its wrappers is silenced for these two calls only."""

from __future__ import annotations

import warnings

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from bot.dev.emulator import BotApiEmulator
from bot.transport import lean as telegram_lean
from bot.transport.http import AiohttpRequest

TOKEN = "123:ABC"


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"f:k:v:x:{i}")]
                                 for i, label in enumerate(labels)])


async def test_a_lean_message_and_edit_look_like_the_wrapped_ones() -> None:
    async with BotApiEmulator(token=TOKEN) as emu:
        user = emu.user(42, "Sari")
        bot = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, request=AiohttpRequest())
        async with bot:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                telegram_lean.silence_wrapper_advice()
                await telegram_lean.send_html(bot, 42, "Jamban <b>keluarga</b>? https://contoh.id &lt;1&gt;",
                                              _keyboard("Ya", "Tidak"))
                question = await user.next_message()
                await telegram_lean.edit_html(bot, 42, question.message_id, "✔️ Jamban: <b>Ya</b>")
                edited = await user.next_edit()
                with pytest.raises(BadRequest, match="not found"):
                    await telegram_lean.edit_html(bot, 42, 9999, "hilang")
            # Other warnings still come through.
            with pytest.warns(PTBUserWarning, match="Bot.getMe"):
                await bot.do_api_request("getMe")
    assert question.text == "Jamban keluarga? https://contoh.id <1>"
    assert [e["type"] for e in question.entities] == ["bold"]
    assert question.button_labels() == ["Ya", "Tidak"]
    assert edited.message_id == question.message_id and edited.edited
    assert edited.text == "✔️ Jamban: Ya" and edited.buttons == []
    assert not [w for w in caught if issubclass(w.category, PTBUserWarning)]
    assert [e for e in emu.errors if "9999" not in e] == []  # only the edit of a message that never was


async def test_without_silencing_ptb_advises_its_wrapper() -> None:
    """The filter is what keeps the log quiet; without it PTB speaks up (so the filter's
    pattern matches PTB's actual words)."""
    async with BotApiEmulator(token=TOKEN) as emu:
        emu.user(42, "Sari")
        bot = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, request=AiohttpRequest())
        async with bot:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                await telegram_lean.send_html(bot, 42, "Halo")
                telegram_lean.silence_wrapper_advice()
                await telegram_lean.send_html(bot, 42, "Halo lagi")
    advice = [str(w.message) for w in caught if issubclass(w.category, PTBUserWarning)]
    assert len(advice) == 1 and "Bot.sendMessage" in advice[0]
