"""Logs hold no names, NIKs, phone numbers or health values.

The whole suite is scanned by the autouse fixture in ``tests/conftest.py``; these tests
show that the scan sees what it must (and not ids, dates or region codes), that it learns
the personal data each test uses, that the logging set-up keeps library debug output
(message texts, SQL arguments) out even at DEBUG, and that the emulator's complaints
leave the text they complain about out of the log line.
"""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot import logs
from bot.dev.emulator import BotApiEmulator
from tests.e2e.test_lapor import SUKAWANA
from tests.e2e.test_records import register_mother
from tests.emulator_helpers import BOT_USERNAME, TOKEN, raw_call
from tests.harness import BotUnderTest, Form, add_member
from tests.privacy import logscan
from tests.privacy.logscan import PersonalDataWatch


def record(message: str, *args: object, name: str = "bot.example", level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, args, None)


@pytest.mark.parametrize("message", [
    "sasaran %s: NIK 3673045203900001 stored",
    "nik=3673 0452 0390 0001",
    "calling 0812-3456-7890",
    "phone +62 812 3456 7890",
    "phone 6281234567890",
    "wa.me/081234567890",
])
def test_the_scan_sees_identity_numbers_and_phones(message: str) -> None:
    findings = PersonalDataWatch().scan([record(message, 7, name="handlers.leaky")])
    assert len(findings) == 1 and findings[0].logger == "handlers.leaky", findings


@pytest.mark.parametrize("message", [
    "error while handling update 1234 chat 3001 user 3001: ValueError",
    "reminder 17 (anc_3) sent to sasaran 5",
    "applied migration 0005_privacy at 2026-11-23T02:00:00Z",
    "region 36.73.04.1007 loaded with 1234567 rows",
    '127.0.0.1 "GET /api/chat/tpk?after=2&wait=0.9642816489999859 HTTP/1.1" 200',
    "Bot API emulator: sendMessage: Bad Request: can't parse entities",
    "retention (1825 days): 3 ended records anonymised",
])
def test_the_scan_lets_ids_dates_and_codes_through(message: str) -> None:
    watch = PersonalDataWatch(names={"Rina Marlina", "Siti"}, typed={"12-03-1990", "Jl. Melati No. 5"})
    assert watch.scan([record(message)]) == []


def test_the_scan_finds_what_the_test_used_as_whole_words() -> None:
    watch = PersonalDataWatch()
    watch.name("Siti")
    watch.text("12-03-1990")
    watch.text("52,5 kg")
    watch.text("Jl. Melati No. 5")
    watch.text("/kunjungan Rina")  # a command: not itself personal
    watch.text("3")  # too short to mean anything
    hits = watch.scan([record("hello Siti"), record("born 12-03-1990"), record("weight %s", "52,5 kg"),
                       record("Jl. Melati No. 5 is the address"), record("Sitinjak is another word"),
                       record("user 3 did it")])
    assert [(h.kind, h.value) for h in hits] == [("a name", "Siti"), ("typed text", "12-03-1990"),
                                                 ("typed text", "52,5 kg"), ("typed text", "Jl. Melati No. 5")]


def test_exception_text_is_scanned_too() -> None:
    try:
        raise ValueError("NIK 3673045203900001 tidak valid")
    except ValueError:
        import sys

        leaky = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert PersonalDataWatch().scan([leaky])[0].kind == "a NIK / No. KK"


def test_every_test_runs_at_debug_and_its_records_are_scanned(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("handlers.example").debug("sasaran %s opened by user %s", 5, 3001)
    logging.getLogger("handlers.example").info("hello %s", "Rina Marlina")
    records = caplog.records
    assert [r.levelname for r in records] == ["DEBUG", "INFO"], "the root logger is at DEBUG in every test"
    findings = PersonalDataWatch(names={"Rina Marlina"}).scan(records)
    assert [str(f).split(":")[0] for f in findings] == ["logger 'handlers.example' (INFO) logged a name 'Rina Marlina'"]
    caplog.clear()  # this test's deliberate leak must not fail it at teardown


async def test_the_watch_learns_names_numbers_and_typed_answers(bot: BotUnderTest,
                                                               request: pytest.FixtureRequest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti Rahayu", "tpk", SUKAWANA))
    await siti.start("/lapor")
    for answer in ("3", "2", "Jl. Melati No. 5", "Ahmad Yani"):
        await siti.type(answer)
    await siti.tap("Lewati ➡️")
    await siti.tap("Ledeng / PAM")
    await siti.tap("Tidak ada jamban")
    await siti.tap("Tidak")
    await siti.tap("✅ Kirim")
    await register_mother(siti, "Rina Marlina", "3673045203900001")
    watch = request.node.stash[logscan.WATCH]
    assert {"Siti Rahayu", "Ahmad Yani", "Rina Marlina"} <= watch.names | watch.typed
    assert "3673045203900001" in watch.numbers and "38 minggu" in watch.typed


def test_library_debug_output_stays_out_even_at_debug() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        logs.configure(logging.DEBUG)
        assert logging.getLogger("handlers.keluarga").isEnabledFor(logging.DEBUG)
        # PTB logs each Bot API call with its parameters (message texts) at DEBUG, and
        # aiosqlite each statement with its arguments; httpx request URLs (the token) at INFO.
        assert not logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_the_emulator_keeps_the_text_it_complains_about_out_of_the_log(
        caplog: pytest.LogCaptureFixture) -> None:
    emu = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME)
    await emu.start()
    try:
        emu.user(3001, "Siti")
        async with aiohttp.ClientSession() as session:
            status, _ = await raw_call(session, emu, "sendMessage", chat_id=3001, parse_mode="HTML",
                                       text="<b>Rina Marlina, NIK 3673045203900001</i>")
            status2, _ = await raw_call(session, emu, "sendMessage", chat_id=3001, text="Rina Marlina",
                                        reply_markup={"inline_keyboard": [[{"text": "Rina Marlina"}]]})
    finally:
        await emu.stop()
    assert (status, status2) == (400, 400)
    assert any("Rina Marlina" in e for e in emu.errors), "the test's own diagnostics keep the detail"
    complaints = [r for r in caplog.records if r.name == "bot.dev.emulator.server"]
    assert complaints and all("Rina" not in r.getMessage() and "3673" not in r.getMessage() for r in complaints)
