"""Sending and editing a message when nobody reads Telegram's answer.

python-telegram-bot turns every answer to sendMessage and editMessageText into a
``Message`` object: about 200 µs of CPU for a form question with its keyboard, and
in the conversation benchmark 12 % of the bot's main thread, spent on objects the form
runner throws away (it only needs to know the call succeeded). These two calls go
through ``Bot.do_api_request``, which hands back the answer as plain JSON, through the
same transport, retries, rate limiter and error classes as every other call.

PTB warns when ``do_api_request`` names a method it has a wrapper for; that advice is
exactly what this module decides against, for these two methods only (see
:func:`silence_wrapper_advice`).
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

_SEND, _EDIT = "sendMessage", "editMessageText"
#: The bot's messages never unfold link previews (they may quote an address someone
#: typed); the application's defaults say so too.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def silence_wrapper_advice() -> None:
    """Drop PTB's "please use Bot.sendMessage" warning for the calls made here.

    Called when the application is built rather than at import: test runners reset
    the warning filters around collection and each test, and the application is built
    inside each test as in production."""
    warnings.filterwarnings("ignore", message=rf"Please use 'Bot\.({_SEND}|{_EDIT})' instead of 'Bot\.do_api_request",
                            category=PTBUserWarning)


def _html(text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML, "link_preview_options": NO_PREVIEW}
    if markup is not None:
        params["reply_markup"] = markup
    return params


async def send_html(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """sendMessage with HTML text, without building a ``Message`` from the answer."""
    await bot.do_api_request(_SEND, api_kwargs={"chat_id": chat_id, **_html(text, markup)})


async def edit_html(bot: Bot, chat_id: int, message_id: int, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """editMessageText with HTML text, without building a ``Message`` from the answer."""
    await bot.do_api_request(_EDIT, api_kwargs={"chat_id": chat_id, "message_id": message_id,
                                                **_html(text, markup)})
