"""``python -m bot migrate-data --from sqlite:///… --to postgresql://…``: a SQLite deployment moved
to PostgreSQL with its whole history (a kota that grows into a province).

The bot is stopped first (the SQLite instance lock is taken, so a running bot refuses the move).
Both databases are migrated to this program's schema; the target must hold no records yet. Every
table is copied as it is — the /rekap counters and spans included, with the target's own
triggers switched off meanwhile (``DISABLE TRIGGER USER``: the counters are copied, not counted
twice; foreign keys stay checked, so tables go in dependency order) — in one transaction: a
failure leaves the target as it was. Then the identity sequences follow the copied ids, and the
move is verified: the row count of every table on both sides, and a sample of NIKs decrypted on
both sides with the ``[privacy] key`` (the ciphertexts are bound to their row, so a row copied
under another id would not decrypt).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from storage.crypto import SASARAN_NIK, IdentityCipher, opened
from storage.url import StorageURL

SAMPLE = 50
_NOT_COPIED = {"schema_migrations"}


class MoveError(RuntimeError):
    """One Indonesian line: why the move did not happen (nothing was written to the target)."""


@dataclass
class MoveReport:
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    niks_checked: int = 0

    def line(self) -> str:
        main = "".join(f", {self.rows[t]:,} {t}" for t in ("users", "keluarga", "sasaran", "kunjungan")
                       if t in self.rows)
        return (f"data dipindah ke {self.target}: {len(self.rows)} tabel, {sum(self.rows.values()):,} baris{main}; "
                f"jumlah baris sama di setiap tabel, {self.niks_checked} NIK contoh terbaca sama di kedua sisi")


def _order(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    """Tables after the tables they reference (self-references aside)."""
    needs = {t: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({t})")} - {t} for t in tables}
    done: list[str] = []
    while len(done) < len(tables):
        ready = [t for t in tables if t not in done and needs[t] <= set(done)]
        if not ready:
            raise MoveError(f"referensi melingkar antar tabel: {sorted(set(tables) - set(done))}")
        done.extend(sorted(ready))
    return done


async def _migrate(url: StorageURL, password: str = "") -> None:
    from storage.engine import open_database

    db = await open_database(url, password)
    try:
        await db.migrate()
    finally:
        await db.close()


def move(source: StorageURL, target: StorageURL, cipher: IdentityCipher, *, password: str = "") -> MoveReport:
    """Copy ``source`` (SQLite) into ``target`` (PostgreSQL), verify, report."""
    import psycopg

    from storage.instance import AlreadyRunning, instance_lock

    if source.path is None or not source.path.is_file():
        raise MoveError(f"--from: basis data SQLite {source.display()} tidak ditemukan")
    try:
        with instance_lock(source.path):
            asyncio.run(_migrate(source))
            asyncio.run(_migrate(target, password))
            report = _copy(source, target, cipher, password, psycopg)
    except AlreadyRunning as exc:
        raise MoveError(f"{exc} (hentikan bot sebelum memindah data)") from None
    return report


def _copy(source: StorageURL, target: StorageURL, cipher: IdentityCipher, password: str, psycopg: Any) -> MoveReport:
    report = MoveReport(target.display())
    src = sqlite3.connect(f"file:{source.path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'") if r[0] not in _NOT_COPIED]
        order = _order(src, tables)
        with psycopg.connect(target.conninfo(password)) as dst:
            held = [t for t in ("users", "keluarga", "sasaran")
                    if dst.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]]
            if held:
                raise MoveError(f"--to: {target.display()} sudah berisi data ({', '.join(held)}) — pindahkan hanya "
                                "ke basis data PostgreSQL yang baru")
            with dst.transaction():
                dst.execute(f"TRUNCATE {', '.join(order)}")  # what the migrations seeded comes again from SQLite
                for table in order:
                    dst.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                for table in order:
                    columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
                    listed = ", ".join(columns)
                    rows = src.execute(f"SELECT {listed} FROM {table} ORDER BY rowid") if _has_rowid(src, table) \
                        else src.execute(f"SELECT {listed} FROM {table}")
                    with dst.cursor().copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    if "id" in columns:
                        dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) FROM "
                                    f"(SELECT max(id) AS m FROM {table}) AS x WHERE m IS NOT NULL "
                                    f"AND pg_get_serial_sequence('{table}', 'id') IS NOT NULL")
                for table in order:
                    dst.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                for table in order:
                    here = src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    there = dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    if here != there:
                        raise MoveError(f"tabel {table}: {here} baris di SQLite, {there} di PostgreSQL — dibatalkan")
                    report.rows[table] = int(there)
                report.niks_checked = _check_niks(src, dst, cipher)
    finally:
        src.close()
    return report


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    try:
        conn.execute(f"SELECT rowid FROM {table} LIMIT 1")
    except sqlite3.OperationalError:
        return False
    return True


def _check_niks(src: sqlite3.Connection, dst: Any, cipher: IdentityCipher) -> int:
    """A sample of NIKs decrypted on both sides must agree (and decrypt at all)."""
    sample = src.execute("SELECT id, nik_enc FROM sasaran WHERE nik_enc IS NOT NULL ORDER BY random() LIMIT ?",
                         (SAMPLE,)).fetchall()
    for row_id, stored in sample:
        there = dst.execute("SELECT nik_enc FROM sasaran WHERE id = %s", (row_id,)).fetchone()
        try:
            here_plain = opened(cipher, SASARAN_NIK, row_id, stored)
            there_plain = opened(cipher, SASARAN_NIK, row_id, there[0] if there else None)
        except Exception:  # a wrong key or a ciphertext bound to another row: the same refusal
            here_plain = there_plain = None
        if here_plain is None or here_plain != there_plain:
            raise MoveError(f"NIK sasaran {row_id} tidak terbaca sama di PostgreSQL — dibatalkan, "
                            "periksa [privacy] key")
    return len(sample)
