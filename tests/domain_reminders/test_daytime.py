"""Reminders arrive in the recipient's local daytime, in WIB, WITA and WIT alike."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain.daytime import (
    PROVINCE_ZONES,
    WIB,
    WIT,
    WITA,
    DaytimeWindow,
    is_expired,
    next_allowed,
    send_at,
    zone_for_region,
    zone_label,
)

WILAYAH = Path(__file__).resolve().parents[2] / "data" / "wilayah" / "wilayah.csv"
WINDOW = DaytimeWindow()


def test_every_province_of_the_2025_list_has_a_zone() -> None:
    with WILAYAH.open(encoding="utf-8") as handle:
        provinces = {row["kode"] for row in csv.DictReader(handle) if "." not in row["kode"]}
    assert len(provinces) == 38
    assert set(PROVINCE_ZONES) == provinces


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("36.73.01.1001", WIB),  # Kota Serang, Banten
        ("62", WIB),  # Kalimantan Tengah
        ("51.71", WITA),  # Denpasar
        ("64.72", WITA),  # Samarinda
        ("73.71.01", WITA),  # Makassar
        ("81.71", WIT),  # Ambon
        ("96", WIT),  # Papua Barat Daya
    ],
)
def test_zone_for_region(code: str, zone: object) -> None:
    assert zone_for_region(code) == zone


def test_unknown_province_is_an_error() -> None:
    with pytest.raises(ValueError):
        zone_for_region("99.01")


@pytest.mark.parametrize(
    ("zone", "utc_hour", "label"), [(WIB, 1, "WIB"), (WITA, 0, "WITA"), (WIT, 23, "WIT")]
)
def test_send_at_preferred_local_hour(zone: object, utc_hour: int, label: str) -> None:
    """08:00 local: 01:00 UTC in Jakarta, 00:00 in Makassar, 23:00 the day before in Jayapura."""
    instant = send_at(date(2026, 3, 2), zone, WINDOW, 8)  # type: ignore[arg-type]
    assert instant.tzinfo == UTC and instant.hour == utc_hour
    assert instant.astimezone(zone).date() == date(2026, 3, 2)  # type: ignore[arg-type]
    assert zone_label(zone) == label  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_due_at_22_local_waits_for_07_next_day(zone: object) -> None:
    at_night = datetime(2026, 3, 2, 22, 0, tzinfo=zone)  # type: ignore[arg-type]
    sent = next_allowed(at_night, zone, WINDOW)  # type: ignore[arg-type]
    assert sent.astimezone(zone) == datetime(2026, 3, 3, 7, 0, tzinfo=zone)  # type: ignore[arg-type]
    assert sent.tzinfo == UTC


def test_early_morning_waits_for_window_start_same_day() -> None:
    sent = next_allowed(datetime(2026, 3, 2, 5, 30, tzinfo=WITA), WITA, WINDOW)
    assert sent.astimezone(WITA) == datetime(2026, 3, 2, 7, 0, tzinfo=WITA)


def test_daytime_instant_goes_now_and_end_is_exclusive() -> None:
    noon = datetime(2026, 3, 2, 12, 15, tzinfo=WIT)
    assert next_allowed(noon, WIT, WINDOW) == noon
    seven_pm = datetime(2026, 3, 2, 19, 0, tzinfo=WIB)
    assert next_allowed(seven_pm, WIB, WINDOW).astimezone(WIB).day == 3


def test_preferred_hour_outside_window_moves_into_it() -> None:
    assert send_at(date(2026, 3, 2), WIB, WINDOW, 5).astimezone(WIB).hour == 7


def test_expiry_follows_the_local_date() -> None:
    # The same instant is still 2 March in Jakarta but already 3 March further east.
    instant = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WITA, 01:30 WIT
    assert not is_expired(date(2026, 3, 2), instant, WIB)
    assert is_expired(date(2026, 3, 2), instant, WITA)
    assert is_expired(date(2026, 3, 2), instant, WIT)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        next_allowed(datetime(2026, 3, 2, 12), WIB, WINDOW)
