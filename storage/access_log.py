"""Who read which person's record, and who was refused what: ids only, never names.

Two append-only logs in one module (design property 10, issue 15 §8): ``access_log``
keeps every read of by-name data (a family card, a child's history, someone's consent
record, a subject export, by-name search results), so a coordinator can see who opened
a record and when, as DHIS2 keeps; ``refusals`` counts attempts the bot turned away
(out of scope, wrong role, a forged button, a group chat, a number registered in
another area).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.db import Database, Transaction
from storage.in_lists import in_lists
from storage.scope import within
from storage.timefmt import from_db, to_db


class Refusal(StrEnum):
    SCOPE = "scope"
    ROLE = "role"
    CALLBACK = "callback"
    CHAT = "chat"
    DUPLICATE = "duplicate"


class Read(StrEnum):
    CARD = "kartu"  # the family card, for each member shown
    HISTORY = "riwayat"  # a child's measurement history or chart
    CONSENT = "persetujuan"  # /persetujuan of someone
    EXPORT = "ekspor"  # the subject export (command line)
    SEARCH = "cari"  # listed by name in search results
    DAFTAR = "daftar"  # a page of /daftar (the family heads of the member's list)
    NAMED_EXPORT = "ekspor_nama"  # a workbook with names: /ekspor daftar, eppgbm, verval, csv


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    reader_id: int | None
    reader_name: str | None
    reader_role: str | None
    what: str


async def refused(db: Database, *, user_id: int, kind: Refusal, what: str, target: object = None,
                  now: datetime) -> None:
    await db.write("INSERT INTO refusals (at, user_id, kind, what, target) VALUES (?, ?, ?, ?, ?)",
                   (to_db(now), user_id, kind, what[:40], None if target is None else str(target)[:40]))


async def refusal_counts(db: Database, *, user_id: int | None = None) -> dict[str, int]:
    """Refused attempts by kind (of one person, or everyone)."""
    where, params = ("WHERE user_id = ?", (user_id,)) if user_id is not None else ("", ())
    rows = await db.fetch_all(f"SELECT kind, count(*) FROM refusals {where} GROUP BY kind", params)
    return {r[0]: r[1] for r in rows}


async def read(db: Database | Transaction, *, reader_id: int | None, sasaran_ids: Iterable[int], what: Read,
               now: datetime) -> None:
    """Log that ``reader_id`` was shown these people's by-name data."""
    rows = [(to_db(now), reader_id, sid, what.value) for sid in dict.fromkeys(sasaran_ids)]
    if not rows:
        return
    sql = "INSERT INTO access_log (at, reader_id, sasaran_id, what) VALUES (?, ?, ?, ?)"
    if isinstance(db, Transaction):
        await db.execute_many(sql, rows)
        return
    async with db.transaction() as tx:
        await tx.execute_many(sql, rows)


async def read_families(db: Database | Transaction, *, reader_id: int | None, keluarga_ids: Iterable[int],
                        what: Read, now: datetime) -> None:
    """Log that ``reader_id`` was shown these families by name: the log is per person, so
    one entry for each of the families' members (an erased one included — ids only)."""
    ids = sorted(set(keluarga_ids))
    if not ids:
        return
    if isinstance(db, Transaction):
        await _read_families(db, reader_id, ids, what, now)
        return
    async with db.transaction() as tx:
        await _read_families(tx, reader_id, ids, what, now)


async def _read_families(tx: Transaction, reader_id: int | None, ids: list[int], what: Read, now: datetime) -> None:
    for marks, chunk in in_lists(ids):  # a named workbook lists up to 20,000 families
        await tx.execute("INSERT INTO access_log (at, reader_id, sasaran_id, what) SELECT ?, ?, s.id, ? FROM sasaran s"
                         f" WHERE s.keluarga_id IN ({marks}) ORDER BY s.id",
                         (to_db(now), reader_id, what.value, *chunk))


async def reads_of(db: Database, scope: str, sasaran_id: int, *, limit: int, offset: int
                   ) -> tuple[list[AccessEntry], int]:
    """Who read this person's record, newest first, and how many reads in all — only
    when the record lies inside ``scope`` (else nothing)."""
    inside, params = within("s.region_code", scope)
    found = await db.fetch_value(f"SELECT count(*) FROM sasaran s WHERE s.id = ? AND {inside}", (sasaran_id, *params))
    if not found:
        return [], 0
    total = int(await db.fetch_value("SELECT count(*) FROM access_log WHERE sasaran_id = ?", (sasaran_id,)) or 0)
    rows = await db.fetch_all(
        "SELECT a.at, a.reader_id, u.full_name, u.role, a.what FROM access_log a "
        "LEFT JOIN users u ON u.id = a.reader_id WHERE a.sasaran_id = ? ORDER BY a.at DESC, a.id DESC "
        "LIMIT ? OFFSET ?", (sasaran_id, limit, offset))
    entries = []
    for r in rows:
        at = from_db(r[0])
        assert at is not None
        entries.append(AccessEntry(at=at, reader_id=r[1], reader_name=r[2], reader_role=r[3], what=r[4]))
    return entries, total
