"""``python -m bot impor FILE``: the same import as ``/impor``, for large files.

It acts as a configured admin (or ``--user``, a member's Telegram id) within that
member's area, reads headers like the bot does, takes the answers to unknown headers
from ``--mapping M.toml`` (``[sheet]`` tables of ``"Header" = "column"``, ``"-"`` to
ignore), and prints one line. A killed run continues when started again with the
same file.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from bot.clock import SystemClock
from bot.impor import run
from bot.impor.columns import BY_KEY
from bot.impor.headers import normalise
from bot.impor.plans import IGNORE, SheetMapping, SheetPlan
from bot.settings import Settings
from storage import impor as store
from storage import users

EXIT_USAGE = 2


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub = commands.add_parser("impor", help="impor daftar keluarga/sasaran dari file XLSX atau CSV")
    sub.add_argument("file", type=Path)
    sub.add_argument("--config", type=Path, default=Path("config.toml"))
    sub.add_argument("--mapping", type=Path, help="TOML: judul kolom -> kolom bot, per lembar")
    sub.add_argument("--dry-run", action="store_true", help="hanya pratinjau, tidak ada yang ditulis")
    sub.add_argument("--user", type=int, help="Telegram id koordinator/admin yang mengimpor (default: admin pertama)")


def _apply_overrides(mappings: list[SheetMapping], overrides: dict[str, dict[str, str]]) -> list[SheetMapping]:
    out = []
    for found in mappings:
        table = {normalise(h): k for h, k in overrides.get(found.plan.name, overrides.get("*", {})).items()}
        mapping = dict(found.plan.mapping)
        for index in found.unknown:
            key = table.get(normalise(found.plan.headers[index]))
            if key and key != IGNORE:
                mapping[index] = key
        out.append(SheetMapping(SheetPlan(found.plan.name, found.plan.headers, mapping), (), found.signature))
    return out


async def main(settings: Settings, args: argparse.Namespace) -> int:
    from bot.startup import prepare

    if not args.file.is_file():
        print(f"{args.file}: file tidak ada", file=sys.stderr)
        return EXIT_USAGE
    overrides: dict[str, dict[str, str]] = {}
    if args.mapping:
        overrides = tomllib.loads(args.mapping.read_text(encoding="utf-8"))
        bad = sorted({v for t in overrides.values() for v in t.values() if v != IGNORE and v not in BY_KEY})
        if bad:
            print(f"{args.mapping}: kolom tidak dikenal: {', '.join(bad)} (pilihan: {', '.join(BY_KEY)})",
                  file=sys.stderr)
            return EXIT_USAGE
    services = await prepare(settings, SystemClock())
    try:
        user_id = args.user or (settings.access.admins[0] if settings.access.admins else None)
        member = await users.get(services.db, user_id) if user_id else None
        if member is None and user_id in settings.access.admins:
            member = await users.ensure_admin(services.db, user_id, "Admin", settings.wilayah.root,
                                              services.clock.now())
        if member is None or member.role.value not in ("admin", "koordinator"):
            print("--user: bukan admin atau koordinator yang terdaftar", file=sys.stderr)
            return EXIT_USAGE
        scope = member.region_code
        prepared = await run.prepare(services, args.file)
        mappings = _apply_overrides(prepared.mappings, overrides)
        prepared = run.Prepared(prepared.file_hash, mappings)
        if args.dry_run:
            report = await run.preview(services, args.file, prepared.plans, actor_id=member.id, scope=scope)
            print(f"{args.file}: pratinjau {run.summary(dict(report.counts))} (tidak ada yang ditulis)")
            return 0
        impor = await store.resumable(services.db, prepared.file_hash, scope)
        resumed = impor is not None
        if impor is None:
            new_id = await store.create(services.db, file_hash=prepared.file_hash, file_name=args.file.name,
                                        actor_id=member.id, scope=scope, file_id=None, mapping=prepared.mapping,
                                        now=services.clock.now())
            impor = await store.get(services.db, new_id, scope=scope)
            assert impor is not None
        counts = await run.write(services, impor, args.file, run.plans_of(impor, prepared))
        print(f"{args.file}: {run.summary(counts)} (impor #{impor.id}{', dilanjutkan' if resumed else ''})")
        return 0
    finally:
        await services.db.close()
