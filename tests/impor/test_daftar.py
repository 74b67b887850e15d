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


async def _two_families_of_siti(bot: BotUnderTest) -> list[tuple[int, int]]:
    """Two families Siti reported, each with a baduta."""
    from datetime import date

    from storage.keluarga import NewKeluarga, NewSasaran, add_sasaran, create_keluarga

    ids = []
    async with bot.db.transaction() as tx:
        for head in ("Keluarga Audit", "Keluarga Biasa"):
            family = await create_keluarga(tx, bot.services.cipher, NewKeluarga(
                region_code=SUKAWANA, head_name=head, water_source="ledeng", latrine="sendiri_septik", rt="1",
                rw="2"),
                reporter_id=3001, draft_key=None, now=bot.clock.now())
            member = await add_sasaran(tx, bot.services.cipher, family, NewSasaran(
                category="baduta", name=f"Anak {head}", sex="L", birth_date=date(2025, 6, 1)),
                reporter_id=3001, now=bot.clock.now())
            ids.append((family, member))
    return ids


async def test_daftar_shows_the_kka_tasks_of_the_members_audit_cases(bot: BotUnderTest) -> None:
    from bot.domain.audit_criteria import Group, Proposal, Reason
    from storage import audit_kasus, users

    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    await users.ensure_admin(bot.db, ADMIN_ID, "Admin", "36.73", bot.clock.now())
    (audited, child), _ = await _two_families_of_siti(bot)
    await audit_kasus.open_round(bot.db, region_code="36.73", year=2026, semester=2, proposals=[
        Proposal(Group.ANAK, audited, child, SUKAWANA, ((Reason.BBLR, "berat lahir rendah"),))],
        criteria={}, actor_id=ADMIN_ID, now=bot.clock.now())
    await siti.send("/daftar")
    lines = (await siti.next_message(timeout=15)).plain_text.splitlines()
    audited_line = next(line for line in lines if "Keluarga Audit" in line)
    assert "KKA audit kasus belum dilengkapi: /audit" in audited_line
    assert "KKA" not in next(line for line in lines if "Keluarga Biasa" in line)

    # Once Siti completed the KKA, the task leaves her list; the workbook said it too before.
    await siti.send("/ekspor daftar")
    document = await siti.next_message(timeout=30)
    rows = list(openpyxl.load_workbook(io.BytesIO(document.document or b"")).active.iter_rows(values_only=True))
    assert [r[10] for r in rows[2:] if r[0] == "Keluarga Audit"] == ["KKA audit kasus belum dilengkapi"]
    case_id = await bot.db.fetch_value("SELECT id FROM audit_case")
    async with bot.db.transaction() as tx:
        assert await audit_kasus.save_kka(tx, case_id=case_id, tpk_id=3001, fields={"catatan": "selesai"},
                                          now=bot.clock.now())
    await siti.send("/daftar")
    assert "KKA" not in (await siti.next_message(timeout=15)).plain_text


async def test_an_imported_familys_audit_case_is_the_task_of_its_own_member(bot: BotUnderTest) -> None:
    """An imported family's reporter is the admin who imported it; its audit case goes to
    the TPK member it is assigned to, else to a TPK member of its desa, never to the admin."""
    from bot.domain.audit_criteria import Group, Proposal, Reason
    from storage import audit_kasus

    await import_records(bot, villages(3, 0))
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    dewi = await add_member(bot, 3002, "Dewi", "tpk", SUKAWANA, "kader_pkk")
    rows = await bot.db.fetch_all("SELECT s.keluarga_id, s.id FROM sasaran s JOIN keluarga k ON k.id = s.keluarga_id"
                                  " WHERE k.head_name IN ('Warga Sukawana 000', 'Warga Sukawana 001')"
                                  " ORDER BY k.head_name")
    (plain, plain_mother), (given, given_mother) = ((r[0], r[1]) for r in rows)
    await impor_store.assign(bot.db, given, 3002, by=ADMIN_ID, now=bot.clock.now())
    await audit_kasus.open_round(bot.db, region_code="36.73", year=2026, semester=2, proposals=[
        Proposal(Group.IBU_HAMIL, family, mother, SUKAWANA, ((Reason.KEK, "LiLA < 23,5 cm"),))
        for family, mother in ((plain, plain_mother), (given, given_mother))],
        criteria={}, actor_id=ADMIN_ID, now=bot.clock.now())
    owners = dict(await bot.db.fetch_all("SELECT keluarga_id, tpk_id FROM audit_case"))
    assert owners == {plain: 3001, given: 3002}
    for member, head in ((siti, "Warga Sukawana 000"), (dewi, "Warga Sukawana 001")):
        await member.send("/daftar")
        lines = (await member.next_message(timeout=15)).plain_text.splitlines()
        assert "KKA audit kasus belum dilengkapi" in next(line for line in lines if head in line)


async def test_daftar_and_named_workbooks_are_in_the_access_log(bot: BotUnderTest) -> None:
    """Every by-name read is logged (issue 15 §8): a page of /daftar, /ekspor daftar, e-PPGBM, Verval, CSV."""
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    (_, first_child), (_, second_child) = await _two_families_of_siti(bot)
    async with bot.db.transaction() as tx:
        await add_kunjungan(tx, sasaran_id=first_child, reporter_id=3001, kind="kunjungan",
                            measurement=Measurement(visited_on=TODAY, weight_kg=9.1, height_cm=75.0),
                            answers={}, now=bot.clock.now())

    async def logged(what: str) -> list[tuple[int, int]]:
        rows = await bot.db.fetch_all("SELECT reader_id, sasaran_id FROM access_log WHERE what = ? ORDER BY id",
                                      (what,))
        await bot.db.write("DELETE FROM access_log")
        return [tuple(r) for r in rows]

    await siti.send("/daftar")
    await siti.next_message(timeout=15)
    assert sorted(await logged("daftar")) == [(3001, first_child), (3001, second_child)]
    await siti.send("/ekspor daftar")
    await siti.next_message(timeout=30)
    assert sorted(await logged("ekspor_nama")) == [(3001, first_child), (3001, second_child)]
    await siti.send("/ekspor eppgbm")
    await siti.next_message(timeout=30)
    assert await logged("ekspor_nama") == [(3001, first_child)]  # the one child measured
    await siti.send("/ekspor verval")
    await siti.next_message(timeout=30)
    assert sorted(await logged("ekspor_nama")) == [(3001, first_child), (3001, second_child)]
    await siti.send("/ekspor csv")
    await siti.next_message(timeout=30)
    assert sorted(await logged("ekspor_nama")) == sorted([(3001, first_child), (3001, first_child),
                                                          (3001, second_child)])
    # /akses names the read for a coordinator.
    await siti.send("/ekspor daftar")
    await siti.next_message(timeout=30)
    admin = bot.user(ADMIN_ID, "Admin")
    await admin.send("/akses Anak Keluarga Biasa")
    assert "Siti (Anggota TPK): ekspor dengan nama" in (await admin.next_message(timeout=15)).plain_text
