"""The key and the personal data are readable by the bot's account only (issue 15,
point 7): ``init-config``, ``migrate`` and a write leave config, database, WAL and
shared-memory files at mode 600, and a start with a wider file says so in one line (a
start that fails says only why: see tests/reliability/test_sigkill.py)."""

from __future__ import annotations

import asyncio
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from storage.crypto import new_key
from storage.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common default (022): without care every new file would be 644."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_config_database_wal_and_shm_are_private_after_a_make_run_like_start(
        tmp_path: Path, usual_umask: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    config = tmp_path / "config.toml"
    assert main(["init-config", "--config", str(config)]) == 0
    assert mode(config) == 0o600, "the config holds the master key"
    assert main(["migrate", "--config", str(config)]) == 0
    database = tmp_path / "var" / "tpk.sqlite3"
    assert mode(database) == 0o600
    assert "Peringatan" not in capsys.readouterr().err
    asyncio.run(_write_and_look(database))


async def _write_and_look(database: Path) -> None:
    """A write as the running bot makes one: the WAL and shared memory exist meanwhile."""
    db = await Database.open(database)
    try:
        await db.write("INSERT INTO meta (key, value) VALUES ('probe', 'x')")
        sidecars = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in sidecars)
        assert {p.name: mode(p) for p in sidecars} == {p.name: 0o600 for p in sidecars}
    finally:
        await db.close()


def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``make run``'s first steps in ``tmp_path``: init-config, migrate; the config's path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    config = tmp_path / "config.toml"
    assert main(["init-config", "--config", str(config)]) == 0
    assert main(["migrate", "--config", str(config)]) == 0
    return config


def test_a_start_with_a_file_others_can_read_warns_in_one_line(
        tmp_path: Path, usual_umask: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = started(tmp_path, monkeypatch)
    capsys.readouterr()
    config.chmod(0o644)  # as `cp config.example.toml config.toml` leaves it
    (tmp_path / "var" / "tpk.sqlite3").chmod(0o640)
    assert main(["migrate", "--config", str(config)]) == 0, "a warning, not a refusal"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "WARNING" in err[0] and "Peringatan: file berisi kunci atau data pribadi bisa dibaca pengguna lain" in err[0]
    assert "config.toml (644)" in err[0] and "tpk.sqlite3 (640)" in err[0] and "chmod 600" in err[0]
    config.chmod(0o600)
    (tmp_path / "var" / "tpk.sqlite3").chmod(0o600)
    assert main(["migrate", "--config", str(config)]) == 0
    assert capsys.readouterr().err == ""


def test_a_failed_start_says_only_why_even_with_wide_files(
        tmp_path: Path, usual_umask: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = started(tmp_path, monkeypatch)
    text = config.read_text()
    old_key = re.search(r'^key = "([^"]+)"', text, re.M)
    assert old_key is not None
    config.write_text(text.replace(old_key[1], new_key()))  # a key the database refuses, once opened
    config.chmod(0o644)
    capsys.readouterr()
    assert main(["migrate", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "tidak cocok" in err[0], err
