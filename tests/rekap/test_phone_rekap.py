"""/rekap on one phone screen (issue 16, Coordinators): ten figures with their change,
Rincian pages that edit the same message and come back, the caller's scope re-checked
on every press; and a name shared by several areas offered as buttons ("/rekap Kasemen")."""

from __future__ import annotations

import re

from bot.dev.emulator import BotMessage, SimUser
from bot.domain.roles import Status
from bot.rekap.keyboard import SUMMARY_LABEL
from bot.rekap.pages import PAGES, SUMMARY
from storage import users
from tests.harness import ADMIN_ID, BotUnderTest, add_member, press_forged
from tests.rekap.conftest import CURUG
from tests.rekap.screens import figures_in, full_text
from tests.rekap.test_e2e_rekap import seed

SUKAWANA = "36.73.04.1007"
#: A figure's change: "(+3)", "(−4)", "(±0)" or a share's "(27,6%; −0,3 poin)".
CHANGE = re.compile(r"\((?:[^)]*; )?[+−±]\d[\d.,]*(?: poin)?\)$")


async def rekap(user: SimUser, command: str = "/rekap") -> BotMessage:
    await user.send(command)
    return await user.next_message()


async def test_the_summary_is_ten_figures_with_their_change_and_rincian_edits_in_place(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    shown = await rekap(rina)
    lines = shown.plain_text.splitlines()
    figures = [line for line in lines if re.match(r"^[^:]+: (\d|–)", line)]
    assert len(figures) == 10, shown.plain_text
    labels = [line.split(": ")[0] for line in figures]
    assert labels == [short or label for (_, short), label in zip(
        SUMMARY, ["Keluarga terdaftar", "", "Ibu hamil", "", "", "Baduta (0–23 bln)", "", "", "Kunjungan tercatat",
                  ""], strict=True)]
    with_change = [line for line in figures if CHANGE.search(line)]
    assert len(with_change) >= 8, figures  # "Dijawab ibu" has no share when nothing asked for an answer
    assert len(lines) <= 18 and len(shown.plain_text) < 700, shown.plain_text
    # Six Rincian buttons, the periods and the sub-areas: at most six rows under the summary.
    assert [page.button_label for page in PAGES] == shown.button_labels()[:6]
    assert len(shown.buttons) <= 6

    every = figures_in(await full_text(rina, shown))  # presses each page: same message, edited
    assert len(every) > 35
    assert rina.drain() == []  # nothing new was sent: every page was an edit
    assert rina.transcript[-1].plain_text == shown.plain_text  # and back to the summary

    await rina.press("Anak")
    anak = await rina.next_edit()
    assert "Rincian: Anak" in anak.plain_text and "Stunting (pendek + sangat pendek)" in anak.plain_text
    assert "✓ Anak" in anak.button_labels() and SUMMARY_LABEL in anak.button_labels()
    assert "Keluarga terdaftar" not in anak.plain_text
    await rina.press("Kegiatan TPK")
    tpk = await rina.next_edit()
    assert "Anggota TPK melapor" in tpk.plain_text and "Kel./desa tanpa laporan" in tpk.plain_text


async def test_every_press_rechecks_the_callers_area_and_role(bot: BotUnderTest) -> None:
    await seed(bot)
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    siti = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, position="bidan")
    mine = await rekap(siti)
    before = mine.plain_text
    # Rina's button, forwarded or forged onto Siti's message, shows nothing of Curug.
    for forged in ("rk:p:202611:anak:36.73.04", "rk:p:202611:wil:36.73.04", "rk:p:202611:kel:36.73",
                   "rk:p:202611:per:36.73.02.1001"):
        answer = await press_forged(bot.emu, siti, mine.message_id, forged) or ""
        assert "di luar wewenang" in answer, (forged, answer)
    for forged in ("rk:p:202611:zz:36.73.04.1007", "rk:p:202611:anak", "rk:p:2026:anak:36.73.04.1007",
                   "rk:p:202611:anak:36.73.04.1007:x"):
        assert "kedaluwarsa" in (await press_forged(bot.emu, siti, mine.message_id, forged) or ""), forged
    assert "belum dimulai" in (await press_forged(bot.emu, siti, mine.message_id, "rk:p:209901:anak:" + SUKAWANA)
                               or "")
    assert siti.transcript[-1].plain_text == before

    shown = await rekap(rina)
    await users.set_status(bot.db, actor_id=ADMIN_ID, user_id=2001, status=Status.INACTIVE, now=bot.clock.now())
    answer = await press_forged(bot.emu, rina, shown.message_id, "rk:p:202611:anak:36.73.04") or ""
    assert "Rincian: Anak" not in rina.transcript[-1].plain_text and "dinonaktifkan" in answer, answer


async def test_a_name_shared_by_several_areas_offers_a_button_for_each(bot: BotUnderTest) -> None:
    await seed(bot)
    admin = bot.user(ADMIN_ID, "Admin")
    choice = await rekap(admin, "/rekap Kasemen juni 2026")
    assert "kodenya" not in choice.plain_text and "Kasemen" in choice.plain_text
    assert choice.button_labels() == ["Kec. Kasemen — Kota Serang", "Kel. Kasemen — Kec. Kasemen"]
    await admin.press("Kel. Kasemen — Kec. Kasemen")
    shown = await admin.next_edit()
    assert shown.message_id == choice.message_id
    assert "Rekap Kota Serang › Kasemen › Kasemen" in shown.plain_text and "Periode: Juni 2026" in shown.plain_text

    choice = await rekap(admin, "/rekap Sukawana")
    assert choice.button_labels() == ["Kel. Sukawana — Kec. Serang", "Kel. Sukawana — Kec. Curug"]
    # Only areas inside the caller's scope: in Kec. Curug "Sukawana" is Curug's at once.
    rina = await add_member(bot, 2001, "Rina", "koordinator", CURUG)
    direct = await rekap(rina, "/rekap Sukawana")
    assert "Curug › Sukawana" in direct.plain_text and "Kec. Serang" not in direct.button_labels()
    # Kec. Kasemen's coordinator has both Kasemen.
    tono = await add_member(bot, 2003, "Tono", "koordinator", "36.73.02")
    assert len((await rekap(tono, "/rekap Kasemen")).button_labels()) == 2

    # The chart and the workbook asked for by name: the button sends them.
    await rekap(admin, "/rekap grafik Kasemen")
    await admin.press("Kec. Kasemen — Kota Serang")
    photo = await admin.next_message(timeout=20)
    assert photo.photo is not None and "Kasemen" in photo.plain_text
    await rekap(admin, "/ekspor Kasemen")
    await admin.press("Kel. Kasemen — Kec. Kasemen")
    document = await admin.next_message(timeout=30)
    assert document.document is not None and "kel-kasemen" in (document.filename or "")
