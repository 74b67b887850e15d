"""/daftar and /ekspor daftar for a member with 300 imported families, and their scope."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl

from bot.impor import run
from storage import impor as impor_store
from storage.keluarga import Measurement, add_kunjungan
from tests.harness import ADMIN_ID, BotUnderTest, add_member
from tests.impor.files import CURUG_DESA, SUKAWANA, TODAY, Family, Member, adult_born, kk, nik, template_file


async def import_records(bot: BotUnderTest, data: bytes, scope: str = "36.73") -> dict[str, int]:
    """An import as the admin, straight through the import service (what is tested here is the list)."""
    from storage import users

    await users.ensure_admin(bot.db, ADMIN_ID, "Admin", "36.73", bot.clock.now())
    prepared = await run.prepare(bot.services, data)
    impor_id = await impor_store.create(bot.db, file_hash=prepared.file_hash, file_name="verval.xlsx",
                                        actor_id=ADMIN_ID, scope=scope, file_id=None, mapping=prepared.mapping,
                                        now=bot.clock.now())
    item = await impor_store.get(bot.db, impor_id, scope=scope)
    assert item is not None
    return await run.write(bot.services, item, data, run.plans_of(item, prepared))


def villages(sukawana: int, curug: int) -> bytes:
    families = [Family(SUKAWANA, f"Warga Sukawana {i:03d}", kk("36.73.04", i + 1)) for i in range(sukawana)]
    families += [Family(CURUG_DESA, f"Warga Curug {i:03d}", kk("36.73.04", 5000 + i)) for i in range(curug)]
    members = [Member(f.no_kk, f.head, f.region, "Ibu hamil", f"Ibu {f.head}", nik("36.73.04", adult_born(i), True,
                                                                                    i + 1), adult_born(i),
                      extra={"HPHT": TODAY - timedelta(days=60)}) for i, f in enumerate(families)]
    return template_file(families, members)


async def test_member_list_of_300_families_paged_sorted_filtered_and_opened(bot: BotUnderTest) -> None:
    counts = await import_records(bot, villages(300, 20))
    assert counts == {"create": 640}
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    await siti.send("/daftar")
    page = await siti.next_message(timeout=15)
    assert "Keluarga dampingan Anda</b>: 300" in page.html and "halaman 1/38" in page.plain_text
    assert "Curug" not in page.plain_text
    shown = re.findall(r"Warga Sukawana (\d{3})", page.plain_text)
    assert len(shown) == 8
    siti.drain_changes()
    await siti.press("Berikutnya ▶️")
    second = await siti.next_edit(timeout=15)
    assert "halaman 2/38" in second.plain_text
    assert not set(re.findall(r"Warga Sukawana (\d{3})", second.plain_text)) & set(shown)
    # A visit to one family: it leaves "belum dikunjungi" and is verified.
    visited = await bot.db.fetch_one("SELECT s.id, k.head_name FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id "
                                     "WHERE k.head_name = 'Warga Sukawana 007'")
    bot.clock.advance(timedelta(hours=1))
    async with bot.db.transaction() as tx:
        await add_kunjungan(tx, sasaran_id=visited[0], reporter_id=3001, kind="kunjungan",
                            measurement=Measurement(visited_on=TODAY), answers={}, now=bot.clock.now())
    siti.drain_changes()
    await siti.press("Belum dikunjungi")
    unvisited = await siti.next_edit(timeout=15)
    assert "Keluarga belum dikunjungi</b>: 299" in unvisited.html
    siti.drain_changes()
    await siti.press("Semua")
    everything = await siti.next_edit(timeout=15)
    # Sorted by due date, the visited family comes last; by risk it is in the order of the flags.
    assert "Warga Sukawana 007" not in everything.plain_text
    siti.drain_changes()
    await siti.press("Warga Sukawana 000")
    card = await siti.next_edit(timeout=15)
    assert "Keluarga Warga Sukawana 000" in card.plain_text and "Ibu Warga Sukawana 000" in card.plain_text


async def test_a_member_never_sees_another_desa_and_assignment_narrows(bot: BotUnderTest) -> None:
    await import_records(bot, villages(30, 12))
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    dewi = await add_member(bot, 3002, "Dewi", "tpk", SUKAWANA, "kader_pkk")
    budi = await add_member(bot, 3003, "Budi", "tpk", CURUG_DESA, "kader_kb")
    await budi.send("/daftar")
    listed = await budi.next_message(timeout=15)
    assert "Keluarga dampingan Anda</b>: 12" in listed.html and "Sukawana" not in listed.plain_text
    given = await bot.db.fetch_value("SELECT id FROM keluarga WHERE head_name = 'Warga Sukawana 003'")
    await impor_store.assign(bot.db, given, 3002, by=ADMIN_ID, now=bot.clock.now())
    await siti.send("/daftar")
    assert "Keluarga dampingan Anda</b>: 29" in (await siti.next_message(timeout=15)).html
    await dewi.send("/daftar")
    assert "Keluarga dampingan Anda</b>: 30" in (await dewi.next_message(timeout=15)).html
    # Buttons are checked again: a forged open of a family in another desa is refused.
    from tests.harness import press_forged

    other = await bot.db.fetch_value("SELECT id FROM keluarga WHERE region_code = ?", (SUKAWANA,))
    answer = await press_forged(bot.emu, budi, (budi._chat.bot_messages()[-1]).message_id, f"kl:o:{other}")
    assert answer and "tidak ada di wilayah Anda" in answer


async def test_named_workbook_for_300_families(bot: BotUnderTest) -> None:
    await import_records(bot, villages(300, 5))
    siti = await add_member(bot, 3001, "Siti Aminah", "tpk", SUKAWANA, "bidan")
    await siti.send("/ekspor daftar")
    document = await siti.next_message(timeout=30)
    assert document.filename == f"daftar-sasaran-{TODAY.isoformat()}.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(document.document or b"")).active.iter_rows(values_only=True))
    assert "Siti Aminah" in rows[0][0] and "23 November 2026" in rows[0][0]
    body = rows[2:]
    assert len(body) == 300
    assert {r[0] for r in body} == {f"Warga Sukawana {i:03d}" for i in range(300)}
    assert all(re.fullmatch(r"3673\*{12}", r[7]) for r in body)
    assert all(r[8] == "belum dikunjungi" and r[11] == "impor verval.xlsx" for r in body)
    entry = await bot.db.fetch_one("SELECT actor_id, after_json FROM audit_log WHERE action = 'ekspor_nama'")
    assert entry[0] == 3001 and '"rows": 300' in entry[1]
