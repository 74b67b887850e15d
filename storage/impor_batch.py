"""The families and sasaran one chunk of an import creates, written in a few statements.

``create_keluarga``/``add_sasaran`` cost five to eight trips to SQLite's thread per
record (the row, its sealed values, its audit entry, the family's region): for a
100,000-row file that is most of the import. Inside the chunk's transaction the write
lock is ours, so the ids the next rows will get are known (``max(id) + 1`` onwards;
``INTEGER PRIMARY KEY`` without AUTOINCREMENT hands out exactly that): each value is
sealed for its row before the row exists, and the whole chunk is written with one
``executemany`` per table at :meth:`NewRecords.flush`. The rows, the ciphertexts, the
keyed hashes and the audit entries are the same as the one-by-one functions write
(their values come from the same builders in :mod:`storage.keluarga`); the records
also carry the import's id (their ``sumber``).
"""

from __future__ import annotations

from datetime import datetime

from storage import audit
from storage.crypto import KELUARGA_KK, SASARAN_NIK, SASARAN_PHONE, IdentityCipher, Place
from storage.db import Transaction
from storage.keluarga import (
    KELUARGA_INSERT_COLUMNS,
    SASARAN_INSERT_COLUMNS,
    NewKeluarga,
    NewSasaran,
    insert_sql,
    keluarga_audit,
    keluarga_values,
    sasaran_audit,
    sasaran_values,
)

_KELUARGA_SQL = insert_sql("keluarga", KELUARGA_INSERT_COLUMNS, "id, impor_id, no_kk_enc, no_kk_hash")
_SASARAN_SQL = insert_sql("sasaran", SASARAN_INSERT_COLUMNS, "id, impor_id, nik_enc, nik_hash, phone_enc, phone_hash")


class NewRecords:
    """New records of one chunk: ids handed out at once, rows written at :meth:`flush`
    (before anything reads them, and before the transaction ends)."""

    def __init__(self, tx: Transaction, cipher: IdentityCipher, *, impor_id: int, reporter_id: int,
                 now: datetime) -> None:
        self._tx, self._cipher = tx, cipher
        self._impor_id, self._reporter_id, self._now = impor_id, reporter_id, now
        self._next: dict[str, int] = {}
        self._keluarga: list[tuple[int, NewKeluarga]] = []
        self._sasaran: list[tuple[int, int, NewSasaran]] = []
        self._regions: dict[int, str] = {}  # keluarga id -> desa, of the families created here
        self._pending: set[int] = set()  # sasaran ids handed out, not yet written

    async def _new_id(self, table: str) -> int:
        if table not in self._next:
            row = await self._tx.fetch_one(f"SELECT coalesce(max(id), 0) FROM {table}")
            self._next[table] = int(row[0]) + 1 if row else 1
        self._next[table] += 1
        return self._next[table] - 1

    async def keluarga(self, data: NewKeluarga) -> int:
        new_id = await self._new_id("keluarga")
        self._keluarga.append((new_id, data))
        self._regions[new_id] = data.region_code
        return new_id

    async def sasaran(self, keluarga_id: int, data: NewSasaran) -> int:
        new_id = await self._new_id("sasaran")
        self._sasaran.append((new_id, keluarga_id, data))
        self._pending.add(new_id)
        return new_id

    def pending(self, sasaran_id: int) -> bool:
        return sasaran_id in self._pending

    def _sealed(self, place: Place, row: int, plain: str | None) -> tuple[str | None, str | None]:
        if not plain:
            return None, None
        return self._cipher.encrypt(plain, place, row), self._cipher.lookup_hash(plain)

    async def flush(self) -> None:
        """Write what was handed out so far: families first, then their members."""
        if not self._keluarga and not self._sasaran:
            return
        tx, now, reporter = self._tx, self._now, self._reporter_id
        extra = (self._impor_id,)
        if self._keluarga:
            await tx.execute_many(_KELUARGA_SQL, [
                (*keluarga_values(data, reporter_id=reporter, draft_key=None, now=now), new_id, *extra,
                 *self._sealed(KELUARGA_KK, new_id, data.no_kk)) for new_id, data in self._keluarga])
            await audit.record_many(tx, at=now, actor_id=reporter, action="create", entries=[
                ("keluarga", new_id, keluarga_audit(data)) for new_id, data in self._keluarga])
        if self._sasaran:
            regions = await self._family_regions({k for _, k, _ in self._sasaran} - self._regions.keys())
            await tx.execute_many(_SASARAN_SQL, [
                (*sasaran_values(data, keluarga_id=keluarga_id, region_code=regions[keluarga_id],
                                 reporter_id=reporter, now=now), new_id, *extra,
                 *self._sealed(SASARAN_NIK, new_id, data.nik), *self._sealed(SASARAN_PHONE, new_id, data.phone))
                for new_id, keluarga_id, data in self._sasaran])
            await audit.record_many(tx, at=now, actor_id=reporter, action="create", entries=[
                ("sasaran", new_id, sasaran_audit(data)) for new_id, _, data in self._sasaran])
        self._keluarga, self._sasaran, self._pending = [], [], set()

    async def _family_regions(self, stored: set[int]) -> dict[int, str]:
        """The desa of each family the members join (a member lives where its family does)."""
        found = dict(self._regions)
        if stored:
            ids = sorted(stored)
            rows = await self._tx.fetch_all(f"SELECT id, region_code FROM keluarga WHERE id IN "
                                            f"({','.join('?' for _ in ids)})", ids)
            found.update({r["id"]: r["region_code"] for r in rows})
        missing = stored - found.keys()
        if missing:
            raise LookupError(sorted(missing))
        return found

