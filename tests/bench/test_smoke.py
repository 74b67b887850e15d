"""Every benchmark runs at a tiny size and ends with its one closing line.

A smoke test only: the figures of a tiny run mean nothing and no timing is asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLOSING = re.compile(r"^\w+: \S+.*\(baseline .*ratio [\d.e+-]+.*\)$")
TINY = {
    "bench_conversation.py": ["--users", "2", "--forms", "1", "--runs", "1"],
    "bench_dispatch.py": ["--reminders", "10"],
    "bench_fairness.py": ["--sasaran", "300", "--quick", "20", "--runs", "1"],
    "bench_ekspor.py": ["--sasaran", "1000", "--rows", "150", "--runs", "1"],
    "bench_impor.py": ["--rows", "400", "--runs", "1"],
    "bench_migration.py": ["--small", "100", "--large", "300", "--fresh"],
    "bench_national.py": ["--small", "300", "--large", "1000", "--runs", "2", "--rounds", "1", "--fresh",
                          "--areas", "32.04", "51.71"],
    "bench_pg_driver.py": ["--calls", "50", "--rounds", "1"],
    "bench_risk_backlog.py": ["--small", "200", "--large", "600", "--fresh"],
    "bench_rekap.py": ["--small", "200", "--large", "1000", "--runs", "3", "--fresh"],
    "bench_reminders_memory.py": ["--sasaran", "200", "--pending", "20", "--per-mother", "4", "--runs", "1"],
}


def test_every_benchmark_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "bench").glob("bench_*.py")) == sorted(TINY)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_and_ends_with_its_ratio(script: str, tmp_path: Path) -> None:
    if script == "bench_national.py":  # PostgreSQL only
        from tests.engines import skip_unless_reachable

        skip_unless_reachable()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *TINY[script]], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert CLOSING.match(last), done.stdout[-2000:]


@pytest.mark.slow
def test_the_conversation_benchmark_compares_both_engines_in_one_run(tmp_path: Path) -> None:
    from tests.engines import skip_unless_reachable

    skip_unless_reachable()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_conversation.py"), "--engine", "both",
                           *TINY["bench_conversation.py"]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith(("sqlite:", "postgresql:"))] == \
        ["sqlite", "postgresql"], done.stdout
    assert CLOSING.match(lines[-1]) and lines[-1].startswith("conversation_postgresql_vs_sqlite:"), done.stdout
