"""An independent recount of the /rekap figures: every raw row read into Python and
counted with plain loops, from the definitions in storage/rekap.py's docstring — no
counters, no triggers, no SQL beyond ``SELECT *``. The tests compare it with what
/rekap shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.age import completed_months
from bot.domain.pregnancy import TrimesterBoundaries
from bot.domain.risk import KeluargaFacts, SasaranFacts, assess_family
from bot.domain.visit_tasks import stale_from
from storage import catalogue
from storage.db import Database


def inside(area: str, code: str) -> bool:
    return area == "ID" or code == area or code.startswith(area + ".")  # "ID": the nation, every code


@dataclass(frozen=True)
class Span:
    first: date  # 1st of the first month
    last: date  # 1st of the last month
    end: date  # last day

    def months(self) -> tuple[str, str]:
        return f"{self.first:%Y-%m}", f"{self.last:%Y-%m}"


def _local_month(stamp: str, zone: ZoneInfo) -> str:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime(
        "%Y-%m")


def _utc_end(day: date, zone: ZoneInfo) -> str:
    return datetime.combine(day, time(23, 59, 59), zone).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _rows(db: Database, table: str) -> list[dict[str, Any]]:
    if table not in await catalogue.table_names(db):
        return []
    return [dict(r) for r in await db.fetch_all(f"SELECT * FROM {table}")]


Tables = dict[str, list[dict[str, Any]]]
_TABLES = ("keluarga", "sasaran", "keluarga_risk", "sasaran_flag", "kunjungan", "reminders", "ibu", "ibu_consent",
           "users", "rekap_state_span")


async def load(db: Database, zone: ZoneInfo) -> Tables:
    """Every row of the tables the figures come from, with local months precomputed."""
    tables = {name: await _rows(db, name) for name in _TABLES}
    for name in ("keluarga", "sasaran", "kunjungan"):
        for row in tables[name]:
            row["_month"] = _local_month(row["created_at"], zone)
    for row in tables["reminders"]:
        row["_sent_month"] = _local_month(row["sent_at"], zone) if row["sent_at"] else None
    return tables


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def turns_months(born: date, months: int, on: date) -> bool:
    """Has a child born on ``born`` completed ``months`` calendar months on ``on``?"""
    return on >= born and completed_months(born, on) >= months


def state_on(s: dict[str, Any], on: date, zone: ZoneInfo, boundaries: TrimesterBoundaries) -> str | None:
    """What a (not erased) member counts as on day ``on`` by the definitions of issue 14,
    written out day by day: nothing before it was reported or after its record ended."""
    reported = datetime.strptime(s["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
    ended = _day(s["ended_on"]) if s["status"] == "selesai" else None
    if on < reported or (ended is not None and on >= ended):
        return None
    category = s["category"]
    born, hpht, delivered = _day(s["birth_date"]), _day(s["hpht"]), _day(s["delivery_date"])
    if category in ("baduta", "balita"):
        if born is None:
            return category
        if on < born or turns_months(born, 60, on):
            return None
        return "balita" if turns_months(born, 24, on) else "baduta"
    if category == "catin":
        wedding = _day(json.loads(s["answers_json"] or "{}").get("nikah"))
        return None if wedding is not None and on >= wedding else "catin"
    if category == "ibu_nifas":
        if delivered is None:
            return "ibu_nifas"
        if on >= delivered:
            return "ibu_nifas" if (on - delivered).days <= 42 else None
    elif category != "ibu_hamil":
        return None
    # pregnant, until the delivery (an ibu_nifas record) or the end of the record; a pregnancy
    # whose record ended on a day not given is over, since an unknown day (migration 0011)
    if s["status"] == "selesai" and ended is None:
        return None
    if hpht is None:
        return "hamil_tanpa_hpht"
    if on < hpht:
        return None
    if on >= stale_from(hpht):  # past 44 weeks: the same day the "update the record" task opens
        return "hamil_lewat"
    return f"hamil_tm{boundaries.trimester((on - hpht).days // 7)}"


@dataclass(frozen=True)
class Assessed:
    """One reassessment as the event list saw it: the day and the facts decided on."""

    day: date
    keluarga_id: int
    family: KeluargaFacts
    members: tuple[SasaranFacts, ...]


def _risk_on(out: Counter[str], assessments: Sequence[Assessed], on: date, families: dict[int, dict[str, Any]],
             members: dict[int, dict[str, Any]]) -> None:
    """Families berisiko, their KRS factors and members' KEK / anaemia on day ``on``: the
    facts of each family's last reassessment on or before ``on``, judged on ``on`` itself
    (so the wife's age and the months since the last birth are those of that day)."""
    latest: dict[int, Assessed] = {}
    for entry in assessments:
        if entry.day <= on:
            latest[entry.keluarga_id] = entry
    for keluarga_id, entry in latest.items():
        assessment = assess_family(entry.family, entry.members, on=on)
        if keluarga_id in families:
            out["keluarga_berisiko"] += assessment.is_berisiko
            for factor in assessment.family_factors:
                out[f"risk_{factor.code.value}"] += 1
        for flag in assessment.member_flags:
            if int(flag.member_ref or 0) in members and flag.code.value in ("kek", "anaemia"):
                out[f"flag_{flag.code.value}"] += 1


def _risk_in_history(out: Counter[str], spans: list[dict[str, Any]], on: date, area: str) -> None:
    """The same from the stored history (rekap_state_span): every span of a record not
    erased that covers ``on``."""
    names = {"berisiko": "keluarga_berisiko", "flag_kek": "flag_kek", "flag_anaemia": "flag_anaemia"}
    for span in spans:
        if span["live"] and inside(area, span["region_code"]) and span["start_day"] <= on.isoformat() < span["end_day"]:
            name = span["name"]
            if name in names or name.startswith("risk_"):
                out[names.get(name, name)] += 1


def recount(tables: Tables, *, area: str, span: Span, today: date, zone: ZoneInfo,
            boundaries: TrimesterBoundaries, desa: list[str],
            assessments: Sequence[Assessed] | None = None) -> dict[str, Any]:
    """The figures of ``area`` for ``span``, keyed like :class:`bot.rekap.figures.Row`.
    With ``assessments`` (every reassessment, in order) risk is counted by the state on the
    reference day; without, as the rows stand (what migration 0017 backfills)."""
    keluarga = [k for k in tables["keluarga"] if inside(area, k["region_code"])]
    all_sasaran = {s["id"]: s for s in tables["sasaran"]}
    sasaran = [s for s in all_sasaran.values() if inside(area, s["region_code"])]
    visits = tables["kunjungan"]
    first, last = span.months()
    ref = min(span.end, today)
    out: Counter[str] = Counter()

    def registered(row: dict[str, Any]) -> bool:
        return row["_month"] <= last

    alive_k = {k["id"]: k for k in keluarga if k["erased_at"] is None}
    for k in alive_k.values():
        if registered(k):
            out["keluarga"] += 1
        if first <= k["_month"] <= last:
            out["keluarga_baru"] += 1
    if assessments is None:  # the stored history, row by row
        _risk_in_history(out, tables["rekap_state_span"], ref, area)
    else:
        _risk_on(out, assessments, ref, alive_k, {i: s for i, s in all_sasaran.items()
                                                  if s["erased_at"] is None and inside(area, s["region_code"])})

    for s in sasaran:
        if s["erased_at"] is None:
            state = state_on(s, ref, zone, boundaries)
            if state is not None:
                out[state] += 1
    out["ibu_hamil"] = out["hamil_tm1"] + out["hamil_tm2"] + out["hamil_tm3"] + out["hamil_tanpa_hpht"]

    alive_s = {i: s for i, s in all_sasaran.items() if s["erased_at"] is None}
    for s in alive_s.values():
        if inside(area, s["region_code"]) and s["hpl"] and first <= s["hpl"][:7] <= last:
            out["hpl"] += 1

    start, end = span.first.isoformat(), span.end.isoformat()
    latest: dict[int, dict[str, Any]] = {}
    for v in visits:
        s = alive_s.get(v["sasaran_id"])
        if s is None or not (start <= v["visited_on"] <= end):
            continue
        if inside(area, v["region_code"]):
            out[v["kind"]] += 1
            if v["outcome"] == "lahir":
                out["lahir"] += 1
            elif v["outcome"] == "keguguran":
                out["keguguran"] += 1
        if s["category"] in ("baduta", "balita") and (v["weight_kg"] is not None or v["height_cm"] is not None):
            best = latest.get(s["id"])
            if best is None or (v["visited_on"], v["id"]) > (best["visited_on"], best["id"]):
                latest[s["id"]] = v
    for v in latest.values():
        if inside(area, v["region_code"]):
            out["anak_ukur"] += 1
            out["anak_tbu"] += v["haz"] is not None
            out["anak_pendek"] += bool(v["stunted"])
            out["anak_kurus"] += bool(v["wasted"])
            out["anak_bbkurang"] += bool(v["underweight"])

    for r in tables["reminders"]:
        s = all_sasaran.get(r["sasaran_id"])
        if r["sent_at"] is None or s is None or not inside(area, s["region_code"]):
            continue
        if first <= r["_sent_month"] <= last:
            out["pengingat_kirim"] += 1
            if r["needs_ack"]:
                out["pengingat_perlu"] += 1
                out["pengingat_jawab"] += r["ack_at"] is not None

    end_utc = _utc_end(span.end, zone)
    for link in tables["ibu"]:
        s = all_sasaran.get(link["sasaran_id"])
        if s and inside(area, s["region_code"]) and link["state"] == "aktif" and link["created_at"] <= end_utc:
            out["ibu_tertaut"] += 1
    agreed = {c["sasaran_id"] for c in tables["ibu_consent"]
              if c["decision"] == "setuju" and c["at"] <= end_utc
              and c["sasaran_id"] in all_sasaran and inside(area, all_sasaran[c["sasaran_id"]]["region_code"])}
    out["ibu_setuju"] = len(agreed)

    # TPK activity: any keluarga, sasaran or kunjungan submitted in the period, in or after the
    # month the member was registered (a report from before cannot be the member's).
    registered = {u["id"]: _local_month(u["created_at"], zone) for u in tables["users"]}
    reporters: set[int] = set()
    reported_areas: set[str] = set()
    for table in ("keluarga", "sasaran", "kunjungan"):
        for row in tables[table]:
            if first <= row["_month"] <= last:
                if row["_month"] >= registered.get(row["reporter_id"], "9999"):
                    reporters.add(row["reporter_id"])
                reported_areas.add(row["region_code"])
    members = [u for u in tables["users"]
               if u["role"] == "tpk" and u["status"] == "active" and inside(area, u["region_code"])
               and u["created_at"] <= end_utc]
    out["tpk_members"] = len(members)
    out["tpk_lapor"] = sum(1 for u in members if u["id"] in reporters)
    result: dict[str, Any] = dict(out)
    result["without_report"] = sorted(code for code in desa if inside(area, code) and code not in reported_areas)
    return result
