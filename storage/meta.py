"""The ``meta`` table: one value per key that the program keeps about its own database
(the identity-key check value, the region list loaded, the day retention last ran)."""

from __future__ import annotations

from storage.db import Database, Transaction

#: The check value of the key the stored NIKs were encrypted with (see :mod:`bot.startup`).
IDENTITY_KEY_CHECK = "identity_key_check"


async def get(db: Database, key: str) -> str | None:
    return await db.fetch_value("SELECT value FROM meta WHERE key = ?", (key,))


async def put(tx: Transaction, key: str, value: str) -> None:
    await tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value))
