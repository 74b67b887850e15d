"""``python -m bot playground`` and ``make run``'s choice between the playground and the bot;
the playground's own database, key and clock."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.dev.playground import config as pg_config
from bot.dev.playground.cli import EXIT_HAS_TOKEN
from bot.dev.playground.runtime import Playground
from tests.playground.helpers import base_settings

TOKEN = "123456:" + "A" * 35


def write_config(tmp_path: Path, *, token: str = "", extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[telegram]\ntoken = "{token}"\n\n[storage]\npath = "{tmp_path / "tpk.sqlite3"}"\n\n'
                    f'[wilayah]\nroot = "36.73"\n{extra}', encoding="utf-8")
    return path


def test_with_a_token_make_run_is_told_to_run_the_real_bot(tmp_path: Path) -> None:
    config = write_config(tmp_path, token=TOKEN)
    assert main(["playground", "--config", str(config), "--if-no-token"]) == EXIT_HAS_TOKEN
    assert not (tmp_path / "var").exists(), "nothing was started or written"


def test_a_token_from_the_environment_counts_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_TELEGRAM_TOKEN", TOKEN)
    assert main(["playground", "--config", str(write_config(tmp_path)), "--if-no-token"]) == EXIT_HAS_TOKEN


def test_configuration_mistakes_are_one_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, extra='unknown_key = 1\n')
    assert main(["playground", "--config", str(config), "--if-no-token"]) == 2
    error = capsys.readouterr().err.strip()
    assert "unknown_key" in error and "\n" not in error
    assert main(["playground", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "tidak ada" in capsys.readouterr().err


def test_the_production_database_is_never_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["playground", "--config", str(config), "--db", str(tmp_path / "tpk.sqlite3"), "--port", "0"]) == 2
    assert "basis data produksi" in capsys.readouterr().err
    assert not (tmp_path / "tpk.sqlite3").exists()


async def test_its_own_key_and_a_clock_that_never_goes_back(tmp_path: Path) -> None:
    db_path = tmp_path / "var" / "playground.sqlite3"
    later = datetime(2030, 1, 7, 1, 0, tzinfo=UTC)
    async with Playground(base_settings(), db_path=db_path, start=later) as first:
        key = first.settings.privacy.key
        await first.advance(timedelta(hours=5))
        assert first.settings.storage.path == db_path and first.settings.telegram.base_url.startswith("http://127.")
    key_file = pg_config.key_path(db_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.read_text().strip() == key
    async with Playground(base_settings(), db_path=db_path) as second:
        assert second.settings.privacy.key == key, "the stored NIKs stay readable"
        assert second.clock.now() == later + timedelta(hours=5), "records were written at that time"
    pg_config.reset(db_path)
    assert not db_path.exists() and pg_config.saved_clock(db_path) is None


async def test_demo_data_once_into_an_empty_database(tmp_path: Path) -> None:
    db_path = tmp_path / "playground.sqlite3"
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with Playground(base_settings(), db_path=db_path, start=start, seed_demo=40) as pg:
        assert pg.seeded is not None and pg.seeded.created == 40
        assert "40 sasaran" in pg.seeded.note
        assert await pg.services.db.fetch_value("SELECT count(*) FROM sasaran") == 40
    async with Playground(base_settings(), db_path=db_path, start=start, seed_demo=40) as again:
        assert again.seeded is not None and again.seeded.created == 0 and "--reset" in again.seeded.note
        assert await again.services.db.fetch_value("SELECT count(*) FROM sasaran") == 40
