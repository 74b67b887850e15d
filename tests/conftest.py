"""Shared fixtures: a FakeClock and the bot running against the Bot API emulator."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.clock import FakeClock
from bot.logs import quiet_libraries
from storage.url import StorageURL
from tests.engines import ENGINES, skipped_summary, storage_for
from tests.harness import START, BotUnderTest, bot_under_test
from tests.privacy import logscan

# Hypothesis's 200 ms deadline is a timing assertion: on two cores shared by test workers an
# example once took 395 ms and failed the run. Tests assert behaviour, never speed.
settings.register_profile("tpk", deadline=None)
settings.load_profile("tpk")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    """The bot on each engine in turn (the test runs as ``[sqlite]`` and ``[postgresql]``)."""
    async with bot_under_test(tmp_path, clock, storage={"url": storage_url.as_setting()}) as harness:
        yield harness


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every storage test (one that asks for ``engine``, ``storage_url``, ``bot`` or a fixture
    built on them) runs on both engines, ``[sqlite]`` and ``[postgresql]``; a test that names its
    engines itself keeps them. The PostgreSQL half costs about a tenth of the suite's time
    (README § Tests on both engines)."""
    if "engine" not in metafunc.fixturenames or any(
            "engine" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize")):
        return  # not a storage test, or one that names its engines itself
    metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine of this test (``[sqlite]`` / ``[postgresql]``).
    ``@pytest.mark.sqlite_only("why")`` keeps a test that reads SQLite's own files on SQLite."""
    only = request.node.get_closest_marker("sqlite_only")
    if only is not None and request.param != "sqlite":
        pytest.skip(f"SQLite only: {only.args[0] if only.args else ''}")
    return str(request.param)


@pytest.fixture
async def storage_url(engine: str, tmp_path: Path) -> AsyncIterator[StorageURL]:
    """Where the test's database lives: a SQLite file, or a PostgreSQL database of its own."""
    async with storage_for(engine, tmp_path) as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the PostgreSQL half of the storage tests was skipped (no server)."""
    line = skipped_summary()
    if line:
        terminalreporter.write_line(line, yellow=True)


@pytest.fixture(scope="session", autouse=True)
def _chart_renderer_warm() -> None:
    """matplotlib builds its font cache on first use: seconds on a fresh machine, where the
    first "📈 Grafik" of a run once outlasted a 5 s wait. Built here, before any test, so
    no test's timing depends on whether the machine has run the suite before."""
    from bot.rekap import chart

    chart.warm_up().join()


# -- personal data never reaches the log (issue 8) ------------------------------------------


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture,
                              monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test of the suite runs with the root logger at DEBUG (library loggers at the
    levels ``bot.logs`` allows them in production) and fails if any record names a person,
    a NIK / No. KK, a phone number or anything else the test typed (tests/privacy/logscan.py)."""
    watch = logscan.install(monkeypatch)
    request.node.stash[logscan.WATCH] = watch
    caplog.set_level(logging.DEBUG)
    quiet_libraries()
    yield
    findings = watch.scan(logscan.records_of(request.node, caplog))
    if findings:
        listing = "\n".join(f"  - {finding}" for finding in findings[:10])
        pytest.fail(f"personal data in the log ({len(findings)} records):\n{listing}", pytrace=False)


# -- the long tests start first (pytest-xdist) ----------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (a minute or more: benchmarks, killed processes, big imports) run
    first. With several workers (``make test`` runs pytest-xdist) one of them started last
    would keep the whole run waiting after every other worker is done. A stable sort: every
    worker collects the same order, which xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
