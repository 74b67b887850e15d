"""Fixtures: a playground (the real bot on the emulator, its own database in tmp_path,
the clock at a fixed Monday morning) and an aiohttp test client for its JSON API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.playground.runtime import Playground
from bot.playground.server import create_app
from tests.playground.helpers import new_playground


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async with new_playground(tmp_path) as pg:
        yield pg
    pg.emu.assert_no_errors()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(playground))) as test_client:
        yield test_client
