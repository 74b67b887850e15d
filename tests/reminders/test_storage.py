"""Reminder rows on both engines: unique key, idempotent materialisation, re-planning, the
state machine and the claim, without Telegram."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from bot.clock import FakeClock
from bot.domain.roles import Role
from bot.domain.tokens import new_token
from bot.reminders import cancel_for_loss, refresh_plan
from bot.reminders.planning import extend_windows
from bot.services import Services
from bot.settings import Settings
from bot.startup import prepare
from storage import ibu as ibu_store
from storage import invitations, outbox
from storage import keluarga as keluarga_store
from storage import notices as notices_store
from storage import reminders as reminders_store
from storage import users as users_store
from storage.crypto import new_key
from storage.ibu import Decision, LinkState
from storage.keluarga import NewKeluarga, NewSasaran
from storage.timefmt import to_db
from storage.url import Engine, StorageURL
from tests.reminders.helpers import HPHT, SERANG_KEL

ADMIN, TPK, MOTHER = 1000, 3001, 5001
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


@pytest.fixture
async def services(storage_url: StorageURL) -> AsyncIterator[Services]:
    settings = Settings(telegram={"token": "123456:" + "T" * 35, "base_url": "http://127.0.0.1:9/bot"},
                        storage={"url": storage_url.as_setting()}, wilayah={"root": "36.73"},
                        access={"admins": [ADMIN]}, privacy={"key": new_key()},
                        # The daily tablet rows (a mother's choice; weekly is the default) probe the window.
                        pengingat={"ttd": {"mode": "harian"}})
    services = await prepare(settings, FakeClock(START))
    try:
        yield services
    finally:
        await services.db.close()


def clock(services: Services) -> FakeClock:
    assert isinstance(services.clock, FakeClock)
    return services.clock


async def mother(services: Services, *, hpht: date = HPHT, user_id: int = MOTHER) -> int:
    """A TPK member, a registered ibu hamil, and her consent: returns the sasaran id."""
    db, now = services.db, services.clock.now()
    await users_store.ensure_admin(db, ADMIN, "Admin", "36.73", now)
    if await users_store.get(db, TPK) is None:
        token = new_token()
        await invitations.create(db, token=token, role=Role.TPK, region_code=SERANG_KEL, created_by=ADMIN, now=now,
                                 valid_for=timedelta(days=1))
        await invitations.claim_membership(db, token=token, user_id=TPK, full_name="Bidan Wati", phone=None,
                                           team_position=None, now=now)
    async with db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, services.cipher, NewKeluarga(region_code=SERANG_KEL, head_name="Budi", water_source="ledeng",
                                             latrine="septik"), reporter_id=TPK, draft_key=None, now=now)
        sasaran = await keluarga_store.add_sasaran(tx, services.cipher, family,
                                                   NewSasaran(category="ibu_hamil", name="Sari", hpht=hpht),
                                                   reporter_id=TPK, now=now)
    token = new_token()
    await invitations.create(db, token=token, role=Role.IBU, region_code=SERANG_KEL, created_by=TPK, now=now,
                             valid_for=timedelta(days=7), sasaran_id=sasaran)
    async with db.transaction() as tx:
        await ibu_store.mark_checked(tx, token=token, telegram_id=user_id)
        await ibu_store.decide(tx, token=token, telegram_id=user_id, decision=Decision.SETUJU, text_version="v",
                               now=now, ttd_default=True)
    return sasaran


async def snapshot(services: Services, sasaran: int) -> list[tuple[int, str, str, str]]:
    return [(r.id, r.kind, r.due_date.isoformat(), r.state) for r in await reminders_store.for_sasaran(services.db,
                                                                                                         sasaran)]


async def test_the_key_is_unique_per_sasaran_kind_and_due_date(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    row = (await reminders_store.for_sasaran(services.db, sasaran))[0]
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        async with services.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, send_after, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'anc', 'x', 'x', 'x')",
                (sasaran, row.kind, row.due_date.isoformat(), row.window_end.isoformat()),
            )


async def test_materialising_twice_changes_nothing_and_covers_fourteen_days(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    first = await snapshot(services, sasaran)
    await refresh_plan(services, sasaran)
    assert await snapshot(services, sasaran) == first
    ttd_days = sorted(due for _, kind, due, _ in first if kind == "ttd")
    assert ttd_days[0] == "2026-11-23" and ttd_days[-1] == "2026-12-06" and len(ttd_days) == 14
    assert {"anc_2", "anc_3", "pekan_19", "pekan_20"} <= {kind for _, kind, _, _ in first}


async def test_the_window_rolls_forward_once_a_day(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    assert await extend_windows(services) == 0, "planned today already"
    clock(services).set(datetime(2026, 11, 23, 17, 2, tzinfo=UTC))  # 00:02 WIB on Tuesday
    assert await extend_windows(services) == 1
    assert await extend_windows(services) == 0
    rows = await reminders_store.for_sasaran(services.db, sasaran)
    assert max(r.due_date for r in rows if r.kind == "ttd") == date(2026, 12, 7)
    # Yesterday's tablet reminder was never sent: expired, not sent a day late.
    assert next(r for r in rows if r.kind == "ttd" and r.due_date == date(2026, 11, 23)).state == "expired"


async def test_a_corrected_hpht_moves_the_plan(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    async with services.db.transaction() as tx:
        await keluarga_store.update_sasaran(tx, sasaran, actor_id=TPK, now=services.clock.now(),
                                            hpht=HPHT - timedelta(days=7))
    await refresh_plan(services, sasaran)
    rows = await reminders_store.for_sasaran(services.db, sasaran)
    weekly = {(r.kind, r.due_date, r.state, r.cancel_reason) for r in rows if r.kind.startswith("pekan_")}
    assert ("pekan_20", date(2026, 11, 27), "cancelled", "rencana") in weekly
    assert ("pekan_20", date(2026, 11, 20), "scheduled", None) in weekly
    assert ("anc_3", date(2026, 11, 17), "scheduled", None) in {
        (r.kind, r.due_date, r.state, r.cancel_reason) for r in rows}


async def test_a_birth_ends_pregnancy_reminders_and_starts_kf_kn(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    async with services.db.transaction() as tx:
        await keluarga_store.update_sasaran(tx, sasaran, actor_id=TPK, now=services.clock.now(), category="ibu_nifas",
                                            delivery_date=date(2026, 11, 22))
    await refresh_plan(services, sasaran)
    scheduled = {r.kind for r in await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"])}
    assert {"kf_1", "kn_1", "imun_hb0", "asi"} <= scheduled
    assert not {k for k in scheduled if k.startswith(("anc_", "pekan_", "ttd", "p4k", "hpl_"))}


async def test_after_a_loss_everything_is_cancelled_at_once_and_the_tpk_asked_to_visit(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    async with services.db.transaction() as tx:
        await keluarga_store.update_sasaran(tx, sasaran, actor_id=TPK, now=services.clock.now(), status="selesai",
                                            ended_reason="keguguran", ended_on=date(2026, 11, 22))
    await cancel_for_loss(services, sasaran)
    await refresh_plan(services, sasaran)  # the lead's flow calls both: still nothing planned
    await cancel_for_loss(services, sasaran)
    rows = await reminders_store.for_sasaran(services.db, sasaran)
    assert rows and {(r.state, r.cancel_reason) for r in rows} == {("cancelled", "keguguran")}
    clock(services).advance(timedelta(days=1))
    await extend_windows(services)
    assert await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"]) == []
    asks = await notices_store.for_recipient(services.db, TPK, kind="keguguran")
    assert len(asks) == 1 and "Mohon kunjungi" in asks[0].text and "Ibu S." in asks[0].text
    assert asks[0].markup == [[{"text": "Catat kunjungan", "callback_data": f"kj:new:{sasaran}"}]]


async def test_claim_recover_and_the_states_of_a_row(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    db, now = services.db, services.clock.now()
    async with db.transaction() as tx:
        due = await reminders_store.due_candidates(tx, now=now, limit=10)
        assert [c.kind for c in due] == ["anc_2", "pekan_19"], "due now, in send order"
        await outbox.claim(tx, "reminders", [due[0].id], run_id="run-a", now=now)
    async with db.transaction() as tx:
        assert [c.kind for c in await reminders_store.due_candidates(tx, now=now, limit=10)] == ["pekan_19"]
    # The same run does not take back its own fresh claim; another run (after a restart) does.
    assert await outbox.recover(db, "reminders", run_id="run-a", stale_before=now - timedelta(minutes=10),
                                now=now) == 0
    assert await outbox.recover(db, "reminders", run_id="run-b", stale_before=now - timedelta(minutes=10),
                                now=now) == 1
    anc2 = due[0].id
    assert (await reminders_store.get(db, anc2)).state == "scheduled"  # type: ignore[union-attr]

    async with db.transaction() as tx:
        await outbox.claim(tx, "reminders", [anc2], run_id="run-b", now=now)
    await outbox.mark_sent(db, "reminders", anc2, message_id=77, now=now)
    async with db.transaction() as tx:
        assert await reminders_store.acknowledge(tx, anc2, user_id=MOTHER + 1, answer="sudah", now=now) is None, (
            "only her own reminder")
        answered = await reminders_store.acknowledge(tx, anc2, user_id=MOTHER, answer="belum", now=now)
        assert answered is not None and (answered.state, answered.ack) == ("acknowledged", "belum")
        assert await reminders_store.acknowledge(tx, anc2, user_id=MOTHER, answer="sudah", now=now) is None, (
            "answered once")
    assert [o for o, _ in await outbox.attempts_of(db, "reminders", anc2)] == ["recovered", "sent"]

    pekan = due[1].id
    async with db.transaction() as tx:
        await outbox.claim(tx, "reminders", [pekan], run_id="run-b", now=now)
    for attempt in range(3):
        again = await outbox.retry_later(db, "reminders", pekan, at=now, outcome="network", detail="NetworkError",
                                         now=now, max_attempts=3)
        assert again is (attempt < 2)
    row = await reminders_store.get(db, pekan)
    assert row is not None and (row.state, row.attempts) == ("failed", 3)


async def test_unanswered_reads_the_rows_waiting_for_an_answer_not_the_delivery_history(services: Services) -> None:
    """Every tick asks for unanswered action reminders; the history of sent rows (all of
    them, forever) must not be walked for it, only the partial index of waiting rows."""
    sasaran = await mother(services)
    db, now = services.db, services.clock.now()
    sent = [(f"history_{n}", False, None, now - timedelta(days=3, minutes=n)) for n in range(200)]
    sent += [
        ("anc_1", True, "sudah", now - timedelta(days=2)),   # answered
        ("anc_2", True, None, now - timedelta(days=2)),      # waiting past the timeout
        ("kf_1", True, None, now - timedelta(hours=1)),      # waiting, not yet due for a follow-up
    ]
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO reminders (sasaran_id, kind, due_date, window_end, text_key, needs_ack, send_after, state, "
            "ack, sent_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'anc', ?, ?, ?, ?, ?, ?, ?)",
            [(sasaran, kind, f"2026-01-{1 + n % 28:02d}", "2026-12-31", int(ack), to_db(at),
              "acknowledged" if answer else "sent", answer, to_db(at), to_db(now), to_db(now))
             for n, (kind, ack, answer, at) in enumerate(sent)],
        )
    async with db.transaction() as tx:
        waiting = await reminders_store.unanswered(tx, sent_before=now - timedelta(hours=24), limit=50)
    assert [item.kind for item in waiting] == ["anc_2"]
    if db.dialect.engine is not Engine.SQLITE:
        return  # the plan below is SQLite's INDEXED BY hint; PostgreSQL's planner chooses by statistics
    plan = " ".join(row[3] for row in await db.fetch_all(
        "EXPLAIN QUERY PLAN " + reminders_store.UNANSWERED_QUERY, (to_db(now), 50)))
    assert "reminders_waiting_ack" in plan and "reminders_sent_at" not in plan, plan


async def test_stopped_mothers_rows_are_cancelled_and_mulai_skips_what_was_missed(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await ibu_store.stop(tx, MOTHER, state=LinkState.BERHENTI, version="v", now=now)
    assert await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"]) == []
    await refresh_plan(services, sasaran)
    assert await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"]) == []

    clock(services).advance(timedelta(days=3))
    async with services.db.transaction() as tx:
        await ibu_store.resume(tx, MOTHER, today=date(2026, 11, 26), version="v", now=services.clock.now())
    await refresh_plan(services, sasaran)
    scheduled = await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"])
    assert scheduled and min(r.due_date for r in scheduled) == date(2026, 11, 26)
    assert "anc_3" not in {r.kind for r in scheduled}, "due on the 24th, while she had stopped"


async def test_a_change_to_the_babys_record_replans_its_mother(services: Services) -> None:
    sasaran = await mother(services)
    await refresh_plan(services, sasaran)
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await keluarga_store.update_sasaran(tx, sasaran, actor_id=TPK, now=now, category="ibu_nifas",
                                            delivery_date=date(2026, 11, 20))
        family = (await keluarga_store.keluarga_in_tx(tx, 1))
        assert family is not None
        baby = await keluarga_store.add_sasaran(tx, services.cipher, family.id,
                                                NewSasaran(category="baduta", name="Adik", sex="L",
                                                           birth_date=date(2026, 11, 20), mother_id=sasaran),
                                                reporter_id=TPK, now=now)
    await refresh_plan(services, baby)  # only the baby's id, as a correction of its birth date would
    scheduled = {r.kind for r in await reminders_store.for_sasaran(services.db, sasaran, states=["scheduled"])}
    assert {"kn_2", "kf_2", "imun_hb0"} <= scheduled
    assert await reminders_store.for_sasaran(services.db, baby) == [], "reminders live on the mother's record"
