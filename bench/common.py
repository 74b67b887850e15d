"""Shared pieces of the benchmarks: repeated timing with medians, the machine, and the
one closing line every benchmark prints::

    name: value unit (baseline value unit, ratio r)

A benchmark measures its own baseline in the same run, so the ratio holds on a noisy
machine even when the absolute numbers do not.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"


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


def closing_line(name: str, value: float, baseline: float, unit: str) -> str:
    ratio = value / baseline if baseline else float("nan")
    return f"{name}: {value:.4g} {unit} (baseline {baseline:.4g} {unit}, ratio {ratio:.3f})"


def record(name: str, lines: list[str]) -> None:
    """Append this run's figures to bench/RESULTS.md with the machine and date."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"\n### {name} — {stamp}", f"_{machine()}_", "", "```", *lines, "```", ""]
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(block))
