"""``python -m bot migrate-data``: a demo SQLite deployment moved to PostgreSQL with the same rows,
the same /rekap counters and NIKs that still decrypt; a target with data is refused."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import psycopg
import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.dev.emulator import SimUser
from tests.engines import fresh_postgres
from tests.foundation.test_engines import _config
from tests.foundation.test_settings import KEY
from tests.harness import add_member, bot_under_test


def _counters_sqlite(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT metric, region_code, month, until, value FROM rekap_counts WHERE value <> 0 "
            "ORDER BY metric, region_code, month, until")]


def test_the_demo_database_moves_to_postgresql_with_its_figures(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.sqlite3"
    config = _config(tmp_path, f'url = "sqlite:///{database}"')
    assert main(["seed-demo", "--config", str(config), "--sasaran", "150"]) == 0
    with fresh_postgres() as url:
        capsys.readouterr()
        assert main(["migrate-data", "--config", str(config), "--from", f"sqlite:///{database}",
                     "--to", url.as_setting()]) == 0
        line = capsys.readouterr().out.strip()
        assert line.startswith(f"data dipindah ke {url.display()}") and "NIK contoh terbaca sama" in line, line
        with sqlite3.connect(database) as conn:
            sasaran = conn.execute("SELECT count(*) FROM sasaran").fetchone()[0]
        assert f"{sasaran:,} sasaran" in line and sasaran >= 100
        with psycopg.connect(url.conninfo()) as conn:
            counters = [tuple(r) for r in conn.execute(
                "SELECT metric, region_code, month, until, value FROM rekap_counts WHERE value <> 0 "
                "ORDER BY metric COLLATE \"C\", region_code COLLATE \"C\", month COLLATE \"C\", until COLLATE \"C\"")]
            next_id = conn.execute("SELECT nextval(pg_get_serial_sequence('sasaran', 'id'))").fetchone()[0]
            top = conn.execute("SELECT max(id) FROM sasaran").fetchone()[0]
        assert counters == _counters_sqlite(database) and len(counters) > 10
        assert next_id > top, "new records continue after the copied ids"
        # A second move into the now filled database is refused, in one line.
        assert main(["migrate-data", "--config", str(config), "--from", f"sqlite:///{database}",
                     "--to", url.as_setting()]) == 1
        assert "sudah berisi data" in capsys.readouterr().err


async def _what_the_coordinator_sees(user: SimUser) -> list[str]:
    """/rekap, its breakdown, /keluarga and the first family's card, as the phone shows them."""
    await user.send("/rekap")
    summary = await user.next_message()
    await user.press(next(label for label in summary.button_labels() if "Per kecamatan" in label))
    breakdown = await user.next_edit()
    await user.send("/keluarga")
    listing = await user.next_message()
    await user.press(listing.button_labels()[0])
    card = await user.next_edit()
    return [summary.plain_text, breakdown.plain_text, listing.plain_text, " | ".join(listing.button_labels()),
            card.plain_text]


async def test_after_the_move_the_bot_answers_rekap_and_keluarga_there_as_before(tmp_path: Path,
                                                                                 clock: FakeClock) -> None:
    """The issue's "done when": the playground's demo database moved by ``migrate-data``, and
    the bot on PostgreSQL shows a city coordinator the same /rekap (and its breakdown), the
    same /keluarga list and the same family card as it did on SQLite."""
    database = tmp_path / "demo.sqlite3"
    config = _config(tmp_path, f'url = "sqlite:///{database}"')
    assert await asyncio.to_thread(main, ["seed-demo", "--config", str(config), "--sasaran", "150"]) == 0
    sqlite_side = {"storage": {"path": str(database)}, "privacy": {"key": KEY}}
    async with bot_under_test(tmp_path / "sqlite", clock, **sqlite_side) as bot:
        city = await add_member(bot, 2002, "Koor Kota", "koordinator", "36.73")
        before = await _what_the_coordinator_sees(city)
    assert re.search(r"Keluarga di Kota Serang: [1-9]", before[2]) and before[4].startswith("Keluarga "), before
    with fresh_postgres() as url:
        assert await asyncio.to_thread(main, ["migrate-data", "--config", str(config), "--from",
                                              f"sqlite:///{database}", "--to", url.as_setting()]) == 0
        postgres_side = {"storage": {"url": url.as_setting()}, "privacy": {"key": KEY}}
        async with bot_under_test(tmp_path / "postgresql", clock, **postgres_side) as bot:
            after = await _what_the_coordinator_sees(bot.user(2002, "Koor Kota"))
    assert after == before
