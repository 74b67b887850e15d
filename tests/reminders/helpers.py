"""Helpers and fixtures for the reminder tests.

The bot runs through the shared harness (the production factory against the Bot API
emulator, a fresh SQLite file and a FakeClock). The periodic job is removed after each
start: tests move the clock and run one tick at a time with :func:`tick`, never sleep.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.dev.emulator import BotMessage, SimUser
from bot.reminders import TickReport, dispatch_due
from bot.reminders.dispatcher import JOB_NAME
from storage import keluarga as keluarga_store
from storage.keluarga import NewKeluarga, NewSasaran
from storage.url import StorageURL
from tests.harness import BotUnderTest, add_member, bot_under_test, press_forged

#: Kelurahan Sukawana, Kec. Serang, Kota Serang (Banten, WIB).
SERANG_KEL = "36.73.01.1008"
#: Kelurahan Sesetan, Kec. Denpasar Selatan, Kota Denpasar (Bali, WITA).
DENPASAR_KEL = "51.71.01.1003"
#: Pregnant since 10 July 2026: on START (Mon 23 Nov 2026) the ANC-2 reminder is in its
#: last day and ANC-3 ("minggu ini waktunya periksa kehamilan ke-3") is due tomorrow.
HPHT = date(2026, 7, 10)
#: The birth date a mother is registered with here: she confirms it, with her initial, before linking.
MOTHER_BORN = date(1990, 3, 12)
#: Only the ANC, KF/KN and other action reminders: no daily tablet, no weekly message.
QUIET = {"pengingat": {"ttd": {"enabled_by_default": False}, "weekly": {"first_week": 42, "last_week": 42}}}


def _without_job(bot: BotUnderTest) -> None:
    """With a FakeClock the dispatcher schedules no job: tests run ticks themselves."""
    assert bot.app.job_queue is not None
    assert bot.app.job_queue.get_jobs_by_name(JOB_NAME) == ()


async def restart(bot: BotUnderTest) -> None:
    await bot.restart()
    _without_job(bot)


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with bot_under_test(tmp_path, clock, storage={"url": storage_url.as_setting()}) as harness:
        _without_job(harness)
        yield harness


@asynccontextmanager
async def _quiet_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL,
                     **sections: dict[str, Any]) -> AsyncIterator[BotUnderTest]:
    """The bot without the periodic job (tests run its ticks themselves)."""
    async with bot_under_test(tmp_path, clock, **QUIET, storage={"url": storage_url.as_setting()},
                              **sections) as harness:
        _without_job(harness)
        yield harness


@pytest.fixture
async def quiet_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with _quiet_bot(tmp_path, clock, storage_url) as harness:
        yield harness


@pytest.fixture
async def national_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    """A deployment for all of Indonesia (root "ID")."""
    async with _quiet_bot(tmp_path, clock, storage_url, wilayah={"root": "ID"}) as harness:
        yield harness


@pytest.fixture
async def bali_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with _quiet_bot(tmp_path, clock, storage_url, wilayah={"root": "51.71"}) as harness:
        yield harness


async def tick(bot: BotUnderTest) -> TickReport:
    """One run of the periodic job, now."""
    return await dispatch_due(bot.services, bot.app.bot, bot.app)


async def settle(bot: BotUnderTest, limit: int = 20) -> list[TickReport]:
    """Tick until a tick sends nothing (one message per chat per tick), at the same instant."""
    reports = []
    for _ in range(limit):
        report = await tick(bot)
        reports.append(report)
        if not (report.sent or report.notices_sent or report.retried):
            return reports
    raise AssertionError(f"still sending after {limit} ticks: {reports[-1]}")


async def register_mother(bot: BotUnderTest, tpk_id: int, name: str, region: str = SERANG_KEL, *,
                          hpht: date | None = HPHT, category: str = "ibu_hamil",
                          delivery_date: date | None = None, birth_date: date | None = None) -> int:
    """A family and its mother, through the records API (as /lapor stores them; /lapor asks
    a mother's birth date, :data:`MOTHER_BORN` unless given)."""
    now = bot.clock.now()
    if birth_date is None and category in ("ibu_hamil", "ibu_nifas"):
        birth_date = MOTHER_BORN
    async with bot.db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, bot.services.cipher, NewKeluarga(region_code=region, head_name=f"Suami {name}", water_source="ledeng",
                                                 latrine="septik"),
            reporter_id=tpk_id, draft_key=None, now=now)
        return await keluarga_store.add_sasaran(
            tx, bot.services.cipher, family,
            NewSasaran(category=category, name=name, sex="P", hpht=hpht, delivery_date=delivery_date,
                       birth_date=birth_date),
            reporter_id=tpk_id, now=now)


async def tpk(bot: BotUnderTest, user_id: int = 3001, name: str = "Bidan Wati", region: str = SERANG_KEL) -> SimUser:
    return await add_member(bot, user_id, name, "tpk", region, "bidan")


_LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


async def invite(bot: BotUnderTest, member: SimUser, sasaran_id: int) -> tuple[str, BotMessage]:
    """The member taps "Undang ibu ke pengingat" (the button the registration flow
    shows); returns the token and the photo message with the QR code."""
    member.drain()
    await member.send("/bantuan")
    menu = await member.next_message()
    await press_forged(bot.emu, member, menu.message_id, f"ibu:inv:{sasaran_id}")
    photo = await member.next_message()
    match = _LINK.search(photo.text)
    assert match, photo.text
    return match.group(1), photo


async def open_as_her(bot: BotUnderTest, mother: SimUser, token: str, sasaran_id: int) -> BotMessage:
    """Open her link and confirm who she is (the initial of her name and her birth date, as her
    record holds them); returns the consent screen."""
    await mother.send(f"/start {token}")
    question = await mother.next_message()
    assert "pastikan dulu bahwa ini Bunda" in question.text, question.text
    row = await bot.db.fetch_one("SELECT name, birth_date FROM sasaran WHERE id = ?", (sasaran_id,))
    born = date.fromisoformat(row["birth_date"])
    await mother.send(f"{row['name'][0]} {born:%d-%m-%Y}")
    return await mother.next_message()


async def join(bot: BotUnderTest, member: SimUser, sasaran_id: int, mother_id: int, first_name: str) -> SimUser:
    """Invitation, who she is, consent screen, "Setuju"; the welcome message is consumed."""
    token, _ = await invite(bot, member, sasaran_id)
    mother = bot.user(mother_id, first_name)
    screen = await open_as_her(bot, mother, token, sasaran_id)
    assert "Apakah Bunda setuju?" in screen.text, screen.text
    await mother.press("Setuju")
    welcome = await mother.next_message()
    assert "Terima kasih" in welcome.text, welcome.text
    return mother


def local(bot: BotUnderTest, day: date, hour: int, minute: int = 0, zone: str = "Asia/Jakarta") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


def texts_of(messages: list[BotMessage]) -> list[str]:
    return [m.text for m in messages]


def day(offset: int) -> date:
    """START's local date plus ``offset`` days."""
    return date(2026, 11, 23) + timedelta(days=offset)


