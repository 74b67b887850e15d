"""The people a trainer plays in the playground, each with their own Telegram chat.

Only the admin is known to the bot from the start (their id is added to
``access.admins``); everyone else joins the way real people do, through an
invitation link made in another persona's chat. Ids are far from real Telegram ids
and from the demo members of ``bot.dev.seed`` so they never collide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    key: str  # used in URLs and by the page
    user_id: int
    first_name: str
    last_name: str | None
    role: str  # what the trainer plays, in Indonesian, shown under the name
    icon: str
    phone: str  # shared with the contact button

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


PERSONAS: tuple[Persona, ...] = (
    Persona("admin", 7_700_001, "Hendra", "Admin", "Admin dinas (P2KB)", "🛡️", "6281100000001"),
    Persona("koordinator-kota", 7_700_002, "Rina", "Wati", "Koordinator kota", "🏙️", "6281200000002"),
    Persona("koordinator-kecamatan", 7_700_003, "Joko", "Santoso", "Koordinator kecamatan", "🏘️",
            "6281300000003"),
    Persona("tpk", 7_700_004, "Siti", "Aminah", "Anggota TPK (bidan)", "🩺", "6281400000004"),
    Persona("ibu", 7_700_005, "Sari", "Dewi", "Ibu hamil", "🤰", "6281500000005"),
    # Joins through the audit round's invitation (/audit → 👥 Undang tim pakar, or /undang).
    Persona("pakar", 7_700_006, "dr. Maya", "Lestari", "Tim pakar audit (dokter anak)", "🩻", "6281600000006"),
)

ADMIN = PERSONAS[0]
BY_KEY = {p.key: p for p in PERSONAS}
