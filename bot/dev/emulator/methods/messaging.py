"""sendMessage, the edit* family, deleteMessage, answerCallbackQuery, sendChatAction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.dev.emulator.errors import bad_request
from bot.dev.emulator.messages import CallbackAnswer, StoredMessage
from bot.dev.emulator.methods.common import (
    DELETE_WINDOW,
    check_reply_markup,
    format_text,
    inline_markup,
    locate_bot_message,
    message_body,
)
from bot.dev.emulator.methods.registry import Params, api_method
from bot.dev.emulator.state import EmulatorState

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


@api_method("sendMessage")
def send_message(state: EmulatorState, p: Params) -> dict[str, Any]:
    plain, entities = format_text(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
    chat = state.chat_for_sending(p["chat_id"])
    content: dict[str, Any] = {"text": plain}
    if entities:
        content["entities"] = entities
    body, markup = message_body(p, chat, content)
    stored = state.add_bot_message(chat, body, raw_text=p["text"], parse_mode=p.get("parse_mode"), sent_markup=markup)
    return stored.api


def _apply_edit(
    state: EmulatorState,
    stored: StoredMessage,
    changes: dict[str, Any],
    markup: dict[str, Any] | None,
    source: tuple[str | None, str | None] | None = None,
) -> dict[str, Any]:
    """Apply changes unless nothing changes (Telegram then answers 'not modified').

    ``source`` is the new (raw text, parse_mode) as sent, kept for BotMessage.raw_text.
    """
    api = stored.api
    new_markup = inline_markup(markup)
    # A value of None means "field absent", which is also what api.get returns.
    unchanged = all(api.get(k) == v for k, v in changes.items())
    if unchanged and api.get("reply_markup") == new_markup:
        raise bad_request(_NOT_MODIFIED, record=False)
    for key, value in changes.items():
        if value is None:
            api.pop(key, None)
        else:
            api[key] = value
    if new_markup is None:
        api.pop("reply_markup", None)
    else:
        api["reply_markup"] = new_markup
    api["edit_date"] = state.timestamp()
    if source is not None:
        stored.raw_text, stored.parse_mode = source
    chat = state.chats[stored.chat_id]
    if chat.listener is not None:
        chat.listener.on_edit(stored)
    return api


@api_method("editMessageText")
def edit_message_text(state: EmulatorState, p: Params) -> dict[str, Any]:
    stored = locate_bot_message(state, p, "edit")
    if "text" not in stored.api:
        raise bad_request("there is no text in the message to edit")
    plain, entities = format_text(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
    markup = p.get("reply_markup")
    check_reply_markup(markup)
    changes = {"text": plain, "entities": entities or None}
    return _apply_edit(state, stored, changes, markup, (p["text"], p.get("parse_mode")))


@api_method("editMessageCaption")
def edit_message_caption(state: EmulatorState, p: Params) -> dict[str, Any]:
    stored = locate_bot_message(state, p, "edit")
    if "photo" not in stored.api and "document" not in stored.api:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = format_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True)
    markup = p.get("reply_markup")
    check_reply_markup(markup)
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _apply_edit(state, stored, changes, markup, (p.get("caption"), p.get("parse_mode")))


@api_method("editMessageReplyMarkup")
def edit_message_reply_markup(state: EmulatorState, p: Params) -> dict[str, Any]:
    stored = locate_bot_message(state, p, "edit")
    markup = p.get("reply_markup")
    check_reply_markup(markup)
    return _apply_edit(state, stored, {}, markup)


@api_method("deleteMessage")
def delete_message(state: EmulatorState, p: Params) -> bool:
    chat = state.chats.get(p["chat_id"]) if isinstance(p["chat_id"], int) else None
    if chat is None:
        raise bad_request("chat not found", detail=f"chat_id={p['chat_id']!r}")
    stored = chat.live_message(p["message_id"])
    if stored is None:
        raise bad_request("message to delete not found", detail=f"message_id={p['message_id']}")
    sent = datetime.fromtimestamp(stored.api["date"], UTC)
    if state.clock.now() - sent > DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone", record=False)
    stored.deleted = True
    if chat.listener is not None:
        chat.listener.on_delete(stored)
    return True


@api_method("answerCallbackQuery")
def answer_callback_query(state: EmulatorState, p: Params) -> bool:
    query = state.callbacks.get(p["callback_query_id"])
    if query is None or query.answered:
        raise bad_request(
            "query is too old and response timeout expired or query ID is invalid",
            detail=f"callback_query_id={p['callback_query_id']!r}" + (" (already answered)" if query else ""),
        )
    text = p.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG", detail="callback answer text over 200 characters")
    query.answered = True
    chat = state.chats.get(query.chat_id)
    if chat is not None and chat.listener is not None:
        chat.listener.on_callback_answer(CallbackAnswer(text, bool(p.get("show_alert", False)), p.get("url")))
    return True


@api_method("sendChatAction")
def send_chat_action(state: EmulatorState, p: Params) -> bool:
    if p["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request", detail=f"action={p['action']!r}")
    chat = state.chat_for_sending(p["chat_id"])
    if chat.listener is not None:
        chat.listener.on_chat_action(p["action"])
    return True
