"""One function names the growth indices for the age (issue 16): PB/U and BB/PB under 24 months,
TB/U and BB/TB from 24 months, and a z-score that rounds to zero never reads "-0"."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.growth import GrowthAssessment, HeightStatus, NutritionStatus, WeightForAgeStatus
from bot.labels import fit_button, growth_summary, under_two


def _growth(haz: float, waz: float, whz: float) -> GrowthAssessment:
    return GrowthAssessment(haz=haz, waz=waz, whz=whz, height_status=HeightStatus.PENDEK,
                            weight_for_age_status=WeightForAgeStatus.NORMAL, nutrition_status=NutritionStatus.GIZI_BAIK,
                            length_height_cm=70.0, implausible=())


def test_the_names_follow_the_age() -> None:
    young = growth_summary(_growth(-2.31, -1.02, 0.12), True)
    assert young is not None and young.startswith("PB/U pendek (-2,31)") and "BB/PB" in young
    assert "TB/U" not in young and "BB/TB" not in young
    older = growth_summary(_growth(-2.31, -1.02, 0.12), False)
    assert older is not None and older.startswith("TB/U") and "BB/TB" in older and "PB" not in older


def test_the_boundary_is_24_months() -> None:
    born = date(2024, 1, 15)
    assert under_two(born, date(2025, 12, 31))
    assert not under_two(born, date(2026, 1, 16))


@given(st.floats(min_value=-0.0049, max_value=0.0049))
def test_never_minus_zero(z: float) -> None:
    text = growth_summary(_growth(z, z, z), True)
    assert text is not None and "-0" not in text and "(0)" in text


@given(st.text(alphabet=st.sampled_from("abc defgh,—"), max_size=120), st.integers(8, 60))
def test_a_button_label_is_cut_at_a_word_boundary(text: str, width: int) -> None:
    label = fit_button(text, width)
    whole = " ".join(text.split())
    assert len(label) <= width
    if label == whole:
        return
    assert label.endswith("…")
    kept = label[:-1]
    cut_inside_a_word = " " not in whole[:width - 1]
    assert whole.startswith(kept) and (cut_inside_a_word or whole[len(kept):][:1] in (" ", ",", "—", "")
                                       or not kept or kept[-1] in " ,—")


def test_a_long_sasaran_label() -> None:
    assert fit_button("Siti Aminah Nurhayati — Ibu hamil, 23 minggu (Sukawana)", 36) == \
        "Siti Aminah Nurhayati — Ibu hamil…"
    assert fit_button("Siti Aminah Nurhayati binti Abdullah Syarifuddin — Ibu hamil, 23 minggu (Sukawana)") == \
        "Siti Aminah Nurhayati binti Abdullah Syarifuddin — Ibu…"


def test_each_question_has_an_example_that_fits_its_subject() -> None:
    from conversations.forms.fields import DecimalField, Invalid

    height = DecimalField(key="tinggi", label="Tinggi", prompt="?", min_value=40, max_value=200, unit="cm",
                          example="85,5")
    said = {}
    for kind in ("ibu_hamil", "baduta", "balita"):
        try:
            height.parse("tinggi sekali", {"kategori": kind}, None)  # type: ignore[arg-type]
        except Invalid as exc:
            said[kind] = exc.message
    assert said == {"ibu_hamil": "Tulis angka, misalnya 152 cm.", "baduta": "Tulis angka, misalnya 68,5 cm.",
                    "balita": "Tulis angka, misalnya 92 cm."}


def test_the_whole_labels_are_listed_only_when_a_button_cut_one() -> None:
    from bot.labels import whole_labels

    short = ["Siti Aminah — Ibu hamil (Sukawana)"]
    assert whole_labels(short) == ""
    long = [*short, "Raden Ajeng Siti Nurhaliza Kusumawardhani — Ibu hamil, 23 minggu (Kel. Sukawana)"]
    listing = whole_labels(long)
    assert listing.splitlines()[1:] == [f"• {label}" for label in long]
