"""Issue 16: the visit form says whom the visit is for, on its questions and its review, and
offers the registration form's «✅ Lengkap sesuai usia» where it asks about immunisation."""

from __future__ import annotations

from tests.e2e.test_lapor import SUKAWANA, _child, new_family
from tests.harness import BotUnderTest, Form, add_member


async def test_the_visit_names_the_child_and_immunisation_is_one_tap(bot: BotUnderTest) -> None:
    form = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await new_family(bot, form)
    await _child(form, "➕ Anak 0–23 bulan (baduta)", "23-05-2026", "64", "6,9", "Berbaring (panjang badan)")
    await form.tap("Ya")
    await form.tap("Ya")
    await form.tap("✅ Lengkap sesuai usia")
    await form.tap("✅ Kirim")

    menu = await form.start("/kunjungan")
    first = await form.tap(next(label for label in menu.button_labels() if label.startswith("Budi")))
    assert "Tanggal kunjungan?" in first.plain_text
    assert "Untuk: Budi — Anak 0–23 bulan, 6 bulan (Sukawana)" in first.plain_text, first.plain_text
    await form.tap("Hari ini")
    await form.type("7,2")
    await form.type("66")
    immunisation = await form.tap("Berbaring (panjang badan)")
    assert "Imunisasi apa yang diberikan" in immunisation.plain_text, immunisation.plain_text
    assert "Untuk: Budi" in immunisation.plain_text
    posyandu = await form.tap("✅ Lengkap sesuai usia")  # six months old: everything due up to month 4
    assert "posyandu" in posyandu.plain_text
    review = await form.tap("Ya")
    text = review.plain_text
    assert "Kunjungan — periksa dulu" in text and "Untuk: Budi — Anak 0–23 bulan, 6 bulan (Sukawana)" in text, text
    assert "Imunisasi baru: HB-0, BCG, Polio, DPT-HB-Hib, IPV, PCV, Rotavirus" in text, text
    assert "✏️ Imunisasi baru" in review.button_labels()
    saved = await form.tap("✅ Kirim")
    assert "Kunjungan ke Budi tersimpan" in saved.plain_text
