"""What every handler needs, built once at start-up and kept in ``bot_data``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

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
    #: Identifies this run of the process: a draft saved by another run is resumed with a summary.
    boot_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @cached_property
    def province_codes(self) -> frozenset[str]:
        """The provinces of the kecamatan list (each has kecamatan), for NIK checks."""
        return frozenset(code[:2] for code in self.kecamatan_codes)

    def deep_link(self, token: str) -> str:
        return f"https://t.me/{self.bot_username}?start={token}"
