"""How long the one-time risk backlog (migration 0018) takes, and how long a batch holds the writer.

A deployment upgrading past 0017 has every family listed in ``risk_backlog``; the job
:mod:`bot.rekap.risk_backlog` reassesses them while the bot serves, :data:`BATCH` per
transaction. This takes bench_rekap's cached database of each size (built if missing), gives
every family's wife a birth date (so each reassessment computes real 4 Terlalu change days,
the costly case), lists every family, and times:

* the whole backlog, in families per second (the job's throughput, from which its time at 1M);
* single batches: the median and the longest, i.e. how long a TPK member's answer may wait
  for the writer while the job runs.

The small database is the baseline of the same run; the ratio is the per-family cost at the
large size over the small one (flat means the job's time grows linearly with the families)::

    risk_backlog_per_family: <ms at large> ms (baseline <ms at small> ms, ratio <large/small>)

Usage: ``.venv/bin/python bench/bench_risk_backlog.py [--small 10000] [--large 100000]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_rekap import NOW, database, settings_for  # noqa: E402
from common import closing_line, copy_database  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.rekap import risk_backlog  # noqa: E402
from bot.startup import prepare  # noqa: E402
from storage import risk_backlog as risk_backlog_store  # noqa: E402
from storage.db import Database  # noqa: E402

#: Single batches sampled for the wait a member may see.
SAMPLED = 20


async def _prepared_copy(source: Path) -> Path:
    """A copy of the cached database with every wife dated and every family listed."""
    target = source.with_name(source.stem + ".backlog.sqlite3")
    copy_database(source, target)
    target.chmod(0o600)  # it holds (demo) personal data
    db = await Database.open(target)
    try:
        async with db.transaction() as tx:
            # Wives born 1988-1999 by family id: some turn 36 within the timeline, all get change days.
            await tx.execute("UPDATE keluarga SET answers_json = json_set(answers_json, '$.istri_lahir',"
                             " printf('%04d-%02d-%02d', 1988 + id % 12, 1 + id % 12, 1 + id % 28))"
                             " WHERE json_extract(answers_json, '$.pus')")
            await tx.execute("INSERT OR IGNORE INTO risk_backlog (keluarga_id) SELECT id FROM keluarga"
                             " WHERE erased_at IS NULL")
        families = int(await db.fetch_value("SELECT count(*) FROM risk_backlog"))
    finally:
        await db.close()
    print(f"  {target.name}: {families:,} families listed", flush=True)
    return target


async def measure(source: Path) -> tuple[int, float, float, float]:
    """(families, ms per family over what follows the sampled batches, median batch ms,
    longest batch ms)."""
    path = await _prepared_copy(source)
    services = await prepare(settings_for(path), FakeClock(NOW))
    try:
        batches = []
        reassessed = 0
        listed = await risk_backlog_store.remaining(services.db)
        for _ in range(max(1, min(SAMPLED, listed // risk_backlog.BATCH // 2))):
            started = time.perf_counter()
            report = await risk_backlog.work_through(services, budget_seconds=0)
            batches.append((time.perf_counter() - started) * 1000)
            reassessed += report.reassessed
        started = time.perf_counter()
        report = await risk_backlog.work_through(services, budget_seconds=float("inf"))
        elapsed = time.perf_counter() - started
        assert report.remaining == 0
    finally:
        await services.db.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    per_family = elapsed * 1000 / max(report.reassessed, 1)
    return reassessed + report.reassessed, per_family, statistics.median(batches), max(batches)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="sasaran in the baseline database")
    parser.add_argument("--large", type=int, default=100_000, help="sasaran in the measured database")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    args = parser.parse_args()
    small = await measure(await database(args.small, args.fresh))
    large = await measure(await database(args.large, args.fresh))
    print(f"{'sasaran':>10}{'families':>10}{'ms/family':>11}{'batch med':>11}{'batch max':>11}{'1M fam (h)':>12}")
    for size, (families, per, med, longest) in ((args.small, small), (args.large, large)):
        print(f"{size:>10,}{families:>10,}{per:>11.2f}{med:>11.1f}{longest:>11.1f}{per * 1e6 / 3.6e6:>12.1f}")
    print(f"batch = {risk_backlog.BATCH} families; 1M fam (h) = hours for 1,000,000 families at that rate")
    print(closing_line("risk_backlog_per_family", large[1], small[1], "ms"))


if __name__ == "__main__":
    asyncio.run(main())
