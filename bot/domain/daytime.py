"""Local daytime: which time zone a region is in and when a reminder may go out.

Reminders are planned on local *dates*; a mother in Jayapura and one in Medan both get
Monday's reminder on their own Monday morning. Indonesia has no daylight saving, but the
rules below go through ``zoneinfo`` anyway so they stay right for any IANA zone. Every
function takes the instant it reasons about; none reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.domain.regions import NATIONAL

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

#: Province codes per zone, space-separated (all 38 provinces of Kepmendagri 2025).
_ZONE_PROVINCES: dict[ZoneInfo, str] = {
    # Sumatra, Java, Kalimantan Barat and Tengah
    WIB: "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 61 62",
    # Bali, Nusa Tenggara, Kalimantan Selatan/Timur/Utara, Sulawesi
    WITA: "51 52 53 63 64 65 71 72 73 74 75 76",
    # Maluku and the six Papua provinces (Kepmendagri 2025 codes 91–96)
    WIT: "81 82 91 92 93 94 95 96",
}

#: Province code (first two digits of any Kemendagri region code) → time zone.
PROVINCE_ZONES: MappingProxyType[str, ZoneInfo] = MappingProxyType(
    {code: zone for zone, codes in _ZONE_PROVINCES.items() for code in codes.split()}
)

_ZONE_LABELS = {WIB.key: "WIB", WITA.key: "WITA", WIT.key: "WIT"}


def zone_for_region(code: str) -> ZoneInfo:
    """The time zone of a province, kabupaten, kecamatan or desa code ("32.04.01.2001").

    Only the province decides: no Indonesian province spans two zones. The nation
    (:data:`~bot.domain.regions.NATIONAL`) spans three and keeps the capital's, WIB: its
    accounts (national coordinators and admins) get their weekly summary on Jakarta's time.
    """
    if code.strip() == NATIONAL:
        return WIB
    province = code.strip()[:2]
    try:
        return PROVINCE_ZONES[province]
    except KeyError:
        raise ValueError(f"unknown province code in region {code!r}") from None


def zone_label(zone: ZoneInfo) -> str:
    """The Indonesian abbreviation users know ("WIB", "WITA", "WIT")."""
    return _ZONE_LABELS.get(zone.key, zone.key)


@dataclass(frozen=True)
class DaytimeWindow:
    """Local hours in which a message may arrive: ``start`` inclusive, ``end`` exclusive."""

    start: time = time(7, 0)
    end: time = time(19, 0)

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("daytime window must start before it ends")

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")


def next_allowed(instant: datetime, zone: ZoneInfo, window: DaytimeWindow) -> datetime:
    """The earliest moment at or after ``instant`` that is local daytime, in UTC.

    A reminder that becomes due at night waits for the morning instead of waking her.
    """
    _require_aware(instant)
    local = instant.astimezone(zone)
    moment = local.timetz().replace(tzinfo=None)
    if window.contains(moment):
        return instant.astimezone(UTC)
    day = local.date() if moment < window.start else local.date() + timedelta(days=1)
    return datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)


def send_at(due_date: date, zone: ZoneInfo, window: DaytimeWindow, preferred_hour: int) -> datetime:
    """The UTC instant a reminder due on local ``due_date`` should be sent.

    The preferred hour, moved into the daytime window by the same rule as
    :func:`next_allowed` (before the window: its start; after it: next morning).
    """
    local = datetime.combine(due_date, time(preferred_hour), tzinfo=zone)
    return next_allowed(local, zone, window)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date at ``instant`` where the recipient lives (plans are by date)."""
    _require_aware(instant)
    return instant.astimezone(zone).date()


def is_expired(window_end: date, now: datetime, zone: ZoneInfo) -> bool:
    """True once the recipient's local date is past the reminder's last useful day."""
    return local_date(now, zone) > window_end
