"""How instants are stored: ISO-8601 UTC text, which sorts and compares as time does."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
