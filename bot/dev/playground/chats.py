"""The chats the page shows: emulator chats watched for changes, as JSON.

One revision counter covers every chat and the clock. Each change (a message from the
bot or the user, an edit, a deletion, a button answer, the clock moving) takes the next
revision and wakes the page's long poll; the page asks for "what changed after revision
R" and merges by message id, so edits (form questions are edited in place) and
deletions show up like in Telegram.

Messages go out as Telegram's own text + entities (UTF-16 offsets, which are
JavaScript string offsets): the page builds DOM nodes from them with ``textContent``,
so nothing the bot or a user typed is ever parsed as HTML.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dev.emulator import CallbackAnswer, SimUser
from bot.dev.emulator.messages import StoredMessage

#: Entity types the page knows how to show; others are dropped (the text stays).
ENTITY_TYPES = frozenset({
    "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link", "url",
    "blockquote", "expandable_blockquote", "bot_command", "mention", "email", "phone_number",
})
#: How long "sending a photo…" stays visible after sendChatAction.
ACTION_SECONDS = 5.0


class Revisions:
    """The shared revision counter and the long-poll wake-up."""

    def __init__(self) -> None:
        self.current = 0
        self._changed = asyncio.Event()

    def bump(self) -> int:
        self.current += 1
        self._changed.set()
        self._changed = asyncio.Event()
        return self.current

    async def wait_after(self, after: int, timeout: float) -> int:
        """Return at once when something changed after ``after``, else wait up to ``timeout``."""
        if self.current > after or timeout <= 0:
            return self.current
        event = self._changed
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            pass
        return self.current


@dataclass(frozen=True)
class Answer:
    revision: int
    text: str
    alert: bool


class WatchedUser(SimUser):
    """A SimUser whose chat the page shows. Unlike a test's SimUser it keeps no queues
    (nobody awaits ``next_message`` here), only the revision of every change."""

    revisions: Revisions | None = None

    def watch(self, revisions: Revisions) -> None:
        self.revisions = revisions
        self.changed: dict[int, int] = {}
        self.deleted: dict[int, int] = {}
        self.answers: list[Answer] = []
        self.bot_messages_seen = 0
        self.action: tuple[str, float] | None = None

    def _bump(self) -> int:
        assert self.revisions is not None, "watch() first"
        return self.revisions.bump()

    # -- ChatListener: called by the emulator's method handlers -----------------------------

    def on_bot_message(self, message: StoredMessage) -> None:
        self.changed[message.message_id] = self._bump()
        self.bot_messages_seen += 1
        self.action = None

    def on_edit(self, message: StoredMessage) -> None:
        self.changed[message.message_id] = self._bump()

    def on_delete(self, message: StoredMessage) -> None:
        self.changed.pop(message.message_id, None)
        self.deleted[message.message_id] = self._bump()

    def on_callback_answer(self, answer: CallbackAnswer) -> None:
        self.last_callback_answer = answer
        if answer.text:
            self.answers.append(Answer(self._bump(), answer.text, answer.show_alert))
            del self.answers[:-20]

    def on_chat_action(self, action: str) -> None:
        self.action = (action, time.monotonic())
        self._bump()

    # -- what the user does -----------------------------------------------------------------

    def _send_message(self, body: dict[str, Any]) -> int:
        message_id = super()._send_message(body)
        self.changed[message_id] = self._bump()
        return message_id


def start_links(bot_username: str) -> re.Pattern[str]:
    """Deep links to this bot (``/start <token>``), as invitations and their QR codes carry."""
    return re.compile(rf"https://t\.me/{re.escape(bot_username)}\?start=([A-Za-z0-9_-]{{1,64}})")


def _links(message: StoredMessage, pattern: re.Pattern[str]) -> list[str]:
    api = message.api
    sources = [api.get("text") or api.get("caption") or ""]
    sources += [e.get("url", "") for e in api.get("entities", api.get("caption_entities", []))]
    sources += [b.get("url", "") for row in api.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    found = [m.group(0) for source in sources for m in pattern.finditer(source)]
    return list(dict.fromkeys(found))


def _clock_text(timestamp: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(timestamp, UTC).astimezone(zone).strftime("%H.%M")


def message_view(message: StoredMessage, zone: ZoneInfo, links: re.Pattern[str]) -> dict[str, Any]:
    """One message as the page draws it."""
    api = message.api
    view: dict[str, Any] = {
        "id": message.message_id,
        "from": "bot" if message.from_bot else "user",
        "time": _clock_text(int(api.get("date", 0)), zone),
        "day": datetime.fromtimestamp(int(api.get("date", 0)), UTC).astimezone(zone).date().isoformat(),
        "text": api.get("text", api.get("caption", "")),
        "entities": [_entity(e) for e in api.get("entities", api.get("caption_entities", []))
                     if e.get("type") in ENTITY_TYPES],
        "edited": "edit_date" in api,
        "buttons": [
            [{"label": b.get("text", ""), "url": b.get("url") if "callback_data" not in b else None} for b in row]
            for row in api.get("reply_markup", {}).get("inline_keyboard", [])
        ],
        "start_links": _links(message, links),
    }
    if "photo" in api:
        size = api["photo"][-1]
        view["photo"] = {"file_id": size["file_id"], "width": size.get("width", 0), "height": size.get("height", 0)}
    if "document" in api:
        doc = api["document"]
        view["document"] = {"file_id": doc["file_id"], "name": doc.get("file_name") or "dokumen",
                            "size": doc.get("file_size", 0), "mime": doc.get("mime_type") or ""}
    if "contact" in api:
        view["contact"] = {"phone": api["contact"].get("phone_number", "")}
    for kind in ("sticker", "voice", "location"):
        if kind in api:
            view["other"] = kind
    return view


def _entity(entity: dict[str, Any]) -> dict[str, Any]:
    kept = {"type": entity["type"], "offset": int(entity["offset"]), "length": int(entity["length"])}
    if entity["type"] == "text_link":
        kept["url"] = str(entity.get("url", ""))
    if entity["type"] == "pre" and entity.get("language"):
        kept["language"] = str(entity["language"])
    return kept


def chat_view(user: WatchedUser, after: int, zone: ZoneInfo, links: re.Pattern[str]) -> dict[str, Any]:
    """What changed in this chat after revision ``after`` (everything for 0)."""
    messages = [message_view(m, zone, links) for m in user.history()
                if after == 0 or user.changed.get(m.message_id, 0) > after]
    keyboard = user.reply_keyboard
    action = None
    if user.action is not None and time.monotonic() - user.action[1] < ACTION_SECONDS:
        action = user.action[0]
    return {
        "messages": messages,
        "deleted": [mid for mid, rev in user.deleted.items() if rev > after] if after else [],
        "answers": [{"text": a.text, "alert": a.alert} for a in user.answers if a.revision > after] if after else [],
        "reply_keyboard": None if keyboard is None else [
            [{"label": b.label, "contact": b.request_contact} for b in row] for row in keyboard
        ],
        "action": action,
    }
