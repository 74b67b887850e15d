"""100,000 pending reminders: start-up and the first tick cost what an empty database costs.

Timings are printed by ``bench/bench_reminders_memory.py`` (ratios measured in one run);
this test asserts only memory: the peak of Python allocations while the bot starts and
runs its first tick. Loading the pending rows would cost tens of MiB (one Python row
object each); reading a bounded batch costs the same whatever the backlog.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from bot.dev.emulator import BotApiEmulator

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_reminders_memory.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_reminders_memory", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    import asyncio

    bench = _bench()
    folder = tmp_path_factory.mktemp("scale")
    made = {}
    for name, mothers, per_mother in (("empty", 1, 0), ("full", 100, 1000)):
        path = folder / f"{name}.sqlite3"
        made[name] = (path, asyncio.run(bench.populate(path, mothers=mothers, per_mother=per_mother)))
    return made


async def test_start_up_and_first_tick_do_not_grow_with_100k_pending_reminders(
    databases: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    bench = _bench()
    emu = BotApiEmulator(token=bench.TOKEN, bot_username="bench_bot", self_check=False, check_requests=False)
    await emu.start()
    for user_id in (bench.ADMIN, bench.TPK, *(bench.FIRST_MOTHER + n for n in range(100))):
        emu.user(user_id)
    results = {}
    try:
        for name in ("empty", "full", "empty", "full"):
            source, key = databases[name]
            copy = tmp_path / f"{name}.sqlite3"
            shutil.copyfile(source, copy)
            results[name] = await bench.measure(copy, emu.base_url, key, trace=True)  # the second, warm run counts
    finally:
        await emu.stop()
    empty, full = results["empty"], results["full"]
    # The tick sends rounds of 25 while time is left, one message per chat: at most the 100 mothers.
    assert 25 <= full["sent_first_tick"] <= 100 and full["pending_after"] == 100_000 - full["sent_first_tick"], full
    assert full["startup_traced_kb"] < empty["startup_traced_kb"] + 512, (empty, full)
    # A round holds one batch, whatever the backlog; the empty case sends nothing.
    assert full["tick_traced_kb"] < 2048, (empty, full)
