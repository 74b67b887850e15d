"""sendPhoto, sendDocument and getFile (the download itself is a route in server.py)."""

from __future__ import annotations

import re
from typing import Any

from bot.dev.emulator.errors import ApiError, bad_request
from bot.dev.emulator.files import (
    DOCUMENT_MAX_BYTES,
    DOWNLOAD_MAX_BYTES,
    PHOTO_MAX_BYTES,
    StoredFile,
    image_size,
)
from bot.dev.emulator.methods.common import format_text, message_body
from bot.dev.emulator.methods.registry import Params, api_method
from bot.dev.emulator.spec import Upload
from bot.dev.emulator.state import EmulatorState

_URL_RE = re.compile(r"^https?://", re.IGNORECASE)


def resolve_file(state: EmulatorState, value: Any, kind: str) -> StoredFile:
    """An upload, a file_id the emulator issued, or an HTTP URL -> a stored file."""
    if isinstance(value, Upload):
        data = value.data
        if not data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            if len(data) > PHOTO_MAX_BYTES:
                raise bad_request("PHOTO_INVALID_DIMENSIONS", detail=f"{len(data)} bytes")
            if image_size(data) is None:
                raise bad_request("IMAGE_PROCESS_FAILED", detail="upload is not a PNG/JPEG/GIF/WebP")
        elif len(data) > DOCUMENT_MAX_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        return state.files.add(kind, data, file_name=value.filename, mime_type=value.content_type)
    if isinstance(value, str) and _URL_RE.match(value):
        name = value.rsplit("/", 1)[-1] or None
        return state.files.add(kind, None, file_name=name, source=value)
    stored = state.files.get(value) if isinstance(value, str) else None
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified", detail=f"{value!r}")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


def _send_media(state: EmulatorState, p: Params, kind: str, content: Any) -> dict[str, Any]:
    caption, entities = format_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True)
    file = resolve_file(state, content, kind)
    chat = state.chat_for_sending(p["chat_id"])
    body: dict[str, Any] = {"photo": file.photo_sizes()} if kind == "photo" else {"document": file.document()}
    if caption:
        body["caption"] = caption
    if entities:
        body["caption_entities"] = entities
    body, markup = message_body(p, chat, body)
    stored = state.add_bot_message(
        chat,
        body,
        raw_text=p.get("caption"),
        parse_mode=p.get("parse_mode"),
        sent_markup=markup,
        file=file,
    )
    return stored.api


@api_method("sendPhoto")
def send_photo(state: EmulatorState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "photo", p["photo"])


@api_method("sendDocument")
def send_document(state: EmulatorState, p: Params) -> dict[str, Any]:
    return _send_media(state, p, "document", p["document"])


@api_method("getFile")
def get_file(state: EmulatorState, p: Params) -> dict[str, Any]:
    stored = state.files.get(p["file_id"])
    if stored is None:
        raise bad_request("invalid file_id", detail=f"{p['file_id']!r}")
    if stored.size > DOWNLOAD_MAX_BYTES:
        raise bad_request("file is too big", record=False)
    return stored.file_object()
