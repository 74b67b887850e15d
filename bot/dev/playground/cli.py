"""``python -m bot playground``: the whole bot in a browser, without Telegram.

``make run`` calls it with ``--if-no-token`` first: with no token configured it starts
the playground (and says so in one line); with a token it exits with
:data:`EXIT_HAS_TOKEN` so make goes on to run the real bot.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import signal
import sys
from pathlib import Path

from bot import logs
from bot.dev.playground import config as pg_config
from bot.settings import ConfigError
from storage.db import MigrationError

EXIT_CONFIG = 2
#: ``--if-no-token`` and a token is configured: run the real bot instead.
EXIT_HAS_TOKEN = 3
DEFAULT_CONFIG = Path("config.toml")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub = commands.add_parser(
        "playground", help="coba bot lengkap di peramban, tanpa Telegram (hanya di 127.0.0.1)")
    sub.add_argument("--config", type=Path, default=None,
                     help="setelan wilayah, pengingat dll. (default: config.toml bila ada)")
    sub.add_argument("--port", type=int, default=8080, help="port halaman di 127.0.0.1 (default 8080)")
    sub.add_argument("--seed-demo", type=int, default=0, metavar="N",
                     help="isi basis data playground yang masih kosong dengan sekitar N sasaran contoh")
    sub.add_argument("--db", type=Path, default=pg_config.DEFAULT_DB,
                     help=f"file basis data playground (default {pg_config.DEFAULT_DB})")
    sub.add_argument("--reset", action="store_true", help="hapus data playground sebelumnya dan mulai dari awal")
    sub.add_argument("--if-no-token", action="store_true",
                     help=f"jalan hanya bila belum ada token; bila ada, keluar dengan status {EXIT_HAS_TOKEN}")
    sub.add_argument("--verbose", action="store_true", help="tampilkan log bot")


def main(args: argparse.Namespace) -> int:
    level = logging.INFO if args.verbose else logging.WARNING
    logs.configure(level)
    for name in ("telegram", "aiosqlite", "aiohttp", "httpx", "httpcore", "apscheduler"):
        library = logging.getLogger(name)  # never chattier than asked for, whatever logs.configure set
        library.setLevel(max(library.getEffectiveLevel(), level))
    config: Path | None = args.config
    if config is None and DEFAULT_CONFIG.exists():
        config = DEFAULT_CONFIG
    try:
        if args.config is not None and not args.config.exists():
            raise ConfigError(f"{args.config}: file konfigurasi tidak ada")
        base = pg_config.base_settings(config)
        if args.if_no_token and base.telegram.token.strip():
            return EXIT_HAS_TOKEN
        if not 0 <= args.port <= 65535 or args.seed_demo < 0:
            raise ConfigError("playground: --port harus 0–65535 dan --seed-demo tidak negatif")
        if args.reset:
            pg_config.reset(args.db)
        if args.if_no_token:
            where = config or "konfigurasi"
            intro = f"{where}: belum ada token Telegram — menjalankan playground (bot lengkap tanpa Telegram) di"
        else:
            intro = "Playground TPK Bot (tanpa Telegram) di"
        return asyncio.run(_run(base, args, intro))
    except ConfigError as exc:
        text = str(exc)
        if "privacy.key" in text:
            text += " (atau mulai playground dari awal dengan --reset)"
        print(text, file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"basis data playground: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"playground: port {args.port} sudah dipakai — pilih yang lain dengan --port", file=sys.stderr)
            return EXIT_CONFIG
        raise


async def _run(base: object, args: argparse.Namespace, intro: str) -> int:
    from bot.dev.playground.runtime import Playground
    from bot.dev.playground.server import address, serve
    from bot.rekap import chart

    chart.warm_up()  # the first "📈 Grafik" of a fresh machine need not wait for the font cache

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Playground(base, db_path=args.db, seed_demo=args.seed_demo) as playground:  # type: ignore[arg-type]
        runner = await serve(playground, args.port)
        try:
            print(f"{intro} {address(runner)} · data di {args.db} · Ctrl+C untuk berhenti", flush=True)
            if playground.seeded is not None:
                print(playground.seeded.note, flush=True)
            await stop.wait()
        finally:
            await runner.cleanup()
    return 0
