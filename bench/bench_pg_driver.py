"""Which PostgreSQL driver: psycopg 3 (+ psycopg-pool) or asyncpg, on the bot's typical storage calls.

Three calls, each timed alone, as a form step makes them (storage/drafts.py, storage/users.py,
storage/keluarga.py): a draft write (one upsert, committed by itself), a scoped read (the
members inside a kecamatan, filtered in SQL as storage/scope.py writes it) and a small
transaction (BEGIN, INSERT … RETURNING id, an audit row, COMMIT). psycopg runs through the
storage layer itself (``storage.postgres``: translation cache, write lock, row factory) and on
a bare pool (what the layer costs), asyncpg on a bare pool with the same statements in its
``$n`` spelling. SQLite (``storage.db``) is the baseline. Each figure is
the median of ``--rounds`` rounds of ``--calls`` calls: calls per second and the process CPU
per call (what the bot pays), on one fresh database per engine.

Usage: ``.venv/bin/python bench/bench_pg_driver.py [--calls 2000] [--rounds 5]``; the server
is ``TPK_TEST_POSTGRES_URL`` (default the local one); a database ``tpk_bench_<random>`` is
created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage import regions as regions_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.engine import open_database  # noqa: E402
from storage.url import StorageURL, parse  # noqa: E402

NOW = "2026-11-23T02:00:00Z"
DESA = "36.73.04.1007"
SCOPE = "36.73.04"
DRAFT = ("INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (user_id, form) DO UPDATE SET draft_key = excluded.draft_key, "
         "state_json = excluded.state_json, updated_at = excluded.updated_at")
READ = ("SELECT id, full_name, role, region_code, team_position, status, created_at FROM users "
        "WHERE (region_code = ? OR (region_code > ? AND region_code < ?)) AND status = 'active' "
        "ORDER BY region_code, full_name LIMIT 50")
FAMILY = ("INSERT INTO keluarga (region_code, head_name, water_source, latrine, answers_json, reporter_id, "
          "created_at, updated_at) VALUES (?, ?, 'ledeng', 'septik', '{}', ?, ?, ?)")
AUDIT = ("INSERT INTO audit_log (at, actor_id, action, entity, entity_id, after_json) "
         "VALUES (?, ?, 'create', 'keluarga', ?, '{}')")
STATE = "x" * 900  # a sealed draft of a form half filled in


def dollar(sql: str) -> str:
    """``?`` → ``$1…$n`` (these statements hold no ``?`` in literals)."""
    parts = sql.split("?")
    return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


async def prepare_schema(url: StorageURL) -> None:
    db = await open_database(url)
    await db.migrate()
    await regions_store.load_root(db, regions_store.DEFAULT_CSV, "36.73")
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO users (id, full_name, role, region_code, status, created_at, updated_at) "
            "VALUES (?, ?, 'tpk', ?, 'active', ?, ?)",
            [(1000 + n, f"Anggota {n}", DESA if n % 3 else "36.73.01.1008", NOW, NOW) for n in range(300)])
    await db.close()


def storage_calls(db: Database) -> dict[str, Callable[[int], Awaitable[object]]]:
    async def draft(n: int) -> object:
        return await db.write(DRAFT, (1000 + n % 300, "lapor", f"k{n % 300}", STATE, NOW, NOW))

    async def read(n: int) -> object:
        return await db.fetch_all(READ, (SCOPE, SCOPE + ".", SCOPE + "/"))

    async def transaction(n: int) -> object:
        async with db.transaction() as tx:
            new_id = await tx.insert(FAMILY, (DESA, "Kepala", 1001, NOW, NOW))
            await tx.execute(AUDIT, (NOW, 1001, str(new_id)))
        return new_id

    return {"draft write": draft, "scoped read": read, "small transaction": transaction}


def psycopg_calls(pool) -> dict[str, Callable[[int], Awaitable[object]]]:  # type: ignore[no-untyped-def]
    """psycopg on a bare pool, without the storage layer: what the layer itself costs."""
    draft_sql, read_sql = DRAFT.replace("?", "%s"), READ.replace("?", "%s")
    family_sql, audit_sql = FAMILY.replace("?", "%s") + " RETURNING id", AUDIT.replace("?", "%s")

    async def draft(n: int) -> object:
        async with pool.connection() as conn:
            return await conn.execute(draft_sql, (1000 + n % 300, "lapor", f"k{n % 300}", STATE, NOW, NOW))

    async def read(n: int) -> object:
        async with pool.connection() as conn:
            return await (await conn.execute(read_sql, (SCOPE, SCOPE + ".", SCOPE + "/"))).fetchall()

    async def transaction(n: int) -> object:
        async with pool.connection() as conn, conn.transaction():
            new_id = (await (await conn.execute(family_sql, (DESA, "Kepala", 1001, NOW, NOW))).fetchone())[0]
            await conn.execute(audit_sql, (NOW, 1001, str(new_id)))
        return new_id

    return {"draft write": draft, "scoped read": read, "small transaction": transaction}


def asyncpg_calls(pool) -> dict[str, Callable[[int], Awaitable[object]]]:  # type: ignore[no-untyped-def]
    draft_sql, read_sql = dollar(DRAFT), dollar(READ)
    family_sql, audit_sql = dollar(FAMILY) + " RETURNING id", dollar(AUDIT)

    async def draft(n: int) -> object:
        async with pool.acquire() as conn:
            return await conn.execute(draft_sql, 1000 + n % 300, "lapor", f"k{n % 300}", STATE, NOW, NOW)

    async def read(n: int) -> object:
        async with pool.acquire() as conn:
            return await conn.fetch(read_sql, SCOPE, SCOPE + ".", SCOPE + "/")

    async def transaction(n: int) -> object:
        async with pool.acquire() as conn, conn.transaction():
            new_id = await conn.fetchval(family_sql, DESA, "Kepala", 1001, NOW, NOW)
            await conn.execute(audit_sql, NOW, 1001, str(new_id))
        return new_id

    return {"draft write": draft, "scoped read": read, "small transaction": transaction}


async def measure(calls: dict[str, Callable[[int], Awaitable[object]]], count: int, rounds: int) -> dict[str, tuple]:
    out = {}
    for name, call in calls.items():
        for n in range(50):  # warm-up: prepared statements, pool, caches
            await call(n)
        rates, cpus = [], []
        for _ in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            for n in range(count):
                await call(n)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rates.append(count / wall)
            cpus.append(cpu / count * 1e6)
        out[name] = (statistics.median(rates), statistics.median(cpus))
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import asyncpg
    import psycopg

    server = parse(os.environ.get("TPK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    name = f"tpk_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(server.conninfo(), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    results: dict[str, dict[str, tuple]] = {}
    try:
        url = server.with_database(name)
        await prepare_schema(url)
        db = await open_database(url)
        results["psycopg 3 + psycopg-pool (storage.postgres)"] = await measure(storage_calls(db), args.calls,
                                                                                args.rounds)
        await db.close()
        from psycopg_pool import AsyncConnectionPool

        async with AsyncConnectionPool(url.conninfo(), min_size=1, max_size=8,
                                       kwargs={"autocommit": True}) as bare:
            results["psycopg 3 + psycopg-pool (bare pool)"] = await measure(psycopg_calls(bare), args.calls,
                                                                             args.rounds)
        p = dict(url.params)
        pool = await asyncpg.create_pool(host=p["host"], port=int(p["port"]), database=name, user=p.get("user"),
                                         min_size=1, max_size=8)
        results["asyncpg (bare pool)"] = await measure(asyncpg_calls(pool), args.calls, args.rounds)
        await pool.close()
        with tempfile.TemporaryDirectory() as folder:
            path = StorageURL.sqlite(Path(folder) / "bench.sqlite3")
            await prepare_schema(path)
            db = await open_database(path)
            results["SQLite (storage.db, baseline)"] = await measure(storage_calls(db), args.calls, args.rounds)
            await db.close()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(f"{'':48} {'draft write':>22} {'scoped read':>22} {'small transaction':>22}")
    for engine, figures in results.items():
        cells = " ".join(f"{rate:>9,.0f}/s {cpu:>7.0f} µs CPU" for rate, cpu in figures.values())
        print(f"{engine:48} {cells}")
    psy, apg = results["psycopg 3 + psycopg-pool (storage.postgres)"], results["asyncpg (bare pool)"]
    for call in psy:
        print(f"pg_driver_{call.replace(' ', '_')}: psycopg {psy[call][0]:,.0f}/s "
              f"(baseline asyncpg {apg[call][0]:,.0f}/s, ratio {psy[call][0] / apg[call][0]:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
