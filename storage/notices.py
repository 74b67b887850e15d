"""Notices: messages to TPK members and coordinators, sent by the same dispatcher.

Whatever the bot has to tell a member because of a mother (she agreed or refused, she
stopped, she cannot be reached, she has not been to her check-up, the daily digest,
the weekly summary) is queued here in the transaction that decided it, with a dedupe
key, so it is sent once even across restarts, within the member's daytime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Transaction
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Notice:
    id: int
    recipient_id: int
    kind: str
    dedupe_key: str
    text: str
    markup: list[list[dict[str, str]]] | None
    state: str
    attempts: int
    sent_at: datetime | None


@dataclass(frozen=True)
class NoticeCandidate:
    id: int
    chat_id: int
    kind: str
    text: str
    markup: list[list[dict[str, str]]] | None
    attempts: int
    region_code: str
    recipient_active: bool


async def queue(
    tx: Transaction,
    *,
    recipient_id: int,
    kind: str,
    dedupe_key: str,
    text: str,
    now: datetime,
    markup: list[list[dict[str, str]]] | None = None,
    send_after: datetime | None = None,
) -> bool:
    """Queue one notice unless one with the same key exists; True when queued."""
    return bool(await tx.execute(
        "INSERT INTO notices (recipient_id, kind, dedupe_key, text, markup_json, send_after, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        (recipient_id, kind, dedupe_key, text, json.dumps(markup) if markup else None,
         to_db(send_after or now), to_db(now)),
    ))


def _markup(text: str | None) -> Any:
    return json.loads(text) if text else None


async def due_candidates(tx: Transaction, *, now: datetime, limit: int) -> list[NoticeCandidate]:
    rows = await tx.fetch_all(
        "SELECT n.id, n.recipient_id, n.kind, n.text, n.markup_json, n.attempts, u.region_code, u.status "
        "FROM notices n JOIN users u ON u.id = n.recipient_id "
        "WHERE n.state = 'scheduled' AND n.send_after <= ? ORDER BY n.send_after, n.id LIMIT ?"
        + tx.dialect.lock("n", skip_locked=True),
        (to_db(now), limit),
    )
    return [
        NoticeCandidate(id=r[0], chat_id=r[1], kind=r[2], text=r[3], markup=_markup(r[4]), attempts=r[5],
                        region_code=r[6], recipient_active=r[7] == "active")
        for r in rows
    ]


async def for_recipient(db: Database, recipient_id: int, *, kind: str | None = None) -> list[Notice]:
    where, params = "recipient_id = ?", [recipient_id]
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    rows = await db.fetch_all(
        "SELECT id, recipient_id, kind, dedupe_key, text, markup_json, state, attempts, sent_at "
        f"FROM notices WHERE {where} ORDER BY id", params,
    )
    return [
        Notice(id=r[0], recipient_id=r[1], kind=r[2], dedupe_key=r[3], text=r[4], markup=_markup(r[5]), state=r[6],
               attempts=r[7], sent_at=from_db(r[8]))
        for r in rows
    ]


# -- periodic summaries ----------------------------------------------------------------------


async def members_without_digest(
    db: Database, *, roles: tuple[str, ...], kind: str, period: str, provinces: tuple[str, ...], limit: int
) -> list[tuple[int, str, str]]:
    """Active members with one of ``roles`` in ``provinces`` (two-digit codes) who have
    no ``kind`` digest for ``period`` yet: (id, region_code, full_name), bounded."""
    if not provinces or not roles:
        return []
    rows = await db.fetch_all(
        f"SELECT u.id, u.region_code, u.full_name FROM users u WHERE u.status = 'active' "
        f"AND u.role IN ({','.join('?' for _ in roles)}) "
        f"AND substr(u.region_code, 1, 2) IN ({','.join('?' for _ in provinces)}) "
        "AND NOT EXISTS (SELECT 1 FROM digest_log d WHERE d.user_id = u.id AND d.kind = ? AND d.period = ?) "
        "ORDER BY u.id LIMIT ?",
        (*roles, *provinces, kind, period, limit),
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def log_digest(tx: Transaction, *, user_id: int, kind: str, period: str, items: int, now: datetime) -> bool:
    """Record that a member's digest for a period was built; False if it already was."""
    return bool(await tx.execute(
        "INSERT INTO digest_log (user_id, kind, period, items, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, kind, period) DO NOTHING",
        (user_id, kind, period, items, to_db(now)),
    ))
