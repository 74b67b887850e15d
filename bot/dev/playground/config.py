"""The playground's settings: the deployment's own configuration, made safe to play with.

Everything that shapes the bot's behaviour (region, reminder schedule, clinical
cut-offs, rekap) comes from the config file when there is one, so a district sees its
own bot. What would touch the real world is replaced: the Telegram section points at
the in-process emulator, the database is a separate file (never the production one),
the playground admin persona is added to the admins, and without a configured privacy
key a key of its own is generated and kept next to the playground database (the stored
NIKs must stay readable across restarts).
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.dev.playground.personas import ADMIN
from bot.settings import ConfigError, Settings, TelegramSettings, check_settings, load_settings
from storage.crypto import new_key

#: A well-formed token that exists nowhere but in the emulator.
TOKEN = "7700000:" + "PLAYGROUND" * 4
BOT_USERNAME = "tpk_playground_bot"
BOT_NAME = "TPK Bot"
DEFAULT_DB = Path("var/playground.sqlite3")


def base_settings(config: Path | None) -> Settings:
    """The deployment's settings, or the defaults without a file. Neither a token nor a
    privacy key is required (the playground makes its own); every other mistake is
    reported exactly as ``load_settings`` reports it."""
    data: dict[str, Any] = {}
    source = str(config) if config is not None else "playground"
    try:
        if config is not None:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        settings = Settings(**data)
    except (OSError, ValueError):  # TOMLDecodeError, UnicodeDecodeError and ValidationError are ValueErrors
        if config is None:
            raise
        load_settings(config, require_token=False)  # raises the one-line ConfigError
        raise
    keyed = settings
    if not settings.privacy.key.strip():
        keyed = settings.model_copy(update={"privacy": settings.privacy.model_copy(update={"key": new_key()})})
    check_settings(keyed, source, require_token=False)
    return settings


def has_token(config: Path) -> bool:
    """Whether the real bot can run: a token in the file or in ``TPK_TELEGRAM_TOKEN``."""
    return bool(base_settings(config).telegram.token.strip())


def playground_settings(base: Settings, *, db_path: Path, base_url: str, base_file_url: str,
                        overrides: dict[str, dict[str, Any]] | None = None) -> Settings:
    """``base`` with the emulator, the playground database, the admin persona and a key."""
    production = base.storage.target.path  # None on PostgreSQL: nothing the playground's file could clash with
    if production is not None and _same_file(db_path, production):
        raise ConfigError(
            f"playground tidak boleh memakai basis data produksi {production} — pilih file lain dengan --db"
        )
    values: dict[str, Any] = {
        "telegram": TelegramSettings(token=TOKEN, base_url=base_url, base_file_url=base_file_url),
        "storage": base.storage.model_copy(update={"path": db_path, "url": ""}),  # always its own SQLite file
        "access": base.access.model_copy(update={"admins": sorted({*base.access.admins, ADMIN.user_id})}),
        "privacy": base.privacy.model_copy(update={"key": base.privacy.key or _own_key(db_path)}),
    }
    for section, changes in (overrides or {}).items():
        current = values.get(section, getattr(base, section))
        values[section] = type(current).model_validate({**current.model_dump(), **changes})
    settings = base.model_copy(update=values)
    check_settings(settings, "playground", require_token=True)
    return settings


def _same_file(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key")


def clock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".clock")


def _own_key(db_path: Path) -> str:
    """The playground's own encryption key, created once beside its database."""
    path = key_path(db_path)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def saved_clock(db_path: Path) -> datetime | None:
    """Where the playground's clock was when it last moved: records in the database
    were written at that time, so a restart must not take the clock back before it."""
    path = clock_path(db_path)
    try:
        instant = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return instant if instant.tzinfo is not None else None


def save_clock(db_path: Path, instant: datetime) -> None:
    path = clock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(instant.astimezone(UTC).isoformat() + "\n", encoding="utf-8")


def reset(db_path: Path) -> None:
    """Forget everything played so far: the database (with its WAL files) and the clock.
    The generated key is kept: it protects nothing once the data is gone."""
    for path in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm"),
                 clock_path(db_path)):
        path.unlink(missing_ok=True)
