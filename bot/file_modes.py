"""Who may read the files that hold the key and the personal data.

The configuration holds the master key (``[privacy] key``) and the database holds names,
health values and the encrypted NIKs: both must be readable by the bot's own account
only (mode 600). The bot creates its database, its WAL and shared-memory files, backups
and ``init-config``'s file that way; files made by hand (``cp config.example.toml``) or
by an older version may be wider, so every start that got as far as an open, checked
database looks and says so in one log line (a start that fails still says only why) —
it does not refuse, since an operator may have a reason (a group-readable backup account).
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE = 0o600
#: Files SQLite keeps beside the database while it runs.
SIDECARS = ("-wal", "-shm", "-journal")


def private_files(config: Path | None, database: Path) -> list[Path]:
    """The configuration, the database with its sidecars, and a key file beside it, where they exist."""
    candidates = [*([config] if config else []), database,
                  *(database.with_name(database.name + s) for s in (*SIDECARS, ".key"))]
    return [p for p in candidates if p.is_file()]


def too_open(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """Each file that someone other than its owner may read or write, with its mode."""
    wide = []
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            wide.append((path, mode))
    return wide


def warning(config: Path | None, database: Path) -> str | None:
    """One Indonesian line naming the files wider than 600 and the fix, or None."""
    wide = too_open(private_files(config, database))
    if not wide:
        return None
    listed = ", ".join(f"{path} ({mode:o})" for path, mode in wide)
    names = " ".join(str(path) for path, _ in wide)
    return (f"Peringatan: file berisi kunci atau data pribadi bisa dibaca pengguna lain: {listed} — "
            f"jalankan: chmod 600 {names}")
