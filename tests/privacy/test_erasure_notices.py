"""Erasure and queued notices: a notice that exists only because of the record (its
dedupe key names it) is cancelled; a digest that lists her among others is kept for
the others, with her name gone from its text and from its button labels."""

from __future__ import annotations

import json
from datetime import date

from bot import callbacks, privacy
from storage import keluarga as keluarga_store
from storage import notices
from storage.keluarga import NewKeluarga, NewSasaran
from tests.harness import ADMIN_ID, BotUnderTest
from tests.reminders.helpers import SERANG_KEL, quiet_bot, tpk

__all__ = ["quiet_bot"]

LONG_NAME = "Rina Marlina Sari Dewi Kusumawardhani"  # cut short in a 40-character button label
OTHER = "Siti Aminah"


def _label(number: int, name: str) -> str:
    return f"{number}. {name}"[:40] + " · hari ini"  # as the daily digest labels its buttons


async def test_a_digest_listing_her_is_redacted_for_the_others_and_her_own_notice_cancelled(
        quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    member = await tpk(bot)
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name="Ahmad Yani", water_source="ledeng",
                                                 latrine="septik", rt="3", rw="2", address="Gang Mawar", no_kk=None,
                                                 answers={}),
            reporter_id=member.id, draft_key=None, now=now)
        ids = [await keluarga_store.add_sasaran(
            tx, bot.services.cipher, family,
            NewSasaran(category="ibu_hamil", name=name, nik=None, sex="P", birth_date=date(1990, 3, 12), phone=None,
                       hpht=date(2026, 8, 1), answers={}),
            reporter_id=member.id, now=now) for name in (LONG_NAME, OTHER)]
        buttons = [[{"text": _label(n, name), "callback_data": callbacks.data(callbacks.VisitNew(sid))}]
                   for n, (name, sid) in enumerate(zip((LONG_NAME, OTHER), ids, strict=True), start=1)]
        await notices.queue(tx, recipient_id=member.id, kind="kunjungan_harian",
                            dedupe_key=f"kunjungan_harian:{member.id}:2026-11-23",
                            text=f"1. {LONG_NAME} (Ibu hamil)\n2. {OTHER} (Ibu hamil)", markup=buttons, now=now)
        await notices.queue(tx, recipient_id=member.id, kind="keguguran", dedupe_key=f"keguguran:{ids[0]}",
                            text=f"{LONG_NAME} — mohon dikunjungi", markup=buttons[:1], now=now)

    await privacy.erase(bot.services, ids[0], actor_id=ADMIN_ID)

    rows = {r["kind"]: r for r in await bot.db.fetch_all("SELECT kind, state, text, markup_json FROM notices")}
    assert rows["keguguran"]["state"] == "cancelled" and rows["keguguran"]["markup_json"] is None
    digest = rows["kunjungan_harian"]
    assert digest["state"] == "scheduled"
    labels = [b["text"] for row in json.loads(digest["markup_json"]) for b in row]
    for shown in (digest["text"], *labels):
        assert "Rina" not in shown and "Kusuma" not in shown, shown
    assert labels[0] == "1. (dihapus) · hari ini"
    assert OTHER in digest["text"] and labels[1] == _label(2, OTHER)
    assert json.loads(digest["markup_json"])[1][0]["callback_data"] == callbacks.data(callbacks.VisitNew(ids[1]))
