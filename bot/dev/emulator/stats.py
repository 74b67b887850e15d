"""Accounting for benchmarks: what the bot called, when, and what reached users.

Timestamps are ``time.perf_counter()`` values (monotonic, high resolution); they measure
real elapsed time even when the bot's domain clock is a FakeClock.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallRecord", "Stats"]


@dataclass(frozen=True)
class CallRecord:
    at: float
    method: str
    chat_id: int | None
    status: int
    duration: float


@dataclass
class Stats:
    """Counters are cumulative until ``reset()``."""

    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    delivered: Counter[int] = field(default_factory=Counter)
    delivered_at: defaultdict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    records: list[CallRecord] = field(default_factory=list)

    def record_call(self, method: str, chat_id: int | None, status: int, started: float) -> None:
        now = time.perf_counter()
        self.calls[method] += 1
        self.statuses[status] += 1
        self.records.append(CallRecord(started, method, chat_id, status, now - started))

    def record_delivery(self, chat_id: int) -> None:
        self.delivered[chat_id] += 1
        self.delivered_at[chat_id].append(time.perf_counter())

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_delivered(self) -> int:
        return sum(self.delivered.values())

    def reset(self) -> None:
        self.calls.clear()
        self.statuses.clear()
        self.delivered.clear()
        self.delivered_at.clear()
        self.records.clear()

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly digest for benchmark reports."""
        durations = sorted(r.duration for r in self.records)
        return {
            "calls": dict(self.calls),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "delivered_total": self.total_delivered,
            "chats": len(self.delivered),
            "max_call_seconds": durations[-1] if durations else 0.0,
            "median_call_seconds": durations[len(durations) // 2] if durations else 0.0,
        }
