"""Starting, continuing and finishing an import: shared by ``/impor`` and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from bot.impor import reader
from bot.impor.apply import Importer
from bot.impor.plans import IGNORE, SheetMapping, SheetPlan, file_hash, read_mappings
from bot.impor.report import Report
from bot.services import Services
from storage import impor as store

#: Outcome -> the Indonesian word of the one-line report and the preview.
WORDS = {"create": "dibuat", "update": "diperbarui", "different": "berbeda (tidak ditimpa)",
         "unchanged": "sama", "duplicate": "duplikat di file", "out_of_scope": "di luar wilayah",
         "error": "galat"}


@dataclass(frozen=True)
class Prepared:
    """A file read and mapped: what the preview and the write walk over."""

    file_hash: str
    mappings: list[SheetMapping]

    @property
    def plans(self) -> list[SheetPlan]:
        return [m.plan for m in self.mappings]

    @property
    def mapping(self) -> dict[str, dict[int, str]]:
        return {m.plan.name: m.plan.mapping for m in self.mappings}


async def prepare(services: Services, source: reader.Source) -> Prepared:
    return Prepared(file_hash(source), await read_mappings(services, source))


def plans_of(impor: store.Impor, prepared: Prepared) -> list[SheetPlan]:
    """The plans an import was started with (its stored mapping), in sheet order."""
    return [SheetPlan(m.plan.name, m.plan.headers, {int(i): k for i, k in impor.mapping.get(m.plan.name, {}).items()
                                                    if k != IGNORE})
            for m in prepared.mappings]


def unanswered(impor: store.Impor, prepared: Prepared) -> list[tuple[int, int]]:
    """(sheet number, column index) of the headers still to ask about, in file order."""
    return [(number, index) for number, m in enumerate(prepared.mappings) for index in m.unknown
            if str(index) not in impor.mapping.get(m.plan.name, {})]


async def preview(services: Services, source: reader.Source, plans: list[SheetPlan], *, actor_id: int, scope: str,
                  use_file: frozenset[str] = frozenset()) -> Report:
    return await Importer(services, actor_id=actor_id, scope=scope, plans=plans, use_file=use_file).run(source)


async def write(services: Services, impor: store.Impor, source: reader.Source,
                plans: list[SheetPlan]) -> dict[str, int]:
    """Write (or continue writing) an import; returns the counts of the whole import."""
    if impor.state == "preview":
        await store.start(services.db, impor, now=services.clock.now(), boot_id=services.boot_id)
    await Importer(services, actor_id=impor.actor_id, scope=impor.scope, plans=plans, use_file=impor.use_file,
                   impor=impor).run(source)
    counts = await store.ledger_counts(services.db, impor.id)
    await store.finish(services.db, impor, counts, now=services.clock.now())
    return counts


def summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = [f"{counts[k]:,} {w}".replace(",", ".") for k, w in WORDS.items() if counts.get(k)]
    return f"{total:,} baris".replace(",", ".") + (": " + ", ".join(parts) if parts else "")
