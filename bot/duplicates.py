"""A NIK or No. KK typed in /lapor that is registered outside the caller's area.

The duplicate check must not become an oracle across scopes (issue 15 §2): the caller
learns only that the number is registered elsewhere, while the record's own TPK member
and coordinator are told — through the notices engine, once per asker, record and day —
who asked (name, role and area of the asker are theirs to know). The attempt is logged
and counted with ids only.
"""

from __future__ import annotations

import html

from bot import refusals
from bot.domain.roles import Caller
from bot.services import Services
from storage import notices
from storage import users as users_store
from storage.access_log import Refusal
from storage.keluarga import Elsewhere

NIK_ELSEWHERE = ("NIK ini sudah terdaftar di wilayah lain, jadi tidak bisa didaftarkan lagi. Kami sudah memberi tahu "
                 "anggota TPK dan koordinator yang mencatatnya; bila orangnya pindah ke wilayah Anda, mereka akan "
                 "menghubungi Anda atau koordinator Anda.")
KK_ELSEWHERE = ("No. KK ini sudah pernah dilaporkan di wilayah lain. Kami sudah memberi tahu anggota TPK dan "
                "koordinator yang mencatatnya. Lanjutkan bila ini memang keluarga yang berbeda atau laporan baru "
                "yang disengaja.")
_NUMBER = {"sasaran": "NIK", "keluarga": "No. KK"}
_RECORD = {"sasaran": "sasaran", "keluarga": "keluarga"}


def _notice(services: Services, caller: Caller, found: Elsewhere) -> str:
    regions = services.regions
    where = regions.label(found.region_code) if found.region_code in regions else found.region_code
    asker_area = regions.label(caller.scope) if caller.scope and caller.scope in regions else (caller.scope or "-")
    role = caller.role.label if caller.role is not None else "-"
    number = _NUMBER[found.entity] + (f" {found.masked}" if found.masked else "")
    return (f"🔎 {number} milik {_RECORD[found.entity]} di {html.escape(where)} baru saja diketik di /lapor oleh "
            f"<b>{html.escape(caller.name or '-')}</b> ({role}, {html.escape(asker_area)}). Pendaftaran ganda itu "
            "ditolak dan tidak ada data yang ditunjukkan kepadanya. Bila orangnya pindah, hubungi penanya itu.")


async def tell_keepers(services: Services, caller: Caller, found: Elsewhere) -> None:
    """Tell the record's TPK member and coordinator who typed its number, and count the attempt."""
    await refusals.record(services, caller.user_id, Refusal.DUPLICATE, found.entity, found.record_id)
    recipients = await users_store.keepers_of(services.db, found.region_code, found.reporter_id)
    now = services.clock.now()
    day = now.astimezone(services.settings.wilayah.zone).date().isoformat()
    text = _notice(services, caller, found)
    async with services.db.transaction() as tx:
        for recipient in recipients:
            if recipient == caller.user_id:
                continue
            await notices.queue(tx, recipient_id=recipient, kind="duplikat",
                                dedupe_key=f"duplikat:{found.entity}:{found.record_id}:{caller.user_id}:{recipient}:{day}",
                                text=text, now=now)
