"""Encryption at rest for identity numbers (NIK, No. KK), phone numbers and form drafts.

AES-256-GCM with a random nonce for the stored value, and an HMAC-SHA256 of the
number for "is this NIK already registered?" without decrypting anything. Both keys
are derived from one configured master key. A wrong key must never silently produce
plain text or new hashes that miss old duplicates, so the database remembers a check
value of the key and start-up refuses a different one.

Each ciphertext is bound to where it is stored — table, column and row id — as GCM's
associated data, so a ciphertext copied into another row or column (someone with write
access to the file making one mother's NIK appear as another's, say) fails to decrypt
instead of being read as that row's value. Stored values carry a version prefix:
``v2:`` is bound to its place; a value without a prefix is the first format (no
associated data), still read so that older databases open, and rewritten at start
(:mod:`storage.at_rest`) and by key rotation (:mod:`storage.rotation`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
_NONCE_BYTES = 12


#: The prefix of a ciphertext bound to its table, column and row.
BOUND = "v2:"


@dataclass(frozen=True)
class Place:
    """Where ciphertexts live: a table, its encrypted column, the column naming the row
    (its value goes into the associated data) and the keyed hash kept beside it, if any."""

    table: str
    column: str
    row_key: str = "id"
    hash_column: str | None = None

    def associated_data(self, row: int | str) -> bytes:
        return f"tpk-bot:{BOUND}{self.table}.{self.column}:{row}".encode()


SASARAN_NIK = Place("sasaran", "nik_enc", hash_column="nik_hash")
SASARAN_PHONE = Place("sasaran", "phone_enc", hash_column="phone_hash")
KELUARGA_KK = Place("keluarga", "no_kk_enc", hash_column="no_kk_hash")
USER_PHONE = Place("users", "phone_enc", hash_column="phone_hash")
DRAFT_STATE = Place("drafts", "state_json", row_key="draft_key")
#: Every place the database holds a ciphertext (key rotation walks them all).
PLACES = (SASARAN_NIK, SASARAN_PHONE, KELUARGA_KK, USER_PHONE, DRAFT_STATE)


class CipherKeyError(ValueError):
    """The configured key is missing, malformed, or not the one the data was written with."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CipherKeyError("bukan base64") from None
    if len(raw) != KEY_BYTES:
        raise CipherKeyError(f"harus {KEY_BYTES} byte (44 karakter base64)")
    return raw


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=b"tpk-bot:" + purpose).derive(master)


class IdentityCipher:
    def __init__(self, master_key: bytes) -> None:
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._mac_key = _derive(master_key, b"lookup")
        self.check_value = hmac.new(_derive(master_key, b"check"), b"key-check", hashlib.sha256).hexdigest()

    def encrypt(self, plain: str, place: Place, row: int | str) -> str:
        """Seal ``plain`` for the row ``row`` of ``place`` (and nowhere else)."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode("utf-8"), place.associated_data(row))
        return BOUND + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str, place: Place, row: int | str) -> str:
        """The plain value; ``cryptography.exceptions.InvalidTag`` when the key is another
        one or the value was written for another row or column."""
        if stored.startswith(BOUND):
            raw = base64.b64decode(stored[len(BOUND):])
            data: bytes | None = place.associated_data(row)
        else:  # the first format, unbound
            raw, data = base64.b64decode(stored), None
        return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], data).decode("utf-8")

    def lookup_hash(self, plain: str) -> str:
        return hmac.new(self._mac_key, plain.encode("utf-8"), hashlib.sha256).hexdigest()


def opened(cipher: IdentityCipher, place: Place, row: int | str, stored: str | None) -> str | None:
    """The plain value of a sealed column (None stays None)."""
    return cipher.decrypt(stored, place, row) if stored else None
