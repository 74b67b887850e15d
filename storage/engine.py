"""Open the configured engine: the one place that knows both implementations of the storage API."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.url import Engine, StorageURL


async def open_database(url: StorageURL, password: str = "") -> Database:
    """:class:`~storage.db.Database` on a SQLite file, or its PostgreSQL twin (same methods,
    :mod:`storage.postgres`) — imported only then, so SQLite never loads the driver."""
    if url.engine is Engine.POSTGRESQL:
        from storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(url, password)  # type: ignore[return-value]
    return await Database.open(url.path or Path())
