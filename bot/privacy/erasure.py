"""/hapus: erase one record's personal data at the person's request.

One transaction anonymises the record (see :func:`storage.privacy.anonymise_sasaran`),
closes it (status selesai, reason "dihapus") and writes the audit entry (who, when,
which id — nothing else); then the file is compacted (VACUUM, WAL truncated) so the old
values do not stay on disk. The anonymous record stays in the /rekap counts (registered,
measured, risk factors), as the law allows and the coordinators need; it leaves every
list and search.
"""

from __future__ import annotations

import logging

from bot.services import Services
from storage import privacy as store
from storage.compaction import compact
from storage.privacy import Anonymised

log = logging.getLogger(__name__)
ERASED_REASON = "dihapus"


async def erase(services: Services, sasaran_id: int, *, actor_id: int) -> Anonymised:
    """Erase a record (raises LookupError when it does not exist). The caller has
    checked that ``actor_id`` may do this for this record's region."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await store.secure_delete(tx)
        result = await store.anonymise_sasaran(tx, services.cipher, sasaran_id, actor_id=actor_id,
                                               reason=store.ON_REQUEST, now=now, erase=False, end_as=ERASED_REASON)
    if not await compact(services.db.path):
        log.warning("sasaran %s erased; compacting the database file must wait (busy)", sasaran_id)
    log.info("sasaran %s erased on request by user %s (family %s erased: %s, %d reminders cancelled)",
             sasaran_id, actor_id, result.keluarga_id, result.keluarga_anonymised, result.reminders_cancelled)
    return result
