"""Every command and every kind of button, for every role: who may act, who is refused.

The expected answers come from the one declaration of audiences (bot.commands), so a
command added there is walked here automatically.
"""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS
from bot.dev.emulator import SimUser
from bot.domain.roles import Role, Status
from storage import users as users_store
from tests.harness import ADMIN_ID, BotUnderTest, Form, add_member, press_forged
from tests.reminders.helpers import join as join_mother
from tests.reminders.helpers import register_mother

SUKAWANA, CURUG, CITY = "36.73.04.1007", "36.73.04", "36.73"
KASEMEN_KEL = "36.73.02.1001"
REFUSED = ("tidak tersedia untuk Anda", "dinonaktifkan")


async def cast(bot: BotUnderTest) -> dict[str, tuple[SimUser, Role | None]]:
    """One person per role (and the two kinds of outsider)."""
    tpk = await add_member(bot, 3001, "Siti", "tpk", SUKAWANA, "bidan")
    sasaran_id = await register_mother(bot, 3001, "Rina", SUKAWANA)
    mother = await join_mother(bot, tpk, sasaran_id, 4001, "Rina")
    tpk.drain()
    gone = await add_member(bot, 3009, "Lama", "tpk", SUKAWANA, "kader_kb")
    await users_store.set_status(bot.db, actor_id=ADMIN_ID, user_id=3009, status=Status.INACTIVE, now=bot.clock.now())
    return {
        "unknown": (bot.user(9999, "Tamu"), None),
        "ibu": (mother, Role.IBU),
        "tpk": (tpk, Role.TPK),
        "koordinator kelurahan": (await add_member(bot, 2003, "Koor Kel", "koordinator", SUKAWANA), Role.KOORDINATOR),
        "koordinator kecamatan": (await add_member(bot, 2002, "Koor Kec", "koordinator", CURUG), Role.KOORDINATOR),
        "koordinator kota": (await add_member(bot, 2001, "Koor Kota", "koordinator", CITY), Role.KOORDINATOR),
        "admin": (bot.user(ADMIN_ID, "Admin"), Role.ADMIN),
        "pakar": (await add_member(bot, 5001, "Pakar Gizi", "pakar", CITY), Role.PAKAR),
        "nonaktif": (gone, None),
    }


async def test_every_command_for_every_role(bot: BotUnderTest) -> None:
    people = await cast(bot)
    ordered = [c for c in COMMANDS if c.name != "batal"] + [c for c in COMMANDS if c.name == "batal"]
    for label, (person, role) in people.items():
        await person.send("/start")
        await person.messages_until_quiet(quiet=0.2)
        for command in ordered:
            await person.send(f"/{command.name}")
            replies = [await person.next_message(timeout=15), *await person.messages_until_quiet(quiet=0.15)]
            text = " ".join(m.plain_text for m in replies)
            refused = any(word in text for word in REFUSED)
            # A deactivated member's /start explains the deactivation instead of greeting.
            may = role in command.roles and not (label == "nonaktif" and command.name == "start")
            assert refused is not may, f"{label} /{command.name}: {'refused' if refused else 'served'}: {text[:200]}"
        await person.send("/bantuan")
        help_text = (await person.next_message()).plain_text
        for command in COMMANDS:
            assert (f"/{command.name} " in help_text) is (role in command.roles), (label, command.name)


async def test_buttons_of_every_kind_refuse_outsiders_and_other_areas(bot: BotUnderTest) -> None:
    people = await cast(bot)
    tpk, _ = people["tpk"]
    form = Form(tpk)
    await form.start("/lapor")
    keluarga_id = await _family(bot, form)
    sasaran_id = await bot.db.fetch_value("SELECT id FROM sasaran WHERE keluarga_id = ?", (keluarga_id,))
    # A family in another kecamatan, by another member.
    other = Form(await add_member(bot, 3101, "Dewi", "tpk", KASEMEN_KEL))
    await other.start("/lapor")
    foreign_family = await _family(bot, other)
    foreign_sasaran = await bot.db.fetch_value("SELECT id FROM sasaran WHERE keluarga_id = ?", (foreign_family,))
    kinds = {
        "undang": f"ud:t:pick:{SUKAWANA}",
        "anggota": "ag:set:3001:inactive",
        "lapor": f"lp:add:{keluarga_id}:baduta",
        "kunjungan": f"kj:new:{sasaran_id}",
        "keluarga": f"kl:o:{keluarga_id}",
        "ubah": f"ub:{sasaran_id}",
        "ibu": f"ibu:inv:{sasaran_id}",
        "rekap": f"rk:a:{SUKAWANA}",
        "hapus": f"hp:ask:{sasaran_id}",
    }
    for label in ("unknown", "nonaktif", "ibu", "pakar"):
        person, _ = people[label]
        await person.send("/bantuan")
        anchor = (await person.next_message()).message_id
        for kind, data in kinds.items():
            answer = await press_forged(bot.emu, person, anchor, data) or ""
            assert any(word in answer for word in ("tidak tersedia", "dinonaktifkan", "kedaluwarsa", "bukan untuk")), (
                label, kind, answer)
    # Members may act only inside their own area: the Curug coordinator on a Kasemen record.
    curug, _ = people["koordinator kecamatan"]
    await curug.send("/bantuan")
    anchor = (await curug.next_message()).message_id
    curug.drain()
    for data in (f"kl:o:{foreign_family}", f"kj:new:{foreign_sasaran}", f"ub:{foreign_sasaran}",
                 f"lp:add:{foreign_family}:baduta", f"ibu:inv:{foreign_sasaran}", f"hp:ask:{foreign_sasaran}",
                 "ud:k:pick:36.73.02", "rk:a:36.73.02"):
        answer = await press_forged(bot.emu, curug, anchor, data) or ""
        said = answer + " ".join(m.plain_text for m in await curug.messages_until_quiet(quiet=0.1))
        assert any(word in said for word in ("tidak ada", "kedaluwarsa", "di luar", "tidak ditemukan")), (data, said)
        assert "Kasemen" not in said and "Bapak Uji" not in said and "Budi" not in said


async def _family(bot: BotUnderTest, form: Form) -> int:
    for answer in ("1", "1", "Jl. Mawar", "Bapak Uji"):
        await form.type(answer)
    await form.tap("Lewati ➡️")
    await form.tap("Ledeng / PAM")
    await form.tap("Tidak ada jamban")
    await form.tap("Tidak")
    await form.tap("✅ Kirim")
    keluarga_id = await bot.db.fetch_value("SELECT max(id) FROM keluarga")
    await form.tap("➕ Anak 24–59 bulan (balita)")
    for step in ("Budi", None, "Laki-laki", "1 Mei 2023", "1", None, None, "95", "14"):
        if step is None:
            await form.tap("Lewati ➡️")
        elif step in ("Laki-laki",):
            await form.tap(step)
        else:
            await form.type(step)
    await form.tap("Berdiri (tinggi badan)")
    await form.tap("Ya")
    await form.tap("✅ Kirim")
    return int(keluarga_id)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
