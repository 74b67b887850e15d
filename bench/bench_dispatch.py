"""Dispatch rate: K reminders due at once, sent to the Bot API emulator with
Telegram-like flood limits switched on (1 message per second per chat, R overall).

The bot's outgoing cap is set to the same R (``[telegram] max_messages_per_second``).
Ticks run on the production job's schedule (one every ``DispatchLimits.tick``, 15 s,
each sending rounds of a bounded batch while they come back full and time is left), so
the figure is what a deployment achieves, gaps between ticks included. Reported:
achieved rate / R, 429 answers, duplicates and losses. Goals: ratio >= 0.9, zero 429s,
zero duplicates, zero losses.

    .venv/bin/python bench/bench_dispatch.py [--reminders 1000] [--rate 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reminders_memory import FIRST_MOTHER, NOW, TOKEN, TPK, populate, settings_for
from common import closing_line, machine, record

from bot.app import build_application
from bot.clock import ShiftedClock
from bot.dev.emulator import BotApiEmulator
from bot.reminders import dispatch_due
from bot.reminders.limits import DispatchLimits
from bot.startup import prepare


async def run(reminders: int, rate: float) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dispatch.sqlite3"
        key = await populate(path, mothers=reminders, per_mother=1)
        emu = BotApiEmulator(token=TOKEN, bot_username="bench_bot", self_check=False, check_requests=False)
        await emu.start()
        for n in range(reminders):
            emu.user(FIRST_MOTHER + n, first_name="Ibu")
        emu.user(TPK, first_name="Bidan")  # her member is told about anything that needs a visit
        emu.flood.configure(per_chat_per_second=1, global_per_second=rate)
        settings = settings_for(path, emu.base_url, key).model_copy(deep=True)
        settings.telegram.max_messages_per_second = rate
        services = await prepare(settings, ShiftedClock(NOW))
        app = build_application(services)
        ticks, rounds = 0, 0
        interval = DispatchLimits().tick.total_seconds()
        try:
            async with app:
                await app.start()
                began = time.perf_counter()
                while True:
                    tick_began = time.perf_counter()
                    report = await dispatch_due(services, app.bot, app)
                    ticks, rounds = ticks + 1, rounds + report.rounds
                    pending = await services.db.fetch_value(
                        "SELECT count(*) FROM reminders WHERE state IN ('scheduled', 'sending')")
                    if not pending or time.perf_counter() - began > 10 * reminders / rate + 60:
                        break
                    # The job's schedule: the next tick starts one interval after this one did.
                    await asyncio.sleep(max(0.0, tick_began + interval - time.perf_counter()))
                elapsed = time.perf_counter() - began
                await app.stop()
            states = dict(await services.db.fetch_all("SELECT state, count(*) FROM reminders GROUP BY state"))
        finally:
            await services.db.close()
            await emu.stop()
    per_chat = Counter({chat: n for chat, n in emu.stats.delivered.items() if chat >= FIRST_MOTHER})
    delivered = sum(1 for n in per_chat.values() if n >= 1)
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = reminders - delivered
    achieved = delivered / elapsed
    return [
        f"machine: {machine()}",
        f"reminders due at once: {reminders}; flood limits: 1/s per chat, {rate:g}/s overall; "
        f"ticks every {interval:g} s: {ticks}, rounds: {rounds}",
        f"delivered: {delivered} in {elapsed:.2f} s; reminder states: {states}",
        f"429 answers: {emu.flood.total_rejected}; duplicates: {duplicates}; lost: {lost}",
        closing_line("dispatch_rate", achieved, rate, "messages/s"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    output = asyncio.run(run(args.reminders, args.rate))
    print("\n".join(output))
    if args.record:
        record("dispatch_rate", output)
