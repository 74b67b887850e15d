"""Form drafts: the committed state of every guided form a member has open.

The engine saves after every answer, before the next question goes out, so a crash,
a restart or a dead battery resumes at the same question with nothing lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Transaction
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class Draft:
    user_id: int
    form: str
    key: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _draft(row: Any) -> Draft:
    created, updated = from_db(row["created_at"]), from_db(row["updated_at"])
    assert created is not None and updated is not None
    return Draft(row["user_id"], row["form"], row["draft_key"], json.loads(row["state_json"]), created, updated)


_COLUMNS = "user_id, form, draft_key, state_json, created_at, updated_at"


async def get(db: Database, user_id: int, form: str) -> Draft | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE user_id = ? AND form = ?", (user_id, form))
    return _draft(row) if row else None


async def by_key(db: Database, key: str) -> Draft | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE draft_key = ?", (key,))
    return _draft(row) if row else None


async def for_user(db: Database, user_id: int) -> list[Draft]:
    """The user's drafts, most recently touched first."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM drafts WHERE user_id = ? ORDER BY updated_at DESC, rowid DESC", (user_id,)
    )
    return [_draft(r) for r in rows]


async def save(db: Database, *, user_id: int, form: str, key: str, state: dict[str, Any], now: datetime) -> None:
    """Insert or replace the user's draft of ``form`` (one per form)."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, form) DO UPDATE SET "
            "draft_key = excluded.draft_key, state_json = excluded.state_json, updated_at = excluded.updated_at",
            (user_id, form, key, json.dumps(state, ensure_ascii=False), to_db(now), to_db(now)),
        )


async def delete(db: Database, key: str) -> None:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM drafts WHERE draft_key = ?", (key,))


async def older_than(db: Database, cutoff: datetime) -> list[Draft]:
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM drafts WHERE updated_at < ?", (to_db(cutoff),))
    return [_draft(r) for r in rows]


async def delete_in_tx(tx: Transaction, key: str) -> None:
    """Delete a draft inside the transaction that stores what it became."""
    await tx.execute("DELETE FROM drafts WHERE draft_key = ?", (key,))
