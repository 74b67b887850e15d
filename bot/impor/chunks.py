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

    Every chunk of a sheet is read in the same thread, one of its own, which also closes
    the walk however it ends (the last row, an error, a cancelled update): the XLSX
    reader's lxml ``iterparse`` keeps libxml2 state of the thread it began in, and resumed
    in another thread of the shared pool, or left to the garbage collector of the event
    loop's thread, it now and then freed memory it did not own (the process aborted with
    ``free(): invalid pointer``, about one import in six of 20,000 rows in one trial; once
    a test worker in a whole run; never with one thread, in 24 runs)."""

    def take() -> list[ParsedRow]:
        return [parser.parse(number, values) for number, values in itertools.islice(rows, CHUNK)]

    def finish() -> None:
        close = getattr(rows, "close", None)  # a generator; a plain iterator holds no parser
        if close is not None:
            close()

    loop = asyncio.get_running_loop()
    reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="impor-read")
    pending = loop.run_in_executor(reading, take)
    try:
        while True:
            chunk = await pending
            if not chunk:
                return
            pending = loop.run_in_executor(reading, take)
            yield chunk
    finally:
        # Left early: the file must not close under a read in progress, and the walk is
        # closed in its own thread (queued after that read).
        closing = loop.run_in_executor(reading, finish)
        await asyncio.wait([pending, closing])
        reading.shutdown(wait=False)
