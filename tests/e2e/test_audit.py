"""Audit Kasus Stunting, end to end through the Bot API emulator with a moved clock.

The seeded records are written as plain data first (:data:`SEED`); the expected shortlist is
computed from that data IN THIS TEST, by the rules of domain.md (*The stunting case audit*,
KMS, BBLR, KEK, anaemia, 4 Terlalu, KRS) — never by calling the bot's selector.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from bot.dev.emulator import SimUser
from bot.domain.risk import RiskCode, RiskFactor
from bot.rekap.periods import Period
from bot.rekap.service import build_rekap, today
from bot.reminders.planning import visit_markup
from storage import audit_kasus, risk_history
from storage import keluarga as keluarga_store
from storage.keluarga import Measurement, NewKeluarga, NewSasaran
from tests.harness import BotUnderTest, Form, add_member, press_forged
from tests.reminders.helpers import settle

CITY, CURUG, SUKAWANA, KASEMEN_KEL = "36.73", "36.73.04", "36.73.04.1007", "36.73.02.1001"
TPK_A, TPK_B, KOTA, KEC, PAKAR_1, PAKAR_2 = 3001, 3002, 2001, 2002, 5001, 5002
SEMESTER_II = Period(date(2026, 7, 1), date(2026, 12, 1))


@dataclass
class Person:
    name: str
    category: str
    nik: str | None = None
    birth: date | None = None
    birth_weight: float | None = None
    flags: tuple[str, ...] = ()
    #: (date, weight kg, haz, stunted, lila, hb)
    points: list[tuple[date, float | None, float | None, bool | None, float | None, float | None]] = field(
        default_factory=list)


@dataclass
class Household:
    key: str
    region: str
    tpk: int
    head: str
    factors: tuple[str, ...]
    members: list[Person]


def _child(name: str, nik: str, points: list[tuple[date, float | None, float | None, bool | None]], *,
           bw: float = 3.1) -> Person:
    return Person(name, "baduta", nik, date(2025, 3, 1), bw, (), [(*p, None, None) for p in points])


SEED = [
    Household("stunted", SUKAWANA, TPK_A, "Bapak Santoso", (), [_child("Budi Santoso", "3673040103250001", [
        (date(2026, 7, 1), 9.0, -2.4, True), (date(2026, 11, 1), 9.5, -2.6, True)])]),
    Household("2t", SUKAWANA, TPK_A, "Bapak Wirawan", (), [_child("Citra Wirawan", "3673044103250002", [
        (date(2026, 8, 5), 9.0, -1.0, False), (date(2026, 9, 5), 9.3, -1.0, False),
        (date(2026, 10, 5), 9.4, -1.1, False), (date(2026, 11, 5), 9.5, -1.2, False)])]),
    Household("bblr", SUKAWANA, TPK_A, "Bapak Pratama", (), [_child("Dodi Pratama", "3673040103250003", [
        (date(2026, 11, 2), 9.6, -1.5, False)], bw=2.3)]),
    Household("rising", SUKAWANA, TPK_A, "Bapak Hidayat", (), [_child("Hadi Hidayat", "3673040103250004", [
        (date(2026, 7, 1), 8.6, -2.8, True), (date(2026, 11, 1), 9.4, -2.3, True)])]),
    Household("kek", KASEMEN_KEL, TPK_B, "Bapak Kurnia", ("terlalu_muda",), [Person(
        "Eka Kurnia", "ibu_hamil", "3673025505080005", date(2008, 5, 15), flags=("kek",),
        points=[(date(2026, 11, 3), 50.0, None, None, 22.0, 11.5)])]),
    Household("catin", KASEMEN_KEL, TPK_B, "Bapak Lestari", (), [Person(
        "Fitri Lestari", "catin", "3673025101000006", date(2000, 1, 11), flags=("anaemia",))]),
    Household("krs", KASEMEN_KEL, TPK_B, "Bapak Gunawan", ("water", "latrine", "no_modern_kb"), [Person(
        "Gita Gunawan", "ibu_nifas", "3673025202950007", date(1995, 2, 12))]),
    Household("healthy", KASEMEN_KEL, TPK_B, "Bapak Sehat", ("water",), [Person(
        "Indah Sehat", "ibu_hamil", "3673026303960008", date(1996, 3, 23),
        points=[(date(2026, 11, 3), 55.0, None, None, 25.0, 12.5)])]),
]
NAMES = [p.name for h in SEED for p in h.members] + [h.head for h in SEED]
NIKS = [p.nik for h in SEED for p in h.members if p.nik]

# -- the criteria, written here from domain.md --------------------------------------------

KBM = [800, 900, 800, 600, 500, 400, 400, 300, 300, 300, 300, 200]  # grams, by month of life; 200 from 12 months


def _months(born: date, on: date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)


def expected_cases(today: date) -> set[tuple[str, str, str | None]]:
    """(group, household key, member name) of every record domain.md's criteria pick."""
    six_months_ago = date(today.year, today.month, 1).replace(month=today.month - 6 if today.month > 6 else 1)
    found: set[tuple[str, str, str | None]] = set()
    for h in SEED:
        for p in h.members:
            if p.category == "baduta":
                window = [pt for pt in p.points if pt[0] >= six_months_ago and pt[2] is not None]
                # stunted now (HAZ < -2) and the HAZ did not rise over the last 6 months
                if len(window) >= 2 and window[-1][2] < -2 and window[-1][2] <= window[0][2]:
                    found.add(("anak", h.key, p.name))
                # 2T: two monthly weighings in a row gaining less than the KBM
                letters = []
                for before, after in zip(p.points, p.points[1:], strict=False):
                    gain = round((after[1] - before[1]) * 1000)
                    assert p.birth is not None
                    letters.append("N" if gain >= KBM[min(max(1, _months(p.birth, after[0])), 12) - 1] else "T")
                if "TT" in "".join(letters):
                    found.add(("anak", h.key, p.name))
                if p.birth_weight is not None and p.birth_weight < 2.5:  # BBLR
                    found.add(("anak", h.key, p.name))
            if p.category == "ibu_hamil" and (set(p.flags) & {"kek", "anaemia"} or any(
                    f.startswith("terlalu_") for f in h.factors)):
                found.add(("ibu_hamil", h.key, p.name))
            if p.category == "catin" and set(p.flags) & {"kek", "anaemia"}:
                found.add(("catin", h.key, p.name))
        if len(h.factors) >= 3:  # several KRS factors
            found.add(("keluarga", h.key, None))
    return found


# -- seeding through the records API ------------------------------------------------------


async def seed(bot: BotUnderTest) -> dict[str, tuple[int, dict[str, int]]]:
    """Families, members, measurements and risk rows as /lapor and /kunjungan store them."""
    ids: dict[str, tuple[int, dict[str, int]]] = {}
    now = bot.clock.now()
    for h in SEED:
        async with bot.db.transaction() as tx:
            kid = await keluarga_store.create_keluarga(
                tx, bot.services.cipher, NewKeluarga(region_code=h.region, head_name=h.head, water_source="ledeng",
                                                     latrine="septik", address="Jl. Melati", rt="01", rw="02"),
                reporter_id=h.tpk, draft_key=None, now=now)
            members: dict[str, int] = {}
            for p in h.members:
                answers = {"berat_lahir": p.birth_weight} if p.birth_weight else {}
                if p.category == "ibu_hamil":
                    answers["ttd"] = 30
                sid = await keluarga_store.add_sasaran(
                    tx, bot.services.cipher, kid, NewSasaran(category=p.category, name=p.name, nik=p.nik,
                                                            sex="L" if p.category == "baduta" else "P",
                                                            birth_date=p.birth, answers=answers,
                                                            hpht=date(2026, 8, 1) if p.category == "ibu_hamil"
                                                            else None),
                    reporter_id=h.tpk, now=now)
                members[p.name] = sid
                for i, (on, weight, haz, stunted, lila, hb) in enumerate(p.points):
                    await keluarga_store.add_kunjungan(
                        tx, sasaran_id=sid, reporter_id=h.tpk, kind="pendaftaran" if i == 0 else "kunjungan",
                        measurement=Measurement(visited_on=on, weight_kg=weight, haz=haz, stunted=stunted,
                                                lila_cm=lila, hb=hb),
                        answers={}, now=now)
            await keluarga_store.replace_risks(
                tx, kid, [RiskFactor(RiskCode(f), f) for f in h.factors],
                {members[p.name]: [RiskFactor(RiskCode(f), f) for f in p.flags] for p in h.members},
                berisiko=bool(h.factors))
            day = today(bot.services)  # and its dated history, as bot.reporting.reassess writes it with them
            await risk_history.record(
                tx, kid, day,
                [(day, frozenset({"berisiko"} if h.factors else set()) | {f"risk_{f}" for f in h.factors})],
                {members[p.name]: [(day, frozenset(f"flag_{f}" for f in p.flags))] for p in h.members})
            ids[h.key] = (kid, members)
    return ids


async def measure(bot: BotUnderTest, sasaran_id: int, tpk: int, on: date, **values: float | bool | None) -> None:
    async with bot.db.transaction() as tx:
        await keluarga_store.add_kunjungan(tx, sasaran_id=sasaran_id, reporter_id=tpk, kind="kunjungan",
                                           measurement=Measurement(visited_on=on, **values),  # type: ignore[arg-type]
                                           answers={}, now=bot.clock.now())


async def cast(bot: BotUnderTest) -> dict[str, SimUser]:
    return {
        "kota": await add_member(bot, KOTA, "Rina Kota", "koordinator", CITY),
        "kec": await add_member(bot, KEC, "Joko Kec", "koordinator", CURUG),
        "tpk_a": await add_member(bot, TPK_A, "Siti Bidan", "tpk", SUKAWANA, "bidan"),
        "tpk_b": await add_member(bot, TPK_B, "Dewi Kader", "tpk", KASEMEN_KEL, "kader_kb"),
    }


async def add_pakar(bot: BotUnderTest, user_id: int, name: str, round_id: int, speciality: str) -> SimUser:
    """A pakar who joined the round through an invitation (made directly, like the harness's members)."""
    pakar = await add_member(bot, user_id, name, "pakar", CITY)
    async with bot.db.transaction() as tx:
        await audit_kasus.add_pakar(tx, round_id=round_id, user_id=user_id, speciality=speciality,
                                    now=bot.clock.now())
    return pakar


async def open_round(bot: BotUnderTest, coordinator: SimUser) -> int:
    await coordinator.send("/audit")
    offer = await coordinator.next_message()
    assert "Belum ada putaran audit AKS Semester II 2026" in offer.plain_text
    await coordinator.press("➕ Buka AKS Semester II 2026")
    opened = await coordinator.next_edit()
    assert "Putaran dibuka" in opened.plain_text and "AKS Semester II 2026" in opened.plain_text
    return int(await bot.db.fetch_value("SELECT max(id) FROM audit_round"))


async def cases_by_name(bot: BotUnderTest, round_id: int) -> dict[str | None, dict[str, object]]:
    rows = await bot.db.fetch_all(
        "SELECT c.id, c.number, c.grp, c.status, c.status_reason, c.origin, s.name FROM audit_case c "
        "LEFT JOIN sasaran s ON s.id = c.sasaran_id WHERE c.round_id = ?", (round_id,))
    return {r["name"]: dict(r) for r in rows}


async def open_case(user: SimUser, number: int) -> str:
    """From the round card: the case list, then the case card's text."""
    await user.press("📋 Daftar kasus")
    listing = await user.next_edit()
    label = next(b.label for row in listing.buttons for b in row if b.label.startswith(f"No. {number} "))
    await user.press(label)
    return (await user.next_edit()).plain_text


# -- the walk -----------------------------------------------------------------------------


async def test_a_whole_audit_round(bot: BotUnderTest) -> None:
    people = await cast(bot)
    kota, tpk_a = people["kota"], people["tpk_a"]
    ids = await seed(bot)
    today = date(2026, 11, 23)

    # 1. Seleksi: the shortlist equals the criteria computed here.
    round_id = await open_round(bot, kota)
    stored = await bot.db.fetch_all(
        "SELECT c.grp, c.keluarga_id, s.name, c.reasons_json, c.origin FROM audit_case c "
        "LEFT JOIN sasaran s ON s.id = c.sasaran_id WHERE c.round_id = ?", (round_id,))
    key_of = {kid: key for key, (kid, _) in ids.items()}
    assert {(r["grp"], key_of[r["keluarga_id"]], r["name"]) for r in stored} == expected_cases(today)
    criteria = await bot.db.fetch_value("SELECT criteria_json FROM audit_round WHERE id = ?", (round_id,))
    assert '"haz_months": 6' in criteria and '"cap_per_kecamatan": 10' in criteria
    by_name = await cases_by_name(bot, round_id)
    assert "−2,4 → −2,6" in next(r["reasons_json"] for r in stored if r["name"] == "Budi Santoso")

    # The coordinator reads why, drops the 2T case with a reason and adds one found by name.
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.2)
    card = await open_case(kota, int(by_name["Citra Wirawan"]["number"]))  # type: ignore[arg-type]
    assert "2T" in card and "Citra" not in card
    await kota.press("❌ Batalkan")
    await kota.next_edit()
    await kota.press("Sudah membaik")
    dropped = await kota.next_edit()
    assert "dibatalkan (Sudah membaik)" in dropped.plain_text
    await kota.send("/audit tambah Hadi")
    await kota.next_message()
    await kota.press("Hadi Hidayat · Kel. Sukawana")
    await kota.next_edit()
    await kota.press("Usulan puskesmas")
    added = await kota.next_edit()
    assert "Usulan puskesmas" in added.plain_text
    by_name = await cases_by_name(bot, round_id)
    citra, hadi = by_name["Citra Wirawan"], by_name["Hadi Hidayat"]
    assert citra["status"] == "batal" and citra["status_reason"] == "Sudah membaik"
    assert hadi["origin"] == "tambahan" and hadi["status_reason"] == "Usulan puskesmas"


    # 2. KKA: each kept case's TPK member gets a task, and completes two KKAs through the form.
    await next_stage(kota, "Kertas Kerja Audit (KKA)")
    await settle(bot)
    tasks = [m for m in tpk_a.drain() if "perlu kunjungan rumah" in m.plain_text]
    numbers = {by_name[n]["number"] for n in ("Budi Santoso", "Dodi Pratama", "Hadi Hidayat")}
    assert {int(m.plain_text.split("kasus no. ")[1].split(" ")[0]) for m in tasks} == numbers
    for name, job in (("Budi Santoso", "buruh pabrik"), ("Dodi Pratama", "pedagang sayur")):
        task = next(m for m in tasks if f"kasus no. {by_name[name]['number']} " in m.plain_text)
        await complete_kka(tpk_a, task.message_id, job)
    kka = await bot.db.fetch_value("SELECT kka_json FROM audit_case WHERE id = ?", (by_name["Budi Santoso"]["id"],))
    assert "buruh pabrik" in kka and "PMT" in kka

    # 3. Tim pakar: one invited through the round's button and the join dialogue, one more; both review.
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.2)
    await kota.press("👥 Undang tim pakar")
    await kota.next_message()
    await kota.press("Dokter spesialis anak")
    link = (await kota.next_edit()).plain_text
    token = link.rsplit("start=", 1)[1].split()[0]
    pakar_1 = bot.user(PAKAR_1, "dr. Anita")
    assert "Tim pakar" in await join(pakar_1, token)
    pakar_2 = await add_pakar(bot, PAKAR_2, "Nur Gizi", round_id, "Ahli gizi")
    # /undang offers the round's tim pakar too, with the same speciality question.
    assert "dr. Anita telah bergabung sebagai Tim pakar" in (await kota.next_message()).plain_text
    await kota.send("/undang")
    assert "Siapa yang ingin Anda undang?" in (await kota.next_message()).plain_text
    await kota.press("Tim pakar: AKS 2026 semester 2")
    assert "Apa keahliannya?" in (await kota.next_message()).plain_text
    await next_stage(kota, "Kajian tim pakar")
    budi = int(by_name["Budi Santoso"]["number"])  # type: ignore[arg-type]
    await review(pakar_1, budi, ["▫️ Asupan gizi kurang", "▫️ Lainnya"], "TPK", other="pengasuh berganti-ganti")
    await review(pakar_2, budi, ["▫️ Penyakit infeksi berulang"], "Puskesmas")
    causes = await bot.db.fetch_all("SELECT causes_json FROM audit_review WHERE case_id = ?",
                                    (by_name["Budi Santoso"]["id"],))
    assert len(causes) == 2 and "Lainnya: pengasuh berganti-ganti" in causes[0][0]
    await settle(bot)
    rtl_task = next(m for m in tpk_a.drain() if "Tindak lanjut audit" in m.plain_text)
    assert f"kasus no. {budi}" in rtl_task.plain_text and "mohon dikunjungi" in rtl_task.plain_text
    # the reminders' own visit button: it opens /kunjungan for the case's record
    visit_button = visit_markup(ids["stunted"][1]["Budi Santoso"])[0][0]
    assert rtl_task.buttons[0][0].callback_data == visit_button["callback_data"]
    # The KKA in chat, paged, for a pakar and for the case's own TPK member; then who read it.
    pakar_1.drain()
    await pakar_1.send("/audit")
    await pakar_1.messages_until_quiet(quiet=0.2)
    await open_case(pakar_1, budi)
    await pakar_1.press("📖 Baca KKA")
    page = (await pakar_1.next_message()).plain_text
    assert "Identitas (1/6)" in page and "Nama: Budi Santoso" in page and "NIK: 367304" not in page
    await pakar_1.press("▶️")
    assert "Domisili (2/6)" in (await pakar_1.next_message()).plain_text
    tpk_a.drain()
    await tpk_a.send("/audit")
    await tpk_a.next_message()
    await tpk_a.press(f"📖 Baca no. {budi}")
    assert "Nama: Budi Santoso" in (await tpk_a.next_message()).plain_text
    kota.drain()
    await kota.send("/audit akses")
    access = (await kota.next_message()).plain_text
    assert f"Kasus {budi}: dr. Anita (Tim pakar) — 2×" in access and f"Kasus {budi}: Siti Bidan (Anggota TPK)" in access
    # A pakar removed from the team loses access at once.
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.2)
    await kota.press("👥 Tim pakar")
    assert "Nur Gizi — Ahli gizi" in (await kota.next_edit()).plain_text
    await kota.press("➖ Keluarkan Nur Gizi")
    assert "Nur Gizi" not in (await kota.next_edit()).plain_text
    pakar_2.drain()
    await pakar_2.send("/audit")
    assert "Belum ada putaran audit" in (await pakar_2.next_message()).plain_text
    await pakar_2.send("/bantuan")
    anchor = (await pakar_2.next_message()).message_id
    forged = f"au:kka:{by_name['Budi Santoso']['id']}:0"
    assert "tidak tersedia" in (await press_forged(bot.emu, pakar_2, anchor, forged) or "")
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.2)
    await open_case(kota, budi)
    await kota.press("✅ Kajian selesai")
    assert "kajian selesai" in (await kota.next_edit()).plain_text

    # 4. Diseminasi I: the deck's figures are the semester's /rekap; deck and workbook are anonymous.
    await next_stage(kota, "Diseminasi I")
    deck, book, pdf = await diseminasi(kota, 1)
    rekap = await build_rekap(bot.services, scope=CITY, area=CITY, period=SEMESTER_II, depth=1)
    for key in FIGURES:
        assert f"{rekap.figures[key].label}: {rekap.figures.value(key)}" in deck, key
    # and independently of /rekap, what the seed holds:
    assert "Keluarga terdaftar: 8" in deck and "Berisiko stunting: 3" in deck
    assert "Stunting (pendek + sangat pendek): 2" in deck
    assert "Curug: keluarga berisiko 0, stunting 2" in deck, deck
    live = {n: r for n, r in (await cases_by_name(bot, round_id)).items() if r["status"] != "batal"}
    rows = book["Kasus"]
    assert {r[0] for r in rows} == {r["number"] for r in live.values()}
    budi_row = next(r for r in rows if r[0] == budi)
    assert "Asupan gizi kurang" in budi_row[6] and "Penyakit infeksi berulang" in budi_row[6]
    assert "TPK: PMT 90 hari" in budi_row[8] and "Puskesmas: PMT 90 hari" in budi_row[8]
    anonymous = deck + " ".join(str(c) for sheet in book.values() for r in sheet for c in r)
    for secret in NAMES + NIKS:
        assert secret not in anonymous, secret
    for r in live.values():
        assert f"Kertas Kerja Audit — kasus no. {r['number']}" in pdf
    for kka_field in ("Budi Santoso", "buruh pabrik", "pedagang sayur", "rumah lembap", "diare berulang",
                      "Pendampingan gizi intensif (TPK)", "Eka Kurnia", "Fitri Lestari", "Bapak Gunawan",
                      "TTD diminum: 30", "Berat lahir: 2,3 kg", "LiLA 22,0 cm", "TB/U -2,6 SD"):
        assert kka_field in pdf, kka_field
    assert "Citra Wirawan" not in pdf  # dropped

    # 5. Pemantauan: three months of follow-up measurements give each case its trend.
    await next_stage(kota, "Pemantauan tindak lanjut")
    bot.clock.advance(timedelta(days=84))
    budi_id, dodi_id = ids["stunted"][1]["Budi Santoso"], ids["bblr"][1]["Dodi Pratama"]
    await measure(bot, budi_id, TPK_A, date(2027, 2, 10), weight_kg=10.4, haz=-1.9, stunted=False)
    await measure(bot, dodi_id, TPK_A, date(2027, 2, 10), weight_kg=10.3, haz=-1.52, stunted=False)
    await measure(bot, ids["kek"][1]["Eka Kurnia"], TPK_B, date(2027, 2, 11), lila_cm=22.5, hb=10.0)
    # after the three months of pemantauan (23-11-2026 + 3 months): not counted
    await measure(bot, dodi_id, TPK_A, date(2027, 3, 10), weight_kg=10.3, haz=-2.5, stunted=True)
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.2)
    await kota.press("📈 Tren kasus")
    trend = (await kota.next_message()).plain_text
    assert "pengukuran sampai 23-02-2027" in trend
    expected = {"Budi Santoso": "membaik", "Dodi Pratama": "tetap", "Eka Kurnia": "memburuk",
                "Hadi Hidayat": "belum diukur lagi"}
    for name, word in expected.items():
        assert f"Kasus {live[name]['number']}: {word}" in trend, (name, trend)
    await kota.press("📌 Tindak lanjut")
    listing = (await kota.next_edit()).plain_text
    assert "[TPK]" in listing and "terlambat" in listing
    await kota.press(f"✍️ Catat hasil: kasus {budi}, Puskesmas")
    await kota.next_edit()
    await kota.press("Terlaksana")
    assert "selesai (Terlaksana)" in (await kota.next_edit()).plain_text

    # 6. Diseminasi II adds the follow-up results; then the round closes and the pakar's access ends.
    await next_stage(kota, "Diseminasi II")
    deck, book, _ = await diseminasi(kota, 2)
    assert "Hasil pemantauan" in deck and f"Kasus {budi}: membaik" in deck
    assert next(r for r in book["Kasus"] if r[0] == budi)[9] == "membaik"
    await next_stage(kota, "Selesai")
    kota.drain()
    await kota.send("/audit arsip")
    archived = await kota.next_message()
    assert "Tahap: Selesai" in archived.plain_text
    assert "📊 Berkas Diseminasi II" in [b.label for row in archived.buttons for b in row]
    await pakar_1.send("/audit")
    assert "Belum ada putaran audit" in (await pakar_1.next_message()).plain_text
    await pakar_1.send("/bantuan")
    anchor_id = (await pakar_1.next_message()).message_id
    case_id = int(by_name["Budi Santoso"]["id"])  # type: ignore[arg-type]
    for data in (f"au:case:{case_id}", f"au:kka:{case_id}:0", f"au:kpdf:{case_id}", f"ap:{case_id}",
                 f"au:list:{round_id}:0"):
        answer = await press_forged(bot.emu, pakar_1, anchor_id, data) or ""
        assert "tidak tersedia" in answer, (data, answer)
    files = await bot.db.fetch_all("SELECT after_json FROM audit_log WHERE entity = 'audit_round' AND action = 'file'")
    assert sorted(r[0] for r in files) == sorted(f'{{"kind": "{k}"}}' for k in (
        "pptx:1", "xlsx:1", "kka_pdf", "pptx:2", "xlsx:2", "kka_pdf"))


async def join(person: SimUser, token: str) -> str:
    await person.send(f"/start {token}")
    assert "Tim pakar" in (await person.next_message()).plain_text
    await person.press("Ya, benar")
    await person.next_edit()
    await person.next_message()
    await person.send("Lewati")
    return (await person.next_message()).plain_text


async def review(pakar: SimUser, number: int, causes: list[str], party: str, other: str | None = None) -> None:
    await pakar.send("/audit")
    await pakar.next_message()
    card = await open_case(pakar, number)
    assert f"Kasus no. {number}" in card
    form = Form(pakar)
    await pakar.press("📝 Isi kajian")
    form.last = await pakar.next_message()
    for cause in causes:
        await form.tap_in_place(cause)
    await form.tap("Selesai ✔️")
    if other:
        await form.type(other)
    await form.type(f"Pendampingan gizi intensif ({party})")
    await form.tap(party)
    await form.type("PMT 90 hari dan timbang tiap bulan")
    await form.type("15-01-2027")
    await form.tap("✅ Kirim")
    assert "Kajian kasus no." in form.text and "tersimpan" in form.text, form.text


async def test_authorisation_matrix(bot: BotUnderTest) -> None:
    """Each refused by command and by forged callback: a pakar of round X on round Y's cases, a pakar
    after the round closed, a TPK member on another member's case, a kecamatan coordinator on a kota round."""
    people = await cast(bot)
    kota, kec, tpk_b = people["kota"], people["kec"], people["tpk_b"]
    await seed(bot)
    round_x = await open_round(bot, kota)
    pakar_x = await add_pakar(bot, PAKAR_1, "dr. Anita", round_x, "Dokter spesialis anak")
    bot.clock.advance(timedelta(days=50))  # January 2027: semester I
    kota.drain()
    await kota.send("/audit")
    await kota.messages_until_quiet(quiet=0.3)  # round X's card, and the offer to open semester I
    await kota.press("➕ Buka AKS Semester I 2027")
    await kota.next_edit()
    round_y = int(await bot.db.fetch_value("SELECT max(id) FROM audit_round"))
    assert round_y != round_x

    async def case_of(round_id: int, name: str) -> int:
        return int(await bot.db.fetch_value(
            "SELECT c.id FROM audit_case c JOIN sasaran s ON s.id = c.sasaran_id WHERE c.round_id = ? AND s.name = ?",
            (round_id, name)))

    async def refused(user: SimUser, forged: list[str], words: tuple[str, ...] = ("tidak tersedia untuk Anda",
                                                                                  "bukan untuk Anda")) -> None:
        user.drain()
        await user.send("/bantuan")
        anchor = (await user.next_message()).message_id
        for data in forged:
            answer = await press_forged(bot.emu, user, anchor, data) or ""
            said = answer + " ".join(m.plain_text for m in await user.messages_until_quiet(quiet=0.1))
            assert any(word in said for word in words), (user, data, said)
            assert "Budi" not in said and "Eka" not in said

    y_eka, x_budi = await case_of(round_y, "Eka Kurnia"), await case_of(round_x, "Budi Santoso")
    # A pakar of round X: /audit shows X only; Y's cases and card refused.
    await pakar_x.send("/audit")
    cards = await pakar_x.messages_until_quiet(quiet=0.3)
    assert len(cards) == 1 and "Semester II 2026" in cards[0].plain_text
    await refused(pakar_x, [f"au:case:{y_eka}", f"au:kka:{y_eka}:0", f"au:kpdf:{y_eka}", f"au:round:{round_y}",
                            f"au:list:{round_y}:0", f"au:pdf:{round_y}", f"ap:{y_eka}"])
    # ... nor may a pakar act as a coordinator on their own round.
    await refused(pakar_x, [f"au:next:{round_x}:0", f"au:dis:{round_x}:1", f"au:keep:{x_budi}",
                            f"au:akses:{round_x}", f"au:inv:{round_x}"])
    # A TPK member on another member's case (Budi is TPK A's).
    await tpk_b.send("/audit")
    assert "Budi" not in (await tpk_b.next_message()).plain_text
    await refused(tpk_b, [f"kka:{x_budi}", f"au:kka:{x_budi}:0", f"au:kpdf:{x_budi}", f"au:case:{x_budi}"])
    # A kecamatan coordinator on the kota's round.
    await kec.send("/audit")
    text = (await kec.next_message()).plain_text
    assert "dibuka oleh koordinator kabupaten/kota" in text and "Buka AKS" not in text
    await refused(kec, [f"au:round:{round_x}", f"au:case:{x_budi}", f"au:kka:{x_budi}:0", f"au:next:{round_x}:0",
                        f"au:dis:{round_x}:1", f"au:akses:{round_x}", "au:open:2027:1", f"au:add:{round_x}:1"])
    # A pakar after the round closed.
    for _ in range(6):
        await kota.send("/audit")
        card = next(m for m in await kota.messages_until_quiet(quiet=0.3) if "Semester II 2026" in m.plain_text)
        label = next(b.label for row in card.buttons for b in row if b.label.startswith("➡️"))
        await kota.press_at(card.message_id, *next((i, j) for i, row in enumerate(card.buttons)
                                                    for j, b in enumerate(row) if b.label == label))
        await kota.next_edit()
    assert await bot.db.fetch_value("SELECT closed_at FROM audit_round WHERE id = ?", (round_x,))
    await pakar_x.send("/audit")
    assert "Belum ada putaran audit" in (await pakar_x.next_message()).plain_text
    await refused(pakar_x, [f"au:case:{x_budi}", f"au:kka:{x_budi}:0", f"au:pdf:{round_x}", f"ap:{x_budi}"])
    # Malformed data never reaches a handler's logic.
    await refused(kec, ["au:case:١٢", "au:case:99999999999999999999", "au:case", "au:zzz:1", "kka:x", "ap:-1"],
                  words=("kedaluwarsa", "tidak tersedia", "bukan untuk Anda"))


async def test_the_subject_export_lists_the_case_and_erasure_takes_the_worksheet(bot: BotUnderTest) -> None:
    from bot.privacy.erasure import erase
    from storage import privacy as privacy_store

    people = await cast(bot)
    ids = await seed(bot)
    round_id = await open_round(bot, people["kota"])
    budi = ids["stunted"][1]["Budi Santoso"]
    case_id = int(await bot.db.fetch_value("SELECT id FROM audit_case WHERE round_id = ? AND sasaran_id = ?",
                                           (round_id, budi)))
    async with bot.db.transaction() as tx:
        assert await audit_kasus.save_kka(tx, case_id=case_id, tpk_id=TPK_A, fields={"temuan": "rumah lembap"},
                                          now=bot.clock.now())
    exported = await privacy_store.export_subject(bot.db, bot.services.cipher, budi)
    assert exported is not None and "rumah lembap" in str(exported["audit_kasus"])
    await erase(bot.services, budi, actor_id=KOTA)
    assert await bot.db.fetch_value("SELECT kka_json FROM audit_case WHERE id = ?", (case_id,)) is None
    assert await bot.db.fetch_value("SELECT number FROM audit_case WHERE id = ?", (case_id,)) is not None


FIGURES = ("keluarga", "keluarga_berisiko", "catin", "ibu_hamil", "ibu_nifas", "baduta", "balita", "flag_kek",
           "flag_anaemia", "anak_ukur", "anak_pendek")


async def diseminasi(coordinator: SimUser, part: int) -> tuple[str, dict[str, list[tuple[object, ...]]], str]:
    """Press the round's Diseminasi button; the deck's text, the workbook's rows, the PDF's text."""
    coordinator.drain()
    await coordinator.send("/audit")
    await coordinator.messages_until_quiet(quiet=0.2)
    await coordinator.press(f"📊 Berkas Diseminasi {'I' * part}")
    sent = [await coordinator.next_message(timeout=60) for _ in range(3)]
    by_ext = {(m.filename or "").rsplit(".", 1)[-1]: m.document or b"" for m in sent}
    assert set(by_ext) == {"pptx", "xlsx", "pdf"}, [(m.filename, m.plain_text[:80]) for m in sent]
    deck = Presentation(io.BytesIO(by_ext["pptx"]))
    deck_text = "\n".join(p.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
                          for p in shape.text_frame.paragraphs)
    workbook = openpyxl.load_workbook(io.BytesIO(by_ext["xlsx"]))
    rows = {sheet.title: [r for r in sheet.iter_rows(min_row=2, values_only=True)] for sheet in workbook}
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(by_ext["pdf"])).pages)
    return deck_text, rows, pdf


async def next_stage(coordinator: SimUser, label: str) -> str:
    coordinator.drain()
    await coordinator.send("/audit")
    await coordinator.messages_until_quiet(quiet=0.2)
    await coordinator.press(f"➡️ Lanjut: {label}")
    return (await coordinator.next_edit()).plain_text


async def complete_kka(tpk: SimUser, task_id: int, job: str) -> None:
    form = Form(tpk)
    await tpk.press_at(task_id, 0, 0)
    form.last = await tpk.next_message()
    assert "pekerjaan" in form.text
    await form.type(job)
    await form.type("ASI sampai 4 bulan, makan 2 kali sehari")
    await form.type("diare berulang")
    await form.tap_in_place("▫️ PMT (makanan tambahan)")
    await form.tap("Selesai ✔️")
    await form.type("rumah lembap, air sumur dangkal")
    assert "Kirim" in str(form.last.buttons)
    await form.tap("✅ Kirim")
    assert "KKA kasus no." in form.text and "tersimpan" in form.text, form.text


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
