"""What every handler needs, built once at start-up and kept in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import Clock
from bot.domain.regions import RegionTree
from bot.settings import Settings
from storage.crypto import IdentityCipher
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    regions: RegionTree
    cipher: IdentityCipher
    kecamatan_codes: frozenset[str] = frozenset()
    bot_username: str = ""
    #: When this process started: a draft last touched before it is resumed with a summary.
    started_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def deep_link(self, token: str) -> str:
        return f"https://t.me/{self.bot_username}?start={token}"
