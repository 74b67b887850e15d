"""Whoever scans the QR code is not "her" until she confirms it (issue 15 §11): the initial of
her name and her birth date, three tries, then the link is spent and her TPK member told;
the consent screen, only after that, greets her by her initial and lists every kind of data
held about her, who sees it, how long it is kept and her rights under UU 27/2022."""

from __future__ import annotations

from bot.reminders.texts import CONSENT_VERSION
from storage import ibu as ibu_store
from storage import users as users_store
from tests.harness import BotUnderTest, press_forged
from tests.reminders.helpers import invite, join, open_as_her, register_mother, tick, tpk


async def test_three_wrong_answers_spend_the_link_and_her_tpk_member_is_told(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    token, _ = await invite(bot, wati, sasaran)
    stranger = bot.user(5001, "Orang")
    await stranger.send(f"/start {token}")
    question = await stranger.next_message()
    assert "huruf pertama nama" in question.text and "tanggal lahir" in question.text
    await stranger.send("halo")  # not an answer: asked again, not counted
    assert "Mohon ketik huruf pertama" in (await stranger.next_message()).text
    await stranger.send("S 01-01-1990")
    assert "sisa 2 kali" in (await stranger.next_message()).text
    await stranger.send("A 12-03-1990")
    assert "sisa 1 kali" in (await stranger.next_message()).text
    await stranger.send("D 12 Maret 1990")
    assert "tiga kali" in (await stranger.next_message()).text
    shown = " ".join(m.text for m in stranger.transcript)
    assert "Sari" not in shown and "S." not in shown and "Bidan Wati" not in shown and "Setuju" not in shown

    # Spent: even the right answer now finds the link gone, for anyone.
    await stranger.send(f"/start {token}")
    assert "sudah tidak berlaku" in (await stranger.next_message()).text
    sari = bot.user(5002, "Sari")
    await sari.send(f"/start {token}")
    assert "sudah tidak berlaku" in (await sari.next_message()).text
    assert await users_store.get(bot.db, stranger.id) is None
    assert await ibu_store.consent_history(bot.db, sasaran) == []

    await tick(bot)
    told = [m.text for m in await wati.messages_until_quiet()]
    assert any("Ibu S." in t and "tiga kali salah" in t and "tidak berlaku" in t for t in told), told


async def test_the_right_answer_opens_a_consent_screen_that_lists_every_kind_of_data(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    token, _ = await invite(bot, wati, sasaran)
    sari = bot.user(5001, "Sari")
    await sari.send(f"/start {token}")
    question = await sari.next_message()
    assert "Halo!" in question.text and "Ibu S." not in question.text
    await sari.send("s 12/3/90")  # lower case and a short date are fine
    screen = await sari.next_message()
    assert screen.text.startswith("Halo, Ibu S.!"), screen.text
    for kind in ("NIK", "tanggal lahir", "nomor HP", "No. KK", "HPHT", "persalinan", "keguguran", "berat badan",
                 "tinggi badan", "LiLA", "Hb", "KEK", "anemia", "KB", "jawaban Bunda atas pengingat"):
        assert kind in screen.text, kind
    for promise in ("Siapa yang melihat", "koordinator", "tanpa nama", "tercatat siapa dan kapan",
                    "5 tahun setelah pendampingan selesai", "UU No. 27 Tahun 2022", "diperbaiki", "dihapus",
                    "/berhenti", "Apakah Bunda setuju?"):
        assert promise in screen.text, promise
    assert screen.button_labels() == ["Setuju", "Tidak"]
    await sari.press("Setuju")
    assert "Terima kasih" in (await sari.next_message()).text
    history = await ibu_store.consent_history(bot.db, sasaran)
    assert [(h[0], h[1]) for h in history] == [("setuju", CONSENT_VERSION)] and CONSENT_VERSION.endswith("v2")


async def test_an_account_that_did_not_confirm_cannot_consent_with_the_token(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    token, _ = await invite(bot, wati, sasaran)
    sari = bot.user(5001, "Sari")
    screen = await open_as_her(bot, sari, token, sasaran)
    # Someone else who saw the QR code forges her "Setuju" with the same token.
    other = bot.user(5009, "Lain")
    await other.send("/bantuan")
    menu = await other.next_message()
    answer = await press_forged(bot.emu, other, menu.message_id, f"ibu:ya:{token}")
    assert answer is not None and "Pastikan dulu bahwa ini Bunda" in answer
    assert await users_store.get(bot.db, other.id) is None
    # She still can.
    assert screen.button_labels() == ["Setuju", "Tidak"]
    await sari.press("Setuju")
    assert "Terima kasih" in (await sari.next_message()).text


async def test_a_record_without_a_birth_date_cannot_be_linked_until_it_is_completed(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    await bot.db.write("UPDATE sasaran SET birth_date = NULL WHERE id = ?", (sasaran,))
    token, _ = await invite(bot, wati, sasaran)
    sari = bot.user(5001, "Sari")
    await sari.send(f"/start {token}")
    assert "Tanggal lahir Bunda belum tercatat" in (await sari.next_message()).text
    await bot.db.write("UPDATE sasaran SET birth_date = '1990-03-12' WHERE id = ?", (sasaran,))
    await open_as_her(bot, sari, token, sasaran)


async def test_a_consent_given_to_the_first_text_stays_valid(bot: BotUnderTest) -> None:
    wati = await tpk(bot)
    sasaran = await register_mother(bot, wati.id, "Sari Dewi")
    mother = await join(bot, wati, sasaran, 5001, "Sari")
    await bot.db.write("UPDATE ibu_consent SET text_version = 'persetujuan-ibu-v1'")
    link = await ibu_store.link_for_user(bot.db, mother.id)
    assert link is not None and link.active
    await mother.send("/persetujuan")
    assert "persetujuan-ibu-v1" in (await mother.next_message()).text
