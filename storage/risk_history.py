"""The dated history of each family's assessed risk (migration 0017).

``keluarga_risk`` / ``sasaran_flag`` hold the assessment as it stands now, for
/keluarga and the review screens. /rekap needs it as it stood on a period's reference
day, so every reassessment also writes ``rekap_state_span``: one row per family
(``berisiko``, ``risk_<code>``) or member (``flag_<code>``) and span ``[start_day,
end_day)`` of local days, in the same transaction. A reassessment on day D keeps what
was known before D, ends or extends the span running on D, and replaces the spans from
D on by the new timeline (:func:`bot.domain.risk_timeline.risk_timeline`), whose later
entries are the days a 4 Terlalu factor changes by itself. The triggers of 0017 turn
the spans into the same by-month and by-day counters as the membership spans of 0011.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from storage.db import Transaction
from storage.in_lists import in_lists
from storage.rekap import FLAG_CODES, RISK_CODES

OPEN = "9999-12-31"
#: The span names /rekap reads, by the kind of row they hang on.
FAMILY_NAMES = ("berisiko", *(f"risk_{c}" for c in RISK_CODES))
MEMBER_NAMES = tuple(f"flag_{c}" for c in FLAG_CODES)

Span = tuple[str, str, str]  # name, start_day, end_day
#: One family's state from a day on: (day, the span names that hold from it).
Timeline = Sequence[tuple[date, frozenset[str]]]


def segments(timeline: Timeline, allowed: Iterable[str]) -> set[Span]:
    """The spans of a timeline: each name from the day it starts holding to the day it
    stops (or open), consecutive entries merged."""
    keep = set(allowed)
    out: set[Span] = set()
    running: dict[str, str] = {}
    for index, (day, names) in enumerate(timeline):
        for name in list(running):
            if name not in names:
                out.add((name, running.pop(name), day.isoformat()))
        for name in names & keep:
            running.setdefault(name, day.isoformat())
        if index == len(timeline) - 1:
            out.update((name, start, OPEN) for name, start in running.items())
    return out


async def _write(tx: Transaction, subject: str, subject_id: int, day: date, new: set[Span]) -> None:
    """Make the spans of one family or member from ``day`` on equal ``new``, keeping the
    past: the span running on ``day`` is extended if the new state goes on with it, else
    ended on ``day``. Writes only what differs (a reassessment that changes nothing
    writes nothing)."""
    when = day.isoformat()
    rows = await tx.fetch_all("SELECT name, start_day, end_day FROM rekap_state_span"
                              " WHERE subject = ? AND subject_id = ? AND end_day > ?", (subject, subject_id, when))
    new = set(new)
    later: set[Span] = set()
    for name, start, end in rows:
        if start >= when:
            later.add((name, start, end))
            continue
        going_on = next((s for s in new if s[0] == name and s[1] == when), None)
        target = when if going_on is None else going_on[2]
        if going_on is not None:
            new.discard(going_on)
        if target != end:
            await tx.execute("UPDATE rekap_state_span SET end_day = ? WHERE subject = ? AND subject_id = ?"
                             " AND name = ? AND start_day = ?", (target, subject, subject_id, name, start))
    for name, start, _end in later - new:
        await tx.execute("DELETE FROM rekap_state_span WHERE subject = ? AND subject_id = ? AND name = ?"
                         " AND start_day = ?", (subject, subject_id, name, start))
    table = "keluarga" if subject == "keluarga" else "sasaran"
    await tx.execute_many(
        "INSERT INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)"
        f" SELECT ?, id, ?, ?, ?, region_code, CASE WHEN erased_at IS NULL THEN 1 ELSE 0 END FROM {table} WHERE id = ?",
        [(subject, name, start, end, subject_id) for name, start, end in sorted(new - later)])


async def record(tx: Transaction, keluarga_id: int, day: date, family: Timeline,
                 members: Mapping[int, Timeline]) -> None:
    """Store one reassessment made on ``day``: the family's timeline and each member's
    (a member with an empty timeline, no longer active, has its running spans ended)."""
    await _write(tx, "keluarga", keluarga_id, day, segments(family, FAMILY_NAMES))
    for sasaran_id, timeline in members.items():
        await _write(tx, "sasaran", sasaran_id, day, segments(timeline, MEMBER_NAMES))


async def open_spans_for(tx: Transaction, keluarga_ids: Sequence[int], sasaran_ids: Sequence[int]) -> None:
    """Spans for records whose risk rows were written directly (the demo seed): their
    current state from the day each was reported, open — the same as migration 0017's
    backfill of existing data."""
    for ids, sql in ((keluarga_ids, _FAMILY_BACKFILL), (sasaran_ids, _MEMBER_BACKFILL)):
        for marks, chunk in in_lists(ids):
            await tx.execute(sql.replace("{ids}", marks), chunk * sql.count("{ids}"))


async def open_spans_from(tx: Transaction, first_keluarga_id: int, first_sasaran_id: int) -> None:
    """:func:`open_spans_for` every family and member from these ids on, one statement each:
    a bulk load's records (:mod:`storage.bulk_load`), whose ids follow those already there.
    Lists of 500 ids were 27% of the load's time."""
    for first, table, sql in ((first_keluarga_id, "keluarga", _FAMILY_BACKFILL),
                              (first_sasaran_id, "sasaran", _MEMBER_BACKFILL)):
        await tx.execute(sql.replace("{ids}", f"SELECT id FROM {table} WHERE id >= ?"),
                         (first,) * sql.count("{ids}"))


_REPORTED = "date(created_at, (SELECT value FROM rekap_settings WHERE key = 'utc_offset'))"
_FAMILY_BACKFILL = (
    "INSERT OR IGNORE INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)"
    f" SELECT 'keluarga', id, 'berisiko', {_REPORTED}, '{OPEN}', region_code,"
    " CASE WHEN erased_at IS NULL THEN 1 ELSE 0 END FROM keluarga"
    " WHERE berisiko AND id IN ({ids})"
    f" UNION ALL SELECT 'keluarga', k.id, 'risk_' || r.code, date(k.created_at, (SELECT value FROM rekap_settings"
    f" WHERE key = 'utc_offset')), '{OPEN}', k.region_code, CASE WHEN k.erased_at IS NULL THEN 1 ELSE 0 END"
    " FROM keluarga_risk r JOIN keluarga k ON k.id = r.keluarga_id WHERE k.id IN ({ids})"
    f" AND r.code IN ({','.join(repr(c) for c in RISK_CODES)})")
_MEMBER_BACKFILL = (
    "INSERT OR IGNORE INTO rekap_state_span (subject, subject_id, name, start_day, end_day, region_code, live)"
    f" SELECT 'sasaran', s.id, 'flag_' || f.code, date(s.created_at, (SELECT value FROM rekap_settings"
    f" WHERE key = 'utc_offset')), '{OPEN}', s.region_code, CASE WHEN s.erased_at IS NULL THEN 1 ELSE 0 END"
    " FROM sasaran_flag f JOIN sasaran s ON s.id = f.sasaran_id WHERE s.status = 'aktif' AND s.id IN ({ids})"
    f" AND f.code IN ({','.join(repr(c) for c in FLAG_CODES)})")
