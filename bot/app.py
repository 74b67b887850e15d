"""Building and running the python-telegram-bot Application.

Production, the tests and the playground all go through :func:`prepare`,
:func:`build_application` and :func:`running`, so what is tested is what runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import reminders
from bot.access import load_caller
from bot.clock import Clock
from bot.commands import commands_for
from bot.context import SERVICES_KEY, TpkContext
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.throttle import Throttle
from bot.transport import lean as telegram_lean
from bot.transport import retry as telegram_retry
from bot.transport.bot import TpkBot
from bot.updates import PerUserUpdateProcessor
from conversations import join, kunjungan, lapor, ubah
from conversations.forms import runner
from handlers import anggota, basics, ekspor, ekspor_format, errors, ibu, keluarga, rekap, undang
from handlers import daftar as daftar_handlers
from handlers import impor as impor_handlers
from handlers import privacy as privacy_handlers
from storage import regions as regions_store
from storage import users as users_store
from storage.crypto import IdentityCipher, decode_key
from storage.db import Database

log = logging.getLogger(__name__)

THROTTLE_GROUP = -200
ACCESS_GROUP = -100


async def prepare_database(settings: Settings, clock: Clock) -> Database:
    """Open the database, apply migrations, load the region list and sync admins."""
    db = await Database.open(settings.storage.path)
    try:
        await db.migrate()
        await _check_identity_key(db, identity_cipher(settings), settings)
        await regions_store.load_root(db, settings.wilayah.csv, settings.wilayah.root)
        await users_store.sync_admins(db, list(settings.access.admins), settings.wilayah.root, clock.now())
    except BaseException:
        await db.close()
        raise
    return db


def identity_cipher(settings: Settings) -> IdentityCipher:
    return IdentityCipher(decode_key(settings.privacy.key))


async def _check_identity_key(db: Database, cipher: IdentityCipher, settings: Settings) -> None:
    """Refuse a key other than the one the stored NIKs were encrypted with."""
    stored = await db.fetch_value("SELECT value FROM meta WHERE key = 'identity_key_check'")
    if stored is None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('identity_key_check', ?)", (cipher.check_value,))
    elif stored != cipher.check_value:
        raise ConfigError(
            f"setelan 'privacy.key' tidak cocok dengan kunci yang dipakai untuk data di {settings.storage.path} "
            "— pakai kunci yang lama (dari cadangan konfigurasi)"
        )


async def prepare(settings: Settings, clock: Clock) -> Services:
    db = await prepare_database(settings, clock)
    tree = await regions_store.load_tree(db, settings.wilayah.root)
    return Services(settings=settings, clock=clock, db=db, regions=tree, cipher=identity_cipher(settings),
                    kecamatan_codes=await regions_store.kecamatan_codes(db))


async def _on_initialised(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    services.bot_username = app.bot.username
    await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in commands_for(None)])


def _rate_limiter(per_second: float) -> AIORateLimiter:
    """Telegram's overall limit, paced evenly: a bucket of one message refilled every
    1/rate seconds, so no burst at the start of a window draws 429s."""
    if per_second <= 0:
        return AIORateLimiter(overall_max_rate=0, max_retries=3)
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / per_second, max_retries=3)


def build_application(services: Services) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = services.settings
    telegram_lean.silence_wrapper_advice()
    bot = TpkBot(
        token=settings.telegram.token,
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.file_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            tzinfo=settings.wilayah.zone,
            link_preview_options=telegram_lean.NO_PREVIEW,
        ),
        rate_limiter=_rate_limiter(settings.telegram.max_messages_per_second),
        request=telegram_retry.request(),
        get_updates_request=telegram_retry.get_updates_request(),
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=TpkContext))
        .concurrent_updates(PerUserUpdateProcessor())
        .build()
    )
    app.bot_data[SERVICES_KEY] = services
    access = settings.access
    app.add_handler(TypeHandler(Update, Throttle(burst=access.flood_burst, per_second=access.flood_per_second)),
                    group=THROTTLE_GROUP)
    app.add_handler(TypeHandler(Update, load_caller), group=ACCESS_GROUP)
    # Conversations first: within a group the first matching handler wins.
    join.register(app)
    undang.register(app)
    anggota.register(app)
    lapor.register(app)
    kunjungan.register(app)
    ubah.register(app)
    keluarga.register(app)
    privacy_handlers.register(app)
    ibu.register(app)
    reminders.register(app, services)
    runner.register(app)
    rekap.register(app)
    impor_handlers.register(app)
    daftar_handlers.register(app)
    ekspor_format.register(app)
    ekspor.register(app)
    basics.register(app)
    runner.register_text(app)
    basics.register_last(app)
    errors.register(app)
    return app


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: int = 30
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialise, start polling, and on exit stop everything in order."""
    async with app:
        # PTB calls post_init only from run_polling(); we start the pieces ourselves.
        await _on_initialised(app)
        await app.start()
        assert app.updater is not None
        interval = app.bot_data[SERVICES_KEY].settings.telegram.poll_interval
        await app.updater.start_polling(poll_interval=interval, timeout=poll_timeout, drop_pending_updates=False)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def serve(settings: Settings, clock: Clock, stop: asyncio.Event) -> None:
    """Run the bot until ``stop`` is set (by a signal in the CLI)."""
    services = await prepare(settings, clock)
    try:
        app = build_application(services)
        async with running(app):
            log.info("bot @%s is running for region %s", services.bot_username, settings.wilayah.root)
            await stop.wait()
    finally:
        await services.db.close()
