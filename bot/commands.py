"""Every command, who may use it and how it is described, in one list.

The same entries drive ``setMyCommands``, ``/bantuan``, the role check on each
handler and the private-chat gate (``bot.access.private_chats_only``), so a command's
audience is declared exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.roles import Role

EVERYONE: frozenset[Role | None] = frozenset({None, *Role})
MEMBERS = frozenset({Role.ADMIN, Role.KOORDINATOR, Role.TPK})
MANAGERS = frozenset({Role.ADMIN, Role.KOORDINATOR})


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str  # shown in Telegram's command menu and in /bantuan
    roles: frozenset[Role | None]
    #: Shows by-name data, sends files or opens a form: answered in private chats only, and in a
    #: group with :data:`bot.texts.PRIVATE_CHAT_ONLY` (issue 15 §3).
    private_only: bool = True


COMMANDS: list[CommandSpec] = [
    CommandSpec("start", "Mulai / sapaan", EVERYONE),
    CommandSpec("bantuan", "Daftar perintah yang bisa Anda pakai", EVERYONE, private_only=False),
    CommandSpec("lapor", "Laporkan keluarga dan sasaran baru", MEMBERS),
    CommandSpec("kunjungan", "Catat kunjungan ke sasaran", MEMBERS),
    CommandSpec("keluarga", "Lihat keluarga dan sasaran di wilayah Anda", MEMBERS),
    CommandSpec("lanjut", "Lanjutkan isian yang belum selesai", MEMBERS),
    CommandSpec("undang", "Buat tautan undangan koordinator atau anggota TPK", MANAGERS),
    CommandSpec("anggota", "Lihat dan kelola anggota di wilayah Anda", MANAGERS),
    CommandSpec("rekap", "Rekap angka wilayah Anda per periode, dengan grafik", MEMBERS),
    CommandSpec("ekspor", "Unduh rekap dan daftar sasaran sebagai file Excel", MEMBERS),
    CommandSpec("tugas", "Kunjungan keluarga hari ini dan beberapa hari ke depan", frozenset({Role.TPK})),
    CommandSpec("daftar", "Daftar keluarga dampingan Anda dan yang perlu dikunjungi", frozenset({Role.TPK})),
    CommandSpec("impor", "Impor daftar keluarga/sasaran dari file Excel atau CSV", MANAGERS),
    CommandSpec("jadwal", "Lihat jadwal pengingat Anda", frozenset({Role.IBU})),
    CommandSpec("berhenti", "Hentikan semua pengingat", frozenset({Role.IBU})),
    CommandSpec("mulai", "Nyalakan lagi pengingat", frozenset({Role.IBU})),
    CommandSpec("hapus", "Hapus data pribadi sasaran atas permintaannya", MANAGERS),
    CommandSpec("grup", "Rekap bulanan tanpa nama untuk grup TPPS (ketik di grup)", MANAGERS, private_only=False),
    CommandSpec("akses", "Siapa saja yang membuka data seseorang, dan kapan", MANAGERS),
    CommandSpec("persetujuan", "Lihat riwayat persetujuan data dan pengingat",
                frozenset({Role.IBU, Role.KOORDINATOR, Role.ADMIN})),
    CommandSpec("audit", "Audit kasus stunting: putaran, kasus, KKA dan kajian pakar",
                frozenset({Role.ADMIN, Role.KOORDINATOR, Role.TPK, Role.PAKAR})),
    CommandSpec("batal", "Batalkan isian yang sedang berjalan", EVERYONE),
]

_BY_NAME = {spec.name: spec for spec in COMMANDS}


def spec(name: str) -> CommandSpec:
    return _BY_NAME[name]


def find(name: str) -> CommandSpec | None:
    return _BY_NAME.get(name)


def commands_for(role: Role | None) -> list[CommandSpec]:
    return [c for c in COMMANDS if role in c.roles]

