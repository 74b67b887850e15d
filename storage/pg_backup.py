"""``python -m bot backup`` on PostgreSQL: ``pg_dump`` in its custom format, checked and owner-only.

pg_dump reads one consistent snapshot while the bot keeps writing (it takes no lock that
blocks inserts or updates). The dump goes to a temporary name next to the target, is read
back with ``pg_restore --list`` (a truncated or foreign file fails there), made readable by
its owner only (it holds names and health values; NIK, No. KK and phone numbers stay
encrypted with the ``[privacy] key``, which is not in it) and only then renamed into place.
The summary line is :class:`storage.backup.BackupResult`'s, as on SQLite; its counts are read
right after the dump, from the live database. Restore: README § PostgreSQL, "Cadangan".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from storage.backup import COUNTED, BackupError, BackupResult
from storage.url import StorageURL


def target_path(path: Path, now: datetime) -> Path:
    """A folder gets a dated ``.dump`` file inside it; anything else is the file itself."""
    return path / f"tpk-{now:%Y%m%d-%H%M%S}.dump" if path.is_dir() else path


def backup_postgresql(url: StorageURL, target: Path, *, password: str = "",
                      now: datetime | None = None) -> BackupResult:
    """Dump the database ``url`` names into ``target`` (a file, or a folder for a dated file)."""
    import psycopg

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        raise BackupError("pg_dump / pg_restore tidak ditemukan — pasang klien PostgreSQL (paket postgresql-client) "
                          "dengan versi yang sama dengan server")
    target = target_path(Path(target), now or datetime.now())
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} tidak ada — buat dulu atau pilih tempat lain")
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    partial = target.with_name(f".{target.name}.partial")
    try:
        dumped = subprocess.run(["pg_dump", "--format=custom", f"--file={partial}", f"--dbname={url.conninfo()}"],
                                env=env, capture_output=True, text=True, check=False)
        if dumped.returncode != 0:
            raise BackupError(f"pg_dump gagal untuk {url.display()}: {_first_line(dumped.stderr)}")
        listed = subprocess.run(["pg_restore", "--list", str(partial)], capture_output=True, text=True, check=False)
        if listed.returncode != 0 or "TABLE DATA" not in listed.stdout:
            raise BackupError(f"cadangan {target} tidak terbaca kembali oleh pg_restore — tidak disimpan")
        os.chmod(partial, 0o600)
        with psycopg.connect(url.conninfo(password)) as conn:
            version = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
            tables = {r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
            counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                      for t in COUNTED if t in tables}
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, int(version[0]) if version else 0, counts)


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "(tanpa pesan)"
