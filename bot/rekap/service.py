"""Putting a /rekap together: period → window, counts from storage → figures.

Handlers and the digest job call :func:`build_rekap` (/ekspor :func:`build_export`) with
the caller's scope; storage refuses any area outside it (:class:`storage.rekap.OutsideScope`).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.regions import Level, contains, level_of
from bot.rekap import workbook
from bot.rekap.figures import (
    Breakdown,
    Figures,
    Rekap,
    Row,
    SubArea,
    as_closed,
    build_figures,
    revision,
    trimester_days,
)
from bot.rekap.periods import Period
from bot.services import Services
from storage import rekap as store
from storage import rekap_closed as closed_store
from storage import rekap_rows
from storage.rekap import CODE_LENGTH, AreaCounts, OutsideScope, Window
from storage.rekap_reminders import Available, ReminderCounts, mother_counts

_ZONE_CHECKED: weakref.WeakSet[object] = weakref.WeakSet()
_BREAKDOWN_TITLES = {1: "Per provinsi", 2: "Per kab-kota", 3: "Per kecamatan", 4: "Per kel-desa"}


def today(services: Services) -> date:
    """The deployment's local date."""
    return services.clock.now().astimezone(services.settings.wilayah.zone).date()


async def ensure_ready(services: Services) -> None:
    """Once per database: make the counters bucket by the configured zone."""
    if services.db in _ZONE_CHECKED:
        return
    modifier = store.offset_modifier(services.settings.wilayah.zone, services.clock.now())
    await store.ensure_zone(services.db, modifier)
    await store.ensure_trimester(services.db, *trimester_days(services.settings.trimester.boundaries))
    _ZONE_CHECKED.add(services.db)


def window_for(services: Services, period: Period) -> Window:
    zone = services.settings.wilayah.zone
    previous = period.previous()
    local_today = today(services)
    start, end = period.utc_bounds(zone)
    prev_start, prev_end = previous.utc_bounds(zone)
    return Window(
        first=f"{period.first:%Y-%m}", last=f"{period.last:%Y-%m}",
        prev_first=f"{previous.first:%Y-%m}", prev_last=f"{previous.last:%Y-%m}",
        start_utc=start, end_utc=end, prev_start_utc=prev_start, prev_end_utc=prev_end,
        reference_day=period.reference_day(local_today), prev_reference_day=previous.reference_day(local_today),
    )


def area_name(services: Services, code: str) -> str:
    return services.regions.label(code)


async def build_rekap(services: Services, *, scope: str, area: str, period: Period, depth: int = 0,
                      live: bool = False) -> Rekap:
    """The figures of ``area`` (inside ``scope``) for ``period``; with ``depth`` > 0
    also one set per sub-area for that many levels below (1: the chart's direct
    sub-areas; 3: every level down to desa/kelurahan, for the workbook).

    A closed period shows its closed figures (and, when the compared period is closed
    too, that one's), with the live recount's differences as :attr:`Rekap.revision`;
    ``live`` recounts without them (what a close writes)."""
    tree = services.regions
    if area not in tree or not contains(scope, area):
        raise OutsideScope(area)
    await ensure_ready(services)
    db = services.db
    local_today = today(services)
    previous = period.previous()
    window = window_for(services, period)
    level = int(level_of(area))

    async def counts_at(group_level: int) -> tuple[dict[str, AreaCounts], dict[str, ReminderCounts], Available]:
        counts = await store.area_counts(db, scope=scope, area=area, group_level=group_level, window=window)
        have, reminders = await mother_counts(db, scope=scope, area=area, group_level=group_level,
                                              end_utc=window.end_utc, prev_end_utc=window.prev_end_utc)
        return counts, reminders, have

    counts, reminders, have = await counts_at(level)
    figures = build_figures(counts.get(area, AreaCounts()), reminders.get(area), have)

    reported = await store.areas_with_reports(db, scope=scope, area=area, first=window.first, last=window.last)
    desa = tree.codes_at(area, Level.DESAKEL)  # in code order
    name = tree.disambiguated_name
    without = tuple(name(code) for code in desa if code not in reported)

    breakdowns: list[Breakdown] = []
    for sub_level in range(level + 1, min(level + depth, int(Level.DESAKEL)) + 1):
        by_area, by_area_reminders, have = await counts_at(sub_level)
        codes = tree.codes_at(area, Level(sub_level))
        reported_here = {code[:CODE_LENGTH[sub_level]] for code in reported}
        # Areas with nothing counted share one set of figures: most of the nation's 83,000 desa
        # in a national close, where building each would take seconds.
        nothing = build_figures(AreaCounts(), None, have)
        breakdowns.append(Breakdown(
            title=_BREAKDOWN_TITLES[sub_level],
            level=sub_level,
            areas=tuple(
                SubArea(
                    code=code,
                    name=tree.disambiguated_name(code),
                    figures=build_figures(by_area.get(code, AreaCounts()), by_area_reminders.get(code), have)
                    if code in by_area or code in by_area_reminders else nothing,
                    reported=code in reported_here,
                )
                for code in codes
            ),
        ))
    closing = None if live else await closed_store.closing(db, period.token())
    changes: tuple[tuple[Row, int], ...] = ()
    if closing is not None:
        codes = [area, *(sub.code for breakdown in breakdowns for sub in breakdown.areas)]
        closed = await closed_store.closed_figures(db, scope=scope, token=period.token(), areas=codes)
        before = (await closed_store.closed_figures(db, scope=scope, token=previous.token(), areas=codes)
                  if await closed_store.closing(db, previous.token()) else None)

        def frozen(code: str, shown: Figures) -> Figures:
            return as_closed(shown, closed.get(code, {}), before.get(code) if before is not None else None)

        shown = frozen(area, figures)
        changes = revision(figures, shown)
        figures = shown
        breakdowns = [replace(b, areas=tuple(replace(sub, figures=frozen(sub.code, sub.figures)) for sub in b.areas))
                      for b in breakdowns]
    return Rekap(
        area=area,
        area_label=tree.path_label(area) if area != tree.root.code else tree.label(area),
        area_name=tree.label(area),
        period=period,
        previous=previous,
        reference_day=period.reference_day(local_today),
        figures=figures,
        breakdowns=tuple(breakdowns),
        without_report=without,
        desa_total=len(desa),
        closed=closing,
        closed_on=closing.closed_at.astimezone(services.settings.wilayah.zone).date()
        if closing is not None and closing.closed_at is not None else None,
        revision=changes,
    )


@dataclass(frozen=True)
class Export:
    """An /ekspor workbook and what its caption says about it."""

    rekap: Rekap
    data: bytes
    rows: int  # rows in the "Sasaran" sheet (at most ``[rekap] export_max_rows``)
    total: int  # target members in the area


async def build_export(services: Services, *, scope: str, area: str, period: Period) -> Export:
    """The /ekspor workbook of ``area`` (inside ``scope``): the figures down to
    desa/kelurahan and one row per target member. The handler and the benchmark both
    call this, so the benchmark times what a coordinator waits for."""
    rekap = await build_rekap(services, scope=scope, area=area, period=period, depth=3)
    earlier = await build_rekap(services, scope=scope, area=area, period=period.year_earlier())
    _, end_utc = period.utc_bounds(services.settings.wilayah.zone)
    rows, total = await rekap_rows.sasaran_rows(services.db, scope=scope, area=area, registered_by=end_utc,
                                                on=rekap.reference_day, limit=services.settings.rekap.export_max_rows)
    # CPU only, seconds for a big area: off the event loop so other users are answered meanwhile.
    data = await asyncio.to_thread(workbook.build_workbook, rekap, rows, total, services.regions, earlier)
    return Export(rekap=rekap, data=data, rows=len(rows), total=total)
