"""Key rotation: every ciphertext and keyed hash made again under a new key.

``python -m bot rotate-key`` runs this with the bot stopped. It walks every place that
holds a ciphertext (:data:`storage.crypto.PLACES`) in rowid order, in batches; each batch
decrypts with the old key, encrypts (bound to the same row) and hashes with the new one,
and records how far it got in ``meta`` — in the same transaction, so a crash or a kill
leaves whole batches behind and a second run carries on from the next row. While the
rotation is unfinished the database holds values under both keys, so the bot refuses to
start (:func:`unfinished`). At the end the stored key check becomes the new key's, which
from then on refuses the old key, and the file is rebuilt so no old ciphertext lingers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag

from storage.compaction import compact
from storage.crypto import PLACES, IdentityCipher, Place
from storage.db import Database

log = logging.getLogger(__name__)

PROGRESS_KEY = "key_rotation"
CHECK_KEY = "identity_key_check"
BATCH = 500


class RotationError(RuntimeError):
    """The rotation cannot start or continue; the message is one Indonesian line."""


@dataclass
class Rotation:
    """What one run did: values re-encrypted per place, and whether it reached the end."""

    done: dict[str, int] = field(default_factory=dict)
    resumed: bool = False
    finished: bool = False

    @property
    def total(self) -> int:
        return sum(self.done.values())

    def line(self) -> str:
        parts = ", ".join(f"{name} {count:,}".replace(",", ".") for name, count in self.done.items() if count)
        counted = f"{self.total:,}".replace(",", ".")
        if not self.finished:
            return f"rotasi kunci terhenti setelah {counted} nilai — jalankan perintah yang sama lagi untuk melanjutkan"
        again = " (dilanjutkan)" if self.resumed else ""
        return (f"rotasi kunci selesai{again}: {counted} nilai dienkripsi ulang ({parts or 'tidak ada data'}) — "
                "sekarang ganti [privacy] key (atau TPK_PRIVACY_KEY) dengan kunci baru, lalu jalankan bot")


async def unfinished(db: Database) -> bool:
    """Whether a rotation was started and has not reached its end."""
    return await db.fetch_value("SELECT count(*) FROM meta WHERE key = ?", (PROGRESS_KEY,)) > 0


async def _progress(db: Database) -> dict[str, object] | None:
    raw = await db.fetch_value("SELECT value FROM meta WHERE key = ?", (PROGRESS_KEY,))
    return None if raw is None else json.loads(raw)


async def _batch(db: Database, old: IdentityCipher, new: IdentityCipher, place: Place, index: int, after: int,
                 size: int) -> tuple[int, int]:
    """Re-encrypt the next ``size`` rows of ``place`` after rowid ``after``; returns
    (rows done, last rowid), with the progress committed in the same transaction."""
    rows = await db.fetch_all(
        f"SELECT rowid AS at, {place.row_key} AS row, {place.column} AS value FROM {place.table} "
        f"WHERE rowid > ? AND {place.column} IS NOT NULL ORDER BY rowid LIMIT ?", (after, size))
    last = rows[-1]["at"] if rows else after
    async with db.transaction() as tx:
        for row in rows:
            try:
                plain = old.decrypt(row["value"], place, row["row"])
            except (InvalidTag, ValueError):
                raise RotationError(f"{place.table}.{place.column} baris {row['row']} tidak bisa dibaca dengan kunci "
                                    "lama (rusak, atau disalin dari baris lain) — pulihkan dari cadangan") from None
            sealed = new.encrypt(plain, place, row["row"])
            if place.hash_column is None:
                await tx.execute(f"UPDATE {place.table} SET {place.column} = ? WHERE rowid = ?", (sealed, row["at"]))
            else:
                await tx.execute(f"UPDATE {place.table} SET {place.column} = ?, {place.hash_column} = ? "
                                 "WHERE rowid = ?", (sealed, new.lookup_hash(plain), row["at"]))
        progress = {"target": new.check_value, "place": index if rows else index + 1, "after": last if rows else 0}
        await tx.execute("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(progress), PROGRESS_KEY))
    return len(rows), last


async def rotate(db: Database, old: IdentityCipher, new: IdentityCipher, *, batch: int = BATCH,
                 max_batches: int | None = None) -> Rotation:
    """Rotate from ``old`` to ``new``, continuing an unfinished run; ``max_batches``
    stops early (as a crash would), for tests."""
    if old.check_value == new.check_value:
        raise RotationError("kunci baru sama dengan kunci lama")
    stored = await db.fetch_value("SELECT value FROM meta WHERE key = ?", (CHECK_KEY,))
    progress = await _progress(db)
    if progress is not None and progress["target"] != new.check_value:
        raise RotationError("rotasi kunci yang belum selesai memakai kunci baru yang lain — pakai kunci baru itu")
    if stored is not None and stored != old.check_value:
        if stored == new.check_value and progress is None:
            raise RotationError("data sudah memakai kunci baru ini — ganti [privacy] key di konfigurasi")
        raise RotationError("setelan 'privacy.key' bukan kunci data ini — rotasi butuh kunci yang sekarang dipakai")
    report = Rotation(resumed=progress is not None)
    if progress is None:
        progress = {"target": new.check_value, "place": 0, "after": 0}
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (PROGRESS_KEY, json.dumps(progress)))
    index, after, batches = int(progress["place"]), int(progress["after"]), 0  # type: ignore[call-overload]
    while index < len(PLACES):
        if max_batches is not None and batches >= max_batches:
            return report
        place = PLACES[index]
        done, last = await _batch(db, old, new, place, index, after, batch)
        batches += 1
        name = f"{place.table}.{place.column}"
        report.done[name] = report.done.get(name, 0) + done
        index, after = (index, last) if done else (index + 1, 0)
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                         "value = excluded.value", (CHECK_KEY, new.check_value))
        await tx.execute("DELETE FROM meta WHERE key = ?", (PROGRESS_KEY,))
    await compact(db.path)
    report.finished = True
    log.info("key rotation finished: %d values re-encrypted", report.total)
    return report
