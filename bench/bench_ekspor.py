"""/ekspor time for a kecamatan of ~100,000 sasaran, against a bare openpyxl write of the same rows.

The export a coordinator waits for (:func:`bot.rekap.service.build_export`, which the
handler calls): the figures down to desa/kelurahan, the query of one row per target
member (at most ``[rekap] export_max_rows``) and the XLSX bytes, on a copy of the
database ``bench_rekap.py`` caches in ``bench/out/`` (the cached file is never changed).
The area is the kecamatan whose member count is nearest ``--rows``.

Baseline, in the same run: openpyxl in write-only mode writing the same rows (the same
number, 22 columns of the row's raw fields, no labels, no styles) to an XLSX in memory —
the floor of producing this sheet with this library. The ratio says how much the whole
export costs on top of that floor; what the export adds (figures, query, labels,
statuses, formats) is printed part by part. A smaller area (the kelurahan nearest a
tenth of the rows) shows how the time and the peak memory scale; the peak memory of
each export is measured in a fresh process (write-only mode keeps the sheet on disk,
the rows read from SQLite are in memory).

    .venv/bin/python bench/bench_ekspor.py [--sasaran 1000000] [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import closing_line, copy_database, machine, median_of, peak_rss_kb, percentile, rss_kb
from openpyxl import Workbook

from bot.clock import FakeClock
from bot.domain.regions import Level, level_of
from bot.rekap import workbook
from bot.rekap.periods import Period, this_month
from bot.rekap.service import build_export, build_rekap, today
from bot.services import Services
from bot.startup import prepare
from storage import rekap_rows
from storage.rekap_rows import SasaranRow

SCOPE = "36.73"


async def open_copy(path: Path) -> Services:
    """The bot's services on ``path`` (a copy of bench_rekap's database, with its fixed
    key), as the bot starts: migrations, regions, key check."""
    import bench_rekap

    return await prepare(bench_rekap.settings_for(path), FakeClock(bench_rekap.NOW))


async def nearest_area(services: Services, level: Level, rows: int) -> tuple[str, int]:
    """The area of ``level`` (kecamatan or kelurahan) whose member count is nearest ``rows``."""
    length = {Level.KECAMATAN: 8, Level.DESAKEL: 13}[level]
    counts = await services.db.fetch_all(
        f"SELECT substr(region_code, 1, {length}) AS area, count(*) FROM sasaran WHERE erased_at IS NULL "
        "GROUP BY area")
    area, count = min(((r[0], r[1]) for r in counts if level_of(r[0]) == level), key=lambda a: abs(a[1] - rows))
    return area, count


def bare_write(rows: Sequence[SasaranRow]) -> bytes:
    """The floor: the same rows' raw fields written by openpyxl in write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sasaran")
    sheet.append(list(workbook.SASARAN_COLUMNS))
    for number, r in enumerate(rows, start=1):
        sheet.append([number, r.id, r.region_code[:8], r.region_code, r.category, r.status, r.nik_masked, r.sex,
                      r.birth_date, r.measured_on, r.weight_kg, r.height_cm, r.lila_cm, r.hb, r.haz, r.whz, r.waz,
                      r.hpht, r.hpl, ",".join(r.family_risks), ",".join(r.flags), r.last_visit])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def timed(action: Any) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def loop_lag(action: Any, tick: float = 0.01) -> list[float]:
    """How late a 10 ms timer fires on the event loop while ``action`` runs, in seconds:
    what every other member's update waits on top of its own work while a coordinator's
    export is built (the workbook is written in a thread, which shares the GIL with the
    loop)."""
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            began = loop.time()
            await asyncio.sleep(tick)
            lags.append(loop.time() - began - tick)

    task = asyncio.create_task(ticker())
    try:
        await action()
    finally:
        done.set()
        await task
    return lags


async def measure_time(services: Services, area: str, period: Period, runs: int) -> dict[str, Any]:
    """Medians of the whole export, of its parts, and of the bare write of its rows."""
    result: dict[str, Any] = {}

    async def export() -> None:
        done = await build_export(services, scope=SCOPE, area=area, period=period)
        result.update(rows=done.rows, total=done.total, bytes=len(done.data))

    result["export_s"], result["export_runs"] = await median_of(runs, 1, lambda: timed(export))
    result["lag_idle"] = await loop_lag(lambda: asyncio.sleep(2))
    result["lag_export"] = await loop_lag(export)
    rekap = await build_rekap(services, scope=SCOPE, area=area, period=period, depth=3)
    _, end_utc = period.utc_bounds(services.settings.wilayah.zone)
    rows: list[SasaranRow] = []

    async def query() -> None:
        nonlocal rows
        rows, _ = await rekap_rows.sasaran_rows(services.db, scope=SCOPE, area=area, registered_by=end_utc,
                                                on=rekap.reference_day, limit=services.settings.rekap.export_max_rows)

    async def figures() -> None:
        await build_rekap(services, scope=SCOPE, area=area, period=period, depth=3)

    async def sheet() -> None:
        workbook.build_workbook(rekap, rows, result["total"], services.regions)

    async def bare() -> None:
        bare_write(rows)

    result["figures_s"], _ = await median_of(runs, 0, lambda: timed(figures))
    result["query_s"], _ = await median_of(runs, 0, lambda: timed(query))
    result["workbook_s"], _ = await median_of(runs, 0, lambda: timed(sheet))
    result["bare_s"], result["bare_runs"] = await median_of(runs, 1, lambda: timed(bare))
    return result


async def measure_memory(path: Path, area: str) -> dict[str, Any]:
    """In a fresh process: resident memory before, and the peak while exporting ``area``."""
    services = await open_copy(path)
    try:
        period = this_month(today(services))
        before = rss_kb()
        done = await build_export(services, scope=SCOPE, area=area, period=period)
        return {"before_kb": before, "peak_kb": peak_rss_kb(), "rows": done.rows}
    finally:
        await services.db.close()


async def memory_in_child(path: Path, area: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--memory", str(path), "--area", area,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"memory measurement failed:\n{err.decode()[-3000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


async def run(args: argparse.Namespace) -> None:
    import bench_rekap

    print(f"database with {args.sasaran:,} sasaran:", flush=True)
    source = await bench_rekap.database(args.sasaran, fresh=False)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        path = Path(tmp) / "ekspor.sqlite3"
        copy_database(source, path)
        services = await open_copy(path)
        try:
            period = this_month(today(services))
            big, big_count = await nearest_area(services, Level.KECAMATAN, args.rows)
            small, small_count = await nearest_area(services, Level.DESAKEL, args.rows // 10)
            cap = services.settings.rekap.export_max_rows
            print(f"  large: kecamatan {services.regions.label(big)} ({big}), {big_count:,} sasaran; "
                  f"small: {services.regions.label(small)} ({small}), {small_count:,} sasaran; sheet cap {cap:,} rows",
                  flush=True)
            measured = {}
            for name, area in (("small", small), ("large", big)):
                measured[name] = await measure_time(services, area, period, args.runs)
        finally:
            await services.db.close()
        memory = {name: await memory_in_child(path, area) for name, area in (("small", small), ("large", big))}
    report(args, measured, memory)


def report(args: argparse.Namespace, measured: dict[str, dict[str, Any]], memory: dict[str, dict[str, Any]]) -> None:
    print(f"\n{machine()}; medians of {args.runs} runs after 1 warm-up (whole export, bare write) or none (parts)")
    print(f"{'':46}{'small':>12}{'large':>12}")
    for label, key, unit in (("rows in the Sasaran sheet", "rows", ""), ("members in the area", "total", ""),
                             ("workbook size, KiB", "bytes", "KiB")):
        values = [measured[n][key] / (1024 if unit else 1) for n in ("small", "large")]
        print(f"{label:46}{values[0]:>12,.0f}{values[1]:>12,.0f}")
    parts = (("whole export (build_export), s", "export_s"), ("  figures down to desa (build_rekap), s", "figures_s"),
             ("  rows query (sasaran_rows), s", "query_s"), ("  workbook bytes (build_workbook), s", "workbook_s"),
             ("bare openpyxl write of the same rows, s", "bare_s"))
    for label, key in parts:
        print(f"{label:46}{measured['small'][key]:>12.3f}{measured['large'][key]:>12.3f}")
    for name in ("small", "large"):
        m = measured[name]
        runs = ", ".join(f"{v:.2f}" for v in m["export_runs"])
        bare = ", ".join(f"{v:.2f}" for v in m["bare_runs"])
        per_row = 1000 / max(m["rows"], 1)
        print(f"  {name}: export runs {runs} s; bare runs {bare} s; {m['export_s'] * per_row:.3f} ms per row "
              f"(bare {m['bare_s'] * per_row:.3f})")
    for name in ("small", "large"):
        idle, busy = measured[name]["lag_idle"], measured[name]["lag_export"]
        print(f"  event-loop lag of a 10 ms timer, {name}: idle p50 {percentile(idle, 50) * 1000:.1f} / "
              f"p99 {percentile(idle, 99) * 1000:.1f} ms; during the export p50 {percentile(busy, 50) * 1000:.1f} / "
              f"p99 {percentile(busy, 99) * 1000:.1f} / max {max(busy) * 1000:.1f} ms ({len(busy):,} ticks)")
    for name in ("small", "large"):
        mem = memory[name]
        growth = mem["peak_kb"] - mem["before_kb"]
        print(f"  peak memory, {name} ({mem['rows']:,} rows, fresh process): {mem['peak_kb'] / 1024:,.0f} MiB "
              f"(+{growth / 1024:,.0f} MiB over the {mem['before_kb'] / 1024:,.0f} MiB before the export, "
              f"{growth * 1024 / max(mem['rows'], 1):,.0f} bytes per row)")
    large = measured["large"]
    print(closing_line("ekspor_kecamatan", large["export_s"], large["bare_s"], "s"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sasaran", type=int, default=1_000_000,
                        help="target members (bench_rekap.py's cached database of this size)")
    parser.add_argument("--rows", type=int, default=100_000, help="the kecamatan nearest this many members")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmp", type=Path, help="folder for the working copy (default: the system's)")
    parser.add_argument("--memory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--area", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(json.dumps(asyncio.run(measure_memory(args.memory, args.area))))
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
