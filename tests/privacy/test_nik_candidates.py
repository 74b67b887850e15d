"""How many NIKs fit what anyone can read without the key (issue 15, point 1).

After a real /lapor through the Bot API emulator — the family with its No. KK, the
mother with her NIK, the family card, a correction, a second member typing the same
NIK (the duplicate notice) — this reads what an attacker with the database file (and
its WAL, or a backup) holds in plain text: her birth date, sex and region, every
NIK-shaped mask in the file's bytes, and every message the bot sent. Then it counts the
NIKs that agree with all of it. The goal is at least 10,000.

The count treats the NIK's kecamatan (digits 5-6, the kecamatan of first registration)
as any kecamatan the visible digits allow, since nothing stored says which one it is;
an attacker who also assumes it is the kecamatan of her stored address is left with the
serial alone: 9,999 candidates, the floor no mask can lower (README, "Keamanan dan data
pribadi"). The old mask "3673********0001" showed the serial and left 6.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from bot.domain.nik import NIK_LENGTH
from tests.e2e.test_lapor import SUKAWANA, new_family
from tests.e2e.test_records import open_family, register_mother
from tests.harness import BotUnderTest, Form, add_member
from tests.privacy.files import readable_bytes
from tests.privacy.test_identity_at_rest import NIK, family_with_kk

GOAL = 10_000
WILAYAH = Path(__file__).resolve().parents[2] / "data" / "wilayah" / "wilayah.csv"
#: A 16-character run of digits and hiding marks with at least one of each.
_SHAPE = re.compile(r"(?<![0-9*•])[0-9*•]{16}(?![0-9*•])")


def kecamatan_digits() -> set[str]:
    """Every kecamatan code of the official list, as the NIK's first six digits."""
    with WILAYAH.open(encoding="utf-8") as f:
        return {row[0].replace(".", "") for row in csv.reader(f) if row[0].count(".") == 2}


def shapes_in(text: str) -> list[str]:
    return [m for m in _SHAPE.findall(text) if any(c.isdigit() for c in m) and not m.isdigit()]


def birth_code(born: date, sex: str) -> str:
    return f"{born.day + (40 if sex == 'P' else 0):02d}{born.month:02d}{born.year % 100:02d}"


def fits(shapes: list[str], part: str, start: int) -> bool:
    return all(s[start + i] in "*•" or s[start + i] == digit for s in shapes for i, digit in enumerate(part))


def candidates(shapes: list[str], *, born: date, sex: str, kecamatan: set[str]) -> int:
    """NIKs agreeing with every shape, the birth date and sex: the three parts of a NIK
    are independent, so the count is the product of the choices for each."""
    regions = sum(fits(shapes, code, 0) for code in kecamatan)
    birth = int(fits(shapes, birth_code(born, sex), 6))
    serials = sum(fits(shapes, f"{n:04d}", 12) for n in range(1, 10_000))
    return regions * birth * serials


async def test_a_nik_has_at_least_ten_thousand_candidates_from_everything_in_plain_text(
        bot: BotUnderTest, tmp_path: Path) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await family_with_kk(siti)
    await register_mother(siti, "Rina Marlina", NIK)
    await open_family(siti.user, "Ahmad Yani")
    ani = Form(await add_member(bot, 3002, "Ani", "tpk", SUKAWANA))
    await new_family(bot, ani)
    await ani.tap("➕ Ibu hamil")
    await ani.type("Rina M.")
    duplicate = await ani.type(NIK)
    assert "sudah terdaftar" in duplicate.plain_text, duplicate.plain_text

    sent = "\n".join(line for user in (siti.user, ani.user) for line in user._log if not line.startswith("user"))
    born_text, sex, region, mask = tuple(await bot.db.fetch_one(
        "SELECT birth_date, sex, region_code, nik_masked FROM sasaran"))
    running = readable_bytes(bot)
    await bot.stop()
    stopped = readable_bytes(bot)
    born = date.fromisoformat(born_text)

    visible = running.decode("latin-1") + stopped.decode("latin-1") + sent
    assert NIK not in visible and NIK[:12] not in visible, "no plain NIK (or its first 12 digits) anywhere"
    shapes = [s for s in shapes_in(visible) if len(s) == NIK_LENGTH]
    assert shapes, "the scan must see the masks the bot shows and stores"
    # Conservatively every shape that agrees with her NIK counts as hers (the No. KK's
    # mask and other people's are left out only when they contradict it).
    shapes_of_her = [s for s in shapes if fits([s], NIK, 0)]
    assert mask in shapes_of_her
    count = candidates(shapes_of_her, born=born, sex=sex, kecamatan=kecamatan_digits())
    assert count >= GOAL, f"{count} NIKs fit what is stored and shown (shapes {sorted(set(shapes_of_her))})"
    # Assuming also the kecamatan of her stored address leaves the serial alone.
    same_place = candidates(shapes_of_her, born=born, sex=sex, kecamatan={region[:8].replace(".", "")})
    assert same_place == 9_999
