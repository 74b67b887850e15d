"""The aggregate queries behind /rekap, /ekspor and the monthly digest.

Counts come from ``rekap_counts``, kept current by the triggers of migration 0004 (one
row per desa/kelurahan, metric and month), and from ``rekap_rollup``, the same summed
per kecamatan, kab/kota and provinsi by the triggers of migration 0006. A query reads
one row per area shown and month, however many families there are.
Every figure means "current records (not erased) in a bucket"; the buckets are:

==================  =================================================  ===============
metric              what is counted                                    bucket (month)
==================  =================================================  ===============
keluarga            families                                           created, local
keluarga_berisiko   families with berisiko = 1 (kept, no longer read)  created, local
risk:<code>         families with that KRS factor (kept, not read)     created, local
inm:<span>          members entering (+1) / leaving (-1) a span        that month
in:<span>:<month>   the same by day, one metric per month              that day
hpl                 members whose HPL falls in the month               HPL
flag:<code>         active members with a health flag (kept, not read) created, local
kunjungan:<kind>    visits / registrations of members not erased       visited_on
outcome:<outcome>   births ('lahir') and losses ('keguguran')          visited_on
anak_*              children measured (chains, see the migration)      measured month
pengingat_kirim     reminders sent (by the member's area)              sent_at, local
pengingat_perlu     of those, asking for an answer (needs_ack)         sent_at, local
pengingat_jawab     of those, answered (ack_at set)                    sent_at, local
tpk                 active TPK members, by their area                  created, local
tpk_lapor           active TPK members' months with a report (chains)  reported, local
==================  =================================================  ===============

"Stock" figures of families are the buckets up to the end of a period: records
registered by then. Families berisiko stunting, each KRS factor and each member health
flag (KEK, anaemia, ...) are counted by their assessed state on the reference day, from
the dated risk history of migration 0017 (``berisiko``, ``risk_<code>``,
``flag_<code>`` spans, :mod:`storage.risk_history`) with the same counters. Members by category (catin, ibu
hamil by trimester, ibu nifas, baduta, balita) are counted by their state on the
period's reference day from membership spans (migration 0011, :data:`SPAN_NAMES`): a
member is counted from the day it was reported, a child is a baduta until the day
before 24 months and a balita until 60, an ibu nifas to day 42, a pregnancy from HPHT
to the birth or loss. "Flow" figures are the buckets inside the period. Reporting
activity lives in ``rekap_activity`` (reports per reporter, desa and month) and its chains
(migration 0021): a member who reported in a period is counted once, at its last month
with a report in it, by the member's area and while it is an active TPK member (from the
month it was registered: those who reported are among those registered by the period's
end); the desa/kelurahan with a report are read from their own chain. (The 0004 metrics ``sasaran:<category>``,
``hamil_hpht`` and ``hamil_tanpa_hpht`` are still kept by their triggers but no longer
read.)

Every reader takes the caller's ``scope`` and the ``area`` asked for, refuses an area
outside the scope (:class:`OutsideScope`), and filters SQL with
:func:`storage.scope.within`.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.regions import NATIONAL, Level, contains
from bot.domain.visit_tasks import stale_from
from storage.db import Database, Transaction
from storage.scope import within
from storage.timefmt import to_db

#: Days from HPHT to the first day "past 44 weeks": /rekap's hamil_lewat band and the
#: visit task to update the record open on the same day (one rule, bot.domain.visit_tasks).
STALE_DAY = (stale_from(date(2000, 1, 1)) - date(2000, 1, 1)).days
#: Length of a region code at each level (provinsi, kab/kota, kecamatan, desa/kelurahan).
CODE_LENGTH = {1: 2, 2: 5, 3: 8, 4: 13}
#: The level counters are kept at (rekap_counts); the levels above are rolled up.
DESA_LEVEL = 4
#: The nation's level: no counters of its own, the sum of the provinces' roll-ups.
NATIONAL_LEVEL = int(Level.NASIONAL)

CATEGORIES = ("catin", "ibu_hamil", "ibu_nifas", "baduta", "balita")
RISK_CODES = ("water", "latrine", "terlalu_muda", "terlalu_tua", "terlalu_dekat", "terlalu_banyak", "no_modern_kb")
FLAG_CODES = ("kek", "anaemia", "bblr", "short_birth_length", "kms_2t")
CHILD_METRICS = ("anak_ukur", "anak_tbu", "anak_pendek", "anak_kurus", "anak_bbkurang")
#: Chains counted once in a period, at their last month in it (the children's measurements,
#: migration 0004; the TPK members' months with a report, migration 0021).
CHAIN_METRICS = (*CHILD_METRICS, "tpk_lapor")
#: Stocks by the month registered: families and active TPK members registered by the end of a period.
STOCK_METRICS = ("keluarga", "tpk")
#: Membership spans (migration 0011): a member is in one of these on day R when R lies
#: in its span; counted from its 'in:'/'inm:' counters on the reference day.
SPAN_NAMES = ("catin", "ibu_nifas", "baduta", "balita", "hamil_tm1", "hamil_tm2", "hamil_tm3", "hamil_lewat",
              "hamil_tanpa_hpht")
#: The category each span belongs to (the trimesters and "lewat" are ibu hamil).
SPAN_CATEGORY = {name: "ibu_hamil" if name.startswith("hamil_") else name for name in SPAN_NAMES}
#: Where each span is kept in :class:`AreaCounts`: (counter group, key), as build_figures reads them.
SPAN_TARGETS = {
    "catin": ("stock", "sasaran:catin"), "ibu_nifas": ("stock", "sasaran:ibu_nifas"),
    "baduta": ("stock", "sasaran:baduta"), "balita": ("stock", "sasaran:balita"),
    "hamil_tm1": ("pregnant", "tm1"), "hamil_tm2": ("pregnant", "tm2"), "hamil_tm3": ("pregnant", "tm3"),
    "hamil_lewat": ("pregnant", "lewat"), "hamil_tanpa_hpht": ("stock", "hamil_tanpa_hpht"),
    # the dated risk history (migration 0017, storage/risk_history.py): by the state on the day too
    "berisiko": ("stock", "keluarga_berisiko"),
    **{f"risk_{c}": ("stock", f"risk:{c}") for c in RISK_CODES},
    **{f"flag_{c}": ("stock", f"flag:{c}") for c in FLAG_CODES},
}
#: Every span name counted on the reference day: membership (0011) and risk state (0017).
DAY_SPAN_NAMES = tuple(SPAN_TARGETS)
FLOW_METRICS = ("keluarga", "hpl", "kunjungan:kunjungan", "kunjungan:pendaftaran", "outcome:lahir",
                "outcome:keguguran", "pengingat_kirim", "pengingat_perlu", "pengingat_jawab")


class OutsideScope(PermissionError):
    """An area outside the caller's scope was asked for."""


def _inside(scope: str, area: str, column: str = "region_code") -> tuple[str, tuple[str, ...]]:
    """SQL for "``column`` lies inside ``area``", after checking ``area`` lies inside
    ``scope``. The range beside :func:`within` only lets SQLite use the index (LIKE on
    a BINARY column cannot); it never widens the condition."""
    if not contains(scope, area):
        raise OutsideScope(area)
    if area == NATIONAL:
        return within(column, area)  # every code: no narrower range to seek
    if len(area) == CODE_LENGTH[DESA_LEVEL]:
        # Nothing lies below a desa/kelurahan: an equality lets SQLite seek on the next key
        # column too (a counter's month), where a range on region_code stops the seek there.
        return f"{column} = ?", (area,)
    condition, params = within(column, area)
    return f"{condition} AND {column} >= ? AND {column} < ?", (*params, area, area + "/")


# -- the deployment's zone -------------------------------------------------------------


def offset_modifier(zone: ZoneInfo, at: datetime) -> str:
    """The zone's UTC offset as an SQLite date modifier, e.g. '+420 minutes'.
    Indonesian zones have no daylight saving, so one offset is exact."""
    offset = zone.utcoffset(at.replace(tzinfo=None)) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes:+d} minutes"


async def ensure_zone(db: Database, modifier: str) -> bool:
    """Make the triggers bucket by ``modifier``; rebuilds every counter when it changes
    (once, at the first start of a deployment outside WIB). Returns True if rebuilt."""
    current = await db.fetch_value("SELECT value FROM rekap_settings WHERE key = 'utc_offset'")
    if current == modifier:
        return False
    async with db.transaction() as tx:
        await tx.execute("UPDATE rekap_settings SET value = ? WHERE key = 'utc_offset'", (modifier,))
        await rebuild_counts(tx)
    return True


async def ensure_trimester(db: Database, tm2_day: int, tm3_day: int, lewat_day: int = STALE_DAY) -> bool:
    """Make the pregnancy spans use the configured trimesters and the post-term day
    (their first day since HPHT); rebuilds every counter when they change. Returns True
    if rebuilt."""
    wanted = {"tm2_day": str(tm2_day), "tm3_day": str(tm3_day), "lewat_day": str(lewat_day)}
    rows = dict(await db.fetch_all("SELECT key, value FROM rekap_settings WHERE key IN ('tm2_day', 'tm3_day',"
                                   " 'lewat_day')"))
    if rows == wanted:
        return False
    async with db.transaction() as tx:
        for key, value in wanted.items():
            await tx.execute("INSERT INTO rekap_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                             "SET value = excluded.value", (key, str(value)))
        await rebuild_counts(tx)
    return True


_OFFSET = "(SELECT value FROM rekap_settings WHERE key = 'utc_offset')"
_UPSERT = "ON CONFLICT (metric, region_code, month, until) DO UPDATE SET value = value + excluded.value"


async def _span_counts(tx: Transaction, spans: str) -> None:
    """The counters of ``spans`` (a table or subquery of name, region_code, start_day and
    end_day), grouped: +1 on the start day and month, -1 on the end's, as the span
    triggers of migrations 0011 and 0017 add them a span at a time."""
    await tx.execute(
        "INSERT INTO rekap_counts (metric, region_code, month, until, value) "
        "SELECT metric, region_code, month, '', sum(delta) FROM ("
        f" SELECT 'inm:' || name AS metric, region_code, substr(start_day, 1, 7) AS month, 1 AS delta FROM {spans} a"
        f" UNION ALL SELECT 'in:' || name || ':' || substr(start_day, 1, 7), region_code, start_day, 1 FROM {spans} b"
        f" UNION ALL SELECT 'inm:' || name, region_code, substr(end_day, 1, 7), -1 FROM {spans} c"
        "  WHERE end_day <> '9999-12-31'"
        f" UNION ALL SELECT 'in:' || name || ':' || substr(end_day, 1, 7), region_code, end_day, -1 FROM {spans} d"
        "  WHERE end_day <> '9999-12-31'"
        f") WHERE true GROUP BY metric, region_code, month ORDER BY metric, region_code, month {_UPSERT}"
    )


async def rebuild_counts(tx: Transaction) -> None:
    """Recompute every counter from the raw tables, independently of the triggers
    (the tests compare both). Mirror and child-month rows are inserted and their own
    triggers add their counters."""
    # rekap_activity and its chains before the counters: their triggers take theirs back.
    for table in ("rekap_span", "rekap_risk", "rekap_flag", "rekap_child_month", "rekap_activity",
                  "rekap_reporter_month", "rekap_desa_month", "rekap_counts", "rekap_totals", "rekap_rollup"):
        await tx.execute(f"DELETE FROM {table}")
    await tx.execute("INSERT INTO rekap_span SELECT * FROM rekap_span_source")
    # The risk history is a record of what was assessed when, not derived: kept, recounted.
    await _span_counts(tx, "(SELECT * FROM rekap_state_span WHERE live)")
    await tx.execute(
        "INSERT INTO rekap_counts (metric, region_code, month, until, value) "
        f"SELECT metric, region_code, month, '', count(*) FROM ("
        f" SELECT 'keluarga' AS metric, region_code, strftime('%Y-%m', created_at, {_OFFSET}) AS month"
        "  FROM keluarga WHERE erased_at IS NULL"
        f" UNION ALL SELECT 'keluarga_berisiko', region_code, strftime('%Y-%m', created_at, {_OFFSET})"
        "  FROM keluarga WHERE erased_at IS NULL AND berisiko"
        f" UNION ALL SELECT 'sasaran:' || category, region_code, strftime('%Y-%m', created_at, {_OFFSET})"
        "  FROM sasaran WHERE erased_at IS NULL AND status = 'aktif' AND category <> 'ibu_hamil'"
        " UNION ALL SELECT 'hamil_hpht', region_code, date(hpht) FROM sasaran"
        "  WHERE erased_at IS NULL AND status = 'aktif' AND category = 'ibu_hamil' AND hpht IS NOT NULL"
        f" UNION ALL SELECT 'hamil_tanpa_hpht', region_code, strftime('%Y-%m', created_at, {_OFFSET}) FROM sasaran"
        "  WHERE erased_at IS NULL AND status = 'aktif' AND category = 'ibu_hamil' AND hpht IS NULL"
        " UNION ALL SELECT 'hpl', region_code, substr(hpl, 1, 7) FROM sasaran"
        "  WHERE erased_at IS NULL AND hpl IS NOT NULL"
        " UNION ALL SELECT 'kunjungan:' || k.kind, k.region_code, substr(k.visited_on, 1, 7)"
        "  FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id WHERE s.erased_at IS NULL"
        " UNION ALL SELECT 'outcome:' || k.outcome, k.region_code, substr(k.visited_on, 1, 7)"
        "  FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id"
        "  WHERE s.erased_at IS NULL AND k.outcome IS NOT NULL"
        f" UNION ALL SELECT 'pengingat_kirim', s.region_code, strftime('%Y-%m', r.sent_at, {_OFFSET})"
        "  FROM reminders r JOIN sasaran s ON s.id = r.sasaran_id WHERE r.sent_at IS NOT NULL"
        f" UNION ALL SELECT 'pengingat_perlu', s.region_code, strftime('%Y-%m', r.sent_at, {_OFFSET})"
        "  FROM reminders r JOIN sasaran s ON s.id = r.sasaran_id WHERE r.sent_at IS NOT NULL AND r.needs_ack"
        f" UNION ALL SELECT 'pengingat_jawab', s.region_code, strftime('%Y-%m', r.sent_at, {_OFFSET})"
        "  FROM reminders r JOIN sasaran s ON s.id = r.sasaran_id"
        "  WHERE r.sent_at IS NOT NULL AND r.needs_ack AND r.ack_at IS NOT NULL"
        f" UNION ALL SELECT 'tpk', region_code, strftime('%Y-%m', created_at, {_OFFSET}) FROM users"
        "  WHERE role = 'tpk' AND status = 'active'"
        f") WHERE true GROUP BY metric, region_code, month ORDER BY metric, region_code, month {_UPSERT}"
    )
    await tx.execute(
        "INSERT INTO rekap_risk (keluarga_id, code, region_code, month, live) "
        f"SELECT r.keluarga_id, r.code, k.region_code, strftime('%Y-%m', k.created_at, {_OFFSET}), "
        "k.erased_at IS NULL FROM keluarga_risk r JOIN keluarga k ON k.id = r.keluarga_id"
    )
    await tx.execute(
        "INSERT INTO rekap_flag (sasaran_id, code, region_code, month, live) "
        f"SELECT f.sasaran_id, f.code, s.region_code, strftime('%Y-%m', s.created_at, {_OFFSET}), "
        "s.erased_at IS NULL AND s.status = 'aktif' FROM sasaran_flag f JOIN sasaran s ON s.id = f.sasaran_id"
    )
    await tx.execute(
        "INSERT INTO rekap_child_month (sasaran_id, month, region_code, next_month, tbu, stunted, wasted, "
        "underweight) SELECT sasaran_id, month, region_code, lead(month) OVER (PARTITION BY sasaran_id "
        "ORDER BY month), tbu, stunted, wasted, underweight FROM ("
        " SELECT k.sasaran_id, substr(k.visited_on, 1, 7) AS month, k.region_code, k.haz IS NOT NULL AS tbu,"
        " coalesce(k.stunted, 0) AS stunted, coalesce(k.wasted, 0) AS wasted,"
        " coalesce(k.underweight, 0) AS underweight, row_number() OVER (PARTITION BY k.sasaran_id,"
        " substr(k.visited_on, 1, 7) ORDER BY k.visited_on DESC, k.id DESC) AS rn"
        " FROM kunjungan k JOIN sasaran s ON s.id = k.sasaran_id"
        " WHERE (k.weight_kg IS NOT NULL OR k.height_cm IS NOT NULL) AND s.erased_at IS NULL"
        " AND s.category IN ('baduta', 'balita')) WHERE rn = 1"
    )
    await tx.execute(
        "INSERT INTO rekap_activity (user_id, month, region_code, reports) "
        "SELECT reporter_id, month, region_code, count(*) FROM ("
        f" SELECT reporter_id, strftime('%Y-%m', created_at, {_OFFSET}) AS month, region_code FROM keluarga"
        f" UNION ALL SELECT reporter_id, strftime('%Y-%m', created_at, {_OFFSET}), region_code FROM sasaran"
        f" UNION ALL SELECT reporter_id, strftime('%Y-%m', created_at, {_OFFSET}), region_code FROM kunjungan"
        ") GROUP BY reporter_id, month, region_code"
    )


#: The chains of migration 0021 made from rekap_activity in one statement each, where its
#: triggers add a link at a time: a member's months with a report (counted while it is an
#: active TPK member, by its area now, from the month it was registered), and a desa's.
_CHAIN_FILLS = (
    "INSERT INTO rekap_reporter_month (user_id, month, next_month, region_code, live)"
    " SELECT a.user_id, a.month, lead(a.month) OVER (PARTITION BY a.user_id ORDER BY a.month),"
    " coalesce(u.region_code, ''), CASE WHEN u.role = 'tpk' AND u.status = 'active'"
    f" AND a.month >= strftime('%Y-%m', u.created_at, {_OFFSET}) THEN 1 ELSE 0 END"
    " FROM (SELECT user_id, month FROM rekap_activity GROUP BY user_id, month HAVING sum(reports) > 0) a"
    " LEFT JOIN users u ON u.id = a.user_id",
    "INSERT INTO rekap_desa_month (region_code, month, next_month)"
    " SELECT region_code, month, lead(month) OVER (PARTITION BY region_code ORDER BY month)"
    " FROM (SELECT region_code, month FROM rekap_activity GROUP BY region_code, month HAVING sum(reports) > 0) a",
)


#: The tables whose triggers turn records into counters (derived rows, then rekap_counts, then
#: the roll-ups and totals): what :func:`recount_without_triggers` does in their place.
COUNTER_TRIGGER_TABLES = ("rekap_span", "rekap_risk", "rekap_flag", "rekap_child_month", "rekap_state_span",
                          "rekap_activity", "rekap_reporter_month", "rekap_desa_month", "rekap_counts")


async def recount_without_triggers(tx: Transaction) -> None:
    """:func:`rebuild_counts` with the triggers of :data:`COUNTER_TRIGGER_TABLES` switched off
    by the caller, and what those triggers would have added done in one grouped statement
    each: the reporters' and desa's chains (migration 0021), the spans' day and month counters,
    the KRS factors, the member flags, the children's months and the reporters' chains' counters,
    then the running totals and the roll-ups (the statements migrations
    0004 and 0006 filled them with). A bulk load on PostgreSQL (:mod:`storage.bulk_load`) runs it
    instead of a trigger per row; the tests check it gives every counter the triggers give.
    Each insert comes in its table's key order, so that the key's index grows at its end
    instead of taking tens of millions of entries at random places."""
    await rebuild_counts(tx)
    for fill in _CHAIN_FILLS:
        await tx.execute(fill)
    await _span_counts(tx, "rekap_span")
    await tx.execute(
        "INSERT INTO rekap_counts (metric, region_code, month, until, value) "
        "SELECT metric, region_code, month, until, count(*) FROM ("
        " SELECT 'risk:' || code AS metric, region_code, month, '' AS until FROM rekap_risk WHERE live"
        " UNION ALL SELECT 'flag:' || code, region_code, month, '' FROM rekap_flag WHERE live"
        " UNION ALL SELECT 'anak_ukur', region_code, month, coalesce(next_month, '') FROM rekap_child_month"
        " UNION ALL SELECT 'anak_tbu', region_code, month, coalesce(next_month, '') FROM rekap_child_month WHERE tbu"
        " UNION ALL SELECT 'anak_pendek', region_code, month, coalesce(next_month, '') FROM rekap_child_month"
        "  WHERE stunted"
        " UNION ALL SELECT 'anak_kurus', region_code, month, coalesce(next_month, '') FROM rekap_child_month"
        "  WHERE wasted"
        " UNION ALL SELECT 'anak_bbkurang', region_code, month, coalesce(next_month, '') FROM rekap_child_month"
        "  WHERE underweight"
        " UNION ALL SELECT 'tpk_lapor', region_code, month, coalesce(next_month, '') FROM rekap_reporter_month"
        "  WHERE live"
        f") WHERE true GROUP BY metric, region_code, month, until ORDER BY metric, region_code, month, until {_UPSERT}"
    )
    await tx.execute("DELETE FROM rekap_totals")
    await tx.execute("INSERT INTO rekap_totals (metric, region_code, value) SELECT metric, region_code, sum(value)"
                     " FROM rekap_counts WHERE until = '' GROUP BY metric, region_code ORDER BY metric, region_code")
    await rebuild_rollups(tx)


async def rebuild_rollups(tx: Transaction) -> None:
    """The roll-ups of every level above desa (what migration 0006's triggers keep), each
    level summed from the one below it, deepest first: a kecamatan's rows from its desa'
    counters, a kabupaten's from its kecamatan's roll-ups, and so on, plus any counter kept
    at a code between the two levels. Grouping every counter for all three levels at once
    sorts and spills each counter three times (at ten million sasaran, some hundred million
    of them); this way only the deepest level reads the counters, and each level above
    groups the fewer rows of the one below."""
    await tx.execute("DELETE FROM rekap_rollup")
    columns = "metric, region_code, month, until, value"
    for level in range(DESA_LEVEL - 1, 0, -1):
        width, below = CODE_LENGTH[level], CODE_LENGTH[level + 1]
        prefix = f"substr(region_code, 1, {width})"
        if level + 1 == DESA_LEVEL:
            rows = f"SELECT {columns} FROM rekap_counts WHERE length(region_code) > {width}"
        else:
            rows = (f"SELECT {columns} FROM rekap_rollup WHERE level = {level + 1} UNION ALL SELECT {columns}"
                    f" FROM rekap_counts WHERE length(region_code) > {width} AND length(region_code) <= {below}")
        await tx.execute(
            "INSERT INTO rekap_rollup (metric, level, region_code, month, until, value)"
            f" SELECT metric, {level}, {prefix}, month, until, sum(value) FROM ({rows}) AS below"
            f" GROUP BY metric, {prefix}, month, until ORDER BY metric, {prefix}, month, until")


async def counter_snapshot(db: Database) -> dict[tuple[str, str, str, str], int]:
    """Every non-zero counter, roll-up (shorter region codes) and running total (month
    '*'): to compare the triggers with :func:`rebuild_counts`."""
    rows = await db.fetch_all("SELECT metric, region_code, month, until, value FROM rekap_counts WHERE value <> 0"
                              " UNION ALL SELECT metric, region_code, '*', '', value FROM rekap_totals"
                              " WHERE value <> 0"
                              " UNION ALL SELECT metric, region_code, month, until, value FROM rekap_rollup"
                              " WHERE value <> 0")
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


async def activity_snapshot(db: Database) -> dict[tuple[int, str, str], int]:
    rows = await db.fetch_all("SELECT user_id, month, region_code, reports FROM rekap_activity WHERE reports <> 0")
    return {(r[0], r[1], r[2]): r[3] for r in rows}


async def drop_zero_counts(db: Database) -> int:
    """Forget counters that went back to zero (a closed pregnancy's HPHT day, ...)."""
    async with db.transaction() as tx:
        removed = await tx.execute("DELETE FROM rekap_counts WHERE value = 0")
        await tx.execute("DELETE FROM rekap_rollup WHERE value = 0")
        removed += await tx.execute("DELETE FROM rekap_activity WHERE reports = 0")
    return removed


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A period and the one it is compared with: months as 'YYYY-MM', and the last
    instant of each (UTC, as stored) for "registered by the end"."""

    first: str
    last: str
    prev_first: str
    prev_last: str
    start_utc: datetime
    end_utc: datetime
    prev_start_utc: datetime
    prev_end_utc: datetime
    #: The local days members are counted on (the period's last day, or today while it runs).
    reference_day: date
    prev_reference_day: date


@dataclass
class AreaCounts:
    """Raw counts for one area, for the period ("cur") and the compared one ("prev")."""

    stock: Counter[str] = field(default_factory=Counter)
    stock_prev: Counter[str] = field(default_factory=Counter)
    flow: Counter[str] = field(default_factory=Counter)
    flow_prev: Counter[str] = field(default_factory=Counter)
    children: Counter[str] = field(default_factory=Counter)
    children_prev: Counter[str] = field(default_factory=Counter)
    pregnant: Counter[str] = field(default_factory=Counter)
    pregnant_prev: Counter[str] = field(default_factory=Counter)
    members: int = 0
    members_prev: int = 0
    reporters: int = 0
    reporters_prev: int = 0


def _counters_at(group_level: int) -> str:
    """``FROM`` and the start of ``WHERE`` for counters grouped at ``group_level``: the
    roll-up of that level (one row per area of the level, metric and month; migration
    0006), or rekap_counts itself for desa/kelurahan. Reading the roll-up keeps a city's
    /rekap from adding up every desa's rows, so its cost does not grow with the data. The
    nation reads the 38 provinces' roll-ups: a national row would be one row that every
    report in the country writes."""
    if group_level >= DESA_LEVEL:
        return "rekap_counts WHERE true"
    return f"rekap_rollup WHERE level = {max(int(group_level), int(Level.PROVINSI))}"


def _totals_at(group_level: int) -> str:
    """``FROM`` and the start of ``WHERE`` for the running totals (every month summed) grouped at
    ``group_level``: rekap_totals for desa/kelurahan; above, the roll-up of that level over
    all its months, a row per area, metric and month. rekap_totals keeps one row per desa, so
    a nation's totals read 83,000 desa's rows (65 ms at 100,000 sasaran, growing with the
    desa that have data); the roll-up reads 38 provinces' months."""
    if group_level >= DESA_LEVEL:
        return "rekap_totals WHERE true"
    return f"{_counters_at(group_level)} AND until = ''"


def area_key(column: str, group_level: int) -> str:
    """SQL for the area a row counts toward when grouped at ``group_level``: its region code
    cut to that level's length, or the nation for every row."""
    if group_level == NATIONAL_LEVEL:
        return f"'{NATIONAL}'"
    return f"substr({column}, 1, {CODE_LENGTH[group_level]})"


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" for _ in values)


async def area_counts(
    db: Database,
    *,
    scope: str,
    area: str,
    group_level: int,
    window: Window,
) -> dict[str, AreaCounts]:
    """Counts inside ``area`` grouped by the region code cut at ``group_level`` (the
    area's own level for its total, the next level for the breakdown)."""
    inside, params = _inside(scope, area)
    key = area_key("region_code", group_level)
    counters = _counters_at(group_level)
    out: dict[str, AreaCounts] = {}

    def of(code: str) -> AreaCounts:
        return out.setdefault(code, AreaCounts())

    w = window
    # A stock at the end of a month is the running total minus the buckets after it.
    rows = await db.fetch_all(
        f"SELECT {key} AS a, metric, sum(value) FROM {_totals_at(group_level)}"
        f" AND metric IN ({_marks(STOCK_METRICS)}) AND {inside} GROUP BY a, metric",
        (*STOCK_METRICS, *params),
    )
    for code, metric, total in rows:
        counts = of(code)
        counts.stock[metric] += total
        counts.stock_prev[metric] += total
    rows = await db.fetch_all(
        f"SELECT {key} AS a, metric,"
        " sum(CASE WHEN month > ? THEN value ELSE 0 END), sum(value)"
        f" FROM {counters} AND metric IN ({_marks(STOCK_METRICS)}) AND {inside} AND month > ?"
        " GROUP BY a, metric",
        (w.last, *STOCK_METRICS, *params, w.prev_last),
    )
    for code, metric, after, after_prev in rows:
        counts = of(code)
        counts.stock[metric] -= after
        counts.stock_prev[metric] -= after_prev
    # Flows: only the months of the two periods.
    rows = await db.fetch_all(
        f"SELECT {key} AS a, metric,"
        " sum(CASE WHEN month >= ? AND month <= ? THEN value ELSE 0 END),"
        " sum(CASE WHEN month >= ? AND month <= ? THEN value ELSE 0 END)"
        f" FROM {counters} AND metric IN ({_marks(FLOW_METRICS)}) AND {inside} AND month >= ? AND month <= ?"
        " GROUP BY a, metric",
        (w.first, w.last, w.prev_first, w.prev_last, *FLOW_METRICS, *params, min(w.first, w.prev_first),
         max(w.last, w.prev_last)),
    )
    for code, metric, flow, flow_prev in rows:
        counts = of(code)
        counts.flow[metric] += flow
        counts.flow_prev[metric] += flow_prev

    rows = await db.fetch_all(
        f"SELECT {key} AS a, metric,"
        " sum(CASE WHEN month >= ? AND month <= ? AND (until = '' OR until > ?) THEN value ELSE 0 END),"
        " sum(CASE WHEN month >= ? AND month <= ? AND (until = '' OR until > ?) THEN value ELSE 0 END)"
        f" FROM {counters} AND metric IN ({_marks(CHAIN_METRICS)}) AND {inside} AND month >= ? AND month <= ?"
        " GROUP BY a, metric",
        (w.first, w.last, w.last, w.prev_first, w.prev_last, w.prev_last, *CHAIN_METRICS, *params,
         min(w.first, w.prev_first), w.last),
    )
    for code, metric, cur, prev in rows:
        of(code).children[metric] += cur
        of(code).children_prev[metric] += prev

    await _spans(db, inside, params, group_level, (w.reference_day, w.prev_reference_day), of)
    for counts in out.values():
        # TPK activity has fields of its own (the members and those of them who reported), ints
        # as declared: PostgreSQL's sum() of a BIGINT is a Decimal.
        counts.members, counts.members_prev = int(counts.stock.pop("tpk", 0)), int(counts.stock_prev.pop("tpk", 0))
        counts.reporters = int(counts.children.pop("tpk_lapor", 0))
        counts.reporters_prev = int(counts.children_prev.pop("tpk_lapor", 0))
    return out


async def _spans(db: Database, inside: str, params: tuple[str, ...], group_level: int, days: tuple[date, date],
                 of: Any) -> None:
    """Members in each span on the two reference days, from counters: a row per month
    still to come and per day of one month, never one per member. On day R of month M,
    either the running total minus the month buckets from M on plus the day buckets of M
    up to R, or — when fewer days of M follow R — the total minus the month buckets
    after M minus the day buckets after R. The day rows read are at most half a month's
    (none on a month's last day, the day a closed month is counted on)."""
    key = area_key("region_code", group_level)
    counters = _counters_at(group_level)
    months = [f"{d:%Y-%m}" for d in days]
    # From the month's end back when that reads fewer days: R is past the month's middle.
    backward = [(calendar.monthrange(d.year, d.month)[1] - d.day) < d.day for d in days]
    monthly = tuple(f"inm:{n}" for n in DAY_SPAN_NAMES)
    found: dict[tuple[str, str], list[int]] = {}

    def add(code: str, metric: str, values: Iterable[int]) -> None:
        name = metric.split(":")[1]
        current = found.setdefault((code, name), [0, 0])
        for index, value in enumerate(values):
            current[index] += value or 0

    for code, metric, total in await db.fetch_all(
            f"SELECT {key} AS a, metric, sum(value) FROM {_totals_at(group_level)}"
            f" AND metric IN ({_marks(monthly)}) AND {inside} GROUP BY a, metric", (*monthly, *params)):
        add(code, metric, (total, total))
    after = [">" if back else ">=" for back in backward]
    for code, metric, cur, prev in await db.fetch_all(
            f"SELECT {key} AS a, metric,"
            f" -sum(CASE WHEN month {after[0]} ? THEN value ELSE 0 END),"
            f" -sum(CASE WHEN month {after[1]} ? THEN value ELSE 0 END)"
            f" FROM {counters} AND metric IN ({_marks(monthly)}) AND {inside} AND month >= ? GROUP BY a, metric",
            (months[0], months[1], *monthly, *params, min(months))):
        add(code, metric, (cur, prev))
    # The day buckets each reference day adds (+1) or takes off (-1), one query per day so
    # that each reads only its own days: (sign, first day, last day).
    for index, (day, month, back) in enumerate(zip(days, months, backward, strict=True)):
        sign, first, last = (-1, (day + timedelta(days=1)).isoformat(), f"{month}-31") if back \
            else (1, f"{month}-01", day.isoformat())
        metrics = tuple(f"in:{n}:{month}" for n in DAY_SPAN_NAMES)
        for code, metric, value in await db.fetch_all(
                f"SELECT {key} AS a, metric, sum(value)"
                f" FROM {counters} AND metric IN ({_marks(metrics)}) AND {inside} AND month >= ? AND month <= ?"
                " GROUP BY a, metric", (*metrics, *params, first, last)):
            add(code, metric, [0, sign * value] if index else [sign * value])
    for (code, name), (cur, prev) in found.items():
        counts = of(code)
        group, key = SPAN_TARGETS[name]
        getattr(counts, group)[key] += cur
        getattr(counts, f"{group}_prev")[key] += prev


async def areas_with_reports(db: Database, *, scope: str, area: str, first: str, last: str) -> set[str]:
    """Desa/kelurahan codes inside ``area`` with at least one report in the months: each
    desa's last month with a report in them (migration 0021's chain), one row per desa
    however many members and months reported, joined into one text: the 57,000 rows of a
    national /rekap at 1,000,000 sasaran took 60 ms to fetch one by one, the SQL 9 ms."""
    inside, params = _inside(scope, area)
    codes = await db.fetch_value(
        f"SELECT group_concat(region_code) FROM rekap_desa_month WHERE month >= ? AND month <= ? AND {inside}"
        " AND (next_month IS NULL OR next_month > ?)",
        (first, last, *params, last),
    )
    return set(codes.split(",")) if codes else set()


# -- the monthly digest --------------------------------------------------------------


@dataclass(frozen=True)
class DigestRecipient:
    user_id: int
    region_code: str


async def digest_recipients(db: Database, month: str) -> list[DigestRecipient]:
    """Active coordinators who did not switch the digest off and have no record for
    ``month`` yet."""
    rows = await db.fetch_all(
        "SELECT u.id, u.region_code FROM users u WHERE u.role = 'koordinator' AND u.status = 'active'"
        " AND NOT EXISTS (SELECT 1 FROM rekap_digest_optout o WHERE o.user_id = u.id)"
        " AND NOT EXISTS (SELECT 1 FROM rekap_digest_sent d WHERE d.user_id = u.id AND d.month = ?)"
        " ORDER BY u.id",
        (month,),
    )
    return [DigestRecipient(r[0], r[1]) for r in rows]


async def claim_digest(db: Database, user_id: int, month: str, now: datetime) -> bool:
    """Reserve the digest of ``month`` for ``user_id``; False if someone already did."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "INSERT INTO rekap_digest_sent (user_id, month, status, at) VALUES (?, ?, 'sending', ?)"
            " ON CONFLICT (user_id, month) DO NOTHING",
            (user_id, month, to_db(now)),
        )
    return changed == 1


async def finish_digest(db: Database, user_id: int, month: str, status: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute("UPDATE rekap_digest_sent SET status = ?, at = ? WHERE user_id = ? AND month = ?",
                         (status, to_db(now), user_id, month))


async def release_digest(db: Database, user_id: int, month: str) -> None:
    """Undo a claim after a temporary failure, so the next tick tries again."""
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM rekap_digest_sent WHERE user_id = ? AND month = ? AND status = 'sending'",
                         (user_id, month))


async def digest_status(db: Database, user_id: int, month: str) -> str | None:
    return await db.fetch_value("SELECT status FROM rekap_digest_sent WHERE user_id = ? AND month = ?",
                                (user_id, month))


async def set_digest(db: Database, user_id: int, *, enabled: bool, now: datetime) -> None:
    async with db.transaction() as tx:
        if enabled:
            await tx.execute("DELETE FROM rekap_digest_optout WHERE user_id = ?", (user_id,))
        else:
            await tx.execute(
                "INSERT INTO rekap_digest_optout (user_id, updated_at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at",
                (user_id, to_db(now)),
            )


async def digest_enabled(db: Database, user_id: int) -> bool:
    return not await db.fetch_value("SELECT count(*) FROM rekap_digest_optout WHERE user_id = ?", (user_id,))


def month_keys(months: Iterable[date]) -> list[str]:
    return [f"{m.year:04d}-{m.month:02d}" for m in months]
