"""Form drafts: the committed state of every guided form a member has open.

The engine saves after every answer, before the next question goes out, so a crash,
a restart or a dead battery resumes at the same question with nothing lost. A draft
holds what was typed — NIKs, names, health values — so its state is stored encrypted
with the same key as identity numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.crypto import DRAFT_STATE, IdentityCipher
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


_COLUMNS = "user_id, form, draft_key, state_json, created_at, updated_at"


class Drafts:
    """Drafts of one database, sealed with the deployment's key."""

    def __init__(self, db: Database, cipher: IdentityCipher) -> None:
        self.db = db
        self.cipher = cipher

    def _draft(self, row: Any) -> Draft:
        created, updated = from_db(row["created_at"]), from_db(row["updated_at"])
        assert created is not None and updated is not None
        state = json.loads(self.cipher.decrypt(row["state_json"], DRAFT_STATE, row["draft_key"]))
        return Draft(row["user_id"], row["form"], row["draft_key"], state, created, updated)

    async def get(self, user_id: int, form: str) -> Draft | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE user_id = ? AND form = ?",
                                      (user_id, form))
        return self._draft(row) if row else None

    async def by_key(self, key: str) -> Draft | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM drafts WHERE draft_key = ?", (key,))
        return self._draft(row) if row else None

    async def for_user(self, user_id: int) -> list[Draft]:
        """The user's drafts, most recently touched first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM drafts WHERE user_id = ? ORDER BY updated_at DESC, rowid DESC", (user_id,))
        return [self._draft(r) for r in rows]

    async def save(self, *, user_id: int, form: str, key: str, state: dict[str, Any], now: datetime) -> None:
        """Insert or replace the user's draft of ``form`` (one per form)."""
        sealed = self.cipher.encrypt(json.dumps(state, ensure_ascii=False), DRAFT_STATE, key)
        await self.db.write(
            "INSERT INTO drafts (user_id, form, draft_key, state_json, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, form) DO UPDATE SET "
            "draft_key = excluded.draft_key, state_json = excluded.state_json, updated_at = excluded.updated_at",
            (user_id, form, key, sealed, to_db(now), to_db(now)),
        )

    async def restate(self, key: str, state: dict[str, Any]) -> None:
        """Replace a draft's state without counting as activity (its age stays that of
        the last answer): for bookkeeping such as "this question was delivered"."""
        sealed = self.cipher.encrypt(json.dumps(state, ensure_ascii=False), DRAFT_STATE, key)
        await self.db.write("UPDATE drafts SET state_json = ? WHERE draft_key = ?", (sealed, key))

    async def delete(self, key: str) -> None:
        async with self.db.transaction() as tx:
            await delete_in_tx(tx, key)

    async def older_than(self, cutoff: datetime) -> list[Draft]:
        rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM drafts WHERE updated_at < ?", (to_db(cutoff),))
        return [self._draft(r) for r in rows]


async def delete_in_tx(tx: Transaction, key: str) -> None:
    """Delete a draft inside the transaction that stores what it became."""
    await tx.execute("DELETE FROM drafts WHERE draft_key = ?", (key,))
