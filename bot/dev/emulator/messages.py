"""Messages as the emulator stores them and as tests see them.

``StoredMessage`` keeps the exact ``Message`` object Telegram would return (``api``), so
what PTB de-serialises and what the user "sees" can never drift apart. ``BotMessage`` is
an immutable, test-friendly snapshot of a bot message: plain text, the HTML source,
buttons, keyboards and attached bytes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from bot.dev.emulator.files import StoredFile

__all__ = ["BotMessage", "Button", "CallbackAnswer", "ReplyButton", "StoredMessage"]


@dataclass(frozen=True)
class Button:
    """One inline keyboard button."""

    label: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ReplyButton:
    """One reply-keyboard button (the keyboard replacing the user's text field)."""

    label: str
    request_contact: bool = False
    request_location: bool = False


@dataclass(frozen=True)
class CallbackAnswer:
    """What answerCallbackQuery showed: a toast (or alert when show_alert)."""

    text: str | None
    show_alert: bool = False
    url: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """A message from the bot as a person in the chat sees it right now.

    ``text`` is the text after entity parsing (the caption for photos and documents),
    i.e. what is displayed; ``raw_text``/``parse_mode`` are what the bot sent.
    """

    message_id: int
    chat_id: int
    text: str
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[ReplyButton]] | None = None
    removes_reply_keyboard: bool = False
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    edited: bool = False
    date: int = 0

    @property
    def plain_text(self) -> str:
        """What a person reads: tags stripped, entities unescaped (same as ``text``)."""
        return self.text

    @property
    def html(self) -> str:
        """The message as Telegram-HTML, whatever parse mode the bot used."""
        if self.raw_text is not None and (self.parse_mode or "").upper() == "HTML":
            return self.raw_text
        return html.escape(self.text, quote=False)

    def button_labels(self) -> list[str]:
        """Inline button labels, row by row, flattened."""
        return [b.label for row in self.buttons for b in row]

    def reply_keyboard_labels(self) -> list[str]:
        return [b.label for row in self.reply_keyboard or [] for b in row]

    def button(self, label: str) -> Button:
        """The inline button with this exact label (AssertionError if absent)."""
        for row in self.buttons:
            for b in row:
                if b.label == label:
                    return b
        raise AssertionError(f"no button {label!r} in message; buttons: {self.button_labels()}")

    def describe(self) -> str:
        """One line for transcripts in assertion messages."""
        parts = [repr(self.text)]
        if self.photo is not None:
            parts.insert(0, "[photo]")
        if self.document is not None:
            parts.insert(0, f"[document {self.filename}]")
        if self.buttons:
            parts.append("buttons=" + " | ".join(", ".join(b.label for b in r) for r in self.buttons))
        if self.reply_keyboard:
            parts.append(f"keyboard={self.reply_keyboard_labels()}")
        if self.edited:
            parts.append("(edited)")
        return f"#{self.message_id} " + " ".join(parts)


@dataclass
class StoredMessage:
    """A message in the emulator's chat history (from the bot or from a user)."""

    api: dict[str, Any]
    from_bot: bool
    raw_text: str | None = None
    parse_mode: str | None = None
    sent_markup: dict[str, Any] | None = None  # reply_markup as sent; Message echoes inline only
    file: StoredFile | None = None
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.api["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.api["chat"]["id"])

    def snapshot(self) -> BotMessage:
        api = self.api
        markup = api.get("reply_markup") or {}
        buttons = [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        sent = self.sent_markup or {}
        keyboard = None
        if "keyboard" in sent:
            keyboard = [
                [
                    ReplyButton(b, False, False)
                    if isinstance(b, str)
                    else ReplyButton(
                        b.get("text", ""),
                        bool(b.get("request_contact")),
                        bool(b.get("request_location")),
                    )
                    for b in row
                ]
                for row in sent["keyboard"]
            ]
        content = self.file.content if self.file is not None else None
        return BotMessage(
            message_id=self.message_id,
            chat_id=self.chat_id,
            text=api.get("text", api.get("caption", "")),
            raw_text=self.raw_text,
            parse_mode=self.parse_mode,
            entities=list(api.get("entities", api.get("caption_entities", []))),
            buttons=buttons,
            reply_keyboard=keyboard,
            removes_reply_keyboard=bool(sent.get("remove_keyboard")),
            photo=content if "photo" in api else None,
            document=content if "document" in api else None,
            filename=self.file.file_name if self.file is not None else None,
            mime_type=self.file.mime_type if self.file is not None else None,
            edited="edit_date" in api,
            date=int(api.get("date", 0)),
        )
