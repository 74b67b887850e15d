"""How long the rekap migrations take on a database that already holds 1,000,000 sasaran.

Migration 0011 (membership spans) and 0017 (dated risk history, the post-term band) both
backfill from the records already there, so a deployment that upgrades pays for them once,
at the next start, with the bot down. This builds (once, cached in bench/out/) a database
seeded by :func:`bot.dev.seed.seed_demo` with the migrations before 0011, then on a copy
applies the rest in order and times 0011 and 0017, as ``Database.migrate`` runs them (one
transaction each). The small database is the baseline of the same run::

    migration_0011_1m: <s at 1M> s (baseline <s at 10k> s, ratio <1M/10k>)

Usage: ``.venv/bin/python bench/bench_migration.py [--small 10000] [--large 1000000] [--fresh]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_rekap import KEY, NOW, ROOT_CODE, SEED, settings_for  # noqa: E402
from common import closing_line, copy_database, peak_rss_kb  # noqa: E402

from bot.dev.seed import seed_demo  # noqa: E402
from storage import regions as regions_store  # noqa: E402
from storage.crypto import IdentityCipher, decode_key  # noqa: E402
from storage.db import Database, bundled_migrations  # noqa: E402

OUT = ROOT / "bench" / "out"
#: The migrations timed; the database is built with every other one.
TIMED = (11, 17)


async def database(sasaran: int, fresh: bool) -> Path:
    """The cached database without the timed migrations, built if missing (under a
    temporary name, renamed when complete)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"migration-base{min(TIMED) - 1}-{sasaran}.sqlite3"
    ready = path.with_suffix(".ready")
    if fresh:
        ready.unlink(missing_ok=True)
    if ready.exists() and path.exists():
        return path
    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    db = await Database.open(building)
    try:
        # Only the migrations before the first timed one: a later one may build on a timed one
        # (0022 alters 0011's rekap_closed_period); timed_migrations applies the rest in order.
        await db.migrate([m for m in bundled_migrations() if m.version < min(TIMED)])
        await regions_store.load_root(db, settings_for(building).wilayah.csv, ROOT_CODE)
        started = time.perf_counter()
        summary = await seed_demo(db, IdentityCipher(decode_key(KEY)), root=ROOT_CODE, sasaran=sasaran, seed=SEED,
                                  now=NOW)
        print(f"  generated {summary.sasaran:,} sasaran, {summary.keluarga:,} keluarga in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await db.close()
    os.replace(building, path)
    ready.write_text("ok")
    return path


async def timed_migrations(source: Path, keep: Path | None) -> dict[int, float]:
    """Seconds for each timed migration, applied in order on a copy of ``source``. With
    ``keep``, the migrated copy becomes bench_rekap's cached database of the same size
    (same seed and clock, every migration applied: what bench_rekap would build)."""
    target = source.with_name(source.stem + ".timed.sqlite3")
    copy_database(source, target)
    db = await Database.open(target)
    out: dict[int, float] = {}
    try:
        every = bundled_migrations()
        for migration in every:
            if migration.version < min(TIMED):
                continue  # in the seeded database already
            started = time.perf_counter()
            await db.migrate([m for m in every if m.version <= migration.version])
            if migration.version in TIMED:
                out[migration.version] = time.perf_counter() - started
        await db.fetch_value("PRAGMA optimize")
    finally:
        await db.close()
        if keep is not None and len(out) == len(TIMED):
            os.replace(target, keep)
            keep.with_suffix(".ready").write_text("ok")
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--build-only", action="store_true", help="only build the cached databases")
    parser.add_argument("--keep", action="store_true",
                        help="keep the migrated copies as bench_rekap's cached databases (saves building them)")
    args = parser.parse_args()
    small, large = await database(args.small, args.fresh), await database(args.large, args.fresh)
    if args.build_only:
        return
    def kept(size: int) -> Path | None:
        return OUT / f"rekap-{size}.sqlite3" if args.keep else None

    base, big = await timed_migrations(small, kept(args.small)), await timed_migrations(large, kept(args.large))
    print(f"{'migration':<40}{args.small:>12,}{args.large:>12,}   ratio")
    for version in TIMED:
        if version in big:
            print(f"{version:04d}{'':<36}{base[version]:>12.1f}{big[version]:>12.1f}"
                  f"{big[version] / max(base[version], 1e-9):>8.1f}")
    print(f"peak RSS {peak_rss_kb() / 1024:.0f} MB")
    print(closing_line("migration_0011_1m", big[11], base[11], "s"))


if __name__ == "__main__":
    asyncio.run(main())
