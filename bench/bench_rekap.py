"""How /rekap's cost grows with the data: 10,000 vs 1,000,000 sasaran in Kota Serang.

Builds (once, cached in bench/out/) two databases with :func:`bot.dev.seed.seed_demo`, then
times the figures of the whole city as /rekap computes them (``build_rekap``: every
query the message needs, reminders included), for this month, the last three months
and this year, plus a kecamatan and a kelurahan, and the message rendering. As a
floor it times a plain ``SELECT count(*) FROM sasaran`` on each database: what even
the simplest query over the rows costs. Medians after warm-up.

It also times the close of last month (issue 14: every area's figures written once, by
the job at the first tick after the month ends) with the Python memory it allocates,
a closed month read back with its revision, and the semester cases.

The counters are maintained by triggers and rolled up to every level (migrations 0004,
0006 and 0011), so the city's figures should cost about the same with a million members
as with ten thousand; the last line says by how much::

    rekap_1m_vs_10k: <ms at 1M> ms (baseline <ms at 10k> ms, ratio <1M/10k>)

Usage: ``.venv/bin/python bench/bench_rekap.py [--small 10000] [--large 1000000] [--runs 21] [--rounds 3]
[--engine postgresql|both]`` (``--fresh`` rebuilds the cached databases). On PostgreSQL the same
cached SQLite databases are moved by ``migrate-data`` into databases kept on the server; ``both``
measures each engine in alternating rounds of one run and ends with PostgreSQL against SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common import database_complete, kept_database  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.dev.seed import seed_demo  # noqa: E402
from bot.domain.regions import RegionTree  # noqa: E402
from bot.rekap import message  # noqa: E402
from bot.rekap.closing import close, periods_completed_by  # noqa: E402
from bot.rekap.periods import Period, last_month, last_three_months, this_month, this_semester, this_year  # noqa: E402
from bot.rekap.service import build_rekap  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import regions as regions_store  # noqa: E402
from storage.crypto import IdentityCipher, decode_key  # noqa: E402
from storage.db import Database, bundled_migrations  # noqa: E402
from storage.engine import open_database  # noqa: E402
from storage.migrate_data import move  # noqa: E402
from storage.url import StorageURL  # noqa: E402

OUT = ROOT / "bench" / "out"
ROOT_CODE = "36.73"
KECAMATAN = "36.73.04"  # Curug
PROVINCE = "36"  # Banten, around Kota Serang
#: A fixed key: the cached databases must open with the key they were written with.
KEY = "YmVuY2gtcmVrYXAtZml4ZWQta2V5LTMyLWJ5dGVzISE="
#: Monday 23 November 2026, 09:00 WIB.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SEED = 20261123


def settings_for(path: Path | StorageURL) -> Settings:
    storage = {"url": path.as_setting()} if isinstance(path, StorageURL) else {"path": str(path)}
    return Settings(storage=storage, wilayah={"root": ROOT_CODE}, privacy={"key": KEY})


async def pg_database(sasaran: int, fresh: bool, *, fresh_source: bool | None = None) -> StorageURL:
    """The cached SQLite database of this size moved to a PostgreSQL database of its own
    by ``migrate-data`` (COPY, counters copied as the triggers made them), kept on the
    server as ``tpk_bench_rekap_<size>_<schema>`` for later runs; rebuilt when missing.
    ``fresh_source`` (default ``fresh``) rebuilds the SQLite one first."""
    source = await database(sasaran, fresh if fresh_source is None else fresh_source)
    version = max(m.version for m in bundled_migrations())
    name = f"tpk_bench_rekap_{sasaran}_{version}"
    target, kept = kept_database(name, fresh)
    if kept:
        return target
    started = time.perf_counter()
    report = await asyncio.to_thread(move, StorageURL.sqlite(source), target, IdentityCipher(decode_key(KEY)))
    print(f"  moved to PostgreSQL {name}: {report.rows.get('sasaran', 0):,} sasaran in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    database_complete(target)
    return target


async def _holds(path: Path, sasaran: int) -> bool:
    """A cached file is used only if it really holds the members asked for."""
    db = await Database.open(path)
    try:
        return await db.fetch_value("SELECT count(*) FROM sasaran") == sasaran
    except Exception:  # a damaged or foreign file: build a new one
        return False
    finally:
        await db.close()


async def database(sasaran: int, fresh: bool) -> Path:
    """The cached database with ``sasaran`` members, built if missing. It is built under
    a temporary name and renamed when complete, so a concurrent run (``make bench``, the
    smoke test) never sees or deletes a half-built file."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"rekap-{sasaran}.sqlite3"
    ready = path.with_suffix(".ready")
    if fresh:
        ready.unlink(missing_ok=True)
    if ready.exists() and path.exists() and await _holds(path, sasaran):
        return path
    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    settings = settings_for(building)
    db = await Database.open(building)
    try:
        await db.migrate()
        await regions_store.load_root(db, settings.wilayah.csv, ROOT_CODE)
        started = time.perf_counter()
        summary = await seed_demo(db, IdentityCipher(decode_key(KEY)), root=ROOT_CODE, sasaran=sasaran, seed=SEED,
                                  now=NOW)
        print(f"  generated {summary.sasaran:,} sasaran, {summary.keluarga:,} keluarga, "
              f"{summary.kunjungan:,} kunjungan in {time.perf_counter() - started:.0f} s", flush=True)
        await db.fetch_value("PRAGMA optimize")
    except BaseException:
        await db.close()
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    await db.close()  # the last connection: SQLite folds the WAL back into the file
    os.replace(building, path)
    ready.write_text("ok")
    return path


async def timed(runs: int, warmup: int, action) -> float:
    for _ in range(warmup):
        await action()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        values.append((time.perf_counter() - started) * 1000)
    return statistics.median(values)


async def measure(path: Path | StorageURL, runs: int) -> dict[str, float]:
    settings = settings_for(path)
    db = await (open_database(path) if isinstance(path, StorageURL) else Database.open(path))
    try:
        await db.migrate()
        tree = await regions_store.load_tree(db, ROOT_CODE)
        services = Services(settings=settings, clock=FakeClock(NOW), db=db, regions=tree,
                            cipher=IdentityCipher(decode_key(KEY)))
        today = NOW.astimezone(settings.wilayah.zone).date()
        kelurahan = tree.children(KECAMATAN)[0].code
        results: dict[str, float] = {}

        def rekap(area: str, period: Period, depth: int = 0):
            return lambda: build_rekap(services, scope=ROOT_CODE, area=area, period=period, depth=depth)

        async def rendered() -> None:
            message.render(await build_rekap(services, scope=ROOT_CODE, area=ROOT_CODE, period=this_month(today)))

        # The nightly close of last month (and the quarter it may complete), for every area of
        # the city: timed once (it writes), with the Python memory it allocates at its peak.
        month = last_month(today)
        tracemalloc.start()
        started = time.perf_counter()
        for period in periods_completed_by(month):
            await close(services, period)
        results["close: bulan lalu, semua wilayah (sekali)"] = (time.perf_counter() - started) * 1000
        results["_close_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        cases = {
            "kota, bulan ini": rekap(ROOT_CODE, this_month(today)),
            "kota, bulan ini + pesan": rendered,
            "kota, bulan lalu (ditutup + revisi)": rekap(ROOT_CODE, month),
            "kota, 3 bulan terakhir": rekap(ROOT_CODE, last_three_months(today)),
            "kota, semester ini": rekap(ROOT_CODE, this_semester(today)),
            "kota, semester I (lalu)": rekap(ROOT_CODE, Period.semester(today.year, 1)),
            "kota, tahun ini": rekap(ROOT_CODE, this_year(today)),
            "kota + rincian kecamatan (grafik)": rekap(ROOT_CODE, this_month(today), depth=1),
            "kecamatan Curug, bulan ini": rekap(KECAMATAN, this_month(today)),
            "satu kelurahan, bulan ini": rekap(kelurahan, this_month(today)),
        }
        # The same database seen by a deployment rooted at the province: its 1,552 desa
        # are all listed, most of them "without a report" and named one by one.
        province = RegionTree.build(PROVINCE, regions_store.read_csv(settings.wilayah.csv))
        services_province = Services(settings=settings, clock=services.clock, db=db, regions=province,
                                     cipher=services.cipher)
        cases["provinsi Banten, bulan ini (root 36)"] = lambda: build_rekap(
            services_province, scope=PROVINCE, area=PROVINCE, period=this_month(today))
        for name, action in cases.items():
            results[name] = await timed(runs, 3, action)

        async def count() -> None:
            await db.fetch_value("SELECT count(*) FROM sasaran")

        results["floor: SELECT count(*) FROM sasaran"] = await timed(runs, 3, count)
        results["_rows"] = float(await db.fetch_value("SELECT count(*) FROM sasaran"))
        results["_counters"] = float(await db.fetch_value("SELECT count(*) FROM rekap_counts"))
        results["_rollup"] = float(await db.fetch_value("SELECT count(*) FROM rekap_rollup"))
        results["_spans"] = float(await db.fetch_value("SELECT count(*) FROM rekap_span"))
        return results
    finally:
        await db.close()


def report(engine: str, small_size: int, large_size: int, small: dict[str, float], large: dict[str, float],
           rounds: int, runs: int) -> None:
    """One engine's table (each case at both sizes and their ratio) and its closing lines."""
    print(f"\n{engine}: best of {rounds} alternating rounds of the median of {runs} runs after 3 warm-up runs, "
          "milliseconds")
    print(f"{'':42} {small_size:>12,} {large_size:>12,}   ratio")
    for name in small:
        if name.startswith("_"):
            continue
        ratio = large[name] / small[name] if small[name] else float("nan")
        print(f"{name:42} {small[name]:12.2f} {large[name]:12.2f}   {ratio:5.2f}")
    print(f"{'sasaran rows':42} {small['_rows']:12,.0f} {large['_rows']:12,.0f}")
    print(f"{'rekap_counts rows':42} {small['_counters']:12,.0f} {large['_counters']:12,.0f}")
    print(f"{'rekap_rollup rows':42} {small['_rollup']:12,.0f} {large['_rollup']:12,.0f}")
    print(f"{'rekap_span rows':42} {small['_spans']:12,.0f} {large['_spans']:12,.0f}")
    print(f"{'close: peak Python memory, MiB':42} {small['_close_peak_mib']:12.1f} {large['_close_peak_mib']:12.1f}")
    value, baseline = large["kota, bulan ini"], small["kota, bulan ini"]
    floor = large["floor: SELECT count(*) FROM sasaran"]
    semester, semester_base = large["kota, semester ini"], small["kota, semester ini"]
    print(f"rekap_semester_1m_vs_10k: {semester:.3g} ms (baseline {semester_base:.3g} ms, "
          f"ratio {semester / semester_base:.2f})")
    closing_ms = large["close: bulan lalu, semua wilayah (sekali)"]
    print(f"rekap_close_month: {closing_ms / 1000:.3g} s for {large_size:,} sasaran "
          f"({small['close: bulan lalu, semua wilayah (sekali)'] / 1000:.3g} s at {small_size:,}), "
          f"peak Python memory {large['_close_peak_mib']:.1f} MiB")
    print(f"rekap_1m_vs_10k: {value:.3g} ms (baseline {baseline:.3g} ms at {small_size:,} sasaran, "
          f"ratio {value / baseline:.2f}; floor count(*) over {large_size:,} rows {floor:.3g} ms)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--rounds", type=int, default=3,
                        help="measure both databases this many times, alternately, and keep each case's best median"
                             " (a shared machine's load drifts; alternating lets the drift hit both sizes)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite",
                        help="where /rekap reads: the cached SQLite file, or it moved to PostgreSQL (kept there); "
                             "both: each, alternating, side by side in one run")
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    sizes = (args.small, args.large)
    paths: dict[tuple[str, int], Path | StorageURL] = {}
    print(f"engine: {args.engine}")
    for engine in engines:
        for size in sizes:
            print(f"{engine} database with {size:,} sasaran:", flush=True)
            if engine == "sqlite":
                paths[engine, size] = await database(size, args.fresh)
            else:  # the SQLite one moved; with both, --fresh has just rebuilt that one
                paths[engine, size] = await pg_database(size, args.fresh, fresh_source=args.fresh and len(engines) == 1)
    measured: dict[tuple[str, int], dict[str, float]] = {}
    for _ in range(args.rounds):
        for key, path in paths.items():
            found = await measure(path, args.runs)
            best = measured.setdefault(key, found)
            for name, value in found.items():
                best[name] = value if name.startswith("_") else min(best[name], value)
    for engine in engines:
        report(engine, args.small, args.large, measured[engine, args.small], measured[engine, args.large],
               args.rounds, args.runs)
    if len(engines) == 2:
        pg, lite = measured["postgresql", args.large], measured["sqlite", args.large]
        for name in ("kota, bulan ini", "kota, semester ini", "satu kelurahan, bulan ini"):
            print(f"{name} at {args.large:,}: PostgreSQL {pg[name]:.3g} ms, SQLite {lite[name]:.3g} ms "
                  f"({pg[name] / lite[name]:.2f}×)")
        print(f"rekap_postgresql_vs_sqlite: {pg['kota, bulan ini']:.3g} ms (baseline {lite['kota, bulan ini']:.3g} ms "
              f"on SQLite at {args.large:,} sasaran, ratio {pg['kota, bulan ini'] / lite['kota, bulan ini']:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
