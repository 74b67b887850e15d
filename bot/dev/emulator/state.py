"""Everything the emulated Telegram server remembers: chats, messages, files, updates.

Handlers mutate this state synchronously (one event loop, no awaits in between), so a
request is atomic with respect to every other request and to simulated users.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.clock import Clock
from bot.dev.emulator.errors import bad_request, forbidden
from bot.dev.emulator.files import FileStore
from bot.dev.emulator.messages import CallbackAnswer, StoredMessage
from bot.dev.emulator.stats import Stats
from bot.dev.emulator.updates import UpdateQueue

__all__ = ["Chat", "ChatListener", "EmulatorState", "PendingCallback"]


class ChatListener(Protocol):
    """Who watches a chat (a SimUser): told about every change the bot makes."""

    def on_bot_message(self, message: StoredMessage) -> None: ...
    def on_edit(self, message: StoredMessage) -> None: ...
    def on_delete(self, message: StoredMessage) -> None: ...
    def on_callback_answer(self, answer: CallbackAnswer) -> None: ...
    def on_chat_action(self, action: str) -> None: ...


@dataclass
class Chat:
    """A private chat between the bot and one user (chat id == user id), or a group
    chat (``kind`` "group" / "supergroup", a negative id and a ``title``) in which
    ``user`` is the one member who writes."""

    id: int
    user: dict[str, Any]
    kind: str = "private"
    title: str = ""
    blocked: bool = False
    started: bool = True
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    listener: ChatListener | None = None
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def api(self) -> dict[str, Any]:
        if self.kind != "private":
            return {"id": self.id, "type": self.kind, "title": self.title}
        chat: dict[str, Any] = {
            "id": self.id,
            "type": "private",
            "first_name": self.user["first_name"],
        }
        for key in ("last_name", "username"):
            if self.user.get(key):
                chat[key] = self.user[key]
        return chat

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def live_message(self, message_id: int) -> StoredMessage | None:
        stored = self.messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.from_bot and not m.deleted]


@dataclass
class PendingCallback:
    """A callback query a user triggered; the bot must answer it exactly once."""

    id: str
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


class EmulatorState:
    """The server-side world. Owned by BotApiEmulator, shared with SimUsers and handlers."""

    def __init__(self, *, bot_user_full: dict[str, Any], clock: Clock, stats: Stats, errors: list[str]) -> None:
        self.bot_user_full = bot_user_full  # what getMe returns
        self.bot_user = {  # what appears as "from" of the bot's messages
            k: bot_user_full[k] for k in ("id", "is_bot", "first_name", "username")
        }
        self.errors = errors  # shared with BotApiEmulator.errors; handlers add warnings
        self.clock = clock
        self.stats = stats
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.callbacks: dict[str, PendingCallback] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._callback_ids = itertools.count(1)

    def timestamp(self) -> int:
        return int(self.clock.now().timestamp())

    def new_callback_id(self) -> str:
        return f"{next(self._callback_ids):d}{self.bot_user['id'] % 10_000:04d}"

    def chat_for_sending(self, chat_id: Any) -> Chat:
        """The chat a bot call targets, enforcing existence and block status."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found", detail=f"chat_id={chat_id!r}")
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def add_bot_message(
        self,
        chat: Chat,
        body: dict[str, Any],
        *,
        raw_text: str | None,
        parse_mode: str | None,
        sent_markup: dict[str, Any] | None,
        file: Any = None,
    ) -> StoredMessage:
        """Store a message the bot sent, count it, and show it to the user."""
        api = {
            "message_id": chat.next_message_id(),
            "from": self.bot_user,
            "chat": chat.api(),
            "date": self.timestamp(),
            **body,
        }
        stored = StoredMessage(
            api=api,
            from_bot=True,
            raw_text=raw_text,
            parse_mode=parse_mode,
            sent_markup=sent_markup,
            file=file,
        )
        chat.messages[stored.message_id] = stored
        self.stats.record_delivery(chat.id)
        if chat.listener is not None:
            chat.listener.on_bot_message(stored)
        return stored
