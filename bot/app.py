"""Building and running the python-telegram-bot Application.

Production, the tests and the playground all go through :func:`bot.startup.prepare`,
:func:`build_application` and :func:`running`, so what is tested is what runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import IntEnum
from functools import partial
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

from bot import jobs
from bot.access import load_caller, private_chats_only
from bot.clock import Clock
from bot.commands import commands_for
from bot.context import SERVICES_KEY, TpkContext
from bot.rekap import chart
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from bot.throttle import Throttle
from bot.transport import lean as telegram_lean
from bot.transport import retry as telegram_retry
from bot.transport.bot import TpkBot
from bot.updates import PerUserUpdateProcessor
from conversations import join, kajian, kka, kunjungan, lapor, ubah
from conversations.forms import runner
from handlers import (
    anggota,
    audit,
    basics,
    ekspor,
    ekspor_format,
    errors,
    growth,
    grup,
    ibu,
    keluarga,
    rekap,
    tugas,
    undang,
)
from handlers import daftar as daftar_handlers
from handlers import impor as impor_handlers
from handlers import privacy as privacy_handlers

log = logging.getLogger(__name__)

#: PTB groups run in ascending order and every group gets each update; within one group only
#: the first matching handler answers. Flood control comes first, so a flood costs no database read;
THROTTLE_GROUP = -200
#: then a group chat gets one line for anything that would show personal data (no database read);
CHAT_GROUP = -150
#: then the caller is loaded (role, scope) for every handler after it.
ACCESS_GROUP = -100
#: Everything that answers an update shares PTB's default group, in the tiers below.
ANSWER_GROUP = 0


class Tier(IntEnum):
    """The order of registration inside :data:`ANSWER_GROUP`, where the first match wins."""

    #: The join dialogue (a ConversationHandler) first: while a newcomer is in it, their typed name,
    #: phone number and /batal belong to it, not to the typed-answer handler or /batal below.
    JOIN_DIALOGUE = 1
    #: Commands and their buttons. Each module owns its commands and callback prefixes (``/start``
    #: with a token is the join dialogue's, without one basics'), so within the tier no two claim the
    #: same update; they keep the order they always had.
    COMMANDS = 2
    #: Typed answers to the open form, after the commands: a command mid-form still works.
    FORM_ANSWERS = 3
    #: Catch-alls last: a button from an old message, an unknown command.
    CATCH_ALL = 4


Registration = Callable[[Application[Any, Any, Any, Any, Any, Any]], None]


def _registrations() -> dict[Tier, tuple[Registration, ...]]:
    return {
        Tier.JOIN_DIALOGUE: (partial(join.register, open_mother_invitation=ibu.open_invitation),),
        Tier.COMMANDS: (undang.register, anggota.register, lapor.register, kunjungan.register, ubah.register,
                        keluarga.register, growth.register, privacy_handlers.register, ibu.register, tugas.register,
                        runner.register, rekap.register, impor_handlers.register, daftar_handlers.register,
                        ekspor_format.register, ekspor.register, grup.register, audit.register, kka.register,
                        kajian.register,
                        partial(basics.register, pause_form=runner.pause)),
        Tier.FORM_ANSWERS: (runner.register_text,),
        Tier.CATCH_ALL: (basics.register_last,),
    }


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
    app.add_handler(TypeHandler(Update, private_chats_only), group=CHAT_GROUP)
    app.add_handler(TypeHandler(Update, load_caller), group=ACCESS_GROUP)
    registrations = _registrations()
    for tier in Tier:
        for register in registrations[tier]:
            register(app)
    jobs.register(app, services)
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
            # The first /rekap chart of a fresh install need not wait for the font cache. Only
            # once running: a start that fails must not exit while the thread is inside
            # matplotlib's C++ ("terminate called without an active exception" on stderr).
            chart.warm_up()
            await stop.wait()
    finally:
        await services.db.close()
