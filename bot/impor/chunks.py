"""A sheet's rows as chunks of parsed rows, read and parsed off the event loop."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator

from bot.impor.rows import ParsedRow, RowParser

CHUNK = 500


async def parsed_chunks(rows: Iterator[tuple[int, tuple[object, ...]]],
                        parser: RowParser) -> AsyncIterator[list[ParsedRow]]:
    """Chunks of parsed rows, the next one read and parsed in a worker thread while the
    caller writes the current one: reading and parsing are Python work and SQLite's is
    not, so on two cores the two overlap. At most two chunks are held at a time."""

    def take() -> list[ParsedRow]:
        return [parser.parse(number, values) for number, values in itertools.islice(rows, CHUNK)]

    pending = asyncio.ensure_future(asyncio.to_thread(take))
    while True:
        chunk = await pending
        if not chunk:
            return
        pending = asyncio.ensure_future(asyncio.to_thread(take))
        yield chunk
