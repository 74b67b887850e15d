"""The weekly pregnancy messages: one milestone and one tip for every week 4–42.

Read from the package's own ``kehamilan_mingguan.toml`` with :mod:`importlib.resources`
(the installed package, not the repository's folders) and validated once: a bank that
misses a week, or has a message too short or too long, does not load at all rather than
leave one mother without her message that week.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEEKLY_CONTENT: Traversable = files("bot.content") / "kehamilan_mingguan.toml"
CONTENT_WEEKS = range(4, 43)


class WeeklyMessage(BaseModel):
    """One week's message: a development milestone and one practical tip."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    janin: str = Field(min_length=10, max_length=200)
    tips: str = Field(min_length=10, max_length=200)


class WeeklyContent(BaseModel):
    """The weekly content bank; complete for weeks 4–42 or it does not load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minggu: dict[int, WeeklyMessage]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [week for week in CONTENT_WEEKS if week not in self.minggu]
        if missing:
            raise ValueError(f"weekly content misses weeks {missing}")
        return self


@cache
def load_weekly_content() -> WeeklyContent:
    """Read and validate the shipped bank (cached: it is read-only package data)."""
    with WEEKLY_CONTENT.open("rb") as handle:
        return WeeklyContent.model_validate(tomllib.load(handle))
