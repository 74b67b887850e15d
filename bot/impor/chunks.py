"""A sheet's rows as chunks of parsed rows, read and parsed off the event loop."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from bot.impor.rows import ParsedRow, RowParser

CHUNK = 500


async def parsed_chunks(rows: Iterator[tuple[int, tuple[object, ...]]],
                        parser: RowParser) -> AsyncIterator[list[ParsedRow]]:
    """Chunks of parsed rows, the next one read and parsed in a worker thread while the
    caller writes the current one: reading and parsing are Python work and SQLite's is
    not, so on two cores the two overlap. At most two chunks are held at a time.

    One thread of its own reads the whole walk and closes it, however the walk ends (the
    last row, an error, a cancelled update): the XLSX reader's lxml parser belongs to the
    thread that made it, and one continued by any free thread of the default executor, or
    left to the garbage collector of the event loop's thread, once aborted the process."""

    def take() -> list[ParsedRow]:
        return [parser.parse(number, values) for number, values in itertools.islice(rows, CHUNK)]

    def finish() -> None:
        close = getattr(rows, "close", None)  # a generator; a plain iterator holds no parser
        if close is not None:
            close()

    loop = asyncio.get_running_loop()
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="impor-read")
    try:
        pending = loop.run_in_executor(reader, take)
        while True:
            chunk = await pending
            if not chunk:
                return
            pending = loop.run_in_executor(reader, take)
            yield chunk
    finally:
        reader.submit(finish)  # after a take still running: in the reading thread, in order
        reader.shutdown(wait=False)
