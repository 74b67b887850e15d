"""The TPK member's daily digest of visits, grouped by family, and /tugas."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.visit_tasks import VisitTask
from bot.reminders.visit_digest import TaskItem, render
from storage import keluarga as keluarga_store
from storage.keluarga import Measurement
from storage.tugas import TaskSource
from tests.harness import BotUnderTest
from tests.reminders.helpers import day, local, register_mother, settle, tpk


async def _visit(bot: BotUnderTest, sasaran: int, tpk_id: int, on: date, kind: str = "kunjungan") -> None:
    async with bot.db.transaction() as tx:
        await keluarga_store.add_kunjungan(tx, sasaran_id=sasaran, reporter_id=tpk_id, kind=kind,
                                           measurement=Measurement(visited_on=on), answers={}, now=bot.clock.now())


async def test_daily_digest_at_the_configured_hour_grouped_by_family(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    ani = await tpk(bot, 3002, "Kader Ani")  # nothing to visit: gets no digest
    # Tuesday 24 November is "today" for the digest.
    sari = await register_mother(bot, wati.id, "Sari", hpht=date(2026, 7, 17))  # ANC-3 on 4 Dec
    await _visit(bot, sari, wati.id, date(2026, 11, 13), kind="pendaftaran")
    nia = await register_mother(bot, wati.id, "Nia", category="ibu_nifas", hpht=None,
                                delivery_date=date(2026, 11, 19))
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    await _visit(bot, budi, wati.id, date(2026, 10, 25), kind="pendaftaran")

    bot.clock.set(local(bot, day(1), 6, 59))
    await settle(bot)
    assert await wati.messages_until_quiet(quiet=0.2) == []
    bot.clock.set(local(bot, day(1), 7, 0))  # [pengingat.visits] digest_hour = 7
    await settle(bot)
    digest = await wati.next_message()
    text = digest.text
    assert text.startswith("📋 Kunjungan keluarga — 24 November 2026"), text
    # Not late inside a window: KF2 (days 3–7) is due by 26 November; KF3 opens on the 27th.
    assert "2. Nia (ibu nifas) — Kunjungan nifas KF2, 2 hari lagi; Kunjungan nifas KF3, mulai 3 hari lagi" in text
    assert "1. Budi (baduta) — Kunjungan rutin bulanan, hari ini" in text
    assert "3. Sari (ibu hamil) — Dampingi periksa kehamilan ke-3, mulai 3 hari lagi" in text
    # Grouped by family, the latest family first.
    assert text.index("Keluarga Suami Budi") < text.index("Keluarga Suami Nia") < text.index("Keluarga Suami Sari")
    rows = [[b.callback_data for b in row] for row in digest.buttons]
    assert rows == [[f"kj:new:{budi}", f"tg:t:{budi}"], [f"kj:new:{nia}", f"tg:t:{nia}"],
                    [f"kj:new:{sari}", f"tg:t:{sari}"]], "one row of buttons per numbered person"
    assert await ani.messages_until_quiet(quiet=0.2) == [], "nothing to do: no message"

    # Later the same day: no second digest.
    bot.clock.set(local(bot, day(1), 15, 0))
    await settle(bot)
    assert await wati.messages_until_quiet(quiet=0.2) == []

    # Wati visits Nia: the KF2 task is closed by the recorded visit.
    await _visit(bot, nia, wati.id, day(1))
    bot.clock.set(local(bot, day(2), 7, 5))
    await settle(bot)
    next_day = (await wati.next_message()).text
    assert "KF2" not in next_day and "Nia (ibu nifas) — Kunjungan nifas KF3, mulai 2 hari lagi" in next_day

    # /tugas shows the same list on demand.
    await wati.send("/tugas")
    on_demand = await wati.next_message()
    assert on_demand.text == next_day

    # Each button opens the visit form (/kunjungan) for that person.
    await wati.press(on_demand.button_labels()[0])
    form = await wati.next_message()
    assert form.text.startswith("Kunjungan") and "Tanggal kunjungan?" in form.text, form.text


async def test_a_digest_is_not_built_once_the_day_is_over(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    budi = await register_mother(bot, wati.id, "Budi", category="baduta", hpht=None, birth_date=date(2025, 6, 1))
    await _visit(bot, budi, wati.id, date(2026, 10, 25), kind="pendaftaran")
    bot.clock.set(local(bot, day(1), 19, 0))  # the bot was down all day; the send window has closed
    await settle(bot)
    assert await bot.db.fetch_value("SELECT count(*) FROM digest_log WHERE kind = 'tpk_harian'") == 0
    bot.clock.set(local(bot, day(2), 7, 0))
    await settle(bot)
    digests = [m for m in await wati.messages_until_quiet() if m.text.startswith("📋")]
    assert len(digests) == 1 and "25 November 2026" in digests[0].text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=80),
                          st.integers(1, 4), st.integers(1, 6)), max_size=40),
       st.integers(-30, 30))
def test_the_list_numbers_each_person_once_with_its_buttons_and_fits_a_message(
    people: list[tuple[str, int, int]], late: int,
) -> None:
    today = date(2026, 11, 24)
    items = []
    for index, (name, family, count) in enumerate(people, start=1):
        source = TaskSource(sasaran_id=index, keluarga_id=family, head_name=f"Kepala {family}", name=name,
                            category="ibu_hamil", hpht=None, hpl=None, delivery_date=None, birth_date=None,
                            registered_on=today, answers={}, last_visit_on=None)
        tasks = [VisitTask("pascaterm_perbarui", today - timedelta(days=late + n), date.max) for n in range(count)]
        items.append(TaskItem(source, tasks))
    digest = render(items, today, max_items=25)
    assert len(digest.text) <= 4096
    numbered = [line for line in digest.text.split("\n") if re.match(r"\d+\. ", line)]
    assert len(numbered) == len(digest.markup) <= 25
    for number, (line, row) in enumerate(zip(numbered, digest.markup, strict=True), start=1):
        assert line.startswith(f"{number}. ")
        assert [b["callback_data"] for b in row] == [f"kj:new:{number}", f"tg:t:{number}"]
    assert digest.items == len(items)
    if len(numbered) < len(items):
        assert f"… dan {len(items) - len(numbered)} lainnya." in digest.text
