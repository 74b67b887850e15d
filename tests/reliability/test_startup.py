"""Start-up and shut-down for operators (issue 15, point 8): every reason a start fails
or a running bot must stop is one Indonesian line on stderr and a non-zero status, never
a traceback; a second bot on the same database or token is refused.

``python -m bot run`` as a real process against the Bot API emulator of this test.
Read-only cases drop the capability that lets root write anywhere (``setpriv``), so they
mean the same as for the unprivileged user a deployment runs as.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.emulator import BotApiEmulator
from storage.crypto import new_key
from tests.harness import BOT_USERNAME, TOKEN
from tests.reliability.botproc import PYTHON, ROOT, BotProcess, _env, cli, config_for

LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
UNPRIVILEGED = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME)
    await emulator.start()
    yield emulator
    await emulator.stop()


def the_one_line(stderr: str) -> str:
    """The operator's line: the only line of stderr that is not a log record."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip() and not LOG_RECORD.match(line)]
    assert len(lines) == 1, stderr
    assert " ERROR " not in stderr, stderr
    return lines[0]


async def run_bot(config: Path, *, unprivileged: bool = False, timeout: float = 30) -> tuple[int, str]:
    prefix = UNPRIVILEGED if unprivileged and os.geteuid() == 0 else []
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file is writable")
    proc = await asyncio.create_subprocess_exec(*prefix, PYTHON, "-m", "bot", "run", "--config", str(config),
                                                cwd=ROOT, env=_env(), stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(timeout):
            _, err = await proc.communicate()
    except TimeoutError:
        proc.kill()
        _, err = await proc.communicate()
        raise AssertionError(f"the bot did not stop by itself:\n{err.decode()[-3000:]}") from None
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def _config(tmp: Path, emu: BotApiEmulator, key: str, **extra: dict[str, object]) -> Path:
    return config_for(tmp, emu, token=TOKEN, key=key, admins=[1000], **extra)


async def _migrated(tmp: Path, emu: BotApiEmulator, key: str) -> Path:
    config = _config(tmp, emu, key)
    status, _, err = await cli("migrate", "--config", str(config))
    assert status == 0, err
    return config


async def test_a_read_only_database(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = await _migrated(tmp_path, emu, new_key())
    (tmp_path / "tpk.sqlite3").chmod(0o444)
    status, err = await run_bot(config, unprivileged=True)
    assert status != 0
    assert "hanya bisa dibaca" in the_one_line(err)


async def test_a_folder_the_bot_cannot_write(tmp_path: Path, emu: BotApiEmulator) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o555)
    config = _config(tmp_path, emu, new_key(), storage={"path": str(folder / "tpk.sqlite3")})
    status, err = await run_bot(config, unprivileged=True)
    assert status != 0
    assert str(folder) in the_one_line(err)


async def test_a_file_that_is_not_a_database(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = _config(tmp_path, emu, new_key())
    (tmp_path / "tpk.sqlite3").write_bytes(b"bukan basis data " * 512)
    status, err = await run_bot(config)
    assert status != 0
    assert "rusak" in the_one_line(err)


async def test_a_schema_newer_than_the_program(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = await _migrated(tmp_path, emu, new_key())
    with sqlite3.connect(tmp_path / "tpk.sqlite3") as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (9999, 'future', '2030-01-01T00:00:00Z')")
    status, err = await run_bot(config)
    assert status != 0
    assert "lebih baru dari program ini" in the_one_line(err)


async def test_another_key_than_the_data_was_written_with(tmp_path: Path, emu: BotApiEmulator) -> None:
    await _migrated(tmp_path, emu, new_key())
    status, err = await run_bot(_config(tmp_path, emu, new_key()))
    assert status != 0
    assert "privacy.key" in the_one_line(err)


async def test_a_token_telegram_refuses_at_start(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = config_for(tmp_path, emu, token="123456:" + "X" * 35, key=new_key(), admins=[1000])
    status, err = await run_bot(config)
    assert status != 0
    assert "401" in the_one_line(err)


async def _running(tmp: Path, config: Path, emu: BotApiEmulator, name: str = "bot") -> BotProcess:
    """A bot process that has started polling."""
    bot = BotProcess(config, tmp / f"{name}.log")
    polls = emu.stats.calls["getUpdates"]
    await bot.start()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while emu.stats.calls["getUpdates"] <= polls:
        assert bot.alive(), bot.tail()
        assert loop.time() < deadline, f"{dict(emu.stats.calls)}\n{bot.tail()}"
        await asyncio.sleep(0.05)
    return bot


def _log_after_start(bot: BotProcess) -> str:
    return bot.log.read_text(encoding="utf-8").split("=====\n", 1)[1]


@pytest.mark.slow  # up to one 30 s long poll
async def test_a_token_revoked_while_running_ends_the_process(tmp_path: Path, emu: BotApiEmulator) -> None:
    bot = await _running(tmp_path, _config(tmp_path, emu, new_key()), emu)
    try:
        emu.token = "123456:" + "R" * 35  # revoked: every further call answers 401
        await emu.user(5000, first_name="Sari").send("/start")  # the waiting poll brings it; the reply is refused
        assert bot.proc is not None
        async with asyncio.timeout(45):  # at most one long poll (30 s) later
            status = await bot.proc.wait()
    finally:
        await bot.stop()
    assert status != 0
    # The refused reply is logged as a handler error on the way; the process ends with the line.
    assert "401" in _log_after_start(bot).strip().splitlines()[-1]


@pytest.mark.slow
async def test_a_second_bot_on_the_same_database_is_refused(tmp_path: Path, emu: BotApiEmulator) -> None:
    config = _config(tmp_path, emu, new_key())
    first = await _running(tmp_path, config, emu)
    try:
        status, err = await run_bot(config)
        assert status != 0
        assert "sudah berjalan" in the_one_line(err)
        assert first.alive()
    finally:
        await first.stop()


@pytest.mark.slow
async def test_a_second_bot_on_the_same_token_ends_with_one_line(tmp_path: Path, emu: BotApiEmulator) -> None:
    """Two databases, one token: Telegram ends the older long poll with 409 Conflict when
    the newer one arrives. The bot that gets it stops with one line; the other goes on."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = await _running(tmp_path / "a", _config(tmp_path / "a", emu, new_key()), emu, "first")
    second = await _running(tmp_path / "b", _config(tmp_path / "b", emu, new_key()), emu, "second")
    try:
        async with asyncio.timeout(20):
            while first.alive() and second.alive():
                await asyncio.sleep(0.05)
        ended, other = (first, second) if not first.alive() else (second, first)
        assert ended.proc is not None and ended.proc.returncode != 0
        assert "409" in the_one_line(_log_after_start(ended))
        await asyncio.sleep(1)
        assert other.alive()
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.slow
async def test_the_running_bot_warms_the_chart_renderer_in_the_background(
        tmp_path: Path, emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh machine (no matplotlib font cache): the bot polls at once, the cache appears
    while it runs, and SIGTERM still ends it cleanly."""
    cache = tmp_path / "mpl"
    cache.mkdir()
    monkeypatch.setenv("MPLCONFIGDIR", str(cache))
    bot = await _running(tmp_path, _config(tmp_path, emu, new_key()), emu)
    try:
        async with asyncio.timeout(120):
            while not list(cache.glob("fontlist-*.json")):
                assert bot.alive(), bot.tail()
                await asyncio.sleep(0.1)
        assert bot.proc is not None
        bot.proc.terminate()
        async with asyncio.timeout(15):
            assert await bot.proc.wait() == 0
    finally:
        await bot.stop()
