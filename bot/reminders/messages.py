"""What each reminder says to the mother: short, kind Bahasa Indonesia, her first name at most.

One template per ``text_key`` of :mod:`bot.domain.reminder_plan`; the weekly pregnancy
message comes from the shipped bank (:mod:`bot.content.weekly`). Rendered at send time
from the stored row (key and payload), so a renamed mother or a corrected text needs no
re-planning. Dates and month names are Babel's (:mod:`bot.formatting`), like every other
date the bot prints. Pure: no clock, database or Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from bot.content.weekly import WeeklyContent, load_weekly_content
from bot.domain.reminder_plan import PayloadValue
from bot.formatting import long_date, month_name

_NAME = re.compile(r"[^\W\d_]+(?:['.-][^\W\d_]+)*")


def greeting(first_name: str | None) -> str:
    """ "Bunda Sari", or just "Bunda" when there is no plain first name to use.

    Only the first word, and only letters: a NIK or phone typed into a name field
    must never end up in a message.
    """
    words = (first_name or "").split()
    if words and len(words[0]) <= 30 and _NAME.fullmatch(words[0]):
        return f"Bunda {words[0]}"
    return "Bunda"


def _date(payload: Mapping[str, PayloadValue], name: str) -> str:
    return long_date(date.fromisoformat(str(payload[name])))


def _span(days: int) -> str:
    return f"{days // 7} minggu" if days >= 7 and days % 7 == 0 else f"{days} hari"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} dan {words[-1]}"


def _anc_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    # A reminder can go out after its visit date (she joined late in the pregnancy, or
    # the bot was down); "minggu ini" would then be untrue, so the text says so kindly.
    if on is not None and on > date.fromisoformat(str(p["visit_date"])):
        return (
            f"jadwal periksa kehamilan ke-{p['contact']} sekitar {_date(p, 'visit_date')}. Bila belum "
            "sempat, periksa secepatnya ke puskesmas atau bidan ya. Jangan lupa bawa Buku KIA."
        )
    return (
        f"minggu ini waktunya periksa kehamilan ke-{p['contact']} di puskesmas atau bidan "
        f"(sekitar {_date(p, 'visit_date')}). Jangan lupa bawa Buku KIA ya."
    )


#: The daily tablet texts, rotated by the row's ``variant`` (its date): several kind ways
#: of saying the same thing, so the daily reminder does not become wallpaper.
TTD_DAILY_TEXTS = (
    "jangan lupa minum 1 tablet tambah darah hari ini. Paling baik malam sebelum tidur, "
    "dengan air putih, bukan teh atau kopi.",
    "sudah minum tablet tambah darah hari ini? Satu tablet sehari membantu Bunda tidak mudah "
    "lelah dan si kecil tumbuh sehat.",
    "waktunya tablet tambah darah. Minum dengan air putih atau jus buah; teh, kopi, dan susu "
    "sebaiknya 2 jam sesudahnya.",
    "satu tablet tambah darah malam ini, ya. Bila terasa mual, minum sebelum tidur setelah makan.",
    "tablet tambah darah hari ini jangan terlewat. Zat besi mencegah anemia, demi Bunda dan si kecil.",
)


def _ttd_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    variant = p.get("variant", 0)
    index = variant if isinstance(variant, int) and not isinstance(variant, bool) else 0
    return TTD_DAILY_TEXTS[index % len(TTD_DAILY_TEXTS)]


def day_span(first: date, last: date) -> str:
    """ "17–23 November", or "28 November – 4 Desember" across two months."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {month_name(last.month)}"
    return f"{first.day} {month_name(first.month)} – {last.day} {month_name(last.month)}"


def _ttd_week_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    span = day_span(date.fromisoformat(str(p["from"])), date.fromisoformat(str(p["to"])))
    return (
        f"bagaimana tablet tambah darah Bunda minggu ini ({span})? Tekan «Sudah minum 7» bila "
        "tiap hari minum 1 tablet, atau «Kurang dari 7»."
    )


def _weekly_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    message = bank.minggu[int(str(p["week"]))]
    return f"usia kehamilan Bunda kini {p['week']} minggu. {message.janin} Tips: {message.tips}"


def _p4k_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"kehamilan Bunda sudah {p['week']} minggu. Yuk lengkapi rencana persalinan (P4K) "
        "bersama bidan: tempat dan penolong persalinan, biaya atau JKN, kendaraan, "
        "pendamping, dan calon pendonor darah."
    )


def _hpl_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"perkiraan lahir (HPL) si kecil tanggal {_date(p, 'hpl')}, sekitar "
        f"{_span(int(str(p['days_before'])))} lagi. Siapkan tas persalinan dan Buku KIA. "
        "Bila mulas teratur, keluar lendir darah, atau air ketuban pecah, segera ke bidan."
    )


def _kf_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"waktunya kunjungan nifas ke-{p['visit']} (KF{p['visit']}). Minta bidan memeriksa "
        f"kesehatan Bunda paling lambat {_date(p, 'until')}."
    )


def _kn_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        f"waktunya si kecil diperiksa bidan: kunjungan neonatal ke-{p['visit']} "
        f"(KN{p['visit']}), paling lambat {_date(p, 'until')}. Bawa Buku KIA ya."
    )


def _kb_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    return (
        "sudah memilih KB setelah melahirkan? Sebaiknya mulai paling lambat "
        f"{_date(p, 'until')}. Tanyakan kepada bidan KB yang aman untuk ibu menyusui."
    )


def _asi_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    day = int(str(p["day"]))
    if day < 30:
        return (
            "susui si kecil sesering ia mau, paling sedikit 8 kali sehari. ASI saja sudah "
            "cukup sampai usia 6 bulan, tanpa air putih, madu, atau susu formula."
        )
    return (
        f"si kecil sudah {day // 30} bulan. Hebat! Teruskan ASI saja sampai usia 6 bulan, "
        "lalu tambah MPASI dengan lauk hewani dan lanjutkan menyusui."
    )


def _imun_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    vaccines = p["vaccines"]
    # A tuple when planned, a list when read back from a stored row's JSON.
    names = [str(v) for v in vaccines] if isinstance(vaccines, tuple | list) else [str(vaccines)]
    return (
        f"waktunya imunisasi si kecil: {_join(names)}. Datang ke posyandu atau puskesmas "
        f"paling lambat {_date(p, 'until')}, bawa Buku KIA ya."
    )


def _posyandu_text(p: Mapping[str, PayloadValue], bank: WeeklyContent, on: date | None) -> str:
    text = (
        f"jangan lupa bawa si kecil ke posyandu bulan {month_name(int(str(p['month'])))} "
        "untuk ditimbang dan diukur panjang atau tingginya."
    )
    if p.get("vitamin_a"):
        capsule = p.get("vitamin_a_capsule")
        colour = f" {capsule}" if capsule in ("biru", "merah") else ""
        text += f" Bulan ini juga ada kapsul vitamin A{colour} gratis."
    if p.get("measurement_month"):
        text += " Bulan ini Bulan Penimbangan Balita."
    return text


_TEXTS: dict[str, Callable[[Mapping[str, PayloadValue], WeeklyContent, date | None], str]] = {
    "anc": _anc_text,
    "ttd": _ttd_text,
    "ttd_minggu": _ttd_week_text,
    "pekan": _weekly_text,
    "p4k": _p4k_text,
    "hpl": _hpl_text,
    "kf": _kf_text,
    "kn": _kn_text,
    "kb_pasca": _kb_text,
    "asi": _asi_text,
    "imun": _imun_text,
    "posyandu": _posyandu_text,
}

TEXT_KEYS = frozenset(_TEXTS)


def render_text(
    text_key: str,
    payload: Mapping[str, PayloadValue],
    *,
    first_name: str | None = None,
    bank: WeeklyContent | None = None,
    on: date | None = None,
) -> str:
    """The Indonesian message for a planned (or stored) reminder.

    Takes the text key and payload rather than the reminder so the dispatcher can render
    from a stored row; the name is read at send time, so renaming needs no re-planning,
    and ``on`` (her local date at sending) lets a late reminder say its date has passed.
    """
    try:
        body = _TEXTS[text_key]
    except KeyError:
        raise ValueError(f"no text for reminder key {text_key!r}") from None
    return f"{greeting(first_name)}, {body(payload, bank or load_weekly_content(), on)}"
