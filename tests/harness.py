"""The end-to-end harness: the real Application, built by the production factory,
talking over HTTP to the Bot API emulator, with a fresh SQLite file and a FakeClock.

``BotUnderTest.restart()`` stops the process-level pieces (Application, database
connections) and builds them again from the same file, as a real restart would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.dev.emulator import BotApiEmulator, SimUser
from bot.services import Services
from bot.settings import Settings, check_settings
from bot.startup import prepare
from storage.crypto import new_key

TOKEN = "123456:" + "T" * 35
BOT_USERNAME = "tpk_test_bot"
ADMIN_ID = 1000
#: Monday 23 November 2026, 09:00 in Serang (WIB).
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def make_settings(tmp_path: Path, emu: BotApiEmulator, **sections: dict[str, Any]) -> Settings:
    values: dict[str, Any] = {
        "telegram": {"token": TOKEN, "base_url": emu.base_url, "base_file_url": emu.base_file_url},
        "storage": {"path": str(tmp_path / "tpk.sqlite3")},
        "wilayah": {"root": "36.73"},
        # Tests type far faster than people; the throttle's own test sets realistic limits.
        "access": {"admins": [ADMIN_ID], "flood_burst": 1000, "flood_per_second": 1000},
        "privacy": {"key": new_key()},
    }
    if "url" in sections.get("storage", {}):
        values["storage"] = {}  # a storage url replaces the SQLite file in tmp_path
    for name, overrides in sections.items():
        values[name] = {**values.get(name, {}), **overrides}
    settings = Settings(**values)
    check_settings(settings, "test", require_token=True)
    return settings


class BotUnderTest:
    def __init__(self, settings: Settings, emu: BotApiEmulator, clock: FakeClock) -> None:
        self.settings = settings
        self.emu = emu
        self.clock = clock
        self._stack: AsyncExitStack | None = None
        self.services: Services
        self.app: Any

    async def start(self) -> None:
        stack = AsyncExitStack()
        self.services = await prepare(self.settings, self.clock)
        stack.push_async_callback(self.services.db.close)
        self.app = build_application(self.services)
        await stack.enter_async_context(running(self.app, poll_timeout=1))
        self._stack = stack

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def user(self, user_id: int, first_name: str, last_name: str | None = None) -> SimUser:
        return self.emu.user(user_id, first_name=first_name, last_name=last_name)

    @property
    def db(self):
        return self.services.db


@asynccontextmanager
async def bot_under_test(tmp_path: Path, clock: FakeClock, **sections: dict[str, Any]) -> AsyncIterator[BotUnderTest]:
    emu = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME, clock=clock)
    await emu.start()
    harness = BotUnderTest(make_settings(tmp_path, emu, **sections), emu, clock)
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()
        await emu.stop()
    emu.assert_no_errors()


async def press_forged(emu: BotApiEmulator, user: SimUser, message_id: int, data: str,
                       timeout: float = 5.0) -> str | None:
    """Send a callback query with arbitrary ``data`` on one of the bot's messages, as a
    modified client could, and return the text the bot answered it with."""
    import asyncio

    stored = next(m for m in user._chat.bot_messages() if m.message_id == message_id)
    query_id = user._press_inline(stored, {"text": "(forged)", "callback_data": data})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while query_id in emu.unanswered_callback_queries:
        if loop.time() > deadline:
            raise AssertionError(f"the bot never answered forged callback {data!r}")
        await asyncio.sleep(0.01)
    answer = user.last_callback_answer
    return answer.text if answer else None


async def add_member(bot: BotUnderTest, user_id: int, name: str, role: str, region: str,
                     position: str | None = None) -> SimUser:
    """A member who joined through an invitation (made directly in storage, so tests of
    other features do not walk the join dialogue every time)."""
    from bot.domain.roles import Role, TeamPosition
    from bot.domain.tokens import new_token
    from storage import invitations, users

    token = new_token()
    now = bot.clock.now()
    from datetime import timedelta

    await users.ensure_admin(bot.db, ADMIN_ID, "Admin", bot.settings.wilayah.root, now)
    await invitations.create(bot.db, token=token, role=Role(role), region_code=region, created_by=ADMIN_ID,
                             now=now, valid_for=timedelta(days=1))
    await invitations.claim_membership(bot.db, token=token, user_id=user_id, full_name=name, phone=None,
                                       team_position=TeamPosition(position) if position else None, now=now)
    return bot.user(user_id, name)


class Form:
    """Drives a guided form as a member would, one question at a time."""

    def __init__(self, user: SimUser) -> None:
        self.user = user
        self.last = None

    async def start(self, command: str):
        await self.user.send(command)
        self.last = await self.user.next_message()
        self.user.drain_changes()
        return self.last

    async def type(self, text: str):
        await self.user.send(text)
        self.last = await self.user.next_message()
        self.user.drain_changes()
        return self.last

    async def tap(self, label: str):
        """Press a button and return what the member now looks at: the question edited in
        place, or (after "Kirim", a notice, a new flow) the next new message."""
        await self.user.press(label)
        change = await self.user.next_change()
        if change.edited and not change.buttons:
            change = await self.user.next_message()
        self.user.drain_changes()
        self.last = change
        return change

    async def tap_in_place(self, label: str):
        """Press a button that changes the same message (toggles, calendar, back)."""
        await self.user.press(label)
        self.last = await self.user.next_edit()
        self.user.drain_changes()
        return self.last

    @property
    def text(self) -> str:
        assert self.last is not None
        return self.last.plain_text
