"""Shared pieces of the benchmarks: repeated timing with medians, the machine, and the
one closing line every benchmark prints::

    name: value unit (baseline value unit, ratio r)

A benchmark measures its own baseline in the same run, so the ratio holds on a noisy
machine even when the absolute numbers do not.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from storage.url import StorageURL

RESULTS = ROOT / "bench" / "RESULTS.md"
#: The PostgreSQL server of ``--engine postgresql`` when neither variable names one.
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_server() -> StorageURL:
    """The server a benchmark's ``--engine postgresql`` uses: ``TPK_BENCH_POSTGRES_URL``, else
    ``TPK_TEST_POSTGRES_URL``, else the local one."""
    from storage.url import parse

    return parse(os.environ.get("TPK_BENCH_POSTGRES_URL") or os.environ.get("TPK_TEST_POSTGRES_URL") or PG_DEFAULT)


def kept_database(name: str, fresh: bool) -> tuple[StorageURL, bool]:
    """A benchmark's database of its own on the :func:`postgres_server`, kept between runs:
    ``(url, True)`` when a complete one is there (and not ``fresh``); otherwise it is made
    anew, empty, ``(url, False)``, to be filled and then passed to :func:`database_complete`.
    Complete means marked so in bench/out/, so a build that stopped half-way is built again."""
    import psycopg

    server = postgres_server()
    ready = ROOT / "bench" / "out" / f"{name}.ready"
    with psycopg.connect(server.conninfo(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and ready.exists() and not fresh:
            return server.with_database(name), True
        ready.unlink(missing_ok=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return server.with_database(name), False


def database_complete(url: StorageURL) -> float:
    """``VACUUM ANALYZE`` a database :func:`kept_database` made, then mark it complete; the
    seconds the vacuum took."""
    import time

    import psycopg

    with psycopg.connect(url.conninfo(), autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{url.param('dbname')}.ready").write_text("ok")
    return seconds


def machine() -> str:
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * size / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return f"{os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


async def median_of(runs: int, warmup: int, measure: Callable[[], Awaitable[float]]) -> tuple[float, list[float]]:
    """Run ``measure`` ``warmup`` times unrecorded, then ``runs`` times; the median and all values."""
    for _ in range(warmup):
        await measure()
    values = [await measure() for _ in range(runs)]
    return statistics.median(values), values


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def copy_database(source: Path, target: Path) -> None:
    """Copy a closed SQLite file (its WAL folded back) to ``target``, dropping any WAL
    or shared-memory file an earlier copy left there. Benchmarks work on copies: the
    cached databases in bench/out/ are never changed by a run."""
    if Path(f"{source}-wal").exists() and Path(f"{source}-wal").stat().st_size:
        raise RuntimeError(f"{source} has an unfolded WAL; open and close it once before copying")
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise LookupError(field)


def rss_kb() -> int:
    """Current resident set size of this process, KiB."""
    return _status_kb("VmRSS")


def peak_rss_kb() -> int:
    """Peak resident set size of this program, KiB. Not ``getrusage``'s ``ru_maxrss``:
    Linux carries the parent's peak into it across fork and exec, so a child started by
    a big parent (one holding an emulator or having built databases) reports the parent's."""
    return _status_kb("VmHWM")


def closing_line(name: str, value: float, baseline: float, unit: str) -> str:
    ratio = value / baseline if baseline else float("nan")
    return f"{name}: {value:.4g} {unit} (baseline {baseline:.4g} {unit}, ratio {ratio:.3f})"


def record(name: str, lines: list[str]) -> None:
    """Append this run's figures to bench/RESULTS.md with the machine and date."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"\n### {name} — {stamp}", f"_{machine()}_", "", "```", *lines, "```", ""]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(block))
