"""Invitation tokens for ``t.me/<bot>?start=<token>`` deep links.

Telegram allows up to 64 characters of ``A-Z a-z 0-9 _ -`` in a start parameter.
32 url-safe characters carry 192 random bits, so a plain SHA-256 is enough to store
them: a leaked table of hashes gives nobody a usable link.
"""

from __future__ import annotations

import hashlib
import re
import secrets

_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_well_formed(token: str) -> bool:
    return bool(_WELL_FORMED.match(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
