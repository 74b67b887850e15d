"""What to do next about each health flag: the one reviewed table of texts.

A flag on a review screen or a confirmation is only useful when the TPK member knows
the next step, so every member-level flag code (``bot.domain.risk.RiskCode``) and the
post-term pregnancy has one short line here, reviewed together so the wording stays
consistent: KEK → PMT and the puskesmas; anaemia → TTD and a check; stunted, wasted,
2T, very low weight and post-term → referral; BBLR → KN visits and monthly weighing.
"""

from __future__ import annotations

from collections.abc import Iterable

#: code → (short name of the flag, the next step).
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "kek": ("KEK", "beri PMT ibu dan ajak periksa ke puskesmas."),
    "anaemia": ("Anemia", "pastikan minum TTD tiap hari dan periksa Hb ulang."),
    "short_mother": ("Tinggi ibu < 145 cm", "rencanakan persalinan di fasilitas kesehatan."),
    "low_imt": ("IMT kurang", "beri PMT dan konseling gizi sebelum hamil."),
    "stunted_child": ("Stunting", "rujuk ke puskesmas dan dampingi tiap bulan."),
    "wasted_child": ("Wasting", "rujuk ke puskesmas untuk tata laksana gizi."),
    "underweight_child": ("BB kurang", "timbang tiap bulan di posyandu; bila di bawah −3 SD, rujuk ke puskesmas."),
    "bblr": ("BBLR", "pastikan kunjungan neonatal (KN1–KN3) dan timbang berat tiap bulan."),
    "short_birth_length": ("Lahir pendek", "ukur panjang badan tiap bulan dan dukung ASI eksklusif."),
    "kms_2t": ("2T", "rujuk ke puskesmas: berat tidak naik dua bulan berturut-turut."),
    "post_term": ("Lewat waktu (≥ 42 minggu)", "rujuk ke puskesmas/rumah sakit dan kunjungi ibu."),
}


def next_step(code: str) -> str | None:
    """"KEK → beri PMT ibu dan ajak periksa ke puskesmas." (None for a family-level code)."""
    entry = NEXT_STEPS.get(code)
    return f"{entry[0]} → {entry[1]}" if entry else None


def next_steps(codes: Iterable[str]) -> list[str]:
    """One line per flag, in the order given, each flag once."""
    seen: dict[str, None] = dict.fromkeys(codes)
    return [line for line in (next_step(code) for code in seen) if line]
