"""Start-up time and memory with 1,000,000 pending reminders, against none pending.

Design property 2: memory and start-up time must not grow with the number of pending
reminders. Three databases are prepared in the same run:

* ``empty``: a new database (migrated, regions loaded), nothing else;
* ``none``: a copy of the database of ``--sasaran`` target members that
  ``bench_rekap.py`` caches in ``bench/out/`` (built once with its fixed key; the cached
  file is only ever copied), with ``--pending / --per-mother`` of its ibu hamil/nifas
  joined as consenting mothers (``users``, ``ibu_consent``, ``ibu`` rows as
  :func:`storage.ibu.decide` writes them), nothing pending;
* ``full``: ``none`` plus ``--pending`` reminders, ``--per-mother`` per mother, all due
  (a backlog after downtime): scheduled rows in their window, which the dispatcher claims.

A million rows through the storage API would take hours, so mothers and reminders are
written with set-based SQL in one transaction each, the reminder rows shaped exactly as
:func:`populate` writes them through the storage API.

Each measurement runs in a fresh child process on a fresh copy (a tick sends one batch,
which changes the database): the real start-up path — ``prepare`` (open, migrate, check
key, regions), the production ``build_application``, ``initialize``/``start`` against the
Bot API emulator — and the first dispatcher tick (recovery, planning, digests, claiming
and sending). The emulator runs in this parent process, so the child's
resident memory is the bot's alone. Reported: wall time, resident memory growth, peak
RSS and peak traced Python memory (tracemalloc, in its own run since it slows the rest),
best of ``--runs`` with the spread; the closing line is the peak RSS after start-up,
``full`` against ``none``.

    .venv/bin/python bench/bench_reminders_memory.py [--pending 1000000] [--per-mother 20]
        [--sasaran 1000000] [--runs 3]

:func:`populate` (the storage-API way, used by ``bench_dispatch.py``) stays for small
databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import copy_database, peak_rss_kb, rss_kb

from bot.app import build_application
from bot.clock import FakeClock
from bot.dev.emulator import BotApiEmulator
from bot.domain.roles import Role
from bot.domain.tokens import new_token
from bot.reminders import dispatch_due
from bot.settings import Settings
from bot.startup import prepare
from storage import ibu as ibu_store
from storage import invitations
from storage import keluarga as keluarga_store
from storage import reminders as reminders_store
from storage import users as users_store
from storage.crypto import new_key
from storage.db import Database
from storage.ibu import Decision
from storage.keluarga import NewKeluarga, NewSasaran
from storage.reminders import RowPlan
from storage.timefmt import to_db

TOKEN = "123456:" + "B" * 35
ADMIN, TPK, FIRST_MOTHER = 1000, 3001, 100_000
KELURAHAN = "36.73.01.1008"
#: Monday 23 November 2026, 09:00 WIB: inside the daytime window.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def settings_for(path: Path, base_url: str = "http://127.0.0.1:9/bot", key: str | None = None) -> Settings:
    return Settings(telegram={"token": TOKEN, "base_url": base_url}, storage={"path": str(path)},
                    wilayah={"root": "36.73"}, access={"admins": [ADMIN]}, privacy={"key": key or new_key()})


def backlog(per_mother: int) -> list[RowPlan]:
    """One mother's due reminders: ``per_mother`` rows, due over the last week, all
    inside their window and past their send time (a backlog after downtime)."""
    return [
        RowPlan(kind=f"bench_{k}", due_date=TODAY - timedelta(days=k % 7), window_end=TODAY + timedelta(days=30),
                text_key="ttd", payload={}, needs_ack=False, send_after=NOW - timedelta(minutes=1 + k))
        for k in range(per_mother)
    ]


#: When the bench's mothers are planned next: tomorrow's local midnight, like a mother planned today.
NEXT_PLAN = NOW + timedelta(hours=15)


async def populate(path: Path, *, mothers: int, per_mother: int) -> str:
    """A database with ``mothers`` consenting mothers and ``per_mother`` due reminders
    each, through the storage API (small sizes only). Returns the identity key it was
    made with."""
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
        async with db.transaction() as tx:
            for n, (sasaran, token) in enumerate(tokens):
                await ibu_store.mark_checked(tx, token=token, telegram_id=FIRST_MOTHER + n)
                await ibu_store.decide(tx, token=token, telegram_id=FIRST_MOTHER + n, decision=Decision.SETUJU,
                                       text_version="bench", now=now, ttd_default=False)
                await ibu_store.set_next_plan(tx, sasaran, NEXT_PLAN)
                await reminders_store.apply_plan(tx, sasaran, backlog(per_mother), today=TODAY, now=now)
    finally:
        await services.db.close()
    return key


# -- big databases in bulk ---------------------------------------------------------------


async def add_mothers(db: Database, count: int) -> int:
    """Join ``count`` active ibu hamil/nifas of the database as mothers who agreed:
    the users, ibu_consent and ibu rows :func:`storage.ibu.decide` writes, Telegram
    ids from ``FIRST_MOTHER``, planned until tomorrow. Returns how many were joined."""
    stamp, next_plan = to_db(NOW), to_db(NEXT_PLAN)
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TEMP TABLE bench_mother AS SELECT s.id AS sasaran_id, s.name, s.region_code, s.reporter_id, "
            "? + row_number() OVER (ORDER BY s.id) - 1 AS user_id FROM sasaran s "
            "WHERE s.category IN ('ibu_hamil', 'ibu_nifas') AND s.status = 'aktif' AND s.erased_at IS NULL "
            "ORDER BY s.id LIMIT ?",
            (FIRST_MOTHER, count),
        )
        await tx.execute(
            "INSERT INTO users (id, full_name, role, region_code, status, invited_by, created_at, updated_at, "
            "last_active_at) SELECT user_id, name, 'ibu', region_code, 'active', reporter_id, ?, ?, ? "
            "FROM bench_mother",
            (stamp, stamp, stamp),
        )
        await tx.execute(
            "INSERT INTO ibu_consent (sasaran_id, telegram_id, invitation_id, decision, text_version, at) "
            "SELECT sasaran_id, user_id, NULL, 'setuju', 'bench', ? FROM bench_mother ORDER BY user_id",
            (stamp,),
        )
        joined = await tx.execute(
            "INSERT INTO ibu (user_id, sasaran_id, state, ttd_enabled, consent_id, resume_from, next_plan_at, "
            "created_at, updated_at) SELECT m.user_id, m.sasaran_id, 'aktif', 0, c.id, NULL, ?, ?, ? "
            "FROM bench_mother m JOIN ibu_consent c ON c.sasaran_id = m.sasaran_id AND c.telegram_id = m.user_id",
            (next_plan, stamp, stamp),
        )
        await tx.execute("DROP TABLE bench_mother")
    return joined


async def add_backlog(db: Database, per_mother: int) -> int:
    """Give every joined mother the rows of :func:`backlog`, as ``apply_plan`` stores
    them, in one INSERT … SELECT. Returns how many rows were written."""
    stamp = to_db(NOW)
    slots = [(r.kind, r.due_date.isoformat(), r.window_end.isoformat(), r.text_key, json.dumps(dict(r.payload)),
              int(r.needs_ack), to_db(r.send_after)) for r in backlog(per_mother)]
    async with db.transaction() as tx:
        await tx.execute("CREATE TEMP TABLE bench_slot (kind, due_date, window_end, text_key, payload_json, "
                         "needs_ack, send_after)")
        await tx.execute_many("INSERT INTO bench_slot VALUES (?, ?, ?, ?, ?, ?, ?)", slots)
        written = await tx.execute(
            "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, payload_json, needs_ack, "
            "send_after, state, created_at, updated_at) SELECT i.sasaran_id, t.kind, t.due_date, t.window_end, "
            "t.text_key, t.payload_json, t.needs_ack, t.send_after, 'scheduled', ?, ? "
            "FROM bench_slot t CROSS JOIN ibu i ORDER BY t.send_after, i.sasaran_id",
            (stamp, stamp),
        )
        await tx.execute("DROP TABLE bench_slot")
    return written


async def build_databases(folder: Path, *, sasaran: int, pending: int, per_mother: int
                          ) -> tuple[dict[str, Path], str]:
    """The three databases of the comparison (see the module docstring) and their key.

    ``bench_rekap`` is imported here, in the parent only: the measured child must load
    nothing the bot itself does not."""
    import bench_rekap

    paths = {name: folder / f"{name}.sqlite3" for name in ("empty", "none", "full")}
    services = await prepare(settings_for(paths["empty"], key=bench_rekap.KEY), FakeClock(NOW))
    await services.db.close()
    source = await bench_rekap.database(sasaran, fresh=False)
    copy_database(source, paths["none"])
    mothers = math.ceil(pending / per_mother) if pending else 0
    started = time.perf_counter()
    db = await Database.open(paths["none"])
    try:
        await db.migrate()  # a newer program's migrations now, not inside a measured start-up
        joined = await add_mothers(db, mothers)
    finally:
        await db.close()
    if joined < mothers:
        raise SystemExit(f"the database of {sasaran:,} sasaran has only {joined:,} active ibu hamil/nifas; "
                         f"raise --per-mother to at least {math.ceil(pending / max(joined, 1))}")
    copy_database(paths["none"], paths["full"])
    db = await Database.open(paths["full"])
    try:
        written = await add_backlog(db, per_mother)
    finally:
        await db.close()
    print(f"  {joined:,} mothers joined, {written:,} reminders written in {time.perf_counter() - started:.0f} s "
          f"(plus copies)", flush=True)
    return paths, bench_rekap.KEY


async def recipients(path: Path) -> list[int]:
    """Everyone the first tick may write to: mothers and TPK members."""
    db = await Database.open(path)
    try:
        return [r[0] for r in await db.fetch_all("SELECT id FROM users WHERE role IN ('ibu', 'tpk')")]
    finally:
        await db.close()


# -- one measurement, in a fresh process ------------------------------------------------------


async def measure(path: Path, base_url: str, key: str, *, trace: bool) -> dict[str, Any]:
    """Start the bot on ``path``, then run the first tick; each phase measured on its
    own: wall time and resident memory, or (``trace``) the peak of Python allocations,
    which tracemalloc would distort the others for."""
    result: dict[str, Any] = {}

    def mark(phase: str, started: float, rss: int, traced_base: int) -> None:
        if trace:
            result[f"{phase}_traced_kb"] = (tracemalloc.get_traced_memory()[1] - traced_base) / 1024
        else:
            result[f"{phase}_s"] = time.perf_counter() - started
            result[f"{phase}_rss_kb"] = rss_kb() - rss
            result[f"{phase}_peak_rss_kb"] = peak_rss_kb()

    if trace:
        tracemalloc.start()
    rss, started = rss_kb(), time.perf_counter()
    services = await prepare(settings_for(path, base_url, key), FakeClock(NOW))
    app = build_application(services)
    async with app:
        await app.start()
        mark("startup", started, rss, 0)
        if trace:
            tracemalloc.reset_peak()
        traced_base = tracemalloc.get_traced_memory()[0] if trace else 0
        rss, started = rss_kb(), time.perf_counter()
        report = await dispatch_due(services, app.bot, app)
        mark("tick", started, rss, traced_base)
        await app.stop()
    if trace:
        tracemalloc.stop()
    result["sent_first_tick"] = report.sent
    result["pending_after"] = await services.db.fetch_value("SELECT count(*) FROM reminders WHERE state = 'scheduled'")
    await services.db.close()
    return result


async def _child(path: Path, base_url: str, key: str) -> dict[str, Any]:
    """Both kinds of measurement, each in a fresh process on a fresh copy of the database."""
    merged: dict[str, Any] = {}
    for trace in (False, True):
        copy = path.with_name(f"run-{path.name}")
        copy_database(path, copy)
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--measure", str(copy), "--base-url", base_url, "--key", key,
            *(["--trace"] if trace else []),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        if process.returncode:
            raise RuntimeError(f"measurement failed:\n{err.decode()[-3000:]}")
        merged.update(json.loads(out.decode().strip().splitlines()[-1]))
        copy.unlink()
    return merged


# -- the comparison ------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        print(f"databases ({args.sasaran:,} sasaran, {args.pending:,} pending):", flush=True)
        paths, key = await build_databases(Path(tmp), sasaran=args.sasaran, pending=args.pending,
                                      per_mother=args.per_mother)
        sizes = {name: path.stat().st_size / 2**20 for name, path in paths.items()}
        emu = BotApiEmulator(token=TOKEN, bot_username="bench_bot", self_check=False, check_requests=False)
        await emu.start()
        try:
            for user_id in [ADMIN, *await recipients(paths["full"])]:
                emu.user(user_id, first_name="Ibu")
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
            for _ in range(args.runs):  # interleaved, so drift affects all alike
                for name, path in paths.items():
                    results[name].append(await _child(path, emu.base_url, key))
        finally:
            await emu.stop()
    report(args, results, sizes)


def report(args: argparse.Namespace, results: dict[str, list[dict[str, Any]]], sizes: dict[str, float]) -> None:
    def values(name: str, field: str) -> list[float]:
        return [r[field] for r in results[name]]

    def cell(name: str, field: str, fmt: str) -> str:
        v = values(name, field)
        spread = f"({min(v):{fmt}}–{max(v):{fmt}})" if len(v) > 1 else ""
        return f"{min(v):>9{fmt}} {spread:19}"

    def line(label: str, field: str) -> None:
        fmt = ".3f" if field.endswith("_s") else ",.0f"
        cells = "".join(cell(name, field, fmt) for name in ("empty", "none", "full"))
        none, full = min(values("none", field)), min(values("full", field))
        print(f"  {label:32}{cells} {full / none if none else float('nan'):5.2f}")

    print(f"\nDatabases: empty {sizes['empty']:,.0f} MiB; none = {args.sasaran:,} sasaran, "
          f"{math.ceil(args.pending / args.per_mother):,} mothers, nothing pending ({sizes['none']:,.0f} MiB); "
          f"full = the same with {args.pending:,} reminders pending, all due ({sizes['full']:,.0f} MiB).")
    print(f"Best of {args.runs} runs (min–max), a fresh process and database copy per run.\n")
    print(f"  {'':32}" + "".join(f"{name:>9} {'(min–max)':19}" for name in ("empty", "none", "full"))
          + " full/none")
    print("Start-up (open, migrate, key, regions, build, initialize, start)")
    line("wall time, s", "startup_s")
    line("peak RSS, KiB", "startup_peak_rss_kb")
    line("resident memory growth, KiB", "startup_rss_kb")
    line("peak traced Python memory, KiB", "startup_traced_kb")
    print("First tick (recover, plan, follow-ups, digests, claim and send)")
    line("wall time, s", "tick_s")
    line("peak RSS after the tick, KiB", "tick_peak_rss_kb")
    line("resident memory growth, KiB", "tick_rss_kb")
    line("peak traced Python memory, KiB", "tick_traced_kb")
    full = results["full"][0]
    print(f"\nThe first tick sent {full['sent_first_tick']} reminders (rounds of one batch, one per chat, while the "
          f"tick had time left); {full['pending_after']:,} remain pending for later ticks.")
    ready = values("full", "startup_s")
    print(f"time to ready with {args.pending:,} pending: {min(ready):.3f} s (median {statistics.median(ready):.3f} s, "
          f"max {max(ready):.3f} s; goal < 2 s)")
    none_rss, full_rss = min(values("none", "startup_peak_rss_kb")), min(values("full", "startup_peak_rss_kb"))
    print(f"startup_peak_rss: {full_rss:,.0f} KiB with {args.pending:,} pending (baseline {none_rss:,.0f} KiB with "
          f"none, same {args.sasaran:,} sasaran; ratio {full_rss / none_rss:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1_000_000, help="reminders pending in the full database")
    parser.add_argument("--per-mother", type=int, default=20, help="pending reminders per mother")
    parser.add_argument("--sasaran", type=int, default=1_000_000,
                        help="target members (bench_rekap.py's cached database of this size)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmp", type=Path, help="folder for the working copies (default: the system's)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.base_url, args.key, trace=args.trace))))
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
