"""/hapus: a coordinator in scope erases a sasaran's personal data at her request.

Everything that names her goes (record, family, drafts, pending reminders and notices,
her Telegram account, the values in the audit log, the bytes in the database files);
the anonymous counts stay, and one audit entry says who did it, when, to which id.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot import texts
from bot.clock import FakeClock
from bot.dev.emulator import SimUser
from storage import compaction
from storage import keluarga as keluarga_store
from storage import rekap as rekap_store
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from storage.url import StorageURL
from tests.harness import ADMIN_ID, BotUnderTest, add_member, bot_under_test, press_forged
from tests.privacy.files import database_bytes, holding
from tests.reminders.helpers import HPHT, QUIET, SERANG_KEL, join, quiet_bot, tpk

__all__ = ["quiet_bot"]

NAME = "Rina Marlina"
NIK = "3673015203900001"
PHONE = "081234567890"
KK = "3673010101200002"
ADDRESS = "Gang Kenanga No. 17"
MOTHER_ID = 5001
SERANG_KEC = "36.73.01"
CURUG_KEC = "36.73.04"


async def a_mother_with_everything(bot: BotUnderTest) -> tuple[int, SimUser, SimUser]:
    """A registered mother with NIK, phone, a measurement and flags, who joined the
    reminders (consent, scheduled reminders), then stopped them (a pending notice
    naming her), and about whom her TPK member left a half-typed visit (a draft)."""
    member = await tpk(bot)
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name="Ahmad Yani", water_source="ledeng",
                                                 latrine="septik", rt="3", rw="2", address=ADDRESS, no_kk=KK,
                                                 answers={"istri_lahir": "1990-03-12"}),
            reporter_id=member.id, draft_key=None, now=now)
        sasaran_id = await keluarga_store.add_sasaran(
            tx, bot.services.cipher, family,
            NewSasaran(category="ibu_hamil", name=NAME, nik=NIK, sex="P", birth_date=date(1990, 3, 12), phone=PHONE,
                       hpht=HPHT, answers={"anak": 1, "catatan": "tinggal dengan ibu mertua"}),
            reporter_id=member.id, now=now)
        await keluarga_store.add_kunjungan(
            tx, sasaran_id=sasaran_id, reporter_id=member.id, kind="pendaftaran",
            measurement=Measurement(visited_on=date(2026, 11, 23), weight_kg=52.5, height_cm=150, lila_cm=22.5,
                                    hb=10.2),
            answers={"keluhan": "pusing"}, now=now)
        await tx.execute("INSERT INTO sasaran_flag (sasaran_id, code, reason) VALUES (?, 'kek', 'LiLA < 23,5 cm')",
                         (sasaran_id,))
    mother = await join(bot, member, sasaran_id, MOTHER_ID, "Rina")
    assert await bot.db.fetch_value("SELECT count(*) FROM reminders WHERE sasaran_id = ? AND state = 'scheduled'",
                                    (sasaran_id,)) > 0
    await mother.send("/berhenti")
    await mother.next_message()
    await mother.send("/mulai")
    await mother.next_message()
    # The member starts a visit to her and leaves it half done.
    member.drain()
    await member.send("/kunjungan Rina")
    listing = await member.next_message()
    await member.press(listing.button_labels()[0])
    await member.next_message()
    await member.send("23-11-2026")
    await member.next_message()
    await member.send("/batal")
    await member.next_message()
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 1
    return sasaran_id, member, mother


async def compacted_bytes(bot: BotUnderTest) -> bytes | None:
    """:func:`database_bytes` after what removes old row versions: on SQLite the bot compacts
    after an erasure itself; on PostgreSQL the operator runs ``python -m bot compact``, whose
    storage step (:func:`storage.compaction.rewrite_tables`) this runs first."""
    if bot.settings.storage.target.path is None:
        assert (await compaction.rewrite_tables(bot.db)).older_open == 0
    return database_bytes(bot)


async def erase_through_the_bot(coordinator: SimUser, query: str) -> str:
    coordinator.drain()
    await coordinator.send(f"/hapus {query}")
    listing = await coordinator.next_message()
    assert "pilih sasaran" in listing.plain_text, listing.plain_text
    await coordinator.press(next(label for label in listing.button_labels() if label.startswith(NAME)))
    confirmation = await coordinator.next_edit()
    assert "Tidak bisa dibatalkan" in confirmation.plain_text and NIK not in confirmation.plain_text
    # Before the final tap it names the record: name, category, area, masked NIK.
    headline = confirmation.plain_text.splitlines()[0]
    assert headline == f"Hapus data pribadi {NAME} (Ibu hamil, Sukawana, NIK 3673************)?", headline
    await coordinator.press(f"🗑 Ya, hapus data {NAME}")
    done = await coordinator.next_edit()
    return done.plain_text


async def test_hapus_erases_everything_that_names_her_and_keeps_the_counts(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    sasaran_id, member, mother = await a_mother_with_everything(bot)
    keluarga_id = await bot.db.fetch_value("SELECT keluarga_id FROM sasaran WHERE id = ?", (sasaran_id,))
    visits_before = [tuple(r) for r in await bot.db.fetch_all(
        "SELECT visited_on, weight_kg, height_cm, lila_cm, hb FROM kunjungan WHERE sasaran_id = ?", (sasaran_id,))]
    pending = [r[0] for r in await bot.db.fetch_all("SELECT dedupe_key FROM notices WHERE state = 'scheduled'")]
    assert {key.split(":")[0] for key in pending} >= {"persetujuan", "berhenti", "mulai"}, pending
    raw = database_bytes(bot)
    assert raw is None or NAME.encode() in raw, "the scan below must be able to see it"
    assert raw is None or PHONE.encode() not in raw, "the phone is sealed"
    assert await bot.db.fetch_value("SELECT phone_enc FROM sasaran WHERE id = ?", (sasaran_id,))

    coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    reply = await erase_through_the_bot(coordinator, "rina")
    assert f"sasaran #{sasaran_id} sudah dihapus" in reply and "Data keluarganya juga dihapus" in reply
    assert "Rina" not in reply

    row = await bot.db.fetch_one("SELECT * FROM sasaran WHERE id = ?", (sasaran_id,))
    assert row["name"] == "(dihapus)" and row["anonymised_at"] and row["erased_at"] is None
    assert (row["status"], row["ended_reason"]) == ("selesai", "dihapus"), "closed, and kept in the counts"
    assert (row["nik_enc"], row["nik_hash"], row["nik_masked"], row["phone"]) == (None, None, None, None)
    assert (row["phone_enc"], row["phone_hash"]) == (None, None)
    assert (row["birth_date"], row["hpht"], row["answers_json"]) == ("1990-01-01", "2026-07-01", "{}")
    assert (row["category"], row["region_code"]) == ("ibu_hamil", SERANG_KEL), "what the counts need stays"
    family = await bot.db.fetch_one("SELECT * FROM keluarga WHERE id = ?", (keluarga_id,))
    assert family["head_name"] == "(dihapus)" and family["anonymised_at"] and family["answers_json"] == "{}"
    assert (family["address"], family["rt"], family["no_kk_enc"], family["no_kk_masked"]) == (None, None, None, None)
    visits_after = [tuple(r) for r in await bot.db.fetch_all(
        "SELECT visited_on, weight_kg, height_cm, lila_cm, hb FROM kunjungan WHERE sasaran_id = ?", (sasaran_id,))]
    assert visits_after == visits_before, "anonymous measurements stay"
    assert await bot.db.fetch_value("SELECT answers_json FROM kunjungan WHERE sasaran_id = ?", (sasaran_id,)) == "{}"
    assert [r[0] for r in await bot.db.fetch_all("SELECT code FROM sasaran_flag WHERE sasaran_id = ?",
                                                 (sasaran_id,))] == ["kek"]

    # Drafts, reminders, notices, her account.
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0
    assert await bot.db.fetch_value("SELECT count(*) FROM reminders WHERE sasaran_id = ? AND state = 'scheduled'",
                                    (sasaran_id,)) == 0
    assert await bot.db.fetch_value("SELECT count(*) FROM notices WHERE state = 'scheduled'") == 0
    assert not any("Rina" in n[0] for n in await bot.db.fetch_all("SELECT text FROM notices"))
    assert await bot.db.fetch_value("SELECT count(*) FROM ibu") == 0
    assert await bot.db.fetch_value("SELECT count(*) FROM users WHERE id = ?", (MOTHER_ID,)) == 0
    consents = [tuple(r) for r in await bot.db.fetch_all(
        "SELECT telegram_id, decision, text_version FROM ibu_consent WHERE sasaran_id = ? ORDER BY id", (sasaran_id,))]
    assert [c[1] for c in consents] == ["setuju", "berhenti", "mulai"] and {c[0] for c in consents} == {0}

    # The audit log: one entry of who, when, which id; nothing in it names her.
    last = await bot.db.fetch_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (last["actor_id"], last["action"], last["entity"], last["entity_id"]) == (2001, "hapus", "sasaran",
                                                                                     str(sasaran_id))
    assert json.loads(last["after_json"])["alasan"] == "permintaan"
    everything = json.dumps([tuple(r) for r in await bot.db.fetch_all("SELECT * FROM audit_log")])
    for value in ("Rina", NIK, PHONE, KK, ADDRESS, "Ahmad Yani", "1990-03-12", "pusing", str(MOTHER_ID)):
        assert value not in everything, value

    # Not in the database files either (zeroed free space, checkpointed WAL; PostgreSQL's tables
    # rewritten by the operator's step).
    raw = await compacted_bytes(bot)
    for value in (NAME, NIK, PHONE, KK, ADDRESS, "Ahmad Yani", "mertua"):
        assert raw is None or value.encode() not in raw, f"{value} still in {holding(bot, value.encode())}"

    # The counters agree with a rebuild from the raw tables (the record no longer counts).
    by_triggers = await rekap_store.counter_snapshot(bot.db)
    async with bot.db.transaction() as tx:
        await rekap_store.rebuild_counts(tx)
    assert await rekap_store.counter_snapshot(bot.db) == by_triggers

    # Nobody finds her any more; she is a stranger to the bot.
    member.drain()
    await member.send("/kunjungan Rina")
    assert "Tidak ada sasaran yang cocok" in (await member.next_message()).plain_text
    await mother.send("/jadwal")
    assert (await mother.next_message()).plain_text == texts.NOT_ALLOWED
    await coordinator.send("/hapus Rina")
    assert "Tidak ada sasaran bernama «Rina» di wilayah Anda." in (await coordinator.next_message()).plain_text


async def a_mother_and_her_child(bot: BotUnderTest) -> tuple[int, int, int]:
    """(mother's id, her family's id, the child's id): the mother with everything and a balita."""
    sasaran_id, _, _ = await a_mother_with_everything(bot)
    keluarga_id = await bot.db.fetch_value("SELECT keluarga_id FROM sasaran WHERE id = ?", (sasaran_id,))
    async with bot.db.transaction() as tx:
        child = await keluarga_store.add_sasaran(
            tx, bot.services.cipher, keluarga_id, NewSasaran(category="balita", name="Dimas", sex="L",
                                                             birth_date=date(2023, 5, 1)),
            reporter_id=3001, now=bot.clock.now())
    return sasaran_id, keluarga_id, child


async def test_a_baby_and_an_older_sibling_keep_the_family(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    _, keluarga_id, child = await a_mother_and_her_child(bot)
    coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    reply = await erase_through_the_bot(coordinator, "Marlina")
    assert "Data keluarganya juga dihapus" not in reply
    family = await bot.db.fetch_one("SELECT head_name, erased_at FROM keluarga WHERE id = ?", (keluarga_id,))
    assert tuple(family) == ("Ahmad Yani", None)
    assert await bot.db.fetch_value("SELECT name FROM sasaran WHERE id = ?", (child,)) == "Dimas"


async def test_who_may_erase_and_what_a_forged_or_replayed_button_does(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    sasaran_id, member, _ = await a_mother_with_everything(bot)
    # A TPK member may not.
    member.drain()
    await member.send("/hapus Rina")
    assert (await member.next_message()).plain_text == texts.NOT_ALLOWED
    # A coordinator of another kecamatan finds nothing, and a forged button does nothing.
    curug = await add_member(bot, 2002, "Koor Curug", "koordinator", CURUG_KEC)
    await curug.send("/hapus Rina")
    message = await curug.next_message()
    assert "Tidak ada sasaran" in message.plain_text
    for data in (f"hp:ok:{sasaran_id}", f"hp:p:{sasaran_id}", "hp:ok:x", "hp:zz:1"):
        assert await press_forged(bot.emu, curug, message.message_id, data) == texts.EXPIRED_BUTTON
    assert await bot.db.fetch_value("SELECT anonymised_at FROM sasaran WHERE id = ?", (sasaran_id,)) is None
    # Without a name: the explanation.
    await curug.send("/hapus")
    assert "Ketik /hapus diikuti nama atau NIK" in (await curug.next_message()).plain_text
    # Cancel leaves everything.
    serang = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    await serang.send("/hapus Rina")
    await serang.next_message()
    listing = serang.transcript[-1]
    await serang.press(next(label for label in listing.button_labels() if label.startswith(f"{NAME} — Ibu hamil")))
    confirmation = await serang.next_edit()
    await serang.press("Batal")
    assert "Tidak ada data yang dihapus" in (await serang.next_edit()).plain_text
    assert await bot.db.fetch_value("SELECT name FROM sasaran WHERE id = ?", (sasaran_id,)) == NAME
    # The admin may; pressing the old confirmation again afterwards is refused.
    admin = bot.user(ADMIN_ID, "Admin")
    await erase_through_the_bot(admin, NIK[:4] + " " + NIK[4:8] + " " + NIK[8:12] + " " + NIK[12:])
    assert await press_forged(bot.emu, serang, confirmation.message_id, f"hp:ok:{sasaran_id}") == texts.EXPIRED_BUTTON
    entries = await bot.db.fetch_all("SELECT actor_id FROM audit_log WHERE action = 'hapus'")
    assert [r[0] for r in entries] == [ADMIN_ID]


async def test_no_stale_copy_of_the_name_survives_in_a_busy_file(quiet_bot: BotUnderTest) -> None:
    """Hundreds of records around hers: index pages split while they were written, which
    leaves stale copies of names in unused page space (SQLite builds differ in whether
    they zero deleted content; here it is off, as in most); the erasure compacts the file.
    On PostgreSQL the erased name stays in a dead row version, in the table's file, until
    the operator's ``python -m bot compact`` rewrites the tables; then it is gone."""
    bot = quiet_bot
    member = await tpk(bot)
    now = bot.clock.now()
    on_postgresql = bot.settings.storage.target.path is None
    async with bot.db.transaction() as tx:
        if not on_postgresql:
            await tx.execute("PRAGMA secure_delete = OFF")
        for i in range(400):
            keluarga_id = await keluarga_store.create_keluarga(
                tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name=f"Kepala {i:03d}",
                                                     water_source="ledeng", latrine="septik"),
                reporter_id=member.id, draft_key=None, now=now)
            name = NAME if i == 7 else f"Ibu Nomor {i:03d} Sukawana"
            await keluarga_store.add_sasaran(tx, bot.services.cipher, keluarga_id,
                                             NewSasaran(category="ibu_hamil", name=name, sex="P", hpht=HPHT,
                                                        nik=NIK if i == 7 else None),
                                             reporter_id=member.id, now=now)
    from bot import privacy

    target = await bot.db.fetch_value("SELECT id FROM sasaran WHERE name = ?", (NAME,))
    holder = None
    if on_postgresql:  # a transaction that began before the erasure and is still open
        import psycopg

        holder = psycopg.connect(bot.settings.storage.target.conninfo())
        holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        holder.execute("SELECT 1")  # its snapshot, and no table lock the rewrite would wait for
    await privacy.erase(bot.services, target, actor_id=ADMIN_ID)
    if holder is not None:
        before = database_bytes(bot)
        if before is None:
            holder.close()
            pytest.skip("the PostgreSQL server's files cannot be read from this process")
        assert NAME.encode() in before, "a dead row version keeps her name until the tables are rewritten"
        counters = await bot.db.fetch_value("SELECT pg_relation_filenode('rekap_counts')")
        # While that transaction may still read her row, the rewrite must keep it, and says so
        # (counting it, and whatever else on the server is older: other tests' sessions too).
        assert (await compaction.rewrite_tables(bot.db, wait_s=0.3)).older_open >= 1
        assert NAME.encode() in (database_bytes(bot) or b"")
        holder.close()
    raw = await compacted_bytes(bot)
    assert raw is not None and b"Ibu Nomor 399 Sukawana" in raw
    assert NAME.encode() not in raw and NIK.encode() not in raw
    if on_postgresql:  # the counters hold no person: left as they were
        assert await bot.db.fetch_value("SELECT pg_relation_filenode('rekap_counts')") == counters


async def test_an_erased_record_stays_in_the_anonymous_counts(quiet_bot: BotUnderTest) -> None:
    """UU PDP erasure removes the person, not the programme's statistics: families,
    families at risk, reminders sent and answered keep counting the anonymous record;
    only the list of active pregnancies loses her (the record is closed)."""
    bot = quiet_bot
    sasaran_id, _, _ = await a_mother_with_everything(bot)
    kept = ("keluarga", "keluarga_berisiko", "hpl", "pengingat_kirim", "pengingat_perlu", "pengingat_jawab")
    query = f"SELECT metric, value FROM rekap_totals WHERE metric IN ({','.join('?' * len(kept))}) ORDER BY metric"
    before = [tuple(r) for r in await bot.db.fetch_all(query, kept)]
    assert ("keluarga", 1) in before
    coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    await erase_through_the_bot(coordinator, "rina")
    assert [tuple(r) for r in await bot.db.fetch_all(query, kept)] == before
    # ... and it has left every list: /keluarga shows nothing, /hapus finds nothing.
    await coordinator.send("/keluarga")
    assert "Belum ada keluarga" in (await coordinator.next_message()).plain_text
    await coordinator.send("/hapus rina")
    assert "Tidak ada sasaran" in (await coordinator.next_message()).plain_text
    assert await bot.db.fetch_value("SELECT status FROM sasaran WHERE id = ?", (sasaran_id,)) == "selesai"


async def sasaran_sheet_ids(user: SimUser) -> list[object]:
    """The record ids in the /ekspor workbook's "Sasaran" sheet (column B)."""
    user.drain()
    await user.send("/ekspor")
    document = await user.next_message(timeout=30)
    assert document.document is not None, document.plain_text
    book = openpyxl.load_workbook(io.BytesIO(document.document))
    rows = [tuple(r) for r in book["Sasaran"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "No")
    return [r[1] for r in rows[header + 1:] if r[1] is not None]


async def test_an_erased_record_leaves_the_ekspor_sasaran_sheet(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    sasaran_id, _, child = await a_mother_and_her_child(bot)
    coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    assert sorted(await sasaran_sheet_ids(coordinator)) == [sasaran_id, child]
    await erase_through_the_bot(coordinator, "Marlina")
    assert await sasaran_sheet_ids(coordinator) == [child], "no row left for the person who asked to be erased"


async def test_hapus_is_limited_per_coordinator_and_day(tmp_path: Path, clock: FakeClock,
                                                        storage_url: StorageURL) -> None:
    async with bot_under_test(tmp_path, clock, **QUIET, privacy={"erase_per_day": 2},
                              storage={"url": storage_url.as_setting()}) as bot:
        member = await tpk(bot)
        now = bot.clock.now()
        ids = []
        async with bot.db.transaction() as tx:
            for name in ("Ani Lestari", "Budi Santoso", "Citra Dewi", "Dewi Sartika"):
                family = await keluarga_store.create_keluarga(
                    tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name=f"Kepala {name}",
                                                         water_source="ledeng", latrine="septik"),
                    reporter_id=member.id, draft_key=None, now=now)
                ids.append(await keluarga_store.add_sasaran(
                    tx, bot.services.cipher, family, NewSasaran(category="catin", name=name, sex="P",
                                                                birth_date=date(2000, 1, 1)),
                    reporter_id=member.id, now=now))
        coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
        await erase_named(coordinator, "Ani Lestari")
        # Citra's confirmation is open while the second erasure uses up the day's limit.
        await confirmation_for(coordinator, "Citra Dewi")
        await erase_named(coordinator, "Budi Santoso")
        await coordinator.press("🗑 Ya, hapus data Citra Dewi")  # the older, still open confirmation
        refused = await coordinator.next_edit()
        assert "Batas penghapusan tercapai" in refused.plain_text
        assert "Tidak ada data yang dihapus" in refused.plain_text
        assert await bot.db.fetch_value("SELECT name FROM sasaran WHERE id = ?", (ids[2],)) == "Citra Dewi"
        await coordinator.send("/hapus Dewi")
        polite = (await coordinator.next_message()).plain_text
        assert polite.startswith("Batas penghapusan tercapai: paling banyak 2 data dalam 24 jam"), polite
        # Another coordinator has a limit of their own; and a day later it is open again.
        other = await add_member(bot, 2002, "Koor Dua", "koordinator", SERANG_KEC)
        await erase_named(other, "Citra Dewi")
        bot.clock.advance(timedelta(hours=24, minutes=1))
        await erase_named(coordinator, "Dewi Sartika")
        erased = {r[0] for r in await bot.db.fetch_all("SELECT id FROM sasaran WHERE anonymised_at IS NOT NULL")}
        assert erased == set(ids)


async def confirmation_for(coordinator: SimUser, name: str):
    coordinator.drain()
    await coordinator.send(f"/hapus {name}")
    listing = await coordinator.next_message()
    await coordinator.press(next(label for label in listing.button_labels() if label.startswith(name)))
    confirmation = await coordinator.next_edit()
    assert confirmation.plain_text.startswith(f"Hapus data pribadi {name} (Calon pengantin"), confirmation.plain_text
    return confirmation


async def erase_named(coordinator: SimUser, name: str) -> None:
    await confirmation_for(coordinator, name)
    await coordinator.press(f"🗑 Ya, hapus data {name}")
    assert "sudah dihapus" in (await coordinator.next_edit()).plain_text
