"""Stored files: uploads from the bot, media "sent" by simulated users, and downloads.

Telegram hands out a fresh ``file_id`` per upload but a ``file_unique_id`` that is stable
for the same content; bots reuse ``file_id`` to resend without uploading. The store keeps
bytes so tests can assert on what was sent (e.g. that a chart is a real PNG) and so the
bot can ``getFile`` + download what users sent.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
import zlib
from dataclasses import dataclass
from typing import Any

__all__ = ["FileStore", "StoredFile", "image_size", "tiny_png"]

# Telegram's limits for bots on the public Bot API server.
PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024

_EXTENSIONS = {"photo": "jpg", "voice": "oga", "sticker": "webp"}


@dataclass
class StoredFile:
    """One file known to the emulator. ``content`` is None for files referenced by URL."""

    file_id: str
    file_unique_id: str
    kind: str  # photo | document | voice | sticker
    content: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str = ""

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else 0

    def photo_sizes(self) -> list[dict[str, Any]]:
        """The ``photo`` field of a Message (one size: we do not generate thumbnails)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.size,
            }
        ]

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.size
        return doc

    def file_object(self) -> dict[str, Any]:
        """The ``File`` returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    """file_id -> StoredFile, plus file_path -> StoredFile for the download route."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        content: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        source: str | None = None,
    ) -> StoredFile:
        n = next(self._counter)
        digest_input = content if content is not None else (source or str(n)).encode()
        # Letters only: a run of 16 digits in an id would read as a NIK to the log guard.
        unique = "".join(chr(ord("a") + b % 26) for b in hashlib.sha256(digest_input).digest()[:16])
        width = height = 0
        if kind in ("photo", "sticker"):
            width, height = image_size(content or b"") or (512, 512)
        ext = _EXTENSIONS.get(kind) or (file_name.rsplit(".", 1)[-1] if file_name else "bin")
        folder = {"photo": "photos", "document": "documents", "voice": "voice"}.get(kind, kind)
        stored = StoredFile(
            file_id=f"EMU{kind[:3].upper()}{n:06d}_{unique}",
            file_unique_id=unique,
            kind=kind,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
            file_path=f"{folder}/file_{n}.{ext}",
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP; None if it is not one of those.

    Telegram rejects photo uploads it cannot decode (IMAGE_PROCESS_FAILED); sniffing the
    header is enough to catch a bot sending e.g. an HTML error page as a "photo".
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG, used as the default photo a simulated user sends."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
