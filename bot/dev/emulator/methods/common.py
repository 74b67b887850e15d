"""Checks shared by the message-producing methods: text, keyboards, replies, lookups.

These are the semantic rules the JSON spec cannot express (lengths after entity parsing,
callback_data byte limits, one action per inline button, ...). Error texts follow what
Telegram answers so that bot code matching on them behaves the same.
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

from bot.dev.emulator.errors import bad_request
from bot.dev.emulator.messages import StoredMessage
from bot.dev.emulator.state import Chat, EmulatorState
from bot.dev.emulator.telegram_html import EntityParseError, parse_html, utf16_len

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "check_reply_markup",
    "format_text",
    "inline_markup",
    "locate_bot_message",
    "reply_to",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
MAX_INLINE_BUTTONS = 100
DELETE_WINDOW = timedelta(hours=48)

_BUTTON_URL_RE = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)
_NON_ACTION_KEYS = frozenset({"text", "icon_custom_emoji_id", "style"})


def _excerpt(text: str, limit: int = 120) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    caption: bool,
) -> tuple[str, list[dict[str, Any]]]:
    """Displayed text and entities, enforcing parse rules and length limits.

    Like Telegram, leading and trailing whitespace is trimmed (entities are shifted and
    clipped accordingly) before the length limits are applied.
    """
    source = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(source)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}", detail=f"text={_excerpt(source)}") from None
        plain, ents = parsed.text, parsed.entities
    elif mode in ("markdown", "markdownv2"):
        plain, ents = source, []  # not parsed by the emulator (see package docs)
    elif mode == "":
        plain, ents = source, list(entities or [])
    else:
        raise bad_request("unsupported parse_mode", detail=f"parse_mode={parse_mode!r}")
    plain, ents = _trim(plain, ents)
    length = utf16_len(plain)
    if caption:
        if length > CAPTION_LIMIT:
            raise bad_request("message caption is too long", detail=f"{length} UTF-16 units")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if length > TEXT_LIMIT:
            raise bad_request("message is too long", detail=f"{length} UTF-16 units")
    return plain, ents


def _trim(plain: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    trimmed = plain.strip()
    if trimmed == plain:
        return plain, entities
    shift = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    total = utf16_len(trimmed)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return trimmed, kept


def check_reply_markup(markup: dict[str, Any] | None) -> None:
    """Rules for keyboards beyond the spec's structure."""
    if not markup:
        return
    if "inline_keyboard" in markup:
        buttons = [b for row in markup["inline_keyboard"] for b in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise bad_request("BUTTONS_TOO_MUCH", detail=f"{len(buttons)} buttons")
        for button in buttons:
            _check_inline_button(button)
    elif "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                label = button if isinstance(button, str) else button.get("text", "")
                if not label:
                    raise bad_request("keyboard button text is empty")


def _check_inline_button(button: dict[str, Any]) -> None:
    label = button.get("text", "")
    if not label:
        raise bad_request("BUTTON_TEXT_INVALID", detail=repr(button))
    actions = [key for key in button if key not in _NON_ACTION_KEYS]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard", detail=repr(label))
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used",
            detail=f"{label!r}: {actions}",
        )
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID", detail=f"{label!r}: callback_data is {size} bytes")
    if "url" in button and not _BUTTON_URL_RE.match(str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID", detail=f"{label!r}: {button['url']!r}")


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reply_markup echoed in Message objects: only inline keyboards are."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def reply_to(chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
    """The reply_to_message for reply_parameters, or None."""
    parameters = params.get("reply_parameters")
    if not parameters:
        return None
    target = chat.live_message(int(parameters.get("message_id", 0)))
    if target is None:
        if parameters.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    replied = copy.deepcopy(target.api)
    replied.pop("reply_to_message", None)
    return replied


def message_body(
    params: dict[str, Any], chat: Chat, content: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Content plus reply_markup and reply_to_message; returns (body, sent_markup)."""
    markup = params.get("reply_markup")
    check_reply_markup(markup)
    body = dict(content)
    replied = reply_to(chat, params)
    if replied is not None:
        body["reply_to_message"] = replied
    echoed = inline_markup(markup)
    if echoed is not None:
        body["reply_markup"] = echoed
    return body, markup


def locate_bot_message(state: EmulatorState, params: dict[str, Any], verb: str) -> StoredMessage:
    """The bot message an edit* call addresses (chat_id + message_id)."""
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    if "chat_id" not in params or "message_id" not in params:
        raise bad_request("message identifier is not specified")
    chat = state.chat_for_sending(params["chat_id"])
    stored = chat.live_message(int(params["message_id"]))
    if stored is None:
        raise bad_request(f"message to {verb} not found", detail=f"message_id={params['message_id']}")
    if not stored.from_bot:
        raise bad_request("message can't be edited", detail=f"message_id={stored.message_id}")
    return stored
