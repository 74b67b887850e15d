"""What a TPK member's visit tasks are derived from: their own active records and the
date of the last visit to each. Tasks are not stored: recording a kunjungan changes
``last_visit_on`` and with it the plan, so a visit closes its task by itself."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from storage.db import Database
from storage.scope import within


@dataclass(frozen=True)
class TaskSource:
    sasaran_id: int
    keluarga_id: int
    head_name: str
    name: str
    category: str
    hpht: date | None
    hpl: date | None
    delivery_date: date | None
    birth_date: date | None
    registered_on: date
    answers: dict[str, Any]
    last_visit_on: date | None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


async def sources_for_reporter(db: Database, scope: str, reporter_id: int, *, limit: int = 500) -> list[TaskSource]:
    """A member's active, non-erased records inside their scope, by family."""
    inside, params = within("s.region_code", scope)
    rows = await db.fetch_all(
        "SELECT s.id, s.keluarga_id, k.head_name, s.name, s.category, s.hpht, s.hpl, s.delivery_date, "
        "s.birth_date, s.created_at, s.answers_json, "
        "(SELECT max(v.visited_on) FROM kunjungan v WHERE v.sasaran_id = s.id) AS last_visit, "
        "(SELECT min(v.visited_on) FROM kunjungan v WHERE v.sasaran_id = s.id AND v.kind = 'pendaftaran') "
        "AS registered FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id "
        f"WHERE s.reporter_id = ? AND s.status = 'aktif' AND s.erased_at IS NULL AND k.erased_at IS NULL AND {inside} "
        "ORDER BY k.head_name COLLATE NOCASE, k.id, s.id LIMIT ?",
        (reporter_id, *params, limit),
    )
    out = []
    for r in rows:
        registered = _day(r["registered"]) or _day(r["created_at"])
        assert registered is not None
        out.append(TaskSource(
            sasaran_id=r["id"], keluarga_id=r["keluarga_id"], head_name=r["head_name"], name=r["name"],
            category=r["category"], hpht=_day(r["hpht"]), hpl=_day(r["hpl"]), delivery_date=_day(r["delivery_date"]),
            birth_date=_day(r["birth_date"]), registered_on=registered, answers=json.loads(r["answers_json"]),
            last_visit_on=_day(r["last_visit"]),
        ))
    return out
