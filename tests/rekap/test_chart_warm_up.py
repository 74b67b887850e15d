"""The chart renderer is warmed in the background at start (issue 15, CI on a fresh machine):
on a machine where matplotlib has no font cache yet, the warm-up builds it without making
the caller wait."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys, time
from bot.rekap import chart
started = time.perf_counter()
thread = chart.warm_up()
returned = time.perf_counter() - started
thread.join(300)
print(json.dumps({"returned": returned, "finished": not thread.is_alive(), "daemon": thread.daemon}))
"""


def test_the_warm_up_builds_the_font_cache_of_a_fresh_machine_in_the_background(tmp_path: Path) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["returned"] < 0.5, result  # the start does not wait for it
    assert result["finished"] and result["daemon"], result
    assert list(tmp_path.glob("fontlist-*.json")), "the font cache was not built"
