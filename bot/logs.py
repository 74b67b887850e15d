"""Logging set-up. Personal data never reaches the log: handlers log ids only, the
error handler drops exception messages, and the bot token is masked in case a
library prints a request URL."""

from __future__ import annotations

import logging
import re
import sys

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("<token>", message)
            record.args = ()
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time, so a replaced stream (a test
    capturing output) is never written to after it is closed."""

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    """Idempotent: replaces only a handler this function added before."""
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StderrHandler)] + [handler]
    root.setLevel(level)
    quiet_libraries()


#: Library loggers and the most they may say. At DEBUG, python-telegram-bot logs every
#: Bot API call with its parameters (message texts: names, NIKs, health values) and
#: aiosqlite every statement with its arguments; httpx logs request URLs (the token) at
#: INFO. These levels hold even when the root logger is set to DEBUG.
LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.INFO,
    "apscheduler": logging.WARNING,
    "hpack": logging.INFO,
    "aiohttp": logging.INFO,
}


def quiet_libraries() -> None:
    for name, most in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(most)
