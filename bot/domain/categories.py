"""Which target group a member is in *today*, derived from dates, never stored.

A record keeps the category it was reported in; time moves it on (domain.md, *Ages
move*): a baduta is a balita from the day it turns 24 months and leaves the target
groups at 60 months; an ibu nifas's period ends on day 42, after which she is shown as
the wife of a PUS with her KB status. Deriving it for the day asked means nobody has
to type anything and no nightly rewrite is needed.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.domain.risk import SasaranKind, child_sasaran

#: The last day of the nifas period, counted from the delivery (day 0).
NIFAS_LAST_DAY = 42


class Group(StrEnum):
    """A target group on a given day: the five categories and the two that follow them."""

    CATIN = "catin"
    IBU_HAMIL = "ibu_hamil"
    IBU_NIFAS = "ibu_nifas"
    BADUTA = "baduta"
    BALITA = "balita"
    PUS = "pus"
    """A mother past day 42 after the birth."""
    ANAK_LEWAT = "anak_lewat"
    """A child of 60 months or more: no longer a target."""


def group_on(category: str, birth_date: date | None, delivery_date: date | None, on: date) -> Group:
    """The member's group on ``on`` from the stored category and the dates that move it."""
    kind = SasaranKind(category)
    if kind in (SasaranKind.BADUTA, SasaranKind.BALITA) and birth_date is not None and birth_date <= on:
        child = child_sasaran(birth_date, on)
        return Group(child.value) if child is not None else Group.ANAK_LEWAT
    if kind is SasaranKind.IBU_NIFAS and delivery_date is not None and (on - delivery_date).days > NIFAS_LAST_DAY:
        return Group.PUS
    return Group(kind.value)
