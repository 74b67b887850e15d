"""``python -m bot export-subject``: everything held about one person, as JSON.

Found by NIK (through its keyed hash) or by record id; NIK and No. KK are decrypted
with the configured key. Each export is written to the audit log (ids only).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.clock import Clock
from bot.settings import Settings
from bot.startup import identity_cipher, prepare_database
from storage import access_log, audit
from storage import privacy as store
from storage.access_log import Read

log = logging.getLogger(__name__)


async def export_subject(settings: Settings, clock: Clock, *, nik: str | None = None,
                         sasaran_id: int | None = None) -> dict[str, Any] | None:
    """The export, or None when no record matches. Opens the database the way the bot
    does (migrations, the key check), so a wrong key is refused here too."""
    db = await prepare_database(settings, clock)
    try:
        cipher = identity_cipher(settings)
        if nik is not None:
            digits = store.nik_of(nik)
            sasaran_id = await store.sasaran_by_nik(db, cipher, digits) if digits else None
        if sasaran_id is None:
            return None
        data = await store.export_subject(db, cipher, sasaran_id)
        if data is None:
            return None
        now = clock.now()
        async with db.transaction() as tx:
            await audit.record(tx, at=now, actor_id=None, action="ekspor_subjek", entity="sasaran",
                               entity_id=sasaran_id, after={"via": "cli"})
            await access_log.read(tx, reader_id=None, sasaran_ids=[sasaran_id], what=Read.EXPORT, now=now)
        log.info("exported everything held about sasaran %s", sasaran_id)
        return {"diekspor_pada": now.isoformat(), "sasaran_id": sasaran_id, **data}
    finally:
        await db.close()
