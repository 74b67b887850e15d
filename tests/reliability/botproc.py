"""The bot as a real process: a config file for it, start, SIGKILL, and the CLI.

The Bot API emulator runs in the test's own event loop on 127.0.0.1; the bot process
talks to it over HTTP exactly as it would to Telegram.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from bot.dev.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    """A config.toml from nested dicts (a sub-dict becomes ``[section.sub]``)."""
    lines: list[str] = []

    def emit(name: str, values: dict[str, Any]) -> None:
        lines.append(f"[{name}]")
        nested = {k: v for k, v in values.items() if isinstance(v, dict)}
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items() if not isinstance(v, dict))
        lines.append("")
        for key, sub in nested.items():
            emit(f"{name}.{key}", sub)

    for name, values in sections.items():
        emit(name, values)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def config_for(tmp: Path, emu: BotApiEmulator, *, token: str, key: str, admins: list[int],
               **extra: dict[str, Any]) -> Path:
    sections: dict[str, dict[str, Any]] = {
        "telegram": {"token": token, "base_url": emu.base_url, "base_file_url": emu.base_file_url},
        "storage": {"path": str(tmp / "tpk.sqlite3")},
        "wilayah": {"root": "36.73"},
        "access": {"admins": admins},
        "privacy": {"key": key},
    }
    for name, values in extra.items():
        sections[name] = {**sections.get(name, {}), **values}
    return write_config(tmp / "config.toml", sections)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPK_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


async def cli(*args: str, timeout: float = 60) -> tuple[int, str, str]:
    """``python -m bot <args>``; returns (status, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(PYTHON, "-m", "bot", *args, cwd=ROOT, env=_env(),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(timeout):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


class BotProcess:
    """``python -m bot run --config F`` (or another module's ``main``), killed with SIGKILL."""

    def __init__(self, config: Path, log: Path, *, module: str = "bot", extra_args: tuple[str, ...] = ()) -> None:
        self.config = config
        self.log = log
        self.module = module
        self.extra_args = extra_args
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    async def start(self) -> None:
        assert self.proc is None
        with self.log.open("ab") as log:
            log.write(f"\n===== start {self.starts + 1} =====\n".encode())
            log.flush()
            self.proc = await asyncio.create_subprocess_exec(
                PYTHON, "-m", self.module, *self.extra_args, "run", "--config", str(self.config), cwd=ROOT,
                env=_env(), stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        self.starts += 1

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the bot."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        status = await self.proc.wait()
        if status != -signal.SIGKILL:
            raise AssertionError(f"the bot had already exited with status {status}:\n{self.tail()}")
        self.proc = None
        self.kills += 1

    async def stop(self) -> None:
        """SIGTERM, the way an operator stops it; SIGKILL if it does not go."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.send_signal(signal.SIGKILL)
                await self.proc.wait()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
