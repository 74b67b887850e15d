"""``python -m bot``: run the bot, check the configuration, apply migrations.

Configuration mistakes end with one line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from bot.clock import SystemClock
from bot.settings import ConfigError, Settings, load_settings
from storage import seed as seed_store
from storage.crypto import new_key
from storage.db import MigrationError
from storage.url import Engine

log = logging.getLogger("bot")
EXIT_CONFIG = 2
EXIT_NOT_FOUND = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="TPK Bot")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "jalankan bot"),
        ("check-config", "periksa file konfigurasi tanpa menjalankan bot"),
        ("migrate", "terapkan migrasi basis data dan muat daftar wilayah"),
        ("init-config", "buat config.toml dari config.example.toml dengan kunci enkripsi baru"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--config", type=Path, default=Path("config.toml"))
    _add_export_parser(commands)
    _add_seed_parser(commands)
    _add_backup_parser(commands)
    commands.add_parser("new-key", help="cetak kunci enkripsi baru untuk [privacy] key")
    from bot.dev.playground import cli as playground_cli  # noqa: TID251 -- the playground command's own options

    playground_cli.add_parser(commands)
    return parser


def _add_export_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = commands.add_parser("export-subject", help="semua data yang disimpan tentang satu orang, sebagai JSON "
                                                        "(hak akses subjek data, UU PDP)")
    export.add_argument("--config", type=Path, default=Path("config.toml"))
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--nik", help="NIK orang itu (16 angka)")
    who.add_argument("--sasaran-id", type=int, help="nomor sasaran (id)")
    export.add_argument("--out", type=Path, help="tulis ke file ini (hanya bisa dibaca pemiliknya), bukan ke layar")


def _export_subject(settings: Settings, args: argparse.Namespace) -> int:
    """Print (or write) the JSON export; 1 when no record matches."""
    from bot.privacy import export_subject

    data = asyncio.run(export_subject(settings, SystemClock(), nik=args.nik, sasaran_id=args.sasaran_id))
    if data is None:
        print("tidak ada sasaran dengan " + ("NIK itu" if args.nik else f"nomor {args.sasaran_id}"), file=sys.stderr)
        return EXIT_NOT_FOUND
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if args.out is None:
        print(text)
        return 0
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    print(f"{args.out}: data sasaran {data['sasaran_id']} ditulis — berisi data pribadi, simpan dan kirim dengan aman",
          file=sys.stderr)
    return 0


def _add_seed_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    seed = commands.add_parser("seed-demo", help="isi basis data KOSONG dengan data contoh (coba-coba, uji kinerja)")
    seed.add_argument("--config", type=Path, default=Path("config.toml"))
    seed.add_argument("--sasaran", type=int, required=True, help="berapa sasaran yang dibuat")
    seed.add_argument("--root", help="kode wilayah (default: wilayah.root dari konfigurasi)")
    seed.add_argument("--seed", type=int, default=1, help="benih acak, supaya hasilnya bisa diulang")


async def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Demo data into an empty database only: never mixed into real records."""
    from bot.dev.seed import seed_demo  # noqa: TID251 -- the command starts the demo seeder
    from bot.startup import prepare

    services = await prepare(settings, SystemClock())
    try:
        root = args.root or settings.wilayah.root
        if root not in services.regions:
            print(f"--root {root}: bukan wilayah di dalam {settings.wilayah.root}", file=sys.stderr)
            return EXIT_CONFIG
        if await seed_store.holds_keluarga(services.db):
            print(f"{settings.storage.target.display()} sudah berisi keluarga: data contoh hanya untuk basis data "
                  "kosong", file=sys.stderr)
            return EXIT_CONFIG
        summary = await seed_demo(services.db, services.cipher, root=root, sasaran=args.sasaran, seed=args.seed,
                                  now=services.clock.now())
        print(f"{settings.storage.target.display()}: {summary.sasaran:,} sasaran, {summary.keluarga:,} keluarga, "
              f"{summary.kunjungan:,} kunjungan dibuat di {root}")
        return 0
    finally:
        await services.db.close()


def _add_backup_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = commands.add_parser("backup", help="salinan basis data yang konsisten, juga selagi bot berjalan")
    backup.add_argument("path", type=Path, help="file cadangan, atau folder (nama file diberi tanggal dan jam)")
    backup.add_argument("--config", type=Path, default=Path("config.toml"))


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """One line: where the copy is, how big, what it holds; 1 when it could not be made."""
    from storage.backup import BackupError, backup

    if settings.storage.target.engine is not Engine.SQLITE:
        print("cadangan untuk PostgreSQL belum didukung perintah ini — pakai pg_dump -Fc", file=sys.stderr)
        return EXIT_NOT_FOUND
    try:
        print(backup(settings.storage.target.path or Path(), args.path).line())
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NOT_FOUND
    return 0


EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def init_config(path: Path) -> str:
    """Write a new config file from the example with a fresh encryption key; an
    existing file is never touched."""
    if path.exists():
        return f"{path} sudah ada, tidak diubah"
    text = EXAMPLE.read_text(encoding="utf-8").replace('key = ""', f'key = "{new_key()}"', 1)
    path.write_text(text, encoding="utf-8")
    return f"{path} dibuat dari config.example.toml dengan kunci enkripsi baru — isi token dan admins di sana"


async def _migrate(settings: Settings) -> None:
    from bot.startup import prepare_database

    db = await prepare_database(settings, SystemClock())
    version = await db.schema_version()
    await db.close()
    print(f"basis data {settings.storage.target.display()} siap (versi skema {version})")


async def _run(settings: Settings) -> None:
    from bot.app import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(settings, SystemClock(), stop)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "new-key":
        print(new_key())
        return 0
    if args.command == "init-config":
        print(init_config(args.config))
        return 0
    if args.command == "playground":
        from bot.dev.playground import cli as playground_cli  # noqa: TID251 -- the command starts the tooling

        return playground_cli.main(args)
    logs.configure()
    try:
        settings = load_settings(args.config, require_token=args.command in ("run", "check-config"))
        if args.command == "check-config":
            print(f"{args.config}: konfigurasi baik (wilayah {settings.wilayah.root}, "
                  f"zona waktu {settings.wilayah.zone.key})")
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "export-subject":
            return _export_subject(settings, args)
        elif args.command == "seed-demo":
            return asyncio.run(_seed_demo(settings, args))
        elif args.command == "backup":
            return _backup(settings, args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"basis data: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0
