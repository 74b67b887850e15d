"""Start-up services: open the database, check the identity key, build :class:`~bot.services.Services`.

Everything that opens the database the way the bot does — the bot itself (:mod:`bot.app`), the CLI
commands, the subject export, the playground, tests and benchmarks — comes here, so the key check and
the migrations can never be skipped. It sits below :mod:`bot.app` and the handlers, so the privacy
code can open the database without importing the Application wiring.
"""

from __future__ import annotations

import logging

from bot import file_modes
from bot.clock import Clock
from bot.services import Services
from bot.settings import ConfigError, Settings
from storage import at_rest, meta, rotation
from storage import regions as regions_store
from storage import users as users_store
from storage.crypto import IdentityCipher, decode_key
from storage.db import Database, StorageUnavailable
from storage.engine import open_database

log = logging.getLogger(__name__)


async def prepare_database(settings: Settings, clock: Clock) -> Database:
    """Open the database, apply migrations, load the region list and sync admins."""
    db = await open_storage(settings)
    try:
        await _ready(db, settings, clock)
    except StorageUnavailable as exc:  # a right missing on one table, the server gone meanwhile
        await db.close()
        raise storage_error(settings, exc) from None
    except BaseException:
        await db.close()
        raise
    path = settings.storage.target.path  # None on PostgreSQL: the server's files are its own
    if path is not None and (wide := file_modes.warning(settings.source, path)) is not None:
        log.warning(wide)
    return db


async def _ready(db: Database, settings: Settings, clock: Clock) -> None:
    """Everything the bot needs of its database before the first update."""
    await db.migrate()
    cipher = identity_cipher(settings)
    if await rotation.unfinished(db):
        raise ConfigError(f"rotasi kunci untuk {settings.storage.target.display()} belum selesai — jalankan lagi "
                          "`python -m bot rotate-key` dengan kunci baru yang sama sebelum menjalankan bot")
    await _check_identity_key(db, cipher, settings)
    await at_rest.upgrade(db, cipher)
    await regions_store.load_root(db, settings.wilayah.csv, settings.wilayah.root)
    await users_store.sync_admins(db, list(settings.access.admins), settings.wilayah.root, clock.now())


async def open_storage(settings: Settings) -> Database:
    """The configured engine; a server that cannot be used is a configuration error naming the setting."""
    try:
        return await open_database(settings.storage.target, settings.storage.password)
    except StorageUnavailable as exc:
        raise storage_error(settings, exc) from None


def storage_error(settings: Settings, exc: StorageUnavailable) -> ConfigError:
    """The operator's line for a storage server that cannot be used: it names the setting."""
    return ConfigError(f"setelan 'storage.url' ({settings.storage.target.display()}): {exc}")


def identity_cipher(settings: Settings) -> IdentityCipher:
    return IdentityCipher(decode_key(settings.privacy.key))


async def _check_identity_key(db: Database, cipher: IdentityCipher, settings: Settings) -> None:
    """Refuse a key other than the one the stored NIKs were encrypted with."""
    stored = await meta.get(db, meta.IDENTITY_KEY_CHECK)
    if stored is None:
        async with db.transaction() as tx:
            await meta.put(tx, meta.IDENTITY_KEY_CHECK, cipher.check_value)
    elif stored != cipher.check_value:
        raise ConfigError(
            "setelan 'privacy.key' tidak cocok dengan kunci yang dipakai untuk data di "
            f"{settings.storage.target.display()} "
            "— pakai kunci yang lama (dari cadangan konfigurasi)"
        )


async def prepare(settings: Settings, clock: Clock) -> Services:
    db = await prepare_database(settings, clock)
    tree = await regions_store.load_tree(db, settings.wilayah.root)
    return Services(settings=settings, clock=clock, db=db, regions=tree, cipher=identity_cipher(settings),
                    kecamatan_codes=await regions_store.kecamatan_codes(db))
