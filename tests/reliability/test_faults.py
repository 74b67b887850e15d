"""Telegram misbehaving: a tenth of the bot's calls fail with 502, a time-out, a dropped
connection or 429 with retry_after (seeded). Every member's action still gets an answer,
no report is lost or saved twice, and every due reminder reaches its mother.

Two worlds are tried. In the first a failed call did nothing (what Telegram promises for
502 and 429, and the common case for a network failure). In the second a time-out or a
dropped connection happens *after* Telegram carried the call out, so the bot cannot know
and a retry shows the message twice: the figures say how often.

The figures of each run are printed (``pytest -s``) and kept in this folder's README.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.dev.emulator import SimUser
from bot.transport import retry as telegram_retry
from storage import keluarga as keluarga_store
from storage.url import StorageURL
from tests.harness import BotUnderTest, Form, add_member, bot_under_test, press_forged
from tests.reliability.driver import SUKAWANA, Reporter, Tally, check_records, plan_reports
from tests.reminders.helpers import QUIET, day, join, local, register_mother, tick, tpk

SEED = 20261123
RATE = 0.10
#: Telegram's refusal of a repeated callback answer: after a time-out on a call that had
#: in fact gone through, the retry meets it (and the transport takes it as success).
#: Distinct initials: the notice to the TPK member names a mother by hers ("Ibu A.").
MOTHERS = ("Ani", "Bela", "Citra", "Dewi", "Eka", "Fitri", "Gita", "Hana", "Indah", "Julia", "Kartika", "Lestari",
           "Maya", "Nur", "Oktavia", "Putri", "Rina", "Sari", "Tuti", "Umi")
REPEATED_ANSWER = "answerCallbackQuery: Bad Request: query is too old"


@pytest.fixture(autouse=True)
def short_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """An emulated stall costs a second of waiting, not python-telegram-bot's default five."""
    monkeypatch.setattr(telegram_retry, "READ_TIMEOUT", 1.0)


def faults_on(bot: BotUnderTest, *, delivered: bool, seed: int = SEED) -> None:
    bot.emu.faults.configure(error_rate=RATE, seed=seed, stall_seconds=1.5, retry_after=1,
                             deliver_before_fault=delivered)


def figures(name: str, bot: BotUnderTest, **more: Any) -> dict[str, Any]:
    """One JSON line of figures per test, for the issue note."""
    record = {"test": name, "faults": dict(bot.emu.faults.injected), "calls": bot.emu.stats.total_calls, **more}
    print("\nFIGURES " + json.dumps(record, ensure_ascii=False, default=str))
    return record


def repeated_answers(bot: BotUnderTest) -> int:
    """Take Telegram's refusals of a repeated callback answer out of the emulator's error
    list (they are the expected price of retrying a call whose outcome was unknown) and
    count them; anything else stays an error."""
    repeated = [e for e in bot.emu.errors if e.startswith(REPEATED_ANSWER)]
    bot.emu.errors[:] = [e for e in bot.emu.errors if not e.startswith(REPEATED_ANSWER)]
    return len(repeated)


# -- members filling /lapor -------------------------------------------------------------------


async def _report_under_faults(bot: BotUnderTest, *, members: int, reports: int, delivered: bool
                               ) -> tuple[Tally, dict[str, int], list[Reporter]]:
    users = [await add_member(bot, 3001 + i, f"Anggota {i}", "tpk", SUKAWANA, "bidan") for i in range(members)]
    faults_on(bot, delivered=delivered)
    reporters = [Reporter(bot.emu, user, plan_reports(i, reports, with_catin=True)) for i, user in enumerate(users)]
    async with asyncio.timeout(150):
        await asyncio.gather(*(r.run() for r in reporters))
    bot.emu.faults.clear()
    total = Tally()
    for reporter in reporters:
        total.add(reporter.tally)
    stored = await check_records(bot.db, bot.services.cipher, reporters)
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 0, "every form was finished"
    return total, stored, reporters


@pytest.mark.slow
async def test_members_reporting_while_a_tenth_of_calls_fail(tmp_path: Path, clock: FakeClock) -> None:
    async with bot_under_test(tmp_path, clock) as bot:
        total, stored, _ = await _report_under_faults(bot, members=6, reports=2, delivered=False)
        figures("forms, failed calls did nothing", bot, actions=total.actions, replied=total.replied,
                toast_only=total.toast_only, apologies=total.apologies, silent=total.silent,
                repeated_screens=total.repeated_screens, stored=stored)
        assert bot.emu.faults.total >= 40, "enough faults to mean something"
        assert set(bot.emu.faults.injected) == {"502", "timeout", "drop", "429"}
        assert total.silent == 0, "every action got an answer"
        assert total.repeated_screens == 0, "a call that failed did nothing, so nothing shows twice"
        assert stored["families"] == 12 and stored["family_confirmed"] == 12
        assert stored["sasaran"] == stored.get("catin_confirmed", 0) >= 10


@pytest.mark.slow
async def test_members_reporting_when_failed_calls_may_have_gone_through(tmp_path: Path, clock: FakeClock) -> None:
    async with bot_under_test(tmp_path, clock) as bot:
        total, stored, _ = await _report_under_faults(bot, members=4, reports=1, delivered=True)
        repeated = repeated_answers(bot)
        figures("forms, failed calls may have gone through", bot, actions=total.actions, replied=total.replied,
                apologies=total.apologies, silent=total.silent, repeated_screens=total.repeated_screens,
                repeated_callback_answers=repeated, stored=stored)
        assert bot.emu.faults.total >= 10
        assert total.silent == 0, "every action got an answer"
        assert stored["families"] == 4 and stored["family_confirmed"] == 4
        ambiguous = bot.emu.faults.injected["timeout"] + bot.emu.faults.injected["drop"]
        assert total.repeated_screens <= ambiguous, "at most the message in flight, once per unclear failure"


# -- reminders -----------------------------------------------------------------------------------


@pytest.fixture
async def quiet_bot(tmp_path: Path, clock: FakeClock, storage_url: StorageURL) -> AsyncIterator[BotUnderTest]:
    async with bot_under_test(tmp_path, clock, **QUIET, storage={"url": storage_url.as_setting()}) as harness:
        yield harness


async def _mothers(bot: BotUnderTest, count: int) -> tuple[SimUser, list[SimUser]]:
    wati = await tpk(bot)
    mothers = []
    for n in range(count):
        name = MOTHERS[n]
        sasaran = await register_mother(bot, wati.id, name)
        mothers.append(await join(bot, wati, sasaran, 5001 + n, name))
    return wati, mothers


async def _due(bot: BotUnderTest) -> int:
    now = bot.clock.now().isoformat()
    total = 0
    for table in ("reminders", "notices"):
        total += await bot.db.fetch_value(
            f"SELECT count(*) FROM {table} WHERE state IN ('scheduled', 'sending') AND send_after <= ?", (now,))
    return int(total)


async def _dispatch_until_done(bot: BotUnderTest, rounds: int = 120) -> int:
    """Ticks as the job would run them, the clock moving on past each backoff."""
    for n in range(rounds):
        await tick(bot)
        if not await _due(bot):
            return n + 1
        bot.clock.advance(timedelta(seconds=31))
    raise AssertionError("reminders still due after all rounds")


def _seen(user: SimUser, after: int) -> Counter[str]:
    return Counter(m.text for m in user.transcript if m.message_id > after)


async def _remind_under_faults(bot: BotUnderTest, *, mothers: int, delivered: bool) -> dict[str, Any]:
    wati, joined = await _mothers(bot, mothers)
    people = [wati, *joined]
    marks = {u.id: max((m.message_id for m in u.transcript), default=0) for u in people}
    faults_on(bot, delivered=delivered, seed=SEED + 1)
    ticks = await _dispatch_until_done(bot)  # ANC-2 for each mother, the consent notices for Wati
    bot.clock.set(local(bot, day(1), 8, 0))
    ticks += await _dispatch_until_done(bot)  # ANC-3, due Tuesday
    bot.emu.faults.clear()

    sent = await bot.db.fetch_all(
        "SELECT r.sasaran_id, r.kind, i.user_id FROM reminders r JOIN ibu i ON i.sasaran_id = r.sasaran_id "
        "WHERE r.state IN ('sent', 'acknowledged')")
    notices = await bot.db.fetch_value("SELECT count(*) FROM notices WHERE state = 'sent'")
    stuck = await bot.db.fetch_value("SELECT count(*) FROM reminders WHERE state IN ('sending', 'failed')")
    per_mother = Counter(row["user_id"] for row in sent)
    delivered_texts = {u.id: _seen(u, marks[u.id]) for u in people}
    duplicates = sum(n - 1 for seen in delivered_texts.values() for n in seen.values())
    lost = sum(max(0, per_mother[m.id] - len(delivered_texts[m.id])) for m in joined)
    lost += max(0, notices - len(delivered_texts[wati.id]))
    return {"ticks": ticks, "reminders_sent": len(sent), "notices_sent": notices, "stuck_or_failed": stuck,
            "per_mother": sorted(set(per_mother.values())), "lost": lost, "duplicates": duplicates,
            "kinds": sorted({row["kind"] for row in sent})}


async def test_every_due_reminder_is_delivered_once_while_a_tenth_of_calls_fail(quiet_bot: BotUnderTest) -> None:
    bot = quiet_bot
    result = await _remind_under_faults(bot, mothers=20, delivered=False)
    figures("reminders, failed calls did nothing", bot, **result)
    assert bot.emu.faults.total >= 3
    assert result["kinds"] == ["anc_2", "anc_3"] and result["per_mother"] == [2]
    assert result["reminders_sent"] == 40 and result["stuck_or_failed"] == 0
    assert result["lost"] == 0 and result["duplicates"] == 0, "exactly once"


async def test_reminders_when_failed_calls_may_have_gone_through(quiet_bot: BotUnderTest) -> None:
    """A time-out after Telegram delivered: the dispatcher cannot tell and sends again
    (at least once, never lost); the duplicates are bounded by those faults."""
    bot = quiet_bot
    result = await _remind_under_faults(bot, mothers=20, delivered=True)
    ambiguous = sum(1 for method, kind in bot.emu.faults.log if method == "sendMessage" and kind in ("timeout", "drop"))
    figures("reminders, failed calls may have gone through", bot, ambiguous_send_faults=ambiguous, **result)
    assert result["reminders_sent"] == 40 and result["stuck_or_failed"] == 0
    assert result["lost"] == 0
    assert result["duplicates"] <= ambiguous


# -- the failures behind the figures, one at a time ---------------------------------------------


async def test_one_502_costs_nothing(bot: BotUnderTest) -> None:
    """Before the retrying transport, a single 502 on the next question left the member
    with an apology instead of the question (answer saved, question never shown)."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    bot.emu.faults.fail_next("502", methods=["sendMessage"])
    assert "Nomor RW?" in (await form.type("13")).plain_text
    bot.emu.faults.fail_next("drop", methods=["sendMessage"])
    assert "Alamat rumah" in (await form.type("51")).plain_text
    bot.emu.faults.configure(error_rate=0.0, deliver_before_fault=True, stall_seconds=1.5)
    bot.emu.faults.fail_next("timeout", methods=["sendMessage"])
    first = await form.type("Jl. Melati No. 5")
    again = await form.user.next_message(timeout=5)
    assert "Nama kepala keluarga?" in first.plain_text and again.plain_text == first.plain_text, (
        "delivered before the time-out: shown twice, never lost")
    assert await form.user.messages_until_quiet(quiet=0.3) == []


async def test_a_button_whose_follow_up_cannot_be_sent_ends_in_an_apology(bot: BotUnderTest) -> None:
    """Telegram down for the whole of one press: the form is saved (and sent once) and
    the member is told, in a message, rather than left looking at a spinner."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    for answer in ("13", "51", "Jl. Melati No. 5", "Ahmad Yani"):
        await form.type(answer)
    for label in ("Lewati ➡️", "Sumur tak terlindung", "Jamban sendiri tanpa tangki septik"):
        await form.tap_in_place(label)
    review = await form.tap_in_place("Tidak")
    assert "periksa dulu" in review.plain_text
    kirim = review.button("✅ Kirim").callback_data
    assert kirim is not None
    # Every attempt at the result message fails (the transport tries three times).
    bot.emu.faults.fail_next("502", count=telegram_retry.ATTEMPTS, methods=["sendMessage"])
    await form.user.press("✅ Kirim")
    apology = await form.user.next_message(timeout=10)
    assert "gangguan di sistem kami" in apology.plain_text, form.user.describe()
    families, total = await keluarga_store.list_keluarga(bot.db, SUKAWANA, reporter_id=3001)
    assert total == 1 and families[0].rt == "13"
    # "Coba lagi": the same button again (its keyboard is gone; an old client still shows it).
    again = await press_forged(bot.emu, form.user, review.message_id, kirim)
    assert again is not None and "sudah terkirim" in again, form.user.describe()
    assert (await keluarga_store.list_keluarga(bot.db, SUKAWANA, reporter_id=3001))[1] == 1


async def test_retyping_after_an_apology_does_not_answer_the_unseen_next_question(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    bot.emu.faults.fail_next("502", count=telegram_retry.ATTEMPTS, methods=["sendMessage"])
    apology = await form.type("13")  # RT 13: saved, but "Nomor RW?" never reaches the member
    assert "coba lagi" in apology.plain_text
    shown = await form.type("13")  # ... so they try again, as the apology says
    assert "belum sampai" in shown.plain_text and "Nomor RW?" in shown.plain_text
    draft = await bot.db.fetch_value("SELECT count(*) FROM drafts")
    assert draft == 1
    from storage.drafts import Drafts

    state = (await Drafts(bot.db, bot.services.cipher).get(3001, "keluarga")).state  # type: ignore[union-attr]
    assert state["answers"].get("rw") is None, f"RW was filled with the retyped RT: {state['answers']}"


async def test_two_quick_retypes_after_an_unseen_question_get_one_reply(bot: BotUnderTest) -> None:
    """The next question never reached the member and they type twice in a row before any
    reply (or both messages come again after a restart): one "belum sampai" with the question,
    not a second "not used" message after it; their next answer is taken."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    bot.emu.faults.fail_next("502", count=telegram_retry.ATTEMPTS, methods=["sendMessage"])
    assert "coba lagi" in (await form.type("13")).plain_text
    form.user.drain()
    await form.user.send("13")
    await form.user.send("13")
    replies = await form.user.messages_until_quiet(quiet=1.0)
    assert [("belum sampai" in r.plain_text, "Nomor RW?" in r.plain_text) for r in replies] == [(True, True)], (
        form.user.describe())
    reply = await form.type("51")
    assert "Alamat rumah" in reply.plain_text, form.user.describe()
    from storage.drafts import Drafts

    state = (await Drafts(bot.db, bot.services.cipher).get(3001, "keluarga")).state  # type: ignore[union-attr]
    assert (state["answers"].get("rt"), state["answers"].get("rw")) == (13, 51), state["answers"]


async def test_a_call_carried_out_before_its_connection_dropped_counts_as_done(bot: BotUnderTest) -> None:
    """Telegram applied the edit and the answer, then the connection dropped: the retry is
    refused as "already done", which the transport takes as success — no apology, and the
    member sees each thing once."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    for answer in ("13", "51", "Jl. Melati No. 5", "Ahmad Yani"):
        await form.type(answer)
    bot.emu.faults.configure(error_rate=0.0, deliver_before_fault=True)
    bot.emu.faults.fail_next("drop", methods=["editMessageText"])
    bot.emu.faults.fail_next("drop", methods=["answerCallbackQuery"])
    edited = await form.tap_in_place("Lewati ➡️")
    assert "Sumber air minum" in edited.plain_text
    await asyncio.sleep(1.5)  # the retries (0.5 s apart) have been and gone
    assert form.user.drain_edits() == [] and await form.user.messages_until_quiet(quiet=0.2) == []
    assert bot.emu.faults.injected == Counter({"drop": 2})
    assert repeated_answers(bot) == 1, "Telegram refused the repeated callback answer (and nothing else)"
    assert "Jamban" in (await form.tap_in_place("Sumur tak terlindung")).plain_text, "the form goes on"


async def test_the_answer_after_lanjut_is_taken(bot: BotUnderTest) -> None:
    """The next question never arrived (Telegram down for every attempt), the member types
    /lanjut and sees it: their answer to it is taken at once, not bounced with "belum sampai"."""
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan"))
    await form.start("/lapor")
    bot.emu.faults.fail_next("502", count=telegram_retry.ATTEMPTS, methods=["sendMessage"])
    assert "gangguan" in (await form.type("13")).plain_text
    assert "Nomor RW?" in (await form.type("/lanjut")).plain_text
    reply = await form.type("51")
    assert "Alamat rumah" in reply.plain_text and "belum sampai" not in reply.plain_text, reply.plain_text
