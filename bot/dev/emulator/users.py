"""Simulated Telegram users: they send updates and watch their private chat.

A SimUser acts like a person with a Telegram client: typing text, pressing buttons,
sharing a contact or sending odd media. Everything it does becomes an update in the
queue the bot polls. Everything the bot does in the chat is pushed into asyncio queues
the moment it happens, so ``next_message`` never misses a message that arrived before
it was called and tests await events instead of sleeping.
"""

from __future__ import annotations

import asyncio
import copy
import re
from typing import Any

from bot.dev.emulator.files import tiny_png
from bot.dev.emulator.messages import BotMessage, CallbackAnswer, ReplyButton, StoredMessage
from bot.dev.emulator.state import Chat, EmulatorState, PendingCallback
from bot.dev.emulator.telegram_html import utf16_len

__all__ = ["SimUser"]

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_OWN = object()
_LOG_LINES = 40
# A 1x1 lossless WebP: enough for a "sticker" whose bytes the bot may download.
_WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


class SimUser:
    """One user in a private chat with the bot (chat id == user id), or that user writing
    in a group chat (``BotApiEmulator.group``: ``id`` is then the group's id)."""

    def __init__(self, state: EmulatorState, chat: Chat, phone_number: str | None = None) -> None:
        self._state = state
        self._chat = chat
        self.phone_number = phone_number
        self.last_callback_answer: CallbackAnswer | None = None
        self.chat_actions: list[str] = []
        self._new: asyncio.Queue[BotMessage] = asyncio.Queue()
        self._edits: asyncio.Queue[BotMessage] = asyncio.Queue()
        self._changes: asyncio.Queue[BotMessage] = asyncio.Queue()
        self._log: list[str] = []
        chat.listener = self

    # -- identity -------------------------------------------------------------------------

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def first_name(self) -> str:
        return str(self._chat.user["first_name"])

    @property
    def api_user(self) -> dict[str, Any]:
        """The Telegram ``User`` object of this person."""
        return self._chat.user

    @property
    def blocked(self) -> bool:
        return self._chat.blocked

    def __repr__(self) -> str:
        return f"SimUser({self.id}, {self.first_name!r})"

    # -- what the user sees ---------------------------------------------------------------

    @property
    def transcript(self) -> list[BotMessage]:
        """Bot messages in the chat now: edits applied, deleted ones gone."""
        return [m.snapshot() for m in self._chat.bot_messages()]

    @property
    def reply_keyboard(self) -> list[list[ReplyButton]] | None:
        """The reply keyboard currently shown instead of the text field, if any."""
        for stored in reversed(list(self._chat.messages.values())):
            if not stored.from_bot or not stored.sent_markup:
                continue
            snap = stored.snapshot()
            if snap.removes_reply_keyboard:
                return None
            if snap.reply_keyboard is not None:
                return snap.reply_keyboard
        return None

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next new message the bot sends to this chat (queued, never missed)."""
        try:
            async with asyncio.timeout(timeout):
                return await self._new.get()
        except TimeoutError:
            raise AssertionError(f"{self!r} got no new message within {timeout}s\n{self.describe()}") from None

    async def next_edit(self, timeout: float = 5.0) -> BotMessage:
        """The next edit of an existing message (its state right after that edit)."""
        try:
            async with asyncio.timeout(timeout):
                return await self._edits.get()
        except TimeoutError:
            raise AssertionError(f"{self!r} saw no message edit within {timeout}s\n{self.describe()}") from None

    async def messages_until_quiet(self, quiet: float = 0.3, timeout: float = 5.0) -> list[BotMessage]:
        """Collect new messages until none arrives for ``quiet`` seconds (may be empty)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        received: list[BotMessage] = []
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{self!r}: the bot kept sending for {timeout}s\n{self.describe()}")
            try:
                async with asyncio.timeout(min(quiet, remaining)):
                    received.append(await self._new.get())
            except TimeoutError:
                if quiet <= remaining:
                    return received

    def drain(self) -> list[BotMessage]:
        """Take every already-received new message without waiting."""
        drained = []
        while not self._new.empty():
            drained.append(self._new.get_nowait())
        return drained

    async def next_change(self, timeout: float = 5.0) -> BotMessage:
        """The next new message or edit, whichever comes first (``edited`` tells which)."""
        try:
            async with asyncio.timeout(timeout):
                return await self._changes.get()
        except TimeoutError:
            raise AssertionError(f"{self!r} saw nothing change within {timeout}s\n{self.describe()}") from None

    def drain_changes(self) -> None:
        """Forget every queued message and edit (after reading the transcript directly)."""
        for queue in (self._new, self._edits, self._changes):
            while not queue.empty():
                queue.get_nowait()

    def drain_edits(self) -> list[BotMessage]:
        """Take every already-received edit without waiting."""
        drained = []
        while not self._edits.empty():
            drained.append(self._edits.get_nowait())
        return drained

    def describe(self) -> str:
        """The recent chat as text, for assertion messages."""
        lines = [f"--- chat with {self!r} (latest {_LOG_LINES} events) ---"]
        lines += self._log[-_LOG_LINES:] or ["(nothing happened)"]
        if self.reply_keyboard:
            labels = [b.label for row in self.reply_keyboard for b in row]
            lines.append(f"reply keyboard shown: {labels}")
        if self._state.errors:
            lines.append(f"emulator errors so far: {self._state.errors}")
        return "\n".join(lines)

    # -- what the user does ---------------------------------------------------------------

    async def send(self, text: str) -> int:
        """Type and send text; /commands get bot_command entities. Returns message_id."""
        body: dict[str, Any] = {"text": text}
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
            for m in _COMMAND_RE.finditer(text)
        ]
        if entities:
            body["entities"] = entities
        self._log.append(f"user: {text!r}")
        return self._send_message(body)

    async def press(self, label: str) -> str | None:
        """Press a button with this exact label; returns the callback query id.

        Looks for an inline button on the latest bot message having one with that label
        (that is the one a person would tap). URL buttons open a link and send nothing
        (returns None). Falls back to the current reply keyboard: that sends the label as
        text, or the contact / location for request_contact / request_location buttons.
        """
        for stored in reversed(self._chat.bot_messages()):
            for row in stored.api.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == label:
                        return self._press_inline(stored, button)
        for row in self.reply_keyboard or []:
            for reply_button in row:
                if reply_button.label == label:
                    await self._press_reply(reply_button)
                    return None
        raise AssertionError(
            f"{self!r} cannot press {label!r}: no such button.\n{self._available_buttons()}\n{self.describe()}"
        )

    async def press_at(self, message_id: int, row: int, column: int) -> str | None:
        """Press the inline button at (row, column) of one particular bot message, as a
        person tapping it on screen would (labels need not be unique). Returns the
        callback query id, or None for a URL button. LookupError when that message or
        button is not there (deleted, edited away)."""
        stored = self._chat.live_message(message_id)
        if stored is None or not stored.from_bot:
            raise LookupError(f"{self!r}: no bot message #{message_id}")
        keyboard = stored.api.get("reply_markup", {}).get("inline_keyboard", [])
        if not (0 <= row < len(keyboard) and 0 <= column < len(keyboard[row])):
            raise LookupError(f"{self!r}: message #{message_id} has no button at ({row}, {column})")
        return self._press_inline(stored, keyboard[row][column])

    def history(self) -> list[StoredMessage]:
        """Every message in the chat, the user's and the bot's, oldest first (deleted
        ones left out): what the chat window shows, for the playground's chat view."""
        return [m for m in self._chat.messages.values() if not m.deleted]

    async def share_contact(
        self,
        phone_number: str | None = None,
        *,
        user_id: Any = _OWN,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> int:
        """Share a contact; by default the user's own (user_id set, like the share button)."""
        phone = phone_number or self.phone_number
        if not phone:
            raise AssertionError(f"{self!r} has no phone_number to share; pass one")
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or self.first_name,
        }
        own = user_id is _OWN
        surname = last_name if last_name is not None else (self._chat.user.get("last_name") if own else None)
        if surname:
            contact["last_name"] = surname
        if own:
            contact["user_id"] = self.id
        elif user_id is not None:
            contact["user_id"] = user_id
        self._log.append(f"user: [contact {phone}]")
        return self._send_message({"contact": contact})

    async def send_photo(self, content: bytes | None = None, caption: str | None = None) -> int:
        file = self._state.files.add("photo", content or tiny_png(), mime_type="image/png")
        body: dict[str, Any] = {"photo": file.photo_sizes()}
        if caption:
            body["caption"] = caption
        self._log.append(f"user: [photo {file.width}x{file.height}] {caption or ''}")
        return self._send_message(body)

    async def send_document(
        self,
        content: bytes = b"%PDF-1.4\n%%EOF\n",
        filename: str = "dokumen.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        file = self._state.files.add("document", content, file_name=filename, mime_type=mime_type)
        body: dict[str, Any] = {"document": file.document()}
        if caption:
            body["caption"] = caption
        self._log.append(f"user: [document {filename}]")
        return self._send_message(body)

    async def send_sticker(self, emoji: str = "👍") -> int:
        file = self._state.files.add("sticker", _WEBP, mime_type="image/webp")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.size,
        }
        self._log.append(f"user: [sticker {emoji}]")
        return self._send_message({"sticker": sticker})

    async def send_location(self, latitude: float, longitude: float) -> int:
        self._log.append(f"user: [location {latitude}, {longitude}]")
        return self._send_message({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_voice(self, duration: int = 2, content: bytes | None = None) -> int:
        data = content or b"OggS" + bytes(60)
        file = self._state.files.add("voice", data, mime_type="audio/ogg")
        voice = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": file.size,
        }
        self._log.append(f"user: [voice {duration}s]")
        return self._send_message({"voice": voice})

    def block(self, *, notify: bool = True) -> None:
        """Block the bot: sends to this chat then fail with 403 (my_chat_member if notify)."""
        if not self._chat.blocked:
            self._chat.blocked = True
            self._log.append("user: [blocked the bot]")
            if notify:
                self._member_update("member", "kicked")

    def unblock(self, *, notify: bool = True) -> None:
        if self._chat.blocked:
            self._chat.blocked = False
            self._log.append("user: [unblocked the bot]")
            if notify:
                self._member_update("kicked", "member")

    # -- internals ------------------------------------------------------------------------

    def _send_message(self, body: dict[str, Any]) -> int:
        if self._chat.blocked:
            raise AssertionError(f"{self!r} has blocked the bot; call unblock() before sending")
        chat = self._chat
        chat.started = True
        api = {
            "message_id": chat.next_message_id(),
            "from": chat.user,
            "chat": chat.api(),
            "date": self._state.timestamp(),
            **body,
        }
        chat.messages[api["message_id"]] = StoredMessage(api=api, from_bot=False)
        self._state.updates.push("message", api)
        return int(api["message_id"])

    def _press_inline(self, stored: StoredMessage, button: dict[str, Any]) -> str | None:
        label = button.get("text")
        if "callback_data" not in button:
            self._log.append(f"user: [tapped link button {label!r}: {button.get('url')}]")
            return None
        state = self._state
        query = PendingCallback(state.new_callback_id(), self.id, stored.message_id, button["callback_data"])
        state.callbacks[query.id] = query
        self._log.append(f"user: [pressed {label!r} on #{stored.message_id}]")
        state.updates.push(
            "callback_query",
            {
                "id": query.id,
                "from": self._chat.user,
                # A deep copy: the update is serialised later and the message may change.
                "message": copy.deepcopy(stored.api),
                "chat_instance": str(abs(hash((state.bot_user["id"], self.id)))),
                "data": query.data,
            },
        )
        return query.id

    async def _press_reply(self, button: ReplyButton) -> None:
        if button.request_contact:
            await self.share_contact()
        elif button.request_location:
            await self.send_location(-6.2, 106.8)
        else:
            await self.send(button.label)

    def _available_buttons(self) -> str:
        lines = ["inline buttons (newest message first):"]
        for stored in reversed(self._chat.bot_messages()):
            snap = stored.snapshot()
            if snap.buttons:
                lines.append(f"  #{snap.message_id}: {snap.button_labels()}")
        if len(lines) == 1:
            lines.append("  (none)")
        keyboard = [b.label for row in self.reply_keyboard or [] for b in row]
        lines.append(f"reply keyboard: {keyboard or '(none)'}")
        return "\n".join(lines)

    def _member_update(self, old: str, new: str) -> None:
        bot = self._state.bot_user
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        self._state.updates.push(
            "my_chat_member",
            {
                "chat": self._chat.api(),
                "from": self._chat.user,
                "date": self._state.timestamp(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )

    # -- ChatListener ---------------------------------------------------------------------

    def on_bot_message(self, message: StoredMessage) -> None:
        snap = message.snapshot()
        self._log.append(f"bot:  {snap.describe()}")
        self._new.put_nowait(snap)
        self._changes.put_nowait(snap)

    def on_edit(self, message: StoredMessage) -> None:
        snap = message.snapshot()
        self._log.append(f"bot edited: {snap.describe()}")
        self._edits.put_nowait(snap)
        self._changes.put_nowait(snap)

    def on_delete(self, message: StoredMessage) -> None:
        self._log.append(f"bot deleted #{message.message_id}")

    def on_callback_answer(self, answer: CallbackAnswer) -> None:
        self.last_callback_answer = answer
        kind = "alert" if answer.show_alert else "toast"
        self._log.append(f"bot answered button: {kind} {answer.text!r}")

    def on_chat_action(self, action: str) -> None:
        self.chat_actions.append(action)
