"""The duplicate check is no oracle across areas (issue 15 §2): a NIK or No. KK registered in
another village tells the asker only that it is registered elsewhere, while the record's own
TPK member and coordinator are told who asked; inside the asker's area nothing changed."""

from __future__ import annotations

from bot.dev.emulator import BotMessage
from bot.reminders import dispatch_due
from tests.e2e.test_lapor import SUKAWANA
from tests.e2e.test_records import KASEMEN_KEL, register_mother
from tests.harness import BotUnderTest, Form, add_member

NIK = "3673045203900001"
KK = "3673041203200002"
#: What the old answer gave away: the category, the village path and the reporter's name.
LEAKS = ("Ibu hamil", "ibu hamil", "Sukawana", "Curug", "Siti", "Rina", "3673************", "Ahmad", "Melati")


async def family_with_kk(form: Form, *, pick: str | None = None) -> BotMessage:
    """/lapor up to the No. KK question, answering it with :data:`KK`; returns what came back."""
    await form.start("/lapor")
    if pick is not None:
        await form.tap(pick)
    for answer in ("3", "2", "Jl. Melati No. 5", "Ahmad Yani"):
        await form.type(answer)
    return await form.type(KK)


async def finish_family(form: Form) -> None:
    await form.tap("Ledeng / PAM")
    await form.tap("Tidak ada jamban")
    await form.tap("Tidak")
    await form.tap("✅ Kirim")


async def ask_nik(form: Form) -> BotMessage:
    await form.tap("➕ Ibu hamil")
    await form.type("Rina M.")
    return await form.type(NIK)


async def registered_in_sukawana(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await family_with_kk(siti)
    await finish_family(siti)
    await register_mother(siti, "Rina", NIK)
    await add_member(bot, 2001, "Koor Curug", "koordinator", "36.73.04")
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran") == 1


def leaked(message: BotMessage) -> list[str]:
    shown = message.plain_text + " ".join(message.button_labels())
    return [word for word in LEAKS if word in shown]


async def notices_for(bot: BotUnderTest, user_id: int) -> list[str]:
    await dispatch_due(bot.services, bot.app.bot, bot.app)
    return [m.plain_text for m in bot.user(user_id, "x").drain() if "🔎" in m.plain_text]


async def test_a_tpk_member_of_another_village_learns_nothing_and_the_keepers_are_told(bot: BotUnderTest) -> None:
    await registered_in_sukawana(bot)
    bot.user(3001, "Siti").drain()
    dewi = Form(await add_member(bot, 3101, "Dewi", "tpk", KASEMEN_KEL))

    kk_notice = await family_with_kk(dewi)
    assert "sudah pernah dilaporkan di wilayah lain" in kk_notice.plain_text, kk_notice.plain_text
    assert leaked(kk_notice) == [], kk_notice.plain_text
    await dewi.tap("Ya, sudah benar")
    await finish_family(dewi)
    nik_notice = await ask_nik(dewi)
    assert "sudah terdaftar di wilayah lain" in nik_notice.plain_text, nik_notice.plain_text
    assert "memberi tahu" in nik_notice.plain_text
    assert leaked(nik_notice) == [], nik_notice.plain_text
    assert "📝 Catat kunjungan untuk sasaran itu" not in nik_notice.button_labels()
    assert leaked(dewi.user.transcript[-1]) == []
    assert await bot.db.fetch_value("SELECT count(*) FROM sasaran") == 1

    # The keepers: Rina's TPK member and the coordinator of Curug, each told once per kind, with who asked.
    siti_heard = await notices_for(bot, 3001)
    siti_heard += await notices_for(bot, 3001)
    assert len(siti_heard) == 2, siti_heard
    assert any("NIK 3673************" in text for text in siti_heard)
    assert any("No. KK" in text for text in siti_heard)
    assert all("Dewi" in text and "Anggota TPK" in text and "Kasemen" in text for text in siti_heard), siti_heard
    koor = [m.plain_text for m in bot.user(2001, "Koor Curug").drain() if "🔎" in m.plain_text]
    assert len(koor) == 2 and all("Dewi" in text for text in koor), koor
    rows = await bot.db.fetch_all("SELECT user_id, kind, what FROM refusals WHERE kind = 'duplicate' ORDER BY id")
    assert [tuple(r) for r in rows] == [(3101, "duplicate", "keluarga"), (3101, "duplicate", "sasaran")]


async def test_a_coordinator_of_another_kecamatan_learns_nothing(bot: BotUnderTest) -> None:
    await registered_in_sukawana(bot)
    bot.user(3001, "Siti").drain()
    kasemen = Form(await add_member(bot, 2101, "Koor Kasemen", "koordinator", "36.73.02"))
    kk_notice = await family_with_kk(kasemen, pick="Kasemen")
    assert "wilayah lain" in kk_notice.plain_text and leaked(kk_notice) == [], kk_notice.plain_text
    await kasemen.tap("Ya, sudah benar")
    await finish_family(kasemen)
    nik_notice = await ask_nik(kasemen)
    assert "sudah terdaftar di wilayah lain" in nik_notice.plain_text and leaked(nik_notice) == [], \
        nik_notice.plain_text
    heard = await notices_for(bot, 3001)
    assert heard and all("Koor Kasemen" in text and "Koordinator" in text for text in heard), heard


async def test_inside_the_area_the_answer_stays_helpful(bot: BotUnderTest) -> None:
    await registered_in_sukawana(bot)
    curug = Form(bot.user(2001, "Koor Curug"))
    kk_notice = await family_with_kk(curug, pick="Sukawana")
    assert "No. KK ini sudah pernah dilaporkan (Kota Serang › Curug › Sukawana)" in kk_notice.plain_text, \
        kk_notice.plain_text
    await curug.tap("Ya, sudah benar")
    await finish_family(curug)
    nik_notice = await ask_nik(curug)
    text = nik_notice.plain_text
    assert "3673************ sudah terdaftar sebagai Ibu hamil" in text and "Sukawana" in text and "Siti" in text, text
    assert "📝 Catat kunjungan untuk sasaran itu" in nik_notice.button_labels()
    assert await notices_for(bot, 3001) == []
    assert await bot.db.fetch_value("SELECT count(*) FROM refusals") == 0
