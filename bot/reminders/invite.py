"""A mother's personal invitation: a single-use deep link and its QR code.

A bot cannot write to anyone who has not opened it first, so the TPK member shows the
QR code on their own screen (or forwards the link) and the mother opens it herself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno

from bot.domain.roles import Caller, Role
from bot.domain.tokens import new_token
from bot.services import Services
from storage import ibu as ibu_store
from storage import invitations
from storage import keluarga as keluarga_store
from storage.keluarga import Sasaran

INVITERS = frozenset({Role.TPK, Role.KOORDINATOR, Role.ADMIN})


class CannotInvite(Exception):
    """Why no invitation can be made, as a sentence for the member."""


@dataclass(frozen=True)
class MotherInvitation:
    sasaran: Sasaran
    link: str
    expires_at: datetime
    qr_png: bytes


def qr_png(link: str) -> bytes:
    """A QR code PNG large enough to scan from another phone's screen."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def create(services: Services, caller: Caller, sasaran_id: int) -> MotherInvitation:
    """Make a fresh single-use invitation for the mother of ``sasaran_id``.

    Only a member whose scope holds the record may, and only for an active ibu hamil or
    ibu nifas whose reminders are not already running.
    """
    if caller.role not in INVITERS or caller.scope is None:
        raise CannotInvite("Hanya anggota TPK atau koordinator yang bisa mengundang ibu.")
    sasaran = await keluarga_store.get_sasaran(services.db, caller.scope, sasaran_id)
    if sasaran is None:
        raise CannotInvite("Data ibu itu tidak ditemukan di wilayah Anda.")
    if sasaran.category not in ibu_store.MOTHER_CATEGORIES or sasaran.status != "aktif":
        raise CannotInvite("Undangan pengingat hanya untuk ibu hamil atau ibu nifas yang masih didampingi.")
    link = await ibu_store.link_for_sasaran(services.db, sasaran_id)
    if link is not None and link.active:
        raise CannotInvite("Ibu ini sudah bergabung dan menerima pengingat.")
    token = new_token()
    invitation = await invitations.create(
        services.db,
        token=token,
        role=Role.IBU,
        region_code=sasaran.region_code,
        created_by=caller.user_id,
        now=services.clock.now(),
        valid_for=timedelta(days=services.settings.access.invitation_days),
        sasaran_id=sasaran.id,
    )
    deep_link = services.deep_link(token)
    return MotherInvitation(sasaran=sasaran, link=deep_link, expires_at=invitation.expires_at, qr_png=qr_png(deep_link))
