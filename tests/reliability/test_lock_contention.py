"""Another process holds the database's write lock (issue 15, point 6): no typed answer
is lost, the member is told the truth, and reading never waits for the lock.

The holder is a real second process (``python`` with the standard ``sqlite3``) that
opens the bot's SQLite file and keeps ``BEGIN IMMEDIATE`` open for longer than the bot's
busy time-out. The bot's time-outs are shortened so the trial takes seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

import storage.db
import storage.postgres
from bot.clock import FakeClock
from conversations.forms import runner
from storage.drafts import Drafts
from storage.url import StorageURL
from tests.harness import ADMIN_ID, BotUnderTest, Form, add_member, bot_under_test

SUKAWANA = "36.73.04.1007"
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@asynccontextmanager
async def lock_held(target: Path | str, seconds: float,
                    holder: str = HOLDER) -> AsyncIterator[asyncio.subprocess.Process]:
    """A second process running ``holder`` (SQLite's by default) that holds the write lock of
    ``target`` (a file, or a PostgreSQL conninfo) for ``seconds``."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", holder, str(target), str(seconds),
                                                stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 10)).strip() == b"locked"
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_MS", 300)  # SQLite's own wait, per attempt
    monkeypatch.setattr(runner, "SLOW_SAVE_S", 0.5)


async def _answers(bot: BotUnderTest, user_id: int) -> dict[str, object]:
    (draft,) = await Drafts(bot.db, bot.services.cipher).for_user(user_id)
    return draft.state["answers"]


async def test_an_answer_typed_while_another_process_holds_the_lock_is_stored_after_release(
        tmp_path: Path, clock: FakeClock, short_timeouts: None) -> None:
    async with bot_under_test(tmp_path, clock) as bot:
        tpk = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
        form = Form(tpk)
        assert "Nomor RT/RW?" in (await form.start("/lapor")).plain_text
        async with lock_held(bot.settings.storage.target.path, 3.0) as holder:
            await tpk.send("3")
            waiting = await tpk.next_message(timeout=3)
            assert waiting.plain_text == runner.SAVING_SLOWLY
            assert holder.returncode is None  # still held: told while it waited, not after
            following = await tpk.next_message(timeout=15)
        assert "Nomor RW?" in following.plain_text, following.plain_text
        assert (await _answers(bot, 3001)).get("rt") == 3
        assert not any("gangguan" in m.plain_text or "belum tersimpan" in m.plain_text for m in tpk.transcript)


async def test_when_the_lock_outlasts_the_patience_the_member_is_asked_to_send_again(
        tmp_path: Path, clock: FakeClock, short_timeouts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.db, "WRITE_PATIENCE_S", 1.5)
    async with bot_under_test(tmp_path, clock) as bot:
        tpk = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
        form = Form(tpk)
        await form.start("/lapor")
        async with lock_held(bot.settings.storage.target.path, 6.0):
            await tpk.send("3")
            assert (await tpk.next_message(timeout=3)).plain_text == runner.SAVING_SLOWLY
            assert (await tpk.next_message(timeout=10)).plain_text == runner.NOT_SAVED
            assert "rt" not in await _answers(bot, 3001)  # truly not stored: asked again
        following = await form.type("3")
        assert "Nomor RW?" in following.plain_text, following.plain_text
        assert (await _answers(bot, 3001)).get("rt") == 3


async def test_an_admin_reads_while_another_process_holds_the_lock(
        tmp_path: Path, clock: FakeClock, short_timeouts: None) -> None:
    """An admin's every update used to open BEGIN IMMEDIATE (to make sure of their row)."""
    async with bot_under_test(tmp_path, clock) as bot:
        admin = bot.user(ADMIN_ID, "Hendra")
        await admin.send("/bantuan")
        await admin.next_message()
        clock.advance(timedelta(minutes=10))  # the activity stamp is due again: it must not wait either
        async with lock_held(bot.settings.storage.target.path, 5.0):
            loop = asyncio.get_running_loop()
            started = loop.time()
            await admin.send("/bantuan")
            reply = await admin.next_message(timeout=4)
            assert loop.time() - started < 0.3 * 5  # no wait for the lock
        assert "/rekap" in reply.plain_text


PG_HOLDER = """
import sys, time, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute("LOCK TABLE drafts IN EXCLUSIVE MODE")  # readers go on, writers wait
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_on_postgresql_a_lock_outlasting_the_patience_asks_to_send_again(
        tmp_path: Path, clock: FakeClock, storage_url: StorageURL, short_timeouts: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same promise on PostgreSQL, where another process's lock is the server's: the save
    waits ``lock_timeout`` (the patience), then the member is told and the answer typed again
    is taken."""
    monkeypatch.setattr(storage.postgres, "WRITE_PATIENCE_S", 1.5)  # read when a connection is made
    async with bot_under_test(tmp_path, clock, storage={"url": storage_url.as_setting()}) as bot:
        tpk = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
        form = Form(tpk)
        await form.start("/lapor")
        async with lock_held(storage_url.conninfo(), 6.0, PG_HOLDER):
            await tpk.send("3")
            assert (await tpk.next_message(timeout=3)).plain_text == runner.SAVING_SLOWLY
            assert (await tpk.next_message(timeout=10)).plain_text == runner.NOT_SAVED
            assert "rt" not in await _answers(bot, 3001)  # truly not stored: asked again
        following = await form.type("3")
        assert "Nomor RW?" in following.plain_text, following.plain_text
        assert (await _answers(bot, 3001)).get("rt") == 3
