"""Migrations, invitations and users against a real database: a SQLite file and a PostgreSQL database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.roles import Role, Status, TeamPosition
from bot.domain.tokens import is_well_formed, new_token, token_hash
from storage import audit, catalogue, invitations, users
from storage import regions as regions_store
from storage.crypto import IdentityCipher, decode_key, new_key
from storage.db import Database, Migration, MigrationError, bundled_migrations
from storage.engine import open_database
from storage.invitations import InvitationError, Problem
from storage.timefmt import from_db, to_db
from storage.url import Engine, StorageURL
from tests.engines import storage_for

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ADMIN = 111


@pytest.fixture
async def db(storage_url: StorageURL):
    database = await open_database(storage_url)
    await database.migrate()
    await regions_store.load_root(database, regions_store.DEFAULT_CSV, "36.73")
    await users.ensure_admin(database, ADMIN, "Admin Kota", "36.73", NOW)
    yield database
    await database.close()


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30),
                   timezones=st.timezones()))
def test_stored_instants_read_back_as_the_same_instant_in_utc(instant: datetime) -> None:
    stored = to_db(instant)
    back = from_db(stored)
    assert back is not None and back.tzinfo is UTC
    # Whole seconds are stored. (Compared in UTC: Python never calls a time inside a DST
    # fold equal to one in another zone.)
    assert back == instant.replace(microsecond=0).astimezone(UTC)
    assert to_db(back) == stored and stored.endswith("Z") and len(stored) == 20


async def test_fresh_database_gets_every_migration_once(engine: str, tmp_path: Path) -> None:
    async with storage_for(engine, tmp_path, migrated=False) as storage_url:
        await _every_migration_once(storage_url)


async def _every_migration_once(storage_url: StorageURL) -> None:
    database = await open_database(storage_url)
    try:
        applied = await database.migrate()
        assert applied == [m.version for m in bundled_migrations(storage_url.engine)]
        assert applied == [m.version for m in bundled_migrations()]
        assert await database.migrate() == []
        assert await database.schema_version() == applied[-1]
        assert [tuple(r) for r in await database.fetch_all("SELECT version, name FROM schema_migrations ORDER BY 1")] \
            == [(m.version, m.name) for m in bundled_migrations()]
        if storage_url.engine is Engine.SQLITE:
            assert await database.fetch_value("PRAGMA journal_mode") == "wal"
            assert await database.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await database.close()


async def test_a_failing_migration_leaves_nothing_half_done(db: Database) -> None:
    version = await db.schema_version()
    broken = Migration(version + 1, "broken", "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="broken"):
        await db.migrate([*bundled_migrations(), broken])
    assert await db.schema_version() == version
    assert "half" not in await catalogue.table_names(db)
    # The database is still usable afterwards.
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('after', 'ok')")


async def test_a_lone_write_commits_by_itself_and_never_joins_an_open_transaction(db: Database) -> None:
    """``write`` skips BEGIN/COMMIT; it must still wait for a transaction in progress,
    or a rollback there would take its row away too."""
    began = asyncio.Event()

    async def failing_transaction() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('in_tx', 'x')")
            began.set()
            await asyncio.sleep(0.05)  # the lone write is queued meanwhile
            raise RuntimeError("rolled back")

    task = asyncio.create_task(failing_transaction())
    await began.wait()
    changed = await db.write("INSERT INTO meta (key, value) VALUES ('lone', 'y')")
    with pytest.raises(RuntimeError):
        await task
    assert changed == 1
    assert task.done()  # the write waited for the transaction to end
    assert await db.fetch_value("SELECT value FROM meta WHERE key = 'lone'") == "y"  # committed: the reader sees it
    assert await db.fetch_value("SELECT count(*) FROM meta WHERE key = 'in_tx'") == 0


async def test_a_refused_statement_is_undone_alone_and_the_transaction_goes_on(db: Database) -> None:
    """A row still referred to is not deleted (erasure then anonymises the account
    instead): on both engines that one statement is undone, the rest commits."""
    now = to_db(datetime(2026, 11, 23, tzinfo=UTC))
    await db.write("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) VALUES"
                   " (1, 'A', 'admin', '36.73', ?, ?), (2, 'B', 'admin', '36.73', ?, ?)", (now, now, now, now))
    await db.write("INSERT INTO rekap_digest_optout (user_id, updated_at) VALUES (1, ?)", (now,))
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('before', 'x')")
        assert not await tx.execute_unless_refused("DELETE FROM users WHERE id = ?", (1,))  # still referred to
        assert await tx.execute_unless_refused("DELETE FROM users WHERE id = ?", (2,))
        await tx.execute("INSERT INTO meta (key, value) VALUES ('after', 'y')")
    assert [r[0] for r in await db.fetch_all("SELECT id FROM users WHERE id IN (1, 2)")] == [1]
    assert await db.fetch_value("SELECT count(*) FROM meta WHERE key IN ('before', 'after')") == 2


async def test_a_database_newer_than_the_program_is_refused(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO schema_migrations VALUES (9999, 'future', 'x')")
    with pytest.raises(MigrationError, match="lebih baru"):
        await db.migrate()


def test_tokens_fit_telegram_and_are_not_stored() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(is_well_formed(t) and len(t) <= 64 for t in tokens)
    token = next(iter(tokens))
    assert token not in token_hash(token)
    assert not is_well_formed("abc") and not is_well_formed("a" * 65) and not is_well_formed("x" * 20 + "!")


async def _invite(db: Database, *, role: Role = Role.TPK, region: str = "36.73.04.1007",
                  valid: timedelta = timedelta(days=7)) -> str:
    token = new_token()
    await invitations.create(db, token=token, role=role, region_code=region, created_by=ADMIN,
                             now=NOW, valid_for=valid)
    return token


async def test_claim_creates_the_member_once_and_audits(db: Database) -> None:
    token = await _invite(db)
    raw = await db.fetch_all("SELECT token_hash FROM invitations")
    assert all(token not in row[0] for row in raw)
    member, invitation = await invitations.claim_membership(
        db, token=token, user_id=222, full_name="Siti", phone="+6281234567890",
        team_position=TeamPosition.BIDAN, now=NOW + timedelta(hours=1), cipher=IdentityCipher(decode_key(new_key())))
    assert (member.role, member.region_code, member.team_position) == (Role.TPK, "36.73.04.1007", TeamPosition.BIDAN)
    assert invitation.created_by == ADMIN
    with pytest.raises(InvitationError) as used:
        await invitations.claim_membership(db, token=token, user_id=333, full_name="Lain", phone=None,
                                           team_position=None, now=NOW + timedelta(hours=2))
    assert used.value.problem is Problem.USED
    history = await audit.history(db, "user", 222)
    assert history[0].action == "create" and "phone" not in (history[0].after or {})


async def test_two_people_racing_for_one_link_make_one_member(db: Database) -> None:
    token = await _invite(db)
    results = await asyncio.gather(
        *(invitations.claim_membership(db, token=token, user_id=uid, full_name="X", phone=None,
                                       team_position=None, now=NOW) for uid in (401, 402, 403)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert await db.fetch_value("SELECT count(*) FROM users WHERE id IN (401, 402, 403)") == 1


async def test_two_processes_racing_for_one_link_make_one_member(db: Database, storage_url: StorageURL) -> None:
    """Each process has its own connections: the claim locks the invitation row (PostgreSQL's
    FOR UPDATE; SQLite's BEGIN IMMEDIATE), so the second claim reads it used."""
    token = await _invite(db)
    others = [await open_database(storage_url) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(invitations.claim_membership(other, token=token, user_id=uid, full_name="X", phone=None,
                                           team_position=None, now=NOW) for other, uid in zip(others, (411, 412, 413),
                                                                                             strict=True)),
            return_exceptions=True,
        )
    finally:
        for other in others:
            await other.close()
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert all(r.problem is Problem.USED for r in results if isinstance(r, InvitationError))
    assert await db.fetch_value("SELECT count(*) FROM users WHERE id IN (411, 412, 413)") == 1


@pytest.mark.parametrize(
    ("valid", "token_of", "problem"),
    [(timedelta(days=7), lambda t: "x" * 32, Problem.UNKNOWN),
     (timedelta(seconds=1), lambda t: t, Problem.EXPIRED)],
)
async def test_unknown_and_expired_links_change_nothing(db: Database, valid: timedelta, token_of, problem) -> None:
    token = await _invite(db, valid=valid)
    before = await db.fetch_value("SELECT count(*) FROM users")
    with pytest.raises(InvitationError) as err:
        await invitations.claim_membership(db, token=token_of(token), user_id=500, full_name="X", phone=None,
                                           team_position=None, now=NOW + timedelta(days=1))
    assert err.value.problem is problem
    assert await db.fetch_value("SELECT count(*) FROM users") == before


async def test_an_active_member_cannot_use_someone_elses_link(db: Database) -> None:
    token = await _invite(db)
    with pytest.raises(InvitationError) as err:
        await invitations.claim_membership(db, token=token, user_id=ADMIN, full_name="X", phone=None,
                                           team_position=None, now=NOW)
    assert err.value.problem is Problem.ALREADY_MEMBER
    assert (await invitations.find(db, token)).used_at is None


async def test_scope_listing_and_deactivation(db: Database) -> None:
    for uid, region in ((601, "36.73.04.1007"), (602, "36.73.01.1008"), (603, "36.73.04")):
        role = Role.KOORDINATOR if region.count(".") == 2 else Role.TPK
        token = await _invite(db, role=role, region=region)
        await invitations.claim_membership(db, token=token, user_id=uid, full_name=f"U{uid}", phone=None,
                                           team_position=None, now=NOW)
    curug = await users.list_in_scope(db, "36.73.04")
    assert [m.id for m in curug] == [603, 601]
    assert {m.id for m in await users.list_in_scope(db, "36.73")} == {601, 602, 603}
    assert await users.list_in_scope(db, "36.73.04", (Role.ADMIN,)) == []
    member = await users.set_status(db, actor_id=603, user_id=601, status=Status.INACTIVE, now=NOW)
    assert not member.active
    assert [e.action for e in await audit.history(db, "user", 601)] == ["create", "deactivate", "contain"]


async def test_admins_follow_the_configuration(db: Database) -> None:
    await users.sync_admins(db, [], "36.73", NOW)
    assert not (await users.get(db, ADMIN)).active
    await users.ensure_admin(db, ADMIN, "Admin Kota", "36.73", NOW)
    assert (await users.get(db, ADMIN)).active
