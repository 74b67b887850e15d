"""The rows of the exports for other systems (bot/exports/layouts.toml), always within
the caller's scope. Identity numbers leave only masked; no phone numbers."""

from __future__ import annotations

from typing import Any

from storage.db import Database
from storage.scope import within

MAX_ROWS = 100_000


async def child_measurements(db: Database, scope: str) -> list[Any]:
    """Every weighing or measuring of a baduta/balita in scope, oldest first."""
    inside, params = within("s.region_code", scope)
    return await db.fetch_all(
        "SELECT s.id AS sasaran_id, s.nik_masked, s.name, s.sex, s.birth_date, k.head_name, s.region_code, "
        "v.visited_on, v.weight_kg, v.height_cm, v.measured_lying, v.haz, v.waz, v.whz FROM kunjungan v "
        "JOIN sasaran s ON s.id = v.sasaran_id "
        f"JOIN keluarga k ON k.id = s.keluarga_id WHERE {inside} AND s.category IN ('baduta', 'balita') "
        "AND s.erased_at IS NULL AND s.anonymised_at IS NULL "
        "AND (v.weight_kg IS NOT NULL OR v.height_cm IS NOT NULL) ORDER BY v.visited_on, v.id LIMIT ?",
        (*params, MAX_ROWS))


async def families(db: Database, scope: str) -> list[Any]:
    """Every family in scope with its KRS factors and its latest visit (by whom)."""
    inside, params = within("k.region_code", scope)
    return await db.fetch_all(
        "SELECT k.id, k.region_code, k.no_kk_masked, k.head_name, k.address, k.rt, k.rw, k.berisiko, "
        "k.water_source, k.latrine, (SELECT group_concat(reason, '; ') FROM keluarga_risk r WHERE r.keluarga_id = k.id)"
        " AS risk_factors, last.visited_on AS verified_on, u.full_name AS verifier FROM keluarga k "
        "LEFT JOIN (SELECT s.keluarga_id, v.visited_on, v.reporter_id, row_number() OVER (PARTITION BY s.keluarga_id "
        "ORDER BY v.visited_on DESC, v.id DESC) AS n FROM kunjungan v JOIN sasaran s ON s.id = v.sasaran_id "
        "WHERE v.kind = 'kunjungan' AND v.impor_id IS NULL) last ON last.keluarga_id = k.id AND last.n = 1 "
        f"LEFT JOIN users u ON u.id = last.reporter_id WHERE {inside} AND k.erased_at IS NULL "
        "AND k.anonymised_at IS NULL ORDER BY k.region_code, k.id LIMIT ?", (*params, MAX_ROWS))
