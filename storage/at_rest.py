"""Writing sealed values, and bringing older databases up to today's form at rest.

:func:`seal` is the one way a ciphertext and its keyed hash are written: bound to the
row it is stored in (see :mod:`storage.crypto`), so it needs the row's id — an INSERT
writes the row first and seals its values next, in the same transaction.

:func:`upgrade` runs at every start and does nothing once done: phone numbers an older
version stored in plain text are encrypted (migration 0008 added the columns; the key
is not in SQL), and ciphertexts of the first, unbound format are sealed again bound to
their row. Each batch is its own transaction, so a crash leaves nothing half-written
and the next start carries on. When anything changed the file is rebuilt (VACUUM, WAL
truncated) so the old plain values do not linger in free pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from storage.compaction import compact
from storage.crypto import BOUND, PLACES, SASARAN_PHONE, USER_PHONE, IdentityCipher, Place
from storage.db import Database, Transaction

log = logging.getLogger(__name__)

BATCH = 500
#: In ``meta``: the at-rest format every value of this database is in.
DONE_KEY = "at_rest_format"


async def seal(tx: Transaction, cipher: IdentityCipher, place: Place, row: int | str, plain: str | None) -> None:
    """Store ``plain`` (or nothing, when None) in ``place`` of one row, with its keyed hash."""
    sealed = cipher.encrypt(plain, place, row) if plain else None
    if place.hash_column is None:
        await tx.execute(f"UPDATE {place.table} SET {place.column} = ? WHERE {place.row_key} = ?", (sealed, row))
        return
    await tx.execute(f"UPDATE {place.table} SET {place.column} = ?, {place.hash_column} = ? WHERE {place.row_key} = ?",
                     (sealed, cipher.lookup_hash(plain) if plain else None, row))


@dataclass
class Upgraded:
    phones: int = 0
    resealed: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.phones + sum(self.resealed.values())


async def _plain_phones(db: Database, cipher: IdentityCipher, place: Place) -> int:
    done = 0
    while True:
        rows = await db.fetch_all(f"SELECT id, phone FROM {place.table} WHERE phone IS NOT NULL LIMIT ?", (BATCH,))
        if not rows:
            return done
        async with db.transaction() as tx:
            for row in rows:
                await seal(tx, cipher, place, row["id"], row["phone"])
                await tx.execute(f"UPDATE {place.table} SET phone = NULL WHERE id = ?", (row["id"],))
        done += len(rows)


async def _unbound(db: Database, cipher: IdentityCipher, place: Place) -> int:
    done = 0
    while True:
        rows = await db.fetch_all(
            f"SELECT {place.row_key} AS row, {place.column} AS value FROM {place.table} "
            f"WHERE {place.column} IS NOT NULL AND substr({place.column}, 1, {len(BOUND)}) <> ? LIMIT ?",
            (BOUND, BATCH))
        if not rows:
            return done
        async with db.transaction() as tx:
            for row in rows:
                plain = cipher.decrypt(row["value"], place, row["row"])
                await tx.execute(f"UPDATE {place.table} SET {place.column} = ? WHERE {place.row_key} = ?",
                                 (cipher.encrypt(plain, place, row["row"]), row["row"]))
        done += len(rows)


async def upgrade(db: Database, cipher: IdentityCipher) -> Upgraded:
    """Encrypt plain phones and bind unbound ciphertexts; idempotent (see the module docstring).

    Once done the database says so in ``meta``, so later starts skip the table scans (a
    million sasaran would cost a second at every start); a backup from an older version
    has no such row and is upgraded when it is restored."""
    result = Upgraded()
    if await db.fetch_value("SELECT value FROM meta WHERE key = ?", (DONE_KEY,)) == BOUND:
        return result
    for place in (USER_PHONE, SASARAN_PHONE):
        result.phones += await _plain_phones(db, cipher, place)
    for place in PLACES:
        if count := await _unbound(db, cipher, place):
            result.resealed[f"{place.table}.{place.column}"] = count
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                         "value = excluded.value", (DONE_KEY, BOUND))
    if result.changed:
        await compact(db.path)
        log.info("at rest: %d plain phone numbers encrypted, %s ciphertexts bound to their rows",
                 result.phones, result.resealed or "no")
    return result
