"""A consistent copy of the live database, taken while the bot runs.

SQLite's online backup API, from a connection of its own: in one step it copies every
page of one read snapshot, committed rows still in the ``-wal`` file included, and in
WAL mode the bot's writer is never blocked meanwhile. Copying the file with ``cp`` is
not safe (it can catch a write half-way and it misses what is still in the WAL).

The copy is written next to the target under a temporary name, switched out of WAL mode
(one self-contained file), checked with ``PRAGMA integrity_check``, flushed to disk and
only then renamed into place, so ``PATH`` is always either the old backup or a complete
new one. It holds personal data (names, health values; NIK and No. KK stay encrypted
with the ``[privacy] key``, which is *not* in the copy), so it is readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

#: Tables whose row counts the summary line shows, when present.
COUNTED = ("users", "keluarga", "sasaran", "kunjungan", "drafts", "reminders")


class BackupError(RuntimeError):
    """One line for the operator: what went wrong and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    schema_version: int
    counts: dict[str, int]

    def line(self) -> str:
        counts = "".join(f", {n} {table}" for table, n in self.counts.items())
        size = f"{self.size / 1_000_000:.1f} MB" if self.size >= 100_000 else f"{self.size / 1000:.0f} kB"
        return (f"cadangan {self.path} dibuat ({size}, versi skema {self.schema_version}{counts}; integritas baik)"
                " — simpan juga kunci [privacy] key di tempat lain: tanpa kunci itu NIK di cadangan tak terbaca")


def target_path(path: Path, now: datetime) -> Path:
    """A folder gets a dated file name inside it; anything else is the file itself."""
    if path.is_dir():
        return path / f"tpk-{now:%Y%m%d-%H%M%S}.sqlite3"
    return path


def backup(source: Path, target: Path, *, now: datetime | None = None) -> BackupResult:
    """Copy the database at ``source`` to ``target`` (a file, or a folder for a dated file)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"basis data {source} tidak ditemukan — periksa setelan storage.path")
    target = target_path(Path(target), now or datetime.now())
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} adalah basis data yang sedang dipakai — pilih file atau folder lain")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} tidak ada — buat dulu atau pilih folder lain")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        _copy(source, partial)
        result = _check(partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"cadangan gagal: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, result[0], result[1])


def _copy(source: Path, partial: Path) -> None:
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
    os.close(fd)
    # Read-only on the source: the backup never writes to the live database (nor
    # checkpoints its WAL); busy_timeout rides out a checkpoint that holds a lock.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: every page in one step, i.e. one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()


def _check(path: Path) -> tuple[int, dict[str, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"salinan rusak ({'; '.join(problems[:3])}) — ulangi; bila tetap gagal, "
                              "periksa disk server")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = 0
        if "schema_migrations" in tables:
            version = int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
        counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED if t in tables}
        return version, counts
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
