"""Driving the playground through its JSON API, as the page does."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from bot.dev.playground.personas import BY_KEY
from bot.dev.playground.runtime import Playground
from bot.domain.roles import Role, TeamPosition
from bot.settings import Settings
from storage import invitations
from storage import keluarga as keluarga_store
from storage import users as users_store
from storage.keluarga import NewKeluarga, NewSasaran

#: Monday 23 November 2026, 09:00 in Serang (WIB).
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SUKAWANA = "36.73.04.1007"  # a kelurahan in Kec. Curug, Kota Serang
#: The per-start secret of the playground the API tests drive (the CLI makes a random one).
SECRET = "test-secret-of-this-start"


def base_settings(**sections: dict[str, Any]) -> Settings:
    """What a deployer's config.toml would give: region only, no token, no key."""
    return Settings(wilayah={"root": "36.73"}, **sections)


def new_playground(tmp_path: Path, **kwargs: Any) -> Playground:
    return Playground(base_settings(), db_path=tmp_path / "var" / "playground.sqlite3", start=START, **kwargs)


async def add_tpk(pg: Playground) -> None:
    """The tpk persona as a member in Sukawana, made in storage (as if she had joined)."""
    db, now = pg.services.db, pg.clock.now()
    tpk, admin = BY_KEY["tpk"], BY_KEY["admin"]
    token = "playground-test-token-0001"
    await users_store.ensure_admin(db, admin.user_id, admin.name, pg.settings.wilayah.root, now)
    await invitations.create(db, token=token, role=Role.TPK, region_code=SUKAWANA,
                             created_by=admin.user_id, now=now, valid_for=timedelta(days=1))
    await invitations.claim_membership(db, token=token, user_id=tpk.user_id, full_name=tpk.name, phone=None,
                                       team_position=TeamPosition.BIDAN, now=now)


async def add_tpk_and_mother(pg: Playground) -> int:
    """The tpk persona and a pregnant mother (Sari Dewi) in her area, made in storage."""
    await add_tpk(pg)
    db, now, tpk = pg.services.db, pg.clock.now(), BY_KEY["tpk"]
    async with db.transaction() as tx:
        family = await keluarga_store.create_keluarga(
            tx, pg.services.cipher, NewKeluarga(region_code=SUKAWANA, head_name="Ahmad", water_source="ledeng",
                                                latrine="septik"), reporter_id=tpk.user_id, draft_key=None, now=now)
        return await keluarga_store.add_sasaran(
            tx, pg.services.cipher, family,
            NewSasaran(category="ibu_hamil", name="Sari Dewi", sex="P", hpht=date(2026, 7, 10),
                       birth_date=date(1990, 3, 12)),
            reporter_id=tpk.user_id, now=now)


class ChatApi:
    """One persona's chat through ``/api/chat``: merges deltas like the page."""

    def __init__(self, client: TestClient, persona: str) -> None:
        self.client = client
        self.persona = persona
        self.revision = 0
        self.messages: dict[int, dict[str, Any]] = {}
        self.reply_keyboard: list[list[dict[str, Any]]] | None = None
        self.answers: list[dict[str, Any]] = []

    async def refresh(self, wait: float = 0) -> dict[str, Any]:
        response = await self.client.get(f"/api/chat/{self.persona}",
                                         params={"after": str(self.revision), "wait": str(wait)})
        assert response.status == 200, await response.text()
        data = await response.json()
        chat = data["chat"]
        for mid in chat["deleted"]:
            self.messages.pop(mid, None)
        for message in chat["messages"]:
            self.messages[message["id"]] = message
        self.reply_keyboard = chat["reply_keyboard"]
        self.answers += chat["answers"]
        self.revision = data["revision"]
        return data

    def bot_texts(self) -> list[str]:
        return [m["text"] for _, m in sorted(self.messages.items()) if m["from"] == "bot"]

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """The newest message satisfying ``predicate``, waiting (long poll) for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for _, message in sorted(self.messages.items(), reverse=True):
                if predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{self.persona}: no such message; bot said {self.bot_texts()[-5:]}")
            await self.refresh(wait=min(1.0, remaining))

    async def until_text(self, needle: str, timeout: float = 5.0) -> dict[str, Any]:
        return await self.until(lambda m: m["from"] == "bot" and needle in m["text"], timeout)

    async def send(self, text: str) -> None:
        response = await self.client.post(f"/api/chat/{self.persona}/send", json={"text": text})
        assert response.status == 200, await response.text()

    async def press(self, label: str, timeout: float = 5.0, *, partial: bool = False) -> dict[str, Any]:
        """Press the button with this label (or containing it) on the newest message that has one."""

        def fits(button: dict[str, Any]) -> bool:
            return label in button["label"] if partial else button["label"] == label

        message = await self.until(lambda m: any(fits(b) for row in m["buttons"] for b in row), timeout)
        row, column = next((r, c) for r, buttons in enumerate(message["buttons"])
                           for c, b in enumerate(buttons) if fits(b))
        response = await self.client.post(f"/api/chat/{self.persona}/press",
                                          json={"message_id": message["id"], "row": row, "column": column})
        assert response.status == 200, await response.text()
        return message

    async def share_contact(self) -> None:
        response = await self.client.post(f"/api/chat/{self.persona}/contact", json={})
        assert response.status == 200, await response.text()


async def open_link(client: TestClient, persona: str, url: str) -> None:
    response = await client.post("/api/open-link", json={"persona": persona, "url": url})
    assert response.status == 200, await response.text()


def start_link(message: dict[str, Any]) -> str:
    assert message["start_links"], message
    return str(message["start_links"][0])


LINK = re.compile(r"https://t\.me/\w+\?start=[A-Za-z0-9_-]+")
