"""What an import found, row by row and in counts: the preview's and the write's report.

The preview message, the one-line CLI summary and the errors/differences workbooks
(:mod:`bot.impor.workbooks`) all read a :class:`Report`; the counts are always
complete, the lists are capped at :data:`KEEP` so a huge file cannot fill memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.impor.rows import Problem

#: How many errors and differences a report keeps for the message and the workbook
#: (the counts are always complete).
KEEP = 20_000
OUTCOMES = ("create", "update", "different", "unchanged", "duplicate", "out_of_scope", "error")


@dataclass(frozen=True)
class Difference:
    sheet: str
    row_no: int
    record: str  # "keluarga" / "sasaran"
    label: str  # the family head's or the sasaran's name as stored
    column: str  # column key
    bot_value: Any
    file_value: Any


@dataclass
class Verdict:
    sheet: str
    row_no: int
    outcome: str
    rule: str | None = None
    problems: list[Problem] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    problems: list[tuple[str, int, Problem]] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    rules: Counter[str] = field(default_factory=Counter)
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.rows += 1
        self.counts[verdict.outcome] += 1
        if verdict.rule:
            self.rules[verdict.rule] += 1
        if len(self.problems) < KEEP:
            self.problems.extend((verdict.sheet, verdict.row_no, p) for p in verdict.problems)
        if len(self.differences) < KEEP:
            self.differences.extend(verdict.differences)
        if len(self.verdicts) < KEEP:
            self.verdicts.append(verdict)
