"""SIGKILL at random moments, at least twenty times each: in the middle of a form, in the
middle of a reminder dispatch, in the middle of a migration.

The bot runs as a real process (``python -m bot run --config F``) against the Bot API
emulator in this test's event loop; nothing of the bot's own clean-up runs when it dies.
Each trial checks the database while the bot is dead, starts it again and checks what
the member or mother sees. The figures are printed (``pytest -s``) and kept in the README
of this folder.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from bot.dev.emulator import BotApiEmulator, BotMessage, SimUser
from bot.domain.roles import Role, TeamPosition
from bot.domain.tokens import new_token
from bot.lapor_fields import FAMILY_FIELDS
from bot.reminders.messages import render_text
from bot.settings import Settings, load_settings
from bot.startup import prepare_database
from conversations.forms.engine import REVIEW
from storage import ibu as ibu_store
from storage import invitations
from storage import keluarga as keluarga_store
from storage import reminders as reminders_store
from storage import users as users_store
from storage.crypto import IdentityCipher, decode_key, new_key
from storage.db import Database
from storage.drafts import Drafts
from storage.ibu import Decision
from storage.keluarga import NewKeluarga, NewSasaran
from storage.reminders import RowPlan
from tests.harness import ADMIN_ID, BOT_USERNAME, TOKEN
from tests.reliability import slow_migration
from tests.reliability.botproc import PYTHON, ROOT, BotProcess, _env, cli, config_for
from tests.reliability.driver import GIVEN, SUKAWANA, SURNAMES

pytestmark = pytest.mark.slow

TRIALS = 20
#: WAL bytes that show the slow migration's writes are under way (it writes tens of megabytes).
MID_MIGRATION_WAL = 100_000
MEMBER = 3001
PROMPTS = {f.prompt: f.key for f in FAMILY_FIELDS}
TAPS = {"no_kk": "Lewati ➡️", "air": "Sumur tak terlindung", "jamban": "Jamban sendiri tanpa tangki septik",
        "pus": "Tidak"}


def figures(name: str, **values: Any) -> None:
    print("\nFIGURES " + json.dumps({"test": name, **values}, ensure_ascii=False, default=str))


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def _member(db: Database, settings: Settings, user_id: int, name: str) -> None:
    """A TPK member of Sukawana, joined through an invitation (made in storage)."""
    now = SystemClock().now()
    token = new_token()
    await users_store.ensure_admin(db, ADMIN_ID, "Admin", settings.wilayah.root, now)
    await invitations.create(db, token=token, role=Role.TPK, region_code=SUKAWANA, created_by=ADMIN_ID, now=now,
                             valid_for=timedelta(days=1))
    await invitations.claim_membership(db, token=token, user_id=user_id, full_name=name, phone=None,
                                       team_position=TeamPosition.BIDAN, now=now)


def _cipher(settings: Settings) -> IdentityCipher:
    return IdentityCipher(decode_key(settings.privacy.key))


async def _open(settings: Settings) -> Database:
    return await Database.open(settings.storage.path)


# -- (a) in the middle of a form ----------------------------------------------------------------


def _plan(n: int) -> dict[str, Any]:
    """The answers of family number ``n``: distinct, so one stored under the wrong question shows."""
    return {"rt": 10 + n, "rw": 50 + n, "alamat": f"Jl. Kenanga No. {n + 1}",
            "kepala": f"{GIVEN[n % len(GIVEN)]} {SURNAMES[(n // len(GIVEN)) % len(SURNAMES)]}"}


def _screen_of(message: BotMessage) -> str:
    """What the message asks: a field key, "review", "sent", "result", "none" or "?"."""
    text = message.text
    if "tersimpan (RT" in text:
        return "result"
    if text.endswith("✅ Terkirim"):
        return "sent"
    if "periksa dulu" in text:
        return "review"
    if "Tidak ada isian yang belum selesai" in text:
        return "none"
    found = [key for prompt, key in PROMPTS.items() if prompt in text]
    return found[0] if len(found) == 1 else "?"


@dataclass
class FormMember:
    """One TPK member reporting family after family, as fast as the bot answers."""

    user: SimUser
    form: int = 0  # the family being reported
    screen: str = "result"  # what the member sees: ready for /lapor
    acked: dict[str, Any] = field(default_factory=dict)  # answers the bot confirmed (the next question came)
    in_flight: tuple[str, Any] | None = None  # the action sent without an answer yet
    submitted: list[int] = field(default_factory=list)
    actions: int = 0
    asked_again: int = 0  # "pertanyaan berikut tadi belum sampai": the question shown again
    sent: asyncio.Event = field(default_factory=asyncio.Event)  # set when an action goes out
    _news: list[BotMessage] = field(default_factory=list)
    _edits: list[BotMessage] = field(default_factory=list)

    async def reply(self, timeout: float = 30.0) -> BotMessage:
        """The bot's answer: a new message or an edit; what arrives together is taken whole."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_since = None
        while loop.time() < deadline:
            fresh, changed = self.user.drain(), self.user.drain_edits()
            self._news += fresh
            self._edits += changed
            if fresh or changed:
                quiet_since = loop.time()
            newest = self._newest()
            if newest is not None and quiet_since is not None:
                wait = 3.0 if _screen_of(newest) == "sent" else 0.02  # the result message follows
                if loop.time() - quiet_since >= wait:
                    return newest
            await asyncio.sleep(0.01)
        raise AssertionError(f"no answer within {timeout}s\n{self.user.describe()}")

    def _newest(self) -> BotMessage | None:
        return self._news[-1] if self._news else (self._edits[-1] if self._edits else None)

    def look(self) -> None:
        """The bot was killed: whatever had reached the chat by then is what the member sees."""
        self._news += self.user.drain()
        self._edits += self.user.drain_edits()
        newest = self._newest()
        if self.in_flight is not None and newest is not None:
            self.see(newest)

    async def act(self) -> None:
        plan = _plan(self.form)
        self.user.drain()
        self.user.drain_edits()
        self._news, self._edits = [], []
        if self.screen in ("result", "none"):
            self.in_flight = ("open", None)
            await self.user.send("/lapor")
        elif self.screen == "review":
            self.in_flight = ("send", None)
            await self.user.press("✅ Kirim")
        elif self.screen in TAPS:
            self.in_flight = (self.screen, True)
            await self.user.press(TAPS[self.screen])
        elif self.screen in plan:
            self.in_flight = (self.screen, plan[self.screen])
            await self.user.send(str(plan[self.screen]))
        else:
            raise AssertionError(f"unexpected screen {self.screen!r}\n{self.user.describe()}")
        self.actions += 1
        self.sent.set()
        self.see(await self.reply())

    def see(self, message: BotMessage) -> None:
        """The bot answered the action in flight: it is done."""
        shown = _screen_of(message)
        assert shown != "?", f"unrecognised screen\n{self.user.describe()}"
        if "belum sampai" in message.text and self.in_flight is not None and self.in_flight[0] == shown:
            # The bot could not be sure this question had reached the member (the process
            # died around its sending), so it shows it again and took nothing: answer again.
            self.asked_again += 1
        elif self.in_flight is not None:
            kind, value = self.in_flight
            if kind == "open":
                self.acked = {}
            elif kind == "send":
                assert shown in ("result", "sent"), self.user.describe()
            else:
                self.acked[kind] = value
        if shown in ("result", "sent"):
            self.finish()
            shown = "result"
        self.in_flight = None
        self.screen = shown

    def finish(self) -> None:
        self.submitted.append(self.form)
        self.form += 1
        self.acked = {}

    async def run(self) -> None:
        while True:
            await self.act()


def _answer_matches(key: str, stored: Any, plan: dict[str, Any]) -> bool:
    return key in TAPS or stored == plan[key]


@dataclass
class FormTally:
    kills: int = 0
    in_flight_at_kill: int = 0
    committed_not_shown: int = 0  # the answer was stored, the next question never went out
    resumed_same_question: int = 0
    resumed_next_question: int = 0  # ... of those: the next question, shown on resume
    finished_at_kill: int = 0
    answers_checked: int = 0
    answers_lost: int = 0
    retyped: int = 0  # restarts after which the member typed the answer again instead of /lanjut


async def _check_after_kill(settings: Settings, member: FormMember, tally: FormTally) -> dict[str, Any] | None:
    """With the bot dead: every confirmed answer is in the draft (or the sent family), and
    nothing else than the answer in flight. Returns the draft's state."""
    db = await _open(settings)
    try:
        draft = await Drafts(db, _cipher(settings)).get(MEMBER, "keluarga")
        plan = _plan(member.form)
        families, _ = await keluarga_store.list_keluarga(db, SUKAWANA, reporter_id=MEMBER, limit=1000)
        heads = Counter(f.head_name for f in families)
        assert all(n == 1 for n in heads.values()), f"a family stored twice: {heads}"
        sent_now = plan["kepala"] in heads
        if member.in_flight == ("send", None) and sent_now:
            tally.finished_at_kill += 1  # Kirim was carried out; its answer never came
            return None
        assert not sent_now, "a family the member never sent"
        if draft is None:
            assert not member.acked, f"the draft with {member.acked} is gone"
            return None
        answers = draft.state["answers"]
        for key in member.acked:
            tally.answers_checked += 1
            if key not in answers or not _answer_matches(key, answers[key], plan):
                tally.answers_lost += 1
                print(f"\nLOST {key}: draft {answers} acked {member.acked} in flight {member.in_flight}\n"
                      f"{member.user.describe()}")
        extra = set(answers) - set(member.acked) - {"wilayah"}
        if member.in_flight and member.in_flight[0] in extra:
            tally.committed_not_shown += 1
            extra.discard(member.in_flight[0])
        assert not extra, f"answers the member never gave or saw confirmed: {extra}\n{member.user.describe()}"
        for key in answers.keys() - {"wilayah"}:
            assert _answer_matches(key, answers[key], plan), (
                f"{key} holds {answers[key]!r}: another question's answer\n{member.user.describe()}")
        return draft.state
    finally:
        await db.close()


async def _last_answer(member: FormMember, text: str) -> BotMessage:
    """Send ``text`` right after a restart and return the bot's answer to it. Updates the
    dead process had fetched but not confirmed come again first (their answers can carry
    the same "Melanjutkan" line); the answer to ``text`` is the last message."""
    member.user.drain()
    member.user.drain_edits()
    member._news, member._edits = [], []
    await member.user.send(text)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    arrived: list[BotMessage] = []
    last_at = None
    while last_at is None or loop.time() - last_at < 0.5:
        assert loop.time() < deadline, f"no answer to {text!r}\n{member.user.describe()}"
        await asyncio.sleep(0.01)
        fresh = member.user.drain()
        member.user.drain_edits()
        if fresh:
            arrived += fresh
            last_at = loop.time()
    return arrived[-1]


async def _retype(settings: Settings, member: FormMember, tally: FormTally, before: str) -> None:
    """After the restart the member, with no new question in sight, types the answer to the
    question on their screen (again, if it was the one in flight): it is stored under that
    question — never under the next one, which they have not seen — and the bot moves on."""
    plan = _plan(member.form)
    message = await _last_answer(member, str(plan[before]))
    if "belum sampai" in message.text and _screen_of(message) == before:
        # Killed after the question went out but before that was recorded: the bot asks
        # it again rather than guess, and takes the answer the second time.
        member.asked_again += 1
        message = await _last_answer(member, str(plan[before]))
    shown = _screen_of(message)
    db = await _open(settings)
    try:
        draft = await Drafts(db, _cipher(settings)).get(MEMBER, "keluarga")
    finally:
        await db.close()
    assert draft is not None, member.user.describe()
    answers = draft.state["answers"]
    assert answers.get(before) == plan[before], f"{before}: {answers}\n{member.user.describe()}"
    for key in answers.keys() - {"wilayah"}:
        assert _answer_matches(key, answers[key], plan), (
            f"{key} holds {answers[key]!r}: another question's answer\n{member.user.describe()}")
    current = draft.state["current"]
    assert current != before and shown == ("review" if current == REVIEW else current), (
        f"on screen {before!r}, resumed at {shown!r}, the draft is at {current!r}\n{member.user.describe()}")
    tally.retyped += 1
    member.in_flight = (before, plan[before])
    member.see(message)


async def _resume(settings: Settings, member: FormMember, tally: FormTally, before: str) -> None:
    """After the restart the member types /lanjut; the bot shows the question the draft is
    at, which is the one that was on screen, or the next one if the answer in flight had
    been stored."""
    message = await _last_answer(member, "/lanjut")
    assert "Melanjutkan" in message.text or "Tidak ada isian" in message.text, member.user.describe()
    shown = _screen_of(message)
    db = await _open(settings)
    try:
        draft = await Drafts(db, _cipher(settings)).get(MEMBER, "keluarga")
        families, _ = await keluarga_store.list_keluarga(db, SUKAWANA, reporter_id=MEMBER, limit=1000)
    finally:
        await db.close()
    if shown == "none":
        assert draft is None
        if _plan(member.form)["kepala"] in {f.head_name for f in families}:
            member.finish()  # Kirim had gone through
        member.in_flight, member.screen = None, "none"
        tally.resumed_same_question += 1
        return
    assert draft is not None, member.user.describe()
    current = draft.state["current"]
    assert shown == ("review" if current == REVIEW else current), (
        f"resumed at {shown!r}, the draft is at {current!r}\n{member.user.describe()}")
    if shown == before:
        tally.resumed_same_question += 1
        member.in_flight = None
        member.screen = shown
    else:
        assert member.in_flight is not None and member.in_flight[0] in (before, "open"), (
            f"on screen {before!r}, in flight {member.in_flight}, resumed at {shown!r}\n{member.user.describe()}")
        tally.resumed_next_question += 1
        member.see(message)


#: The member answers as fast as the bot replies, far faster than a person: the polite
#: throttle for people who flood the bot is not what these trials are about.
UNTHROTTLED = {"flood_burst": 10_000, "flood_per_second": 10_000.0}


async def test_killed_in_the_middle_of_forms(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = config_for(tmp_path, emu, token=TOKEN, key=new_key(), admins=[ADMIN_ID], access=UNTHROTTLED)
    settings = load_settings(config)
    db = await prepare_database(settings, SystemClock())
    await _member(db, settings, MEMBER, "Siti")
    await db.close()
    bot = BotProcess(config, tmp_path / "bot.log")
    member = FormMember(emu.user(MEMBER, "Siti"))
    tally = FormTally()
    rng = random.Random(8)
    try:
        await bot.start()
        for trial in range(TRIALS):
            running = asyncio.create_task(member.run())
            if trial % 2:  # any moment at all
                await asyncio.sleep(rng.uniform(0.05, 1.2))
            else:  # a moment while the bot handles one of the next few actions
                for _ in range(rng.randint(1, 6)):
                    member.sent.clear()
                    async with asyncio.timeout(30):
                        await member.sent.wait()
                await asyncio.sleep(rng.uniform(0.0, 0.04))
            assert not running.done(), f"the member stopped: {running}\n{bot.tail()}"
            await bot.kill()
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            member.look()
            before = member.screen
            tally.kills += 1
            tally.in_flight_at_kill += member.in_flight is not None
            await _check_after_kill(settings, member, tally)
            await bot.start()
            if trial % 4 in (1, 2) and before in _plan(member.form):
                await _retype(settings, member, tally, before)  # "the bot did not answer: again"
            else:
                await _resume(settings, member, tally, before)
        # No more kills: the member finishes the family on screen.
        target = member.form + 1
        async with asyncio.timeout(60):
            while member.form < target:
                await member.act()
    finally:
        await bot.stop()
    db = await _open(settings)
    try:
        families, total = await keluarga_store.list_keluarga(db, SUKAWANA, reporter_id=MEMBER, limit=1000)
    finally:
        await db.close()
    by_head = {f.head_name: f for f in families}
    assert total == len(member.submitted) == len(by_head), (member.submitted, sorted(by_head))
    for n in member.submitted:
        plan, family = _plan(n), by_head[_plan(n)["kepala"]]
        assert (family.rt, family.rw, family.address) == (str(plan["rt"]), str(plan["rw"]), plan["alamat"])
    figures("SIGKILL in the middle of a form", **vars(tally), families_sent=total, member_actions=member.actions,
            asked_again=member.asked_again,
            bot_starts=bot.starts)
    assert tally.kills >= TRIALS and tally.answers_lost == 0 and tally.answers_checked > 0
    assert tally.resumed_same_question + tally.resumed_next_question + tally.retyped == tally.kills
    assert tally.in_flight_at_kill >= TRIALS // 4, "many kills landed while the bot was handling an answer"


# -- (b) in the middle of a reminder dispatch ---------------------------------------------------

MOTHERS = 30
WEEKS = range(10, 30)  # twenty weekly messages each, all due now
WIB = ZoneInfo("Asia/Jakarta")


async def _seed_reminders(settings: Settings) -> dict[int, list[str]]:
    """Mothers who agreed, each with reminders due now, through the storage API; returns
    each mother's chat id and the texts she must receive."""
    db = await prepare_database(settings, SystemClock())
    cipher = _cipher(settings)
    now = datetime.now(UTC)
    today = now.astimezone(WIB).date()
    expected: dict[int, list[str]] = {}
    try:
        await _member(db, settings, MEMBER, "Wati")
        for n in range(MOTHERS):
            name, chat = f"Ibu{n:02d}", 5001 + n
            async with db.transaction() as tx:
                family = await keluarga_store.create_keluarga(
                    tx, cipher, NewKeluarga(region_code=SUKAWANA, head_name=f"Suami {name}", water_source="ledeng",
                                            latrine="septik"), reporter_id=MEMBER, draft_key=None, now=now)
                sasaran = await keluarga_store.add_sasaran(
                    tx, cipher, family, NewSasaran(category="ibu_hamil", name=name, sex="P",
                                                   hpht=today - timedelta(weeks=20)), reporter_id=MEMBER, now=now)
            token = new_token()
            await invitations.create(db, token=token, role=Role.IBU, region_code=SUKAWANA, created_by=MEMBER, now=now,
                                     valid_for=timedelta(days=1), sasaran_id=sasaran)
            rows = [RowPlan(kind=f"pekan_{w}", due_date=today, window_end=today + timedelta(days=6), text_key="pekan",
                            payload={"week": w}, needs_ack=False, send_after=now - timedelta(minutes=1))
                    for w in WEEKS]
            async with db.transaction() as tx:
                await ibu_store.mark_checked(tx, token=token, telegram_id=chat)
                await ibu_store.decide(tx, token=token, telegram_id=chat, decision=Decision.SETUJU, text_version="uji",
                                       now=now, ttd_default=False)
                await ibu_store.set_next_plan(tx, sasaran, now + timedelta(days=365))  # the planner stays away
                await reminders_store.apply_plan(tx, sasaran, rows, today=today, now=now)
            expected[chat] = [render_text("pekan", {"week": w}, first_name=name) for w in WEEKS]
    finally:
        await db.close()
    return expected


def _states(path: Path) -> Counter[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return Counter(dict(conn.execute("SELECT state, count(*) FROM reminders GROUP BY state").fetchall()))
    finally:
        conn.close()


async def test_killed_in_the_middle_of_reminder_dispatch(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = config_for(tmp_path, emu, token=TOKEN, key=new_key(), admins=[ADMIN_ID],
                        telegram={"max_messages_per_second": 200.0},
                        pengingat={"send_window": {"start": "00:00", "end": "23:59"}})
    settings = load_settings(config)
    expected = await _seed_reminders(settings)
    mothers = {chat: emu.user(chat, f"Ibu{chat - 5001:02d}") for chat in expected}
    emu.user(MEMBER, "Wati")
    total = sum(len(t) for t in expected.values())
    bot = BotProcess(config, tmp_path / "bot.log", module="tests.reliability.run_bot", extra_args=("--tick", "0.2"))
    rng = random.Random(9)
    kills, mid_dispatch, duplicates_after_kill = 0, 0, []

    def delivered() -> int:
        return sum(emu.stats.delivered[chat] for chat in expected)

    def duplicates() -> int:
        return sum(n - 1 for user in mothers.values() for n in Counter(m.text for m in user.transcript).values())

    try:
        for trial in range(TRIALS):
            await bot.start()
            start = delivered()
            async with asyncio.timeout(30):
                while delivered() == start:  # the dispatch of this run has begun
                    await asyncio.sleep(0.005)
            if trial % 2:  # any moment of the dispatch
                await asyncio.sleep(rng.uniform(0.0, 0.4))
            else:  # right after Telegram took a message, before the bot has recorded it
                target = delivered() + rng.randint(1, 30)
                async with asyncio.timeout(30):
                    while delivered() < target:
                        await asyncio.sleep(0)
            await bot.kill()
            kills += 1
            states = _states(settings.storage.path)
            mid_dispatch += states["sending"] > 0
            assert states["scheduled"] + states["sending"] > 0, "the trials ran out of reminders: add more"
            duplicates_after_kill.append(duplicates())
        sent_during_trials = _states(settings.storage.path)["sent"]
        await bot.start()
        async with asyncio.timeout(60):
            while _states(settings.storage.path)["sent"] < total:
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        await bot.stop()

    states = _states(settings.storage.path)
    lost = 0
    for chat, texts in expected.items():
        seen = Counter(m.text for m in mothers[chat].transcript)
        lost += sum(1 for text in texts if seen[text] == 0)
        assert set(seen) <= set(texts), "nothing but her reminders"
    figures("SIGKILL in the middle of a reminder dispatch", kills=kills, kills_with_rows_in_sending=mid_dispatch,
            reminders=total, sent_during_trials=sent_during_trials, sent=states["sent"], lost=lost,
            duplicates=duplicates(), duplicates_after_each_kill=duplicates_after_kill, bot_starts=bot.starts)
    assert kills >= TRIALS and mid_dispatch >= TRIALS // 2
    assert states == Counter({"sent": total}), states
    assert lost == 0
    assert all(d <= k for k, d in enumerate(duplicates_after_kill, start=1)), "at most the message in flight per kill"
    assert duplicates() <= kills


# -- (c) in the middle of a migration -----------------------------------------------------------


def _schema(path: Path) -> tuple[int, set[str], set[str], str, int | None]:
    """(version, tables, keluarga columns, integrity, rows of the slow migration's table)."""
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(keluarga)")}
        rows = conn.execute("SELECT count(*) FROM uji_lambat").fetchone()[0] if "uji_lambat" in tables else None
        return version, tables, columns, integrity, rows
    finally:
        conn.close()


async def _until_wal_holds(wal: Path, size: int, proc: asyncio.subprocess.Process, limit: float = 20.0) -> None:
    """Return once the WAL holds ``size`` bytes (or the process ended, or ``limit`` seconds passed):
    a kill timed by what the process has written, not by a sleep tuned to one machine's speed."""
    deadline = time.monotonic() + limit
    while proc.returncode is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > size:
            return
        await asyncio.sleep(0.002)



async def test_killed_in_the_middle_of_a_migration(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = config_for(tmp_path, emu, token=TOKEN, key=new_key(), admins=[ADMIN_ID])
    settings = load_settings(config)
    db = await prepare_database(settings, SystemClock())
    await _member(db, settings, MEMBER, "Siti")
    bundled = await db.schema_version()
    async with db.transaction() as tx:
        await keluarga_store.create_keluarga(
            tx, _cipher(settings),
            NewKeluarga(region_code=SUKAWANA, head_name="Ahmad Yani", water_source="ledeng", latrine="septik"),
            reporter_id=MEMBER, draft_key=None, now=datetime.now(UTC))
    await db.close()
    path = settings.storage.path
    base = tmp_path / "base.sqlite3"
    shutil.copyfile(path, base)
    rng = random.Random(10)
    outcomes: Counter[str] = Counter()
    wal = Path(f"{path}-wal")
    for trial in range(TRIALS):
        proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "tests.reliability.slow_migration", str(path), cwd=ROOT, env=_env(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        if trial % 2:  # at a random moment: before, during or after the migration's writes
            await asyncio.sleep(rng.uniform(0.1, 0.8))
        else:  # once its writes are under way, however fast or loaded the machine is
            await _until_wal_holds(wal, MID_MIGRATION_WAL, proc)
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        written = wal.stat().st_size if wal.exists() else 0  # what the dead process left in the WAL
        version, tables, columns, integrity, rows = _schema(path)
        assert integrity == "ok"
        if version == slow_migration.VERSION:  # the kill came after the commit: all of it is there
            assert rows == slow_migration.ROWS and "uji_kolom" in columns
            outcomes["killed after its commit"] += 1
            for leftover in (wal, Path(f"{path}-shm")):  # back to the bundled schema for the next trial
                leftover.unlink(missing_ok=True)
            shutil.copyfile(base, path)
        else:  # none of it
            assert version == bundled and "uji_lambat" not in tables and "uji_kolom" not in columns, (
                version, tables, columns)
            rolled_back = written > MID_MIGRATION_WAL
            outcomes["killed mid-migration, rolled back" if rolled_back else "killed before it wrote"] += 1
    # The next start completes it ...
    done = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "tests.reliability.slow_migration", str(path), cwd=ROOT, env=_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await done.communicate()
    assert done.returncode == 0 and out.decode().strip() == f"schema {slow_migration.VERSION}", err
    version, _, columns, integrity, rows = _schema(path)
    assert (version, integrity, rows) == (slow_migration.VERSION, "ok", slow_migration.ROWS) and "uji_kolom" in columns
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT head_name, uji_kolom FROM keluarga").fetchall() == [("Ahmad Yani", "x")]
    conn.close()
    # ... and a program that does not know that schema refuses clearly, touching nothing.
    status, out, err = await cli("migrate", "--config", str(config))
    assert status == 2 and len(err.strip().splitlines()) == 1 and "lebih baru dari program ini" in err, (status, err)
    assert _schema(path)[0] == slow_migration.VERSION
    figures("SIGKILL in the middle of a migration", kills=sum(outcomes.values()), **outcomes,
            half_migrated=0, integrity_failures=0)
    assert outcomes["killed mid-migration, rolled back"] >= TRIALS // 2, outcomes


async def test_killed_between_saving_an_answer_and_sending_the_next_question(tmp_path: Path,
                                                                            emu: BotApiEmulator) -> None:
    """The answer is stored, the next question is on its way when the process dies. After
    the restart the member, seeing no new question, types their answer again: it must not
    fill the question they never saw."""
    config = config_for(tmp_path, emu, token=TOKEN, key=new_key(), admins=[ADMIN_ID], access=UNTHROTTLED)
    settings = load_settings(config)
    db = await prepare_database(settings, SystemClock())
    await _member(db, settings, MEMBER, "Siti")
    await db.close()
    bot = BotProcess(config, tmp_path / "bot.log")
    siti = emu.user(MEMBER, "Siti")
    try:
        await bot.start()
        await siti.send("/lapor")
        assert "Nomor RT/RW?" in (await siti.next_message(timeout=30)).text
        emu.faults.configure(error_rate=0.0, stall_seconds=60)
        emu.faults.fail_next("timeout", methods=["sendMessage"])  # "Nomor RW?" is held ...
        await siti.send("13")
        async with asyncio.timeout(10):
            while not emu.faults.injected["timeout"]:  # ... so the answer has been saved
                await asyncio.sleep(0.005)
        await bot.kill()
        await bot.start()
        await siti.send("13")  # nothing came: "coba lagi"
        reply = await siti.next_message(timeout=30)
    finally:
        await bot.stop()
    db = await _open(settings)
    try:
        draft = await Drafts(db, _cipher(settings)).get(MEMBER, "keluarga")
    finally:
        await db.close()
    assert draft is not None and draft.state["answers"]["rt"] == 13
    assert "rw" not in draft.state["answers"], f"RW was filled with the retyped RT\n{siti.describe()}"
    assert "Nomor RW?" in reply.text
