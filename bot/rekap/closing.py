"""Closing finished periods, so their figures never move (issue 14, design property 8).

At the first tick after a month ends, :func:`close_due` writes that month's figures
for every area of the deployment, each level, and those of the quarter, semester and
year the month completes (:func:`periods_completed_by`). /rekap, /ekspor, the chart and
the monthly digest then read them (:func:`bot.rekap.service.build_rekap`); what is
learned later about the period (a late report, a correction with an earlier date, an
erasure) is the live recount minus them, shown apart as a revision.

A coordinator of a kab/kota (or an admin) may re-close a period to take the revision
in (:func:`reclose`): the areas of their scope and those above it are rewritten, and
the audit log keeps the figures before and after, so every earlier answer (the digest
included) stays explainable. Months before the bot's first close are never closed:
they stay live.
"""

from __future__ import annotations

import logging
from datetime import date

from bot.domain.regions import Level, level_of, parent_of
from bot.rekap.figures import Rekap, closed_rows
from bot.rekap.periods import Period, add_months, last_month
from bot.rekap.service import build_rekap, today
from bot.services import Services
from storage import audit
from storage import rekap_closed as closed_store

log = logging.getLogger(__name__)

#: After a long stop the bot closes at most this many missed months.
CATCH_UP = 12
#: Only these may re-close: an admin, or a koordinator of a kab/kota or wider.
RECLOSE_LEVEL = Level.KABKOTA


def periods_completed_by(month: Period) -> list[Period]:
    """The month and every calendar quarter, semester and year that ends with it."""
    assert month.is_single_month
    out = [month]
    for length in (3, 6, 12):
        if month.first.month % length == 0:
            out.append(Period(add_months(month.first, 1 - length), month.first))
    return out


async def close_due(services: Services) -> list[Period]:
    """Close every month that ended since the last one closed (after a long stop of the
    bot, up to :data:`CATCH_UP` months; at the very first run, last month only), each
    with what it completes. Returns what was closed; nothing when all is closed."""
    latest = last_month(today(services))
    if await closed_store.closing(services.db, latest.token()) is not None:
        return []
    last_token = await closed_store.last_closed_month(services.db)
    month = latest
    if last_token is not None:
        after = Period.from_token(last_token)
        month = max(Period.months_ending(add_months(after.first, 1), 1),
                    Period.months_ending(add_months(latest.first, 1 - CATCH_UP), 1))
    closed = []
    while month.first <= latest.first:
        for period in periods_completed_by(month):
            if await closed_store.closing(services.db, period.token()) is None:
                await close(services, period)
                closed.append(period)
        month = Period.months_ending(add_months(month.first, 1), 1)
    return closed


async def close(services: Services, period: Period, *, scope: str | None = None,
                actor_id: int | None = None) -> int:
    """Write the live figures of ``period`` for ``scope`` (default: the deployment),
    every area below it and every area above it, audited. Returns the version."""
    root = services.regions.root.code
    scope = scope or root
    # Every level down to desa/kelurahan (four below the nation, two below a kota).
    whole = await build_rekap(services, scope=root, area=scope, period=period,
                              depth=int(Level.DESAKEL) - int(level_of(scope)), live=True)
    figures = {whole.area: closed_rows(whole.figures)}
    for breakdown in whole.breakdowns:
        figures.update({sub.code: closed_rows(sub.figures) for sub in breakdown.areas})
    above = parent_of(scope) if scope != root else None
    while above is not None and above in services.regions:
        upper = await build_rekap(services, scope=root, area=above, period=period, live=True)
        figures[upper.area] = closed_rows(upper.figures)
        above = parent_of(above) if above != root else None
    token = period.token()
    before = await closed_store.closed_figures(services.db, scope=root, token=token, areas=[scope])
    now = services.clock.now()
    async with services.db.transaction() as tx:
        version = await closed_store.write_closed(tx, token=token, scope=scope, figures=figures, now=now,
                                                  actor_id=actor_id)
        await audit.record(tx, at=now, actor_id=actor_id, action="tutup_ulang" if actor_id else "tutup",
                           entity="rekap", entity_id=f"{token}:{scope}",
                           before={k: v for k, (v, _) in before.get(scope, {}).items()} or None,
                           after={"versi": version, "wilayah": len(figures),
                                  **{key: value for key, value, _ in figures[scope]}})
    log.info("rekap %s closed for %d areas (version %d)", token, len(figures), version)
    return version


def may_reclose(role_is_admin: bool, scope: str | None) -> bool:
    """Re-closing changes what everybody sees: admins, and coordinators of a kab/kota or wider."""
    return role_is_admin or (scope is not None and level_of(scope) <= RECLOSE_LEVEL)


async def reclose(services: Services, rekap: Rekap, *, scope: str, actor_id: int) -> int:
    """Take the revision of ``rekap`` (a closed period) in, for the caller's scope."""
    return await close(services, rekap.period, scope=scope, actor_id=actor_id)


def is_closable(period: Period, day: date) -> bool:
    """A period can be (re)closed once it has ended."""
    return period.end < day
