"""Encryption at rest for identity numbers (NIK, No. KK).

AES-256-GCM with a random nonce for the stored value, and an HMAC-SHA256 of the
number for "is this NIK already registered?" without decrypting anything. Both keys
are derived from one configured master key. A wrong key must never silently produce
plain text or new hashes that miss old duplicates, so the database remembers a check
value of the key and start-up refuses a different one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
_NONCE_BYTES = 12


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

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode("utf-8"), None)
        return base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str) -> str:
        raw = base64.b64decode(stored)
        return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode("utf-8")

    def lookup_hash(self, plain: str) -> str:
        return hmac.new(self._mac_key, plain.encode("utf-8"), hashlib.sha256).hexdigest()
