"""``python -m bot``: run the bot, check the configuration, apply migrations.

Configuration mistakes end with one line and exit status 2, never a traceback. So does
everything else that stops a start or a running bot for a reason the operator must fix
(status 1): a database that cannot be used, another bot on the same database (an OS
lock next to it) or on the same token (Telegram's 409), a token Telegram refuses (401,
also when it is revoked while the bot runs: the process ends instead of staying up
without polling).
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

from telegram.error import InvalidToken, NetworkError

from bot import logs
from bot.clock import SystemClock
from bot.impor import cli as impor_cli
from bot.settings import ConfigError, Settings, load_settings
from bot.transport import http as telegram_http
from storage import seed as seed_store
from storage.crypto import new_key
from storage.db import DatabaseUnavailable, EngineError, MigrationError, StorageUnavailable, unavailable
from storage.instance import AlreadyRunning, instance_lock_for
from storage.url import Engine

log = logging.getLogger("bot")
EXIT_CONFIG = 2
EXIT_NOT_FOUND = 1
EXIT_FAILURE = 1
REFUSED = {
    401: "Telegram menolak token bot (401 Unauthorized): token salah atau sudah dicabut — minta token dari "
         "@BotFather (/token), isi telegram.token atau TPK_TELEGRAM_TOKEN, lalu jalankan lagi",
    409: "Telegram: proses lain sedang mengambil pesan dengan token ini (409 Conflict) — hanya satu bot boleh "
         "berjalan per token; hentikan yang lain atau pakai token lain, lalu jalankan lagi",
}


class Refused(Exception):
    """Telegram refused this process (401 or 409): the line to print."""


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
    _add_rotate_parser(commands)
    _add_move_parser(commands)
    impor_cli.add_parser(commands)
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
    compact = commands.add_parser("compact", help="tulis ulang data tersimpan agar nilai yang dihapus tidak tersisa "
                                                  "(PostgreSQL: VACUUM FULL, jalankan saat sepi)")
    compact.add_argument("--config", type=Path, default=Path("config.toml"))
    backup = commands.add_parser("backup", help="salinan basis data yang konsisten, juga selagi bot berjalan")
    backup.add_argument("path", type=Path, help="file cadangan, atau folder (nama file diberi tanggal dan jam)")
    backup.add_argument("--config", type=Path, default=Path("config.toml"))


async def _compact(settings: Settings) -> int:
    """After an erasure, a retention sweep or a key rotation: no copy of the old values left in
    the stored files. SQLite: the file rebuilt (the bot does this itself; here on demand).
    PostgreSQL: the tables rewritten (``VACUUM FULL``), which only the operator starts."""
    from bot.startup import prepare_database
    from storage.compaction import compact, rewrite_tables

    db = await prepare_database(settings, SystemClock())
    try:
        where = settings.storage.target.display()
        if db.path is None:
            done = await rewrite_tables(db)
            if done.older_open:
                print(f"{where}: {len(done.tables)} tabel ditulis ulang (VACUUM FULL), tetapi {done.older_open} "
                      "transaksi lama masih terbuka dan bisa menahan nilai yang dihapus — jalankan lagi setelah "
                      "transaksi itu selesai", file=sys.stderr)
                return EXIT_FAILURE
            print(f"{where}: {len(done.tables)} tabel ditulis ulang (VACUUM FULL) dalam {done.seconds:.1f} s — nilai "
                  "yang dihapus tidak tersisa di file tabel; WAL arsip dan cadangan lama masih menyimpannya sampai "
                  "diganti")
            return 0
    finally:
        await db.close()
    if not await compact(db.path):
        print(f"{where} sedang dipakai menulis — jalankan lagi sebentar lagi", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{where}: file dibangun ulang (VACUUM) dan WAL dikosongkan — nilai yang dihapus tidak tersisa di file")
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """One line: where the copy is, how big, what it holds; 1 when it could not be made."""
    from storage.backup import BackupError, backup

    try:
        if settings.storage.target.engine is Engine.POSTGRESQL:
            from storage.pg_backup import backup_postgresql

            print(backup_postgresql(settings.storage.target, args.path, password=settings.storage.password).line())
        else:
            print(backup(settings.storage.target.path or Path(), args.path).line())
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NOT_FOUND
    return 0


def _add_rotate_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rotate = commands.add_parser("rotate-key", help="enkripsi ulang semua NIK, No. KK, nomor HP dan draf dengan "
                                                    "kunci baru (bot dihentikan dulu; bisa dilanjutkan)")
    rotate.add_argument("--config", type=Path, default=Path("config.toml"))
    rotate.add_argument("--new-key", help="kunci baru (dari `new-key`), tulis --new-key=KUNCI (kunci bisa diawali "
                                           "'-'); default: TPK_NEW_PRIVACY_KEY")


async def _rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    """Re-encrypt everything under the new key; one line either way."""
    from bot.startup import open_storage
    from storage import rotation
    from storage.crypto import CipherKeyError, IdentityCipher, decode_key

    text = args.new_key or os.environ.get("TPK_NEW_PRIVACY_KEY", "")
    try:
        new = IdentityCipher(decode_key(text))
    except CipherKeyError as exc:
        problem = "tidak ada" if not text.strip() else str(exc)
        print(f"kunci baru {problem} — buat dengan `python -m bot new-key`, berikan dengan --new-key atau "
              "TPK_NEW_PRIVACY_KEY", file=sys.stderr)
        return EXIT_CONFIG
    old = IdentityCipher(decode_key(settings.privacy.key))
    db = await open_storage(settings)
    try:
        await db.migrate()
        report = await rotation.rotate(db, old, new)
    except rotation.RotationError as exc:
        print(f"rotate-key: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        await db.close()
    print(report.line())
    return 0


def _add_move_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    move = commands.add_parser("migrate-data", help="pindahkan semua data dari SQLite ke PostgreSQL (bot dihentikan "
                                                    "dulu), periksa jumlah baris dan contoh NIK")
    move.add_argument("--config", type=Path, default=Path("config.toml"))
    move.add_argument("--from", dest="source", required=True, help="sqlite:///var/tpk.sqlite3")
    move.add_argument("--to", dest="target", required=True, help="postgresql://tpk@host:5432/tpk (basis data baru)")


def _move_data(settings: Settings, args: argparse.Namespace) -> int:
    """One line either way; 2 for a wrong URL, 1 when the move was refused or failed."""
    from storage import migrate_data
    from storage.crypto import IdentityCipher, decode_key
    from storage.url import parse

    try:
        source, target = parse(args.source), parse(args.target)
    except ValueError as exc:
        print(f"migrate-data: URL salah: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if source.engine is not Engine.SQLITE or target.engine is not Engine.POSTGRESQL:
        print("migrate-data: --from harus sqlite:///… dan --to harus postgresql://…", file=sys.stderr)
        return EXIT_CONFIG
    try:
        report = migrate_data.move(source, target, IdentityCipher(decode_key(settings.privacy.key)),
                                   password=settings.storage.password)
    except migrate_data.MoveError as exc:
        print(f"migrate-data: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(report.line())
    return 0


EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def init_config(path: Path) -> str:
    """Write a new config file from the example with a fresh encryption key; an
    existing file is never touched."""
    if path.exists():
        return f"{path} sudah ada, tidak diubah"
    text = EXAMPLE.read_text(encoding="utf-8").replace('key = ""', f'key = "{new_key()}"', 1)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds the master key
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
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
    refused: list[int] = []

    def on_refusal(status: int) -> None:
        refused.append(status)
        stop.set()

    try:
        lock = instance_lock_for(settings.storage.target, settings.storage.password)
        with lock, telegram_http.watch_refusals(on_refusal):
            try:
                await serve(settings, SystemClock(), stop)
            except InvalidToken:  # getMe at start; the watch has seen the 401 too
                refused.append(401)
    finally:
        await telegram_http.close_all()
    if refused:
        raise Refused(REFUSED[refused[0]])


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
        elif args.command == "compact":
            return asyncio.run(_compact(settings))
        elif args.command == "migrate-data":
            return _move_data(settings, args)
        elif args.command == "rotate-key":
            return asyncio.run(_rotate_key(settings, args))
        elif args.command == "impor":
            return asyncio.run(impor_cli.main(settings, args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except StorageUnavailable as exc:  # the server refused or went away past opening it
        from bot.startup import storage_error

        print(storage_error(settings, exc), file=sys.stderr)
        return EXIT_CONFIG
    except (DatabaseUnavailable, AlreadyRunning, Refused) as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILURE
    except EngineError as exc:  # the file turned out unusable past opening it
        print(unavailable(settings.storage.target.path or Path(), exc), file=sys.stderr)
        return EXIT_FAILURE
    except NetworkError as exc:  # getMe at start: Telegram unreachable
        print(f"Telegram tidak bisa dihubungi ({type(exc).__name__}) — periksa koneksi internet dan "
              "telegram.base_url, lalu jalankan lagi", file=sys.stderr)
        return EXIT_FAILURE
    return 0
