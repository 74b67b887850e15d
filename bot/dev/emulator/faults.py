"""Network and server faults, injected deterministically.

Real Telegram occasionally answers 502, stalls, resets connections or says 429 even to a
well-behaved bot. These faults let reliability tests prove the bot retries what is safe
to retry and does not double-send what may already have been delivered.

Determinism: decisions come from ``random.Random(seed)``, drawn once per eligible call in
arrival order, so a test with the same seed and the same call sequence sees the same
faults. ``fail_next`` scripts exact faults for tests that need no randomness at all.

Delivery semantics (``deliver_before_fault``):

* ``"502"`` and ``"429"``: the call is never executed (a gateway error or a flood wait
  means the backend did not act; Telegram documents that a 429'd request was not done).
* ``"timeout"`` and ``"drop"``: the outcome is ambiguous in real life - Telegram may have
  delivered the message and only the answer got lost. ``deliver_before_fault=True``
  executes the call first (message delivered, side effects applied) and then stalls or
  drops; ``False`` (default) faults before executing. Tests of "at least once" vs "no
  duplicates" behaviour should cover both.

``"timeout"`` holds the request for ``stall_seconds`` (set it above the client's read
timeout) and then closes the connection without an answer; ``"drop"`` closes it at once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "Fault", "FaultInjector"]

FAULT_KINDS: tuple[str, ...] = ("502", "timeout", "drop", "429")


@dataclass(frozen=True)
class Fault:
    """One decided fault for one call."""

    kind: str
    retry_after: int = 1
    stall_seconds: float = 6.0
    deliver_before_fault: bool = False

    @property
    def after_processing(self) -> bool:
        """Execute the call first, then fail (the ambiguous kinds only)."""
        return self.deliver_before_fault and self.kind in ("timeout", "drop")


@dataclass
class _Scripted:
    kind: str
    remaining: int
    methods: frozenset[str] | None


class FaultInjector:
    """``emu.faults``: configure random faults or script exact ones; counts what it did."""

    def __init__(self) -> None:
        self.injected: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []  # (method, kind) in injection order
        self._rng = random.Random(0)
        self._rate = 0.0
        self._kinds: tuple[str, ...] = FAULT_KINDS
        self._methods: frozenset[str] | None = None
        self._retry_after = 1
        self._stall = 6.0
        self._deliver_before = False
        self._scripted: list[_Scripted] = []

    def configure(
        self,
        *,
        error_rate: float,
        kinds: Iterable[str] = FAULT_KINDS,
        seed: int = 0,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        deliver_before_fault: bool = False,
        stall_seconds: float = 6.0,
    ) -> None:
        """Fail ``error_rate`` of eligible calls with a kind drawn uniformly from ``kinds``.

        ``methods=None`` makes every method except getUpdates eligible; pass a list
        (which may include "getUpdates") to restrict or extend that.
        """
        kinds = tuple(kinds)
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error_rate must be within [0, 1]")
        if not kinds or any(k not in FAULT_KINDS for k in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {FAULT_KINDS}")
        if retry_after < 1:
            raise ValueError("retry_after must be >= 1 (Telegram never says 0)")
        self._rng = random.Random(seed)
        self._rate = error_rate
        self._kinds = kinds
        self._methods = _normalise(methods)
        self._retry_after = retry_after
        self._stall = stall_seconds
        self._deliver_before = deliver_before_fault

    def fail_next(self, kind: str, *, count: int = 1, methods: Iterable[str] | None = None) -> None:
        """Fail the next ``count`` eligible calls with ``kind`` (before random faults).

        Uses the retry_after / stall_seconds / deliver_before_fault of the last configure().
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        self._scripted.append(_Scripted(kind, count, _normalise(methods)))

    def clear(self) -> None:
        """Stop injecting. ``injected`` and ``log`` are kept for later assertions."""
        self._rate = 0.0
        self._scripted.clear()

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def decide(self, method: str) -> Fault | None:
        """The fault for this call, if any; called once per API call in arrival order."""
        kind = self._scripted_kind(method)
        eligible = kind is None and self._rate > 0 and _eligible(method, self._methods)
        if eligible and self._rng.random() < self._rate:
            kind = self._kinds[self._rng.randrange(len(self._kinds))]
        if kind is None:
            return None
        self.injected[kind] += 1
        self.log.append((method, kind))
        return Fault(kind, self._retry_after, self._stall, self._deliver_before)

    def _scripted_kind(self, method: str) -> str | None:
        for script in self._scripted:
            if _eligible(method, script.methods):
                script.remaining -= 1
                if script.remaining <= 0:
                    self._scripted.remove(script)
                return script.kind
        return None


def _normalise(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(m.lower() for m in methods)


def _eligible(method: str, methods: frozenset[str] | None) -> bool:
    if methods is None:
        return method.lower() != "getupdates"
    return method.lower() in methods
