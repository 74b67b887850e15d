"""Conversation throughput: many TPK members filling /lapor at once, through the Bot API
emulator over loopback, against a bare python-telegram-bot echo bot on the same
emulator in the same run.

Each simulated member answers the family form (13 steps: typed answers and button
presses) and waits for each next question, as a person would. Reported: form steps per
second, p50/p99 step latency, and the ratio to the echo bot's messages per second with
the same number of concurrent users. Goal: ratio >= 0.6.

    .venv/bin/python bench/bench_conversation.py [--users 20] [--forms 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import closing_line, machine, median_of, percentile, record  # noqa: E402

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.emulator import BotApiEmulator, SimUser  # noqa: E402
from tests.harness import START, TOKEN, BotUnderTest, Form, add_member, make_settings  # noqa: E402

KELURAHAN = "36.73.04.1007"
#: The family form as a member answers it: ("type", text) or ("tap", button label).
FAMILY = [("type", "3"), ("type", "2"), ("type", "Jl. Melati No. 5"), ("type", "Ahmad Yani"), ("tap", "Lewati ➡️"),
          ("tap", "Sumur tak terlindung"), ("tap", "Jamban sendiri tanpa tangki septik"), ("tap", "Ya"),
          ("type", "12-03-1990"), ("type", "2 anak"), ("type", "1 Jan 2022"), ("tap", "Tidak"), ("tap", "Suntik"),
          ("tap", "✅ Kirim")]


async def _fill(user: SimUser, forms: int, latencies: list[float]) -> int:
    """One member filling ``forms`` family forms, timing each step from the answer to
    the next question on screen."""
    form = Form(user)
    steps = 0
    for _ in range(forms):
        await form.start("/lapor")
        for kind, value in FAMILY:
            began = time.perf_counter()
            await (form.type(value) if kind == "type" else form.tap(value))
            latencies.append(time.perf_counter() - began)
            steps += 1
        await form.tap("Selesai")
    return steps


async def forms_run(users: int, forms: int, limit: float = 0) -> tuple[float, list[float]]:
    """Steps per second with ``users`` members filling ``forms`` family forms each.
    ``limit`` is the bot's outgoing messages-per-second cap (Telegram's is 30; 0: none,
    as for the echo bot)."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(START)
        emu = BotApiEmulator(token=TOKEN, bot_username="tpk_bench_bot", clock=clock)
        await emu.start()
        settings = make_settings(Path(tmp), emu, telegram={"max_messages_per_second": limit})
        bot = BotUnderTest(settings, emu, clock)
        await bot.start()
        try:
            members = [await add_member(bot, 5000 + i, f"Kader {i}", "tpk", KELURAHAN) for i in range(users)]
            latencies: list[float] = []
            began = time.perf_counter()
            steps = sum(await asyncio.gather(*(_fill(m, forms, latencies) for m in members)))
            elapsed = time.perf_counter() - began
        finally:
            await bot.stop()
            await emu.stop()
    return steps / elapsed, latencies


async def echo_run(users: int, messages: int) -> float:
    """Messages per second of a bare PTB echo bot, each user waiting for each echo."""
    emu = BotApiEmulator(token=TOKEN, bot_username="echo_bench_bot")
    await emu.start()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        await update.effective_message.reply_text(update.effective_message.text)

    app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))

    async def chat(user: SimUser) -> int:
        for i in range(messages):
            await user.send(f"pesan {i}")
            await user.next_message(timeout=60)
        return messages

    try:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            began = time.perf_counter()
            sent = sum(await asyncio.gather(*(chat(emu.user(7000 + i, first_name=f"U{i}")) for i in range(users))))
            elapsed = time.perf_counter() - began
            await app.updater.stop()
            await app.stop()
    finally:
        await emu.stop()
    return sent / elapsed


async def main(users: int, forms: int, runs: int) -> list[str]:
    steps_per_form = len(FAMILY)
    all_latencies: list[float] = []

    async def measure_forms() -> float:
        rate, latencies = await forms_run(users, forms)
        all_latencies.extend(latencies)
        return rate

    async def measure_echo() -> float:
        return await echo_run(users, forms * steps_per_form)

    echo_rate, _ = await median_of(runs, 1, measure_echo)
    form_rate, _ = await median_of(runs, 1, measure_forms)
    limited_rate, _ = await forms_run(users, forms, limit=30)
    lines = [
        f"machine: {machine()}",
        f"users: {users}, forms per user: {forms}, steps per form: {steps_per_form}, runs: {runs} (+1 warm-up)",
        f"form steps/s (median): {form_rate:.1f}",
        f"step latency p50: {percentile(all_latencies, 50) * 1000:.1f} ms, p99: {percentile(all_latencies, 99) * 1000:.1f} ms",
        f"echo bot messages/s (median): {echo_rate:.1f}",
        f"form steps/s with Telegram's 30 messages/s cap switched on (one run): {limited_rate:.1f}",
        closing_line("conversation_throughput", form_rate, echo_rate, "steps/s"),
    ]
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--forms", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    output = asyncio.run(main(args.users, args.forms, args.runs))
    print("\n".join(output))
    if args.record:
        record("conversation_throughput", output)
