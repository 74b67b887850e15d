"""The audit log: who did what to which record, when, with before and after."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Transaction
from storage.timefmt import to_db


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


async def record(
    tx: Transaction,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one entry inside the caller's transaction, so the change and its audit
    record are committed together or not at all."""
    await tx.execute(_INSERT, (to_db(at), actor_id, action, entity, str(entity_id), _dump(before), _dump(after)))


async def record_many(tx: Transaction, *, at: datetime, actor_id: int | None, action: str,
                      entries: Iterable[tuple[str, object, dict[str, Any] | None]]) -> None:
    """Append one entry per (entity, entity id, after) of a batch in one statement, as
    :func:`record` would one by one."""
    stamp = to_db(at)
    await tx.execute_many(_INSERT, [(stamp, actor_id, action, entity, str(entity_id), None, _dump(after))
                                    for entity, entity_id, after in entries])


_INSERT = ("INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before_json, after_json) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def history(db: Database, entity: str, entity_id: object) -> list[AuditEntry]:
    rows = await db.fetch_all(
        "SELECT at, actor_id, action, entity, entity_id, before_json, after_json FROM audit_log "
        "WHERE entity = ? AND entity_id = ? ORDER BY id",
        (entity, str(entity_id)),
    )
    return [
        AuditEntry(
            at=r["at"],
            actor_id=r["actor_id"],
            action=r["action"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            before=json.loads(r["before_json"]) if r["before_json"] else None,
            after=json.loads(r["after_json"]) if r["after_json"] else None,
        )
        for r in rows
    ]
