"""Conversation throughput: many TPK members filling /lapor at once, through the Bot API
emulator over loopback, against a bare python-telegram-bot echo bot on the same
emulator in the same run.

The bot runs as its own process (``python -m bot run``), as in production, and so
does the echo bot; the emulator and the simulated members share this process. Each
simulated member answers the family form (13 steps: typed answers and button
presses) and waits for each next question, as a person would. Reported: form steps per
second, p50/p99 step latency, and the ratio to the echo bot's messages per second with
the same number of concurrent users. Goal: ratio >= 0.6.

Echo and form runs alternate (echo, forms, echo, forms, ...) so both sides of each
ratio see the same load on a shared machine; the per-pair ratios show the spread. The
CPU time each side spends per step (bot process, and the emulator with the simulated
users) is reported too: on a machine where other work takes cores away it is the
steadier figure, since throughput then depends on how much CPU is left.

The bot runs with its production settings except Telegram's 30 messages/s cap (the
echo bot has none; a capped run is reported separately). That includes a 5 ms pause
between getUpdates (``[telegram] poll_interval``), where the bare echo bot polls again
at once; one run with the pause off is reported too, so both figures are on record.

    .venv/bin/python bench/bench_conversation.py [--users 20] [--forms 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, closing_line, machine, percentile, postgres_server, record

from bot.clock import SystemClock
from bot.dev.emulator import BotApiEmulator, SimUser
from bot.domain.roles import Role
from bot.domain.tokens import new_token
from bot.settings import load_settings
from bot.startup import prepare
from storage import invitations
from storage import users as users_store
from storage.crypto import new_key
from tests.harness import ADMIN_ID, TOKEN, Form

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


CPU_SHARES: list[tuple[float, float]] = []  # (bot process, emulator process) busy fraction per run
#: CPU milliseconds per form step / per echo message: (bot or echo process, emulator+users process).
FORM_CPU_MS: list[tuple[float, float]] = []
ECHO_CPU_MS: list[tuple[float, float]] = []


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _seed_members(config_path: Path, users: int) -> None:
    """Members who joined through invitations, written before the bot process starts."""
    settings = load_settings(config_path)
    services = await prepare(settings, SystemClock())
    try:
        now = services.clock.now()
        await users_store.ensure_admin(services.db, ADMIN_ID, "Admin", settings.wilayah.root, now)
        for i in range(users):
            token = new_token()
            await invitations.create(services.db, token=token, role=Role.TPK, region_code=KELURAHAN,
                                     created_by=ADMIN_ID, now=now, valid_for=timedelta(days=1))
            await invitations.claim_membership(services.db, token=token, user_id=5000 + i, full_name=f"Kader {i}",
                                               phone=None, team_position=None, now=now)
    finally:
        await services.db.close()


#: "sqlite" (a file in the run's folder) or "postgresql" (a fresh database on the server of
#: common.postgres_server), set by --engine.
ENGINE = "sqlite"


@contextlib.contextmanager
def _storage_line(tmp: Path, engine: str) -> Iterator[str]:
    """The ``[storage]`` line of one run; on PostgreSQL a database of its own, dropped afterwards."""
    if engine == "sqlite":
        yield f'path = "{tmp / "bench.sqlite3"}"'
        return
    import psycopg

    server = postgres_server()
    name = f"tpk_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(server.conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f'url = "{server.with_database(name).as_setting()}"'
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _config(tmp: Path, emu: BotApiEmulator, limit: float, poll_interval: float | None, storage: str = "") -> Path:
    storage = storage or f'path = "{tmp / "bench.sqlite3"}"'
    path = tmp / "bench.toml"
    polling = "" if poll_interval is None else f"poll_interval = {poll_interval}\n"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
        f"max_messages_per_second = {limit}\n{polling}"
        f'[storage]\n{storage}\n[wilayah]\nroot = "36.73"\n'
        f"[access]\nadmins = [{ADMIN_ID}]\nflood_burst = 100000\nflood_per_second = 100000\n"
        f'[privacy]\nkey = "{new_key()}"\n', encoding="utf-8")
    path.chmod(0o600)  # it holds the key: owner-only, as the bot asks
    return path


async def _serving(emu: BotApiEmulator, command: list[str]) -> subprocess.Popen[bytes]:
    """Start a bot process and wait until it starts polling (deleteWebhook precedes it)."""
    before = emu.stats.calls.get("deleteWebhook", 0)
    # The child's log goes nowhere: its lines are not figures, and a benchmark prints only figures.
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if emu.stats.calls.get("deleteWebhook", 0) > before:
            return process
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited with {process.returncode}")
        await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{command} never polled")


async def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    for _ in range(200):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.05)
    process.kill()


async def forms_run(users: int, forms: int, limit: float = 0, poll_interval: float | None = None,
                    engine: str | None = None) -> tuple[float, list[float]]:
    """Steps per second with ``users`` members filling ``forms`` family forms each,
    the bot in its own process (``python -m bot run``). ``limit`` is its outgoing
    messages-per-second cap (Telegram's is 30; 0: none, like the echo bot);
    ``poll_interval`` overrides the configured pause between getUpdates; ``engine``
    the storage (default :data:`ENGINE`)."""
    with tempfile.TemporaryDirectory() as name, _storage_line(Path(name), engine or ENGINE) as storage:
        tmp = Path(name)
        emu = BotApiEmulator(token=TOKEN, bot_username="tpk_bench_bot", self_check=False, check_requests=False)
        await emu.start()
        try:
            config = _config(tmp, emu, limit, poll_interval, storage)
            await _seed_members(config, users)
            bot = await _serving(emu, [sys.executable, "-m", "bot", "run", "--config", str(config)])
            if os.environ.get("BENCH_PYSPY"):  # profile the bot process, all threads: BENCH_PYSPY=out.txt
                subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--rate", "250", "--threads",
                                  "--format", "raw", "-d", "6", "--pid", str(bot.pid), "-o", os.environ["BENCH_PYSPY"]],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                members = [emu.user(5000 + i, first_name=f"Kader {i}") for i in range(users)]
                latencies: list[float] = []
                began, cpu, bot_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(bot.pid)
                steps = sum(await asyncio.gather(*(_fill(m, forms, latencies) for m in members)))
                elapsed = time.perf_counter() - began
                bot_used, emu_used = _cpu_seconds(bot.pid) - bot_cpu, time.process_time() - cpu
                CPU_SHARES.append((bot_used / elapsed, emu_used / elapsed))
                if limit == 0 and poll_interval is None:
                    FORM_CPU_MS.append((bot_used * 1000 / steps, emu_used * 1000 / steps))
            finally:
                await _stop(bot)
        finally:
            await emu.stop()
    return steps / elapsed, latencies


async def echo_run(users: int, messages: int) -> float:
    """Messages per second of a bare PTB echo bot in its own process, each user waiting
    for each echo."""
    emu = BotApiEmulator(token=TOKEN, bot_username="echo_bench_bot", self_check=False, check_requests=False)
    await emu.start()

    async def chat(user: SimUser) -> int:
        for i in range(messages):
            await user.send(f"pesan {i}")
            await user.next_message(timeout=60)
        return messages

    try:
        echo = await _serving(emu, [sys.executable, str(ROOT / "bench" / "echo_bot.py"), emu.base_url, TOKEN])
        try:
            began, cpu, echo_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(echo.pid)
            sent = sum(await asyncio.gather(*(chat(emu.user(7000 + i, first_name=f"U{i}")) for i in range(users))))
            elapsed = time.perf_counter() - began
            ECHO_CPU_MS.append(((_cpu_seconds(echo.pid) - echo_cpu) * 1000 / sent,
                                (time.process_time() - cpu) * 1000 / sent))
        finally:
            await _stop(echo)
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

    # Warm-up of each, then alternate so each pair of runs shares the machine's load.
    await measure_echo()
    await measure_forms()
    all_latencies.clear()
    del FORM_CPU_MS[:], ECHO_CPU_MS[:]
    echo_rates: list[float] = []
    form_rates: list[float] = []
    for _ in range(runs):
        echo_rates.append(await measure_echo())
        form_rates.append(await measure_forms())
    echo_rate, form_rate = statistics.median(echo_rates), statistics.median(form_rates)
    pair_ratios = [f / e for f, e in zip(form_rates, echo_rates, strict=True)]
    form_cpu = [b + e for b, e in FORM_CPU_MS]
    echo_cpu = [b + e for b, e in ECHO_CPU_MS]
    limited_rate, _ = await forms_run(users, forms, limit=30)
    unpaused_rate, _ = await forms_run(users, forms, poll_interval=0)
    lines = [
        f"machine: {machine()}",
        f"users: {users}, forms per user: {forms}, steps per form: {steps_per_form}, runs: {runs} (+1 warm-up)",
        f"form steps/s (median): {form_rate:.1f} (runs: {_listing(form_rates)})",
        f"step latency p50: {percentile(all_latencies, 50) * 1000:.1f} ms, "
        f"p99: {percentile(all_latencies, 99) * 1000:.1f} ms",
        f"echo bot messages/s (median): {echo_rate:.1f} (runs: {_listing(echo_rates)})",
        f"ratio of each echo/forms pair: {_listing(pair_ratios, 3)} (median {statistics.median(pair_ratios):.3f})",
        "CPU busy during form runs (bot process, emulator+users process): "
        + ", ".join(f"({b:.2f}, {e:.2f})" for b, e in CPU_SHARES),
        "CPU ms per form step (bot, emulator+users): "
        + ", ".join(f"({b:.2f}, {e:.2f})" for b, e in FORM_CPU_MS),
        "CPU ms per echo message (echo bot, emulator+users): "
        + ", ".join(f"({b:.2f}, {e:.2f})" for b, e in ECHO_CPU_MS),
        f"CPU per echo message / CPU per form step, both processes (median): "
        f"{statistics.median(echo_cpu) / statistics.median(form_cpu):.3f}",
        f"form steps/s with Telegram's 30 messages/s cap switched on (one run): {limited_rate:.1f}",
        f"form steps/s polling again at once, as the echo bot does (poll_interval 0; one run): {unpaused_rate:.1f} "
        f"(ratio to the median echo {unpaused_rate / echo_rate:.3f})",
        closing_line("conversation_throughput", form_rate, echo_rate, "steps/s"),
    ]
    return lines


async def compare_engines(users: int, forms: int, runs: int) -> list[str]:
    """The family form on SQLite and on PostgreSQL in one run, alternating (SQLite, PostgreSQL,
    SQLite, …) so both see the same load: steps/s, latency and the bot's CPU per step of each,
    and PostgreSQL's steps/s against SQLite's (issue 19's goal: at least 0.7×)."""
    engines = ("sqlite", "postgresql")
    rates: dict[str, list[float]] = {e: [] for e in engines}
    latencies: dict[str, list[float]] = {e: [] for e in engines}
    cpu: dict[str, list[float]] = {e: [] for e in engines}
    for engine in engines:  # warm-up of each
        await forms_run(users, forms, engine=engine)
    for _ in range(runs):
        for engine in engines:
            del FORM_CPU_MS[:]
            rate, seen = await forms_run(users, forms, engine=engine)
            rates[engine].append(rate)
            latencies[engine].extend(seen)
            cpu[engine].append(FORM_CPU_MS[-1][0])
    median = {e: statistics.median(rates[e]) for e in engines}
    pairs = [p / q for p, q in zip(rates["postgresql"], rates["sqlite"], strict=True)]
    lines = [f"machine: {machine()}",
             f"users: {users}, forms per user: {forms}, steps per form: {len(FAMILY)}, runs: {runs} per engine "
             "(+1 warm-up each), alternating"]
    for engine in engines:
        lines += [
            f"{engine}: form steps/s (median) {median[engine]:.1f} (runs: {_listing(rates[engine])}); "
            f"step latency p50 {percentile(latencies[engine], 50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies[engine], 99) * 1000:.1f} ms; "
            f"bot CPU ms per step (median) {statistics.median(cpu[engine]):.2f} (runs: {_listing(cpu[engine], 2)})"]
    lines += [f"ratio PostgreSQL/SQLite of each pair: {_listing(pairs, 3)}",
              closing_line("conversation_postgresql_vs_sqlite", median["postgresql"], median["sqlite"], "steps/s")]
    return lines


def _listing(values: list[float], digits: int = 1) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--forms", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite",
                        help="the bot's storage engine (PostgreSQL: a fresh database per run, dropped afterwards); "
                             "both: the form on each, alternating, side by side in one run")
    args = parser.parse_args()
    if args.engine == "both":
        output = asyncio.run(compare_engines(args.users, args.forms, args.runs))
    else:
        ENGINE = args.engine
        output = asyncio.run(main(args.users, args.forms, args.runs))
    output.insert(1, f"engine: {args.engine}")
    print("\n".join(output))
    if args.record:
        record("conversation_throughput", output)
