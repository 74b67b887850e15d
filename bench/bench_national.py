"""/rekap for a national deployment on PostgreSQL: 1,000,000 and 10,000,000 sasaran across all
38 provinces (issue 19).

Builds (once; kept on the server as ``tpk_bench_national_<size>_<schema>``) a database rooted
at the nation ("ID") with :func:`bot.dev.seed.seed_bulk`: the demo seed's families, members,
visits, KRS factors and flags over every desa/kelurahan of Indonesia, loaded by ``COPY`` with
the counter triggers off and then counted once, into the same counter tables the triggers keep
(:mod:`storage.bulk_load`; ``tests/rekap/test_bulk_recount.py`` checks they are equal). It
prints how long generating and copying took, and the recount.

Then it times the figures /rekap computes (``build_rekap``, every query of the message) for the
nation, the nation with its 38 provinces (the chart), the largest province (Jawa Barat), a
kabupaten and a desa with data, this month, as the national coordinator sees them; medians
after warm-up, best of ``--rounds`` alternating rounds. The last lines are the ratios of the
large database against the small one, measured in the same run::

    rekap_national_10m_vs_1m: <ms at 10M> ms (baseline <ms at 1M> ms at 1,000,000 sasaran, ratio <>)

(and the same for a province and a desa; the names follow ``--small`` and ``--large``).

Usage: ``.venv/bin/python bench/bench_national.py [--small 1000000] [--large 10000000] [--runs 21]
[--rounds 3] [--fresh] [--areas 32.04 …]``. A server other than the local one: ``TPK_BENCH_POSTGRES_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import database_complete, kept_database, machine, median_of  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.dev.seed import seed_bulk  # noqa: E402
from bot.domain.regions import NATIONAL, Level  # noqa: E402
from bot.rekap import message  # noqa: E402
from bot.rekap.periods import this_month  # noqa: E402
from bot.rekap.service import build_rekap  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.startup import prepare  # noqa: E402
from storage.db import bundled_migrations  # noqa: E402
from storage.url import Engine, StorageURL  # noqa: E402

KEY = "YmVuY2gtcmVrYXAtZml4ZWQta2V5LTMyLWJ5dGVzISE="
#: Monday 23 November 2026, 09:00 WIB (bench_rekap's moment).
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SEED = 20261204
PROVINCE = "32"  # Jawa Barat, the most desa after Jawa Tengah and the most people
KABUPATEN = "32.04"  # Kabupaten Bandung


def settings_for(url: StorageURL) -> Settings:
    return Settings(storage={"url": url.as_setting()}, wilayah={"root": NATIONAL}, privacy={"key": KEY})


async def database(sasaran: int, fresh: bool, areas: list[str] | None = None) -> StorageURL:
    """The national database of this size on the server, built when missing (or ``fresh``);
    with ``areas``, only their desa get data (and TPK members)."""
    version = max(m.version for m in bundled_migrations(Engine.POSTGRESQL))
    name = f"tpk_bench_national_{sasaran}_{version}" + "".join(f"_{a.replace('.', '')}" for a in areas or ())
    target, kept = kept_database(name, fresh)
    if kept:
        return target
    services = await prepare(settings_for(target), FakeClock(NOW))
    try:
        started = time.perf_counter()
        summary = await seed_bulk(services.db, services.cipher, root=NATIONAL, sasaran=sasaran, seed=SEED, now=NOW,
                                  areas=areas)
        print(f"  loaded {summary.sasaran:,} sasaran, {summary.keluarga:,} keluarga, {summary.kunjungan:,} kunjungan"
              f" and counted them in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await services.db.close()
    print(f"  VACUUM ANALYZE in {database_complete(target):.0f} s", flush=True)
    return target


async def timed(runs: int, warmup: int, action) -> float:
    async def once() -> float:
        started = time.perf_counter()
        await action()
        return (time.perf_counter() - started) * 1000

    return (await median_of(runs, warmup, once))[0]


async def measure(url: StorageURL, runs: int) -> dict[str, float]:
    services = await prepare(settings_for(url), FakeClock(NOW))
    db = services.db
    try:
        tree = services.regions
        today = NOW.astimezone(services.settings.wilayah.zone).date()
        month = this_month(today)
        # The first desa with families in Kab. Bandung (anywhere, in a database too small for it).
        desa = await db.fetch_value(
            "SELECT region_code FROM rekap_counts WHERE metric = 'keluarga' "
            "ORDER BY region_code LIKE ? DESC, region_code LIMIT 1", (KABUPATEN + ".%",))

        def rekap(area: str, depth: int = 0):
            return lambda: build_rekap(services, scope=NATIONAL, area=area, period=month, depth=depth)

        async def rendered() -> None:
            message.render(await build_rekap(services, scope=NATIONAL, area=NATIONAL, period=month))

        cases = {
            "nasional, bulan ini": rekap(NATIONAL),
            "nasional, bulan ini + pesan": rendered,
            "nasional + rincian 38 provinsi (grafik)": rekap(NATIONAL, depth=1),
            f"provinsi Jawa Barat ({PROVINCE})": rekap(PROVINCE),
            f"kabupaten Bandung ({KABUPATEN})": rekap(KABUPATEN),
            "satu desa (the first with data in Kab. Bandung)": rekap(desa),
        }
        results = {name: await timed(runs, 3, action) for name, action in cases.items()}
        results["_desa"] = float(len(tree.descendants_at(NATIONAL, Level.DESAKEL)))
        for table in ("sasaran", "kunjungan", "rekap_counts", "rekap_rollup", "rekap_span"):
            results[f"_{table}"] = float(await db.fetch_value(f"SELECT count(*) FROM {table}"))
        return results
    finally:
        await db.close()


def report(small_size: int, large_size: int, small: dict[str, float], large: dict[str, float], rounds: int,
           runs: int) -> None:
    print(f"\nPostgreSQL, national root: best of {rounds} alternating rounds of the median of {runs} runs after "
          "3 warm-up runs, milliseconds")
    print(f"{'':48} {small_size:>12,} {large_size:>12,}   ratio")
    for (name, value), large_value in zip(small.items(), large.values(), strict=True):
        if name.startswith("_"):
            continue
        print(f"{name:48} {value:12.2f} {large_value:12.2f}   {large_value / value:5.2f}")
    for table in ("sasaran", "kunjungan", "rekap_counts", "rekap_rollup", "rekap_span"):
        print(f"{table + ' rows':48} {small['_' + table]:12,.0f} {large['_' + table]:12,.0f}")
    sizes = f"{_short(large_size)}_vs_{_short(small_size)}"
    for name, key in (("nasional, bulan ini", "national"), (f"provinsi Jawa Barat ({PROVINCE})", "province"),
                      ("satu desa (the first with data in Kab. Bandung)", "desa")):
        print(f"rekap_{key}_{sizes}: {large[name]:.3g} ms (baseline {small[name]:.3g} ms at {small_size:,} "
              f"sasaran, ratio {large[name] / small[name]:.2f})")


def _short(size: int) -> str:
    """1000000 -> "1m", 100000 -> "100k", 300 -> "300"."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases on the server")
    parser.add_argument("--areas", nargs="*", help="only these areas get data (a quick run: the smoke test)")
    args = parser.parse_args()
    print(f"machine: {machine()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    urls = {}
    for size in (args.small, args.large):
        print(f"national database with {size:,} sasaran:", flush=True)
        urls[size] = await database(size, args.fresh, args.areas)
    measured: dict[int, dict[str, float]] = {}
    for _ in range(args.rounds):
        for size, url in urls.items():
            found = await measure(url, args.runs)
            best = measured.setdefault(size, found)
            for name, value in found.items():
                best[name] = value if name.startswith("_") else min(best[name], value)
    report(args.small, args.large, measured[args.small], measured[args.large], args.rounds, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
