"""Start-up time and memory with 100,000 pending reminders, against an empty database.

Design property 2: memory and start-up time must not grow with the number of pending
reminders. This script builds two databases in the same run — one with a single
mother and nothing pending, one with 1,000 mothers and 100 pending reminders each, all
due (a backlog after downtime) — and measures, in a fresh child process for each, the
real start-up path: ``prepare`` (open, migrate, check key, regions), the production
``build_application``, ``initialize``/``start`` against the Bot API emulator, and the
first dispatcher tick (recovery, planning, claiming and sending one batch). It prints
the ratios of wall time, resident memory growth and peak traced Python memory: start-up
"100k / empty", and the first tick "100k / the same mothers with one pending each".

    .venv/bin/python bench/bench_reminders_memory.py [--mothers 1000] [--per-mother 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import build_application, prepare  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.domain.roles import Role  # noqa: E402
from bot.domain.tokens import new_token  # noqa: E402
from bot.emulator import BotApiEmulator  # noqa: E402
from bot.reminders import dispatch_due  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import ibu as ibu_store  # noqa: E402
from storage import invitations  # noqa: E402
from storage import keluarga as keluarga_store  # noqa: E402
from storage import reminders as reminders_store  # noqa: E402
from storage import users as users_store  # noqa: E402
from storage.crypto import new_key  # noqa: E402
from storage.ibu import Decision  # noqa: E402
from storage.keluarga import NewKeluarga, NewSasaran  # noqa: E402
from storage.reminders import RowPlan  # noqa: E402

TOKEN = "123456:" + "B" * 35
ADMIN, TPK, FIRST_MOTHER = 1000, 3001, 100_000
KELURAHAN = "36.73.01.1008"
#: Monday 23 November 2026, 09:00 WIB: inside the daytime window.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def settings_for(path: Path, base_url: str = "http://127.0.0.1:9/bot", key: str | None = None) -> Settings:
    return Settings(telegram={"token": TOKEN, "base_url": base_url}, storage={"path": str(path)},
                    wilayah={"root": "36.73"}, access={"admins": [ADMIN]}, privacy={"key": key or new_key()})


async def populate(path: Path, *, mothers: int, per_mother: int) -> str:
    """A database with ``mothers`` consenting mothers and ``per_mother`` due reminders
    each (through the storage API). Returns the identity key it was made with."""
    key = new_key()
    services = await prepare(settings_for(path, key=key), FakeClock(NOW))
    db, now = services.db, NOW
    try:
        await users_store.ensure_admin(db, ADMIN, "Admin", "36.73", now)
        token = new_token()
        await invitations.create(db, token=token, role=Role.TPK, region_code=KELURAHAN, created_by=ADMIN, now=now,
                                 valid_for=timedelta(days=1))
        await invitations.claim_membership(db, token=token, user_id=TPK, full_name="Bidan", phone=None,
                                           team_position=None, now=now)
        tokens = []
        async with db.transaction() as tx:
            for n in range(mothers):
                family = await keluarga_store.create_keluarga(
                    tx, services.cipher, NewKeluarga(region_code=KELURAHAN, head_name=f"K{n}", water_source="ledeng",
                                                     latrine="septik"), reporter_id=TPK, draft_key=None, now=now)
                sasaran = await keluarga_store.add_sasaran(
                    tx, services.cipher, family, NewSasaran(category="ibu_hamil", name=f"Ibu {n}",
                                                            hpht=date(2026, 7, 10)), reporter_id=TPK, now=now)
                tokens.append((sasaran, new_token()))
        for sasaran, token in tokens:
            await invitations.create(db, token=token, role=Role.IBU, region_code=KELURAHAN, created_by=TPK,
                                     now=now, valid_for=timedelta(days=7), sasaran_id=sasaran)
        start = date(2026, 11, 23)
        async with db.transaction() as tx:
            for n, (sasaran, token) in enumerate(tokens):
                await ibu_store.decide(tx, token=token, telegram_id=FIRST_MOTHER + n, decision=Decision.SETUJU,
                                       text_version="bench", now=now, ttd_default=False)
                # Planned for tomorrow's midnight, like a mother planned today.
                await ibu_store.set_next_plan(tx, sasaran, now + timedelta(hours=15))
                rows = [
                    RowPlan(kind=f"bench_{k}", due_date=start - timedelta(days=k % 7), window_end=start + timedelta(
                        days=30), text_key="ttd", payload={}, needs_ack=False,
                        send_after=now - timedelta(minutes=1 + k))
                    for k in range(per_mother)
                ]
                await reminders_store.apply_plan(tx, sasaran, rows, today=start, now=now)
    finally:
        await services.db.close()
    return key


def _rss_kb() -> int:
    """Current resident set size (Linux), else the peak so far."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def measure(path: Path, key: str, mothers: int, *, trace: bool) -> dict[str, Any]:
    """Start the bot on ``path``, then run the first tick; in a fresh process, each
    phase measured on its own: wall time and resident memory growth, or (``trace``)
    the peak of Python allocations, which tracemalloc would distort the others for."""
    emu = BotApiEmulator(token=TOKEN, bot_username="bench_bot")
    await emu.start()
    for n in range(mothers):
        emu.user(FIRST_MOTHER + n, first_name="Ibu")
    emu.user(TPK, first_name="Bidan")
    emu.user(ADMIN, first_name="Admin")
    result: dict[str, Any] = {}

    def mark(phase: str, started: float, rss: int, traced_base: int) -> None:
        if trace:
            result[f"{phase}_traced_kb"] = (tracemalloc.get_traced_memory()[1] - traced_base) / 1024
        else:
            result[f"{phase}_s"] = time.perf_counter() - started
            result[f"{phase}_rss_kb"] = _rss_kb() - rss

    if trace:
        tracemalloc.start()
    rss, started = _rss_kb(), time.perf_counter()
    services = await prepare(settings_for(path, emu.base_url, key), FakeClock(NOW))
    app = build_application(services)
    async with app:
        await app.start()
        mark("startup", started, rss, 0)
        if not trace:
            result["startup_peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.reset_peak()
        traced_base = tracemalloc.get_traced_memory()[0] if trace else 0
        rss, started = _rss_kb(), time.perf_counter()
        report = await dispatch_due(services, app.bot, app)
        mark("tick", started, rss, traced_base)
        await app.stop()
    if trace:
        tracemalloc.stop()
    result["sent_first_tick"] = report.sent
    result["pending_after"] = await services.db.fetch_value("SELECT count(*) FROM reminders WHERE state = 'scheduled'")
    await services.db.close()
    await emu.stop()
    return result


def _child(path: Path, key: str, mothers: int) -> dict[str, Any]:
    """Both kinds of measurement, each in a fresh process on a fresh copy of the
    database (a tick sends one batch, which would change the next run's database)."""
    merged: dict[str, Any] = {}
    for trace in (False, True):
        copy = path.with_name(f"run-{path.name}")
        shutil.copyfile(path, copy)
        command = [sys.executable, __file__, "--measure", str(copy), "--key", key, "--mothers", str(mothers)]
        out = subprocess.run([*command, *(["--trace"] if trace else [])], capture_output=True, text=True, check=True)
        merged.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return merged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mothers", type=int, default=1000)
    parser.add_argument("--per-mother", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", type=Path)
    parser.add_argument("--key")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.key, args.mothers, trace=args.trace))))
        return
    pending = args.mothers * args.per_mother
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / f"{name}.sqlite3" for name in ("empty", "base", "full")}
        keys = {
            "empty": asyncio.run(populate(paths["empty"], mothers=1, per_mother=0)),
            "base": asyncio.run(populate(paths["base"], mothers=args.mothers, per_mother=1)),
            "full": asyncio.run(populate(paths["full"], mothers=args.mothers, per_mother=args.per_mother)),
        }
        sizes = {name: paths[name].stat().st_size // 1024 for name in paths}
        mothers = {"empty": 1, "base": args.mothers, "full": args.mothers}
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
        for _ in range(args.runs):  # interleaved, so drift affects all alike
            for name in paths:
                results[name].append(_child(paths[name], keys[name], mothers[name]))

    def best(name: str, field: str) -> float:
        return min(r[field] for r in results[name])

    def line(label: str, field: str, a: str, b: str) -> None:
        x, y = best(a, field), best(b, field)
        print(f"  {label:32} {a:5} {x:10.3f}   {b:5} {y:10.3f}   ratio {y / x if x else float('nan'):5.2f}")

    print(f"Databases: empty = 1 mother, nothing pending ({sizes['empty']:,} KiB); "
          f"base = {args.mothers:,} mothers, {args.mothers:,} pending ({sizes['base']:,} KiB); "
          f"full = {args.mothers:,} mothers, {pending:,} pending, all due ({sizes['full']:,} KiB).")
    print(f"Best of {args.runs} runs each, a fresh process per run.\n")
    print("Start-up (open, migrate, regions, build, initialize, start): full vs empty")
    line("wall time, s", "startup_s", "empty", "full")
    line("peak traced Python memory, KiB", "startup_traced_kb", "empty", "full")
    line("resident memory growth, KiB", "startup_rss_kb", "empty", "full")
    print("First tick (recover, plan, digests, claim and send one batch): full vs base (same mothers)")
    line("wall time, s", "tick_s", "base", "full")
    line("peak traced Python memory, KiB", "tick_traced_kb", "base", "full")
    line("resident memory growth, KiB", "tick_rss_kb", "base", "full")
    print(f"\nThe first tick sent {results['full'][0]['sent_first_tick']} messages (one batch, one per chat); "
          f"{results['full'][0]['pending_after']:,} remain pending for later ticks.")
    print(f"time to ready with {pending:,} pending: {best('full', 'startup_s'):.3f} s (goal < 2 s)")
    empty_rss, full_rss = best("empty", "startup_peak_rss_kb"), best("full", "startup_peak_rss_kb")
    print(f"startup_peak_rss: {full_rss:,.0f} KiB with {pending:,} pending (baseline {empty_rss:,.0f} KiB with "
          f"none, ratio {full_rss / empty_rss:.3f})")


if __name__ == "__main__":
    main()
