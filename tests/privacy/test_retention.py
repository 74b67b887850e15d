"""Retention: ended records are anonymised by the daily job once ``[privacy]
retention_days`` have passed since they ended; active records are never touched, and
the anonymous counts behind /rekap do not change."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.privacy import retention
from storage import keluarga as keluarga_store
from storage import rekap as rekap_store
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from storage.url import StorageURL
from tests.harness import BotUnderTest, add_member, bot_under_test
from tests.reminders.helpers import QUIET, SERANG_KEL

DAYS = 30


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with bot_under_test(tmp_path, clock, privacy={"retention_days": DAYS}, **QUIET,
                              storage={"url": storage_url.as_setting()}) as harness:
        yield harness


async def family(bot: BotUnderTest, head: str, *members: NewSasaran) -> tuple[int, list[int]]:
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        keluarga_id = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name=head, water_source="ledeng",
                                                 latrine="septik", rt="1", rw="4", address=f"Rumah {head}",
                                                 no_kk="3673010101200002" if head == "Pak Lama" else None),
            reporter_id=3001, draft_key=None, now=now)
        ids = []
        for member in members:
            sasaran_id = await keluarga_store.add_sasaran(tx, bot.services.cipher, keluarga_id, member,
                                                          reporter_id=3001, now=now)
            await keluarga_store.add_kunjungan(
                tx, sasaran_id=sasaran_id, reporter_id=3001, kind="pendaftaran",
                measurement=Measurement(visited_on=date(2026, 11, 23), weight_kg=14.0),
                answers={}, now=now)
            ids.append(sasaran_id)
    return keluarga_id, ids


async def run_job(bot: BotUnderTest) -> None:
    """The scheduled job itself, run now (it reads the FakeClock)."""
    jobs = bot.app.job_queue.get_jobs_by_name(retention.JOB_NAME)
    assert len(jobs) == 1, "the retention job is scheduled"
    await jobs[0].run(bot.app)


async def row(bot: BotUnderTest, table: str, row_id: int) -> dict[str, object]:
    found = await bot.db.fetch_one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    assert found is not None
    return dict(zip(found.keys(), tuple(found), strict=True))


async def test_ended_records_are_anonymised_after_the_period_and_counts_stay(bot: BotUnderTest) -> None:
    await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
    # A pregnancy that ended with a loss today; the family has no one else.
    lost_family, (lost,) = await family(bot, "Pak Lama", NewSasaran(
        category="ibu_hamil", name="Sari Lestari", nik="3673015203900001", phone="081234567890",
        birth_date=date(1990, 3, 12), hpht=date(2026, 7, 10), hpl=date(2027, 4, 16)))
    async with bot.db.transaction() as tx:
        await keluarga_store.update_sasaran(tx, lost, actor_id=3001, now=bot.clock.now(), status="selesai",
                                            ended_reason="keguguran", ended_on=date(2026, 11, 23))
    # An active mother with a child who turned five in June 2021 + 5 = 2026-06-01.
    busy_family, (mother, child) = await family(
        bot, "Pak Aktif",
        NewSasaran(category="ibu_nifas", name="Dewi Anggraini", sex="P", delivery_date=date(2026, 11, 1)),
        NewSasaran(category="balita", name="Bima", sex="L", birth_date=date(2021, 6, 1)))
    # A family reported without members.
    empty_family, _ = await family(bot, "Pak Kosong")

    # Day 0: only the child is past its end (fifth birthday) + 30 days.
    await run_job(bot)
    kid = await row(bot, "sasaran", child)
    assert kid["name"] == "(dihapus)" and kid["anonymised_at"] and kid["erased_at"] is None
    assert (kid["status"], kid["ended_reason"], kid["ended_on"], kid["birth_date"]) == \
        ("selesai", "lewat_usia", "2026-06-01", "2021-01-01")
    assert (await row(bot, "sasaran", mother))["name"] == "Dewi Anggraini"
    assert (await row(bot, "sasaran", lost))["name"] == "Sari Lestari"
    assert (await row(bot, "keluarga", empty_family))["head_name"] == "Pak Kosong"

    # A second run the same day does nothing; 30 days later the loss is due, and so is
    # the family nobody in it is active in, and the empty family.
    before = await rekap_store.counter_snapshot(bot.db)
    bot.clock.advance(timedelta(days=DAYS - 1))
    await run_job(bot)
    assert (await row(bot, "sasaran", lost))["anonymised_at"] is None, "not before the period has passed"
    bot.clock.advance(timedelta(days=1, hours=1))
    await run_job(bot)
    gone = await row(bot, "sasaran", lost)
    assert gone["name"] == "(dihapus)" and gone["nik_enc"] is None and gone["nik_hash"] is None
    assert (gone["phone"], gone["birth_date"], gone["hpht"], gone["hpl"]) == (None, "1990-01-01", "2026-07-01",
                                                                           "2027-04-01")
    assert (gone["status"], gone["ended_reason"], gone["erased_at"]) == ("selesai", "keguguran", None)
    for keluarga_id in (lost_family, empty_family):
        anonymous = await row(bot, "keluarga", keluarga_id)
        assert anonymous["head_name"] == "(dihapus)" and anonymous["address"] is None
        assert anonymous["no_kk_enc"] is None and anonymous["anonymised_at"] and anonymous["erased_at"] is None
    assert (await row(bot, "keluarga", busy_family))["head_name"] == "Pak Aktif"
    assert (await row(bot, "sasaran", mother))["name"] == "Dewi Anggraini", "active records are never touched"

    # /rekap's figures are exactly what they were: anonymised, not erased.
    assert await rekap_store.counter_snapshot(bot.db) == before
    async with bot.db.transaction() as tx:
        await rekap_store.rebuild_counts(tx)
    assert await rekap_store.counter_snapshot(bot.db) == before
    # Audited by id, with no personal data.
    entries = await bot.db.fetch_all("SELECT actor_id, entity, entity_id, after_json FROM audit_log "
                                     "WHERE action = 'anonimkan' ORDER BY id")
    assert {(r["entity"], r["entity_id"]) for r in entries} >= {("sasaran", str(child)), ("sasaran", str(lost)),
                                                                ("keluarga", str(empty_family))}
    assert all(r["actor_id"] is None and json.loads(r["after_json"])["alasan"] == "retensi" for r in entries)
    text = json.dumps([tuple(r) for r in await bot.db.fetch_all("SELECT * FROM audit_log")])
    for value in ("Sari", "Bima", "Pak Lama", "Pak Kosong", "081234567890"):
        assert value not in text, value


async def test_the_sweep_works_in_batches_and_once_a_day(bot: BotUnderTest) -> None:
    await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
    children = [NewSasaran(category="balita", name=f"Anak {i}", sex="L", birth_date=date(2020, 1, 1 + i))
                for i in range(5)]
    keluarga_id, _ = await family(bot, "Pak Ramai", *children)
    first = await retention.sweep(bot.services, batch=2)
    assert (first.aged_out, first.complete) == (2, False)
    second = await retention.sweep(bot.services, batch=2)  # not finished: the next hour goes on
    assert (second.aged_out, second.complete) == (2, False)
    third = await retention.sweep(bot.services, batch=2)
    assert third.aged_out == 1 and third.complete
    assert (await row(bot, "keluarga", keluarga_id))["head_name"] == "(dihapus)", "its last member went"
    assert (await retention.sweep(bot.services)).skipped, "done for today"
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran WHERE anonymised_at IS NULL") == 0


async def test_zero_days_keeps_everything(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> None:
    async with bot_under_test(tmp_path, clock, privacy={"retention_days": 0}, **QUIET,
                              storage={"url": storage_url.as_setting()}) as bot:
        await add_member(bot, 3001, "Bidan Wati", "tpk", SERANG_KEL, "bidan")
        await family(bot, "Pak Lama", NewSasaran(category="balita", name="Bima", sex="L", birth_date=date(2015, 1, 1)))
        report = await retention.sweep(bot.services, force=True)
        assert report.skipped and report.total == 0
        assert await bot.db.fetch_value("SELECT name FROM sasaran") == "Bima"
