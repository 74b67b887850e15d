"""Fairness: another member's /bantuan while one member exports and floods, against the
same /bantuan with the bot idle, in the same run.

The load of issue 15, point 5: a coordinator starts /ekspor of the whole city and, while
it is being built, sends ``--quick`` messages as fast as a client can. Another member (a
TPK member) meanwhile sends /bantuan; the time from sending it to its answer is the
figure. Baseline: the same /bantuan, same bot, nothing else going on. Goal: ratio <= 2.

The bot is the production Application (``bot.app``) on the Bot API emulator over
loopback, both in this process, with the production throttle (``[access] flood_*``
defaults), on a database seeded with ``--sasaran`` demo records so the export takes a
while. Each loaded run waits for the export to arrive before the next starts.

    .venv/bin/python bench/bench_fairness.py [--sasaran 20000] [--quick 150] [--runs 5] [--record]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import closing_line, machine, record

from bot.clock import FakeClock
from bot.dev.emulator import SimUser
from bot.dev.seed import seed_demo
from bot.settings import AccessSettings
from tests.harness import ADMIN_ID, START, add_member, bot_under_test

KELURAHAN = "36.73.04.1007"
#: The production throttle: the flood is what a real deployment would let through.
PRODUCTION_ACCESS = {"flood_burst": AccessSettings().flood_burst, "flood_per_second": AccessSettings().flood_per_second}


async def latency(user: SimUser, text: str, timeout: float = 300) -> float:
    user.drain()
    started = time.perf_counter()
    await user.send(text)
    await user.next_message(timeout=timeout)
    return time.perf_counter() - started


async def export_arrived(user: SimUser, timeout: float = 600) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(m.document is not None for m in user.drain()):
        if loop.time() > deadline:
            raise TimeoutError("the export never arrived")
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-fairness-") as tmp:
        clock = FakeClock(START)
        async with bot_under_test(Path(tmp), clock, access=PRODUCTION_ACCESS) as bot:
            started = time.perf_counter()
            summary = await seed_demo(bot.db, bot.services.cipher, root="36.73", sasaran=args.sasaran, seed=1,
                                      now=clock.now())
            seeded = time.perf_counter() - started
            coordinator = bot.user(ADMIN_ID, "Hendra")
            member = await add_member(bot, 2001, "Siti", "tpk", KELURAHAN, "bidan")
            await latency(member, "/bantuan")  # warm-up: first handler calls, first queries
            export_started = time.perf_counter()
            await coordinator.send("/ekspor")
            await export_arrived(coordinator)
            export_s = time.perf_counter() - export_started

            idle = [await latency(member, "/bantuan") for _ in range(args.runs)]
            loaded: list[float] = []
            for _ in range(args.runs):
                coordinator.drain()
                await coordinator.send("/ekspor")
                for number in range(args.quick):
                    await coordinator.send(f"pesan {number}")
                await asyncio.sleep(0.1)  # the flood is queued behind the export
                loaded.append(await latency(member, "/bantuan"))
                await export_arrived(coordinator)
                # The flood's replies go out, and the throttle's bucket refills: the next run's
                # /ekspor must not be the one it drops.
                await coordinator.messages_until_quiet(quiet=0.5, timeout=120)
                await asyncio.sleep(PRODUCTION_ACCESS["flood_burst"] / PRODUCTION_ACCESS["flood_per_second"])
    idle_s, loaded_s = statistics.median(idle), statistics.median(loaded)
    return [
        f"machine: {machine()}",
        f"database: {summary.sasaran:,} sasaran in {summary.keluarga:,} keluarga (seeded in {seeded:.1f} s); "
        f"one /ekspor of the city alone: {export_s:.2f} s",
        f"/bantuan idle, s:                      median {idle_s:.4f}  ({', '.join(f'{v:.4f}' for v in idle)})",
        f"/bantuan during /ekspor + {args.quick} messages, s: median {loaded_s:.4f}  "
        f"({', '.join(f'{v:.4f}' for v in loaded)})",
        "goal: ratio <= 2",
        closing_line("bantuan_under_flood", loaded_s, idle_s, "s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sasaran", type=int, default=20_000, help="demo records, so the export takes a while")
    parser.add_argument("--quick", type=int, default=150, help="messages the exporting member sends at once")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    lines = asyncio.run(run(args))
    print("\n".join(lines))
    if args.record:
        record("fairness", lines)


if __name__ == "__main__":
    main()
