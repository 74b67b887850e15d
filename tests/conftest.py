"""Shared fixtures: a FakeClock and the bot running against the Bot API emulator."""

from __future__ import annotations

import logging
import os
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


#: Test files whose every storage-touching test runs on both engines: the storage layer's own
#: tests, the /rekap counters against rebuilds and brute-force recounts, the claims, and the
#: main journeys end to end. Elsewhere a test opts in with ``@pytest.mark.both_engines``.
#: Doubling the whole suite on PostgreSQL would cost more than the 15-minute budget allows
#: (each PostgreSQL test database is cloned from a template, ~0.3 s, and every statement is a
#: round trip); the rest of the e2e tests exercise handlers whose SQL these files already cover.
#: ``TPK_TEST_ALL_ENGINES=1`` runs every storage test on both (about twice the suite's time; run
#: it before a release: it found SQLite-only SQL in /audit akses that no listed file reached).
BOTH_ENGINES = (
    "tests/foundation/test_storage.py", "tests/foundation/test_engines.py",
    "tests/reminders/test_storage.py", "tests/reminders/test_concurrent_claims.py",
    "tests/rekap/", "tests/e2e/test_lapor.py", "tests/e2e/test_records.py",
    "tests/e2e/test_tugas_over_time.py", "tests/e2e/test_audit.py", "tests/privacy/test_erasure.py",
)
ALL_ENGINES = os.environ.get("TPK_TEST_ALL_ENGINES", "").strip() not in ("", "0")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames or any(
            "engine" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize")):
        return  # not a storage test, or one that names its engines itself
    path = metafunc.definition.nodeid.split("::")[0]
    both = ALL_ENGINES or path.startswith(BOTH_ENGINES) or metafunc.definition.get_closest_marker("both_engines")
    metafunc.parametrize("engine", ENGINES if both else ENGINES[:1], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine of this test (``[sqlite]`` / ``[postgresql]``, see BOTH_ENGINES).
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
