"""Reads of by-name data are logged (design property 10, issue 15 §8), in one place.

Handlers call :func:`record` right after they have a person's by-name data to show: a
family card, a child's history or chart, someone's consent record, by-name search
results, a page of ``/daftar``, a workbook with names (:func:`record_families` for what
names families). ``/akses`` lists them for a coordinator (:mod:`handlers.akses`).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.context import TpkContext
from storage import access_log
from storage.access_log import Read


async def record(context: TpkContext, sasaran_ids: Iterable[int], what: Read) -> None:
    services = context.services
    await access_log.read(services.db, reader_id=context.caller.user_id, sasaran_ids=sasaran_ids, what=what,
                          now=services.clock.now())


async def record_families(context: TpkContext, keluarga_ids: Iterable[int], what: Read) -> None:
    """Families shown by name (a list of heads, a workbook): logged for each of their members."""
    services = context.services
    await access_log.read_families(services.db, reader_id=context.caller.user_id, keluarga_ids=keluarga_ids,
                                   what=what, now=services.clock.now())
