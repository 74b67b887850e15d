"""What mothers, TPK members and coordinators read about reminders (Bahasa Indonesia).

Short and kind. A mother's name reaches a member's chat only as "Ibu R." in
notices about her, and never reaches a log. The consent text is versioned: the version
is stored with every decision, so change :data:`CONSENT_VERSION` with the text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.formatting import long_date, month_name
from bot.reminders.messages import greeting
from storage.invitations import Problem

_LETTER = re.compile(r"[^\W\d_]")

#: v2 (issue 15 §11): every kind of data held about her, who sees it, how long it is kept and
#: her rights under UU 27/2022. Consents given to v1 stay valid with their version.
CONSENT_VERSION = "persetujuan-ibu-v2"


def initial(name: str) -> str:
    """ "Ibu R." — the first letter of her name only (never the name itself)."""
    match = _LETTER.search(name or "")
    return f"Ibu {match.group(0).upper()}." if match else "Ibu"


def first_name(name: str) -> str:
    return greeting(name).removeprefix("Bunda").strip()


# -- the mother's side -------------------------------------------------------------------


IDENTITY_QUESTION = (
    "Halo! 👋 Ini <b>TPK Bot</b>. Tautan ini dibuat untuk seorang ibu yang didampingi Tim Pendamping "
    "Keluarga. Supaya tidak tertukar dengan orang lain, pastikan dulu bahwa ini Bunda.\n\n"
    "Ketik <b>huruf pertama nama</b> Bunda dan <b>tanggal lahir</b> Bunda, misalnya: <code>S 12-03-1990</code>"
)
IDENTITY_FORMAT = ("Mohon ketik huruf pertama nama Bunda, spasi, lalu tanggal lahir Bunda, misalnya: "
                   "<code>S 12-03-1990</code>")
IDENTITY_NOT_RECORDED = (
    "Maaf, Bunda. Tanggal lahir Bunda belum tercatat, jadi bot belum bisa memastikan bahwa ini Bunda. "
    "Minta anggota TPK yang mendampingi Bunda melengkapinya, lalu buka tautannya lagi."
)
IDENTITY_SPENT = (
    "Jawaban belum cocok tiga kali, jadi tautan ini tidak bisa dipakai lagi. Anggota TPK yang mendampingi "
    "Bunda sudah diberi tahu dan bisa membuatkan tautan baru."
)


def identity_wrong(tries_left: int) -> str:
    return f"Belum cocok dengan catatan TPK. Coba lagi — sisa {tries_left} kali. {IDENTITY_FORMAT}"


def identity_failed_notice(name: str) -> str:
    return (f"⚠️ Seseorang membuka tautan pengingat untuk {initial(name)} dan tiga kali salah menjawab huruf "
            "pertama nama dan tanggal lahirnya. Tautan itu sudah tidak berlaku. Bila itu memang ibunya, periksa "
            "tanggal lahir di catatannya lalu buat tautan baru.")


def _kept(retention_days: int) -> str:
    if retention_days <= 0:
        return "Data disimpan selama Bunda didampingi dan tidak dihapus otomatis."
    years = retention_days / 365
    span = f"{years:.0f} tahun" if retention_days % 365 == 0 else f"{retention_days} hari"
    return (f"Data disimpan selama Bunda didampingi, lalu {span} setelah pendampingan selesai; sesudah itu "
            "dihapus dan yang tersisa hanya angka anonim untuk rekap.")


def consent_screen(tpk_name: str, window: str, retention_days: int, name: str = "") -> str:
    """What she agrees to (version :data:`CONSENT_VERSION`); ``name`` only once she has confirmed who she is."""
    who = html.escape(tpk_name) if tpk_name else "anggota TPK"
    hello = f"Halo, {initial(name)}!" if name else "Halo, Bunda!"
    return (
        f"{hello} 👋 Ini <b>TPK Bot</b>. <b>" + who + "</b> dari Tim Pendamping Keluarga mengundang Bunda "
        "menerima pengingat kesehatan.\n\n"
        "<b>Yang akan Bunda terima</b>\n"
        "• Pengingat periksa kehamilan, minum tablet tambah darah, dan pesan singkat tiap minggu kehamilan.\n"
        "• Setelah melahirkan: pengingat kunjungan nifas, pemeriksaan bayi, KB, ASI, imunisasi, dan posyandu.\n"
        f"Pesan hanya dikirim siang hari ({window}).\n\n"
        "<b>Yang disimpan tentang Bunda</b> (dicatat oleh TPK)\n"
        "• Identitas: nama, NIK, tanggal lahir, nomor HP, alamat dan No. KK keluarga.\n"
        "• Kehamilan dan persalinan: HPHT, perkiraan lahir (HPL), tanggal dan tempat persalinan, keguguran bila "
        "ada.\n"
        "• Hasil ukur: berat badan, tinggi badan, lingkar lengan atas (LiLA), kadar Hb, dan penilaian bot "
        "darinya (IMT, KEK, anemia).\n"
        "• Keluarga: jumlah anak, jarak kelahiran, KB, sumber air minum dan jamban; data bayi Bunda.\n"
        "• Dari bot ini: jawaban Bunda atas pengingat (misalnya «Sudah periksa» atau «Belum») dan persetujuan "
        "ini.\n\n"
        "<b>Siapa yang melihat</b>\n"
        "Anggota TPK yang mendampingi Bunda, dan koordinator TPK di kelurahan/desa, kecamatan dan kota/kabupaten "
        "Bunda, supaya bisa membantu. Rekap untuk pemerintah daerah hanya berisi angka tanpa nama. Setiap kali "
        "data Bunda dibuka, tercatat siapa dan kapan.\n\n"
        "<b>Berapa lama disimpan</b>\n"
        f"{_kept(retention_days)}\n\n"
        "<b>Hak Bunda (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi)</b>\n"
        "Bunda boleh meminta salinan data Bunda, meminta data yang keliru diperbaiki, dan meminta data Bunda "
        "dihapus — sampaikan kepada anggota TPK atau koordinatornya. Bunda bisa berhenti kapan saja dengan "
        "mengetik /berhenti.\n\n"
        "Apakah Bunda setuju?"
    )


#: What she reads when her link cannot be used (opened, answered or tapped).
LINK_PROBLEMS = {
    Problem.UNKNOWN: "Tautan ini tidak dikenal. Minta tautan baru kepada anggota TPK yang mendampingi Bunda.",
    Problem.USED: "Tautan ini sudah dipakai. Satu tautan hanya untuk satu kali — minta yang baru kepada anggota TPK.",
    Problem.EXPIRED: "Tautan ini sudah kedaluwarsa. Minta tautan baru kepada anggota TPK yang mendampingi Bunda.",
    Problem.ALREADY_MEMBER: "Akun Telegram ini sudah terdaftar sebagai anggota TPK atau koordinator, "
                            "jadi tidak bisa dipakai untuk pengingat ibu.",
    Problem.REVOKED: "Tautan ini sudah tidak berlaku. Minta tautan baru kepada anggota TPK yang mendampingi Bunda.",
    Problem.DEACTIVATED: "Akun Telegram ini pernah dinonaktifkan, jadi tidak bisa dipakai untuk pengingat ibu.",
    Problem.NOT_FOR_YOU: "Tautan ini dibuat untuk orang lain. Minta tautan baru kepada anggota TPK.",
    Problem.UNCHECKED: "Pastikan dulu bahwa ini Bunda: buka lagi tautan dari anggota TPK dan jawab pertanyaannya.",
}


AGREE = "Setuju"
REFUSE = "Tidak"


def welcome(name: str) -> str:
    return (
        f"Terima kasih, {html.escape(greeting(name))}! 🌷 Pengingat akan datang sesuai jadwal.\n\n"
        "/jadwal — lihat pengingat berikutnya\n/berhenti — berhenti menerima pengingat"
    )


REFUSED = (
    "Baik, Bunda. Tidak ada pesan yang akan dikirim. Anggota TPK Bunda tetap bisa dihubungi seperti biasa. "
    "Bila berubah pikiran, minta tautan baru kepadanya."
)
STOPPED = "Baik, Bunda. Semua pengingat dihentikan. Ketik /mulai bila ingin menerimanya lagi."
ALREADY_STOPPED = "Pengingat Bunda memang sedang berhenti. Ketik /mulai untuk menyalakannya lagi."
RESUMED = "Selamat datang kembali, Bunda! Pengingat dinyalakan lagi mulai hari ini. Ketik /jadwal untuk melihatnya."
ALREADY_ACTIVE = "Pengingat Bunda sudah aktif. Ketik /jadwal untuk melihat yang berikutnya."
NOT_LINKED = "Akun Bunda belum terhubung dengan catatan TPK. Minta tautan undangan kepada anggota TPK Bunda."
THANKS_DONE = "Terima kasih, Bunda! Jawaban Bunda sudah tersimpan. 🙏"
THANKS_NOT_YET = (
    "Terima kasih sudah memberi tahu, Bunda. Anggota TPK Bunda akan menghubungi untuk membantu."
)
ALREADY_ANSWERED = "Jawaban Bunda sudah tersimpan sebelumnya."
TTD_OFF = "Pengingat tablet tambah darah dimatikan. Bunda bisa menyalakannya lagi lewat /jadwal."
TTD_ON = "Pengingat tablet tambah darah dinyalakan lagi."
TTD_DAILY = "Baik, Bunda. Pengingat tablet tambah darah kini datang setiap hari."
TTD_WEEKLY = "Baik, Bunda. Tablet tambah darah kini ditanyakan seminggu sekali."

# -- iron tablets (TTD): the answers and the count toward the goal --------------------------

TABLETS_ALL = "Sudah minum 7"
TABLETS_FEWER = "Kurang dari 7"
TABLET_TAKEN = "💊 Sudah minum"
TABLETS_HOW_MANY = ("Berapa tablet yang Bunda minum minggu ini ({span})? Pilih angkanya. "
                    "Tidak apa-apa, jawab jujur saja.")


def tablet_progress(taken: int, goal: int) -> str:
    """ "Sudah 49 dari 90 tablet. Terus ya, Bunda!" — or the goal reached."""
    if taken >= goal:
        return f"Sudah {taken} tablet — target {goal} tablet tercapai. Hebat, Bunda! Teruskan sesuai saran bidan."
    return f"Sudah {taken} dari {goal} tablet. Terus ya, Bunda!"


def tablet_thanks(tablets: int, days: int, taken: int, goal: int, span: str = "") -> str:
    """What she reads after answering a tablet reminder (``span``: the week's days)."""
    progress = tablet_progress(taken, goal)
    if days == 1:
        return f"Terima kasih, Bunda! 1 tablet hari ini tercatat. {progress}"
    when = f"untuk {span}" if span else "minggu ini"
    if tablets >= days:
        return f"Terima kasih, Bunda! 7 tablet {when} tercatat. {progress}"
    return (f"Terima kasih sudah memberi tahu, Bunda. {tablets} tablet {when} tercatat. {progress} "
            "Minum 1 tablet tiap malam ya; anggota TPK Bunda akan menghubungi untuk membantu.")


def tablet_answered_before(tablets: int, days: int, taken: int, goal: int) -> str:
    when = "hari itu" if days == 1 else "minggu itu"
    return f"Jawaban Bunda untuk {when} sudah tersimpan ({tablets} tablet). {tablet_progress(taken, goal)}"


def tablets_fewer_notice(name: str, tablets: int, taken: int, goal: int) -> str:
    """To her TPK member (a private chat, like every notice): a visit request."""
    return (f"💊 <b>{html.escape(initial(name))}</b> baru minum {tablets} dari 7 tablet tambah darah minggu ini "
            f"— mohon dikunjungi.\nMenurut jawabannya di TPK Bot, sudah {taken} dari {goal} tablet selama "
            "kehamilan. Tanyakan kendalanya (mual, lupa, persediaan habis).")

#: Ack button label per text key ("Belum" is the same for all).
_DONE_LABELS = {
    "anc": "Sudah periksa",
    "kf": "Sudah periksa",
    "kn": "Sudah diperiksa",
    "kb_pasca": "Sudah ber-KB",
    "imun": "Sudah imunisasi",
    "posyandu": "Sudah ke posyandu",
}
NOT_YET_LABEL = "Belum"


def done_label(text_key: str) -> str:
    return _DONE_LABELS.get(text_key, "Sudah")


def _vaccines(payload: Mapping[str, Any]) -> str:
    names = payload.get("vaccines") or []
    return ", ".join(str(v) for v in names) if isinstance(names, list | tuple) else str(names)


def item_label(text_key: str, payload: Mapping[str, Any]) -> str:
    """One line of /jadwal: what the reminder is about."""
    match text_key:
        case "anc":
            return f"Periksa kehamilan ke-{payload.get('contact')}"
        case "ttd":
            return "Minum tablet tambah darah"
        case "ttd_minggu":
            return "Tanya tablet tambah darah minggu ini"
        case "pekan":
            return f"Pesan minggu ke-{payload.get('week')} kehamilan"
        case "p4k":
            return "Rencana persalinan (P4K)"
        case "hpl":
            return "Persiapan menjelang HPL"
        case "kf":
            return f"Kunjungan nifas KF{payload.get('visit')}"
        case "kn":
            return f"Pemeriksaan bayi KN{payload.get('visit')}"
        case "kb_pasca":
            return "KB setelah melahirkan"
        case "asi":
            return "Semangat ASI eksklusif"
        case "imun":
            return f"Imunisasi si kecil ({_vaccines(payload)})"
        case "posyandu":
            month = int(payload.get("month") or 1)
            return f"Posyandu bulan {month_name(month)}"
    return text_key


def missing_action(text_key: str, payload: Mapping[str, Any]) -> str:
    """What she has not done yet, as the end of "Ibu R. belum …"."""
    match text_key:
        case "anc":
            return f"periksa kehamilan ke-{payload.get('contact')}"
        case "kf":
            return f"kunjungan nifas KF{payload.get('visit')}"
        case "kn":
            return f"membawa bayinya periksa KN{payload.get('visit')}"
        case "kb_pasca":
            return "ber-KB setelah melahirkan"
        case "imun":
            return f"membawa si kecil imunisasi ({_vaccines(payload)})"
        case "posyandu":
            return "membawa si kecil ke posyandu bulan ini"
    return item_label(text_key, payload).lower()


def schedule_line(day: date, label: str, *, until: date | None, overdue: bool) -> str:
    """ "31 Desember 2026 — Periksa kehamilan ke-2": the day of the check-up itself."""
    if overdue:
        when = "Secepatnya"
        label = f"{label} (jadwalnya {long_date(day)}" + (f", paling lambat {long_date(until)})" if until else ")")
    else:
        when = long_date(day)
        if until:
            label = f"{label} (paling lambat {long_date(until)})"
    return f"• {when} — {html.escape(label)}"


#: How /jadwal names her tablet reminder setting.
_TTD_MODES = {
    "mingguan": "ditanyakan seminggu sekali (aktif)",
    "harian": "setiap hari (aktif)",
    "mati": "mati",
}


def schedule(name: str, lines: list[str], *, ttd: str | None, window: str, tablets: str | None = None) -> str:
    """/jadwal; ``ttd`` is her tablet setting (``mingguan``/``harian``/``mati``, None: not
    pregnant) and ``tablets`` her count toward the goal, if she has answered."""
    head = f"📅 <b>Jadwal pengingat {html.escape(greeting(name))}</b>"
    body = "\n".join(lines) if lines else "Belum ada pengingat yang dijadwalkan."
    text = f"{head}\n\n{body}\n\nPesan dikirim siang hari ({window})."
    if ttd in _TTD_MODES:
        text += f"\nPengingat tablet tambah darah: {_TTD_MODES[ttd]}."
    if tablets:
        text += f"\n{tablets}"
    return text


def paused_schedule() -> str:
    return "Pengingat Bunda sedang berhenti. Ketik /mulai untuk menyalakannya lagi."


# -- the TPK member's side ------------------------------------------------------------------


def consent_notice(name: str, agreed: bool) -> str:
    who = html.escape(initial(name))
    if agreed:
        return f"✅ <b>{who}</b> setuju menerima pengingat dari TPK Bot. Pengingatnya mulai dikirim sesuai jadwal."
    return (
        f"ℹ️ <b>{who}</b> memilih <b>tidak</b> menerima pengingat dari TPK Bot. Tidak ada pesan yang dikirim "
        "kepadanya; pendampingan berjalan seperti biasa. Bila ia berubah pikiran, buat undangan baru."
    )


def stopped_notice(name: str) -> str:
    return (f"ℹ️ <b>{html.escape(initial(name))}</b> menghentikan pengingat dari TPK Bot (/berhenti). "
            "Pendampingan tetap berjalan seperti biasa.")


def resumed_notice(name: str) -> str:
    return f"✅ <b>{html.escape(initial(name))}</b> menyalakan lagi pengingat dari TPK Bot (/mulai)."


def unreachable_notice(name: str) -> str:
    return (
        f"⚠️ Pengingat untuk <b>{html.escape(initial(name))}</b> tidak bisa dikirim: ia memblokir TPK Bot atau "
        "menghapus Telegram. Pengingat dihentikan. Mohon tanyakan saat berkunjung; bila ia ingin menerima lagi, "
        "ia cukup membuka bot dan mengetik /mulai."
    )


def loss_notice(name: str) -> str:
    return (
        f"🕊️ Semua pengingat kehamilan dan bayi untuk <b>{html.escape(initial(name))}</b> sudah dihentikan. "
        "Mohon kunjungi ibu untuk memberi dukungan dan memastikan ia diperiksa bidan."
    )


def not_yet_notice(name: str, text_key: str, payload: Mapping[str, Any], *, answered: bool) -> str:
    why = "Ia menjawab «Belum» pada pengingat." if answered else "Pengingatnya belum dijawab."
    return (
        f"🔔 <b>{html.escape(initial(name))}</b> belum {html.escape(missing_action(text_key, payload))} — "
        f"mohon dikunjungi.\n{why}"
    )


def relative_day(due: date, today: date) -> str:
    """ "hari ini", "besok", "3 hari lagi", "terlambat 2 hari"."""
    days = (due - today).days
    if days == 0:
        return "hari ini"
    if days == 1:
        return "besok"
    if days > 1:
        return f"{days} hari lagi"
    return f"terlambat {-days} hari"


VISIT_BUTTON = "Catat kunjungan"
INVITE_BUTTON = "Undang ibu ke pengingat"
