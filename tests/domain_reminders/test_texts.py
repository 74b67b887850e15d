"""What the mother reads: short Indonesian texts, a first name at most, no numbers of hers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.content.weekly import CONTENT_WEEKS, load_weekly_content
from bot.domain.reminder_plan import PlanFacts, PlannedReminder, plan_all
from bot.domain.schedule_config import ReminderConfig
from bot.formatting import long_date, month_name
from bot.reminders.messages import TEXT_KEYS, greeting, render_text
from bot.reminders.texts import item_label

HPHT = date(2026, 1, 5)


def render(item: PlannedReminder, *, first_name: str | None) -> str:
    """What the dispatcher sends for a planned item (it renders from the stored key and payload)."""
    return render_text(item.text_key, item.payload, first_name=first_name)


def test_content_bank_covers_every_week_4_to_42() -> None:
    bank = load_weekly_content()
    assert set(bank.minggu) == set(CONTENT_WEEKS) == set(range(4, 43))
    for message in bank.minggu.values():
        assert message.janin.endswith(".") and message.tips.endswith(".")


def test_anc_text_reads_like_the_brief(config: ReminderConfig) -> None:
    anc_4 = next(i for i in plan_all(PlanFacts(hpht=HPHT), config) if i.kind == "anc_4")
    text = render(anc_4, first_name="Sari Wulandari")
    assert text.startswith("Bunda Sari, minggu ini waktunya periksa kehamilan ke-4")
    assert "puskesmas" in text


def test_every_planned_kind_renders_short_and_without_personal_numbers(
    config: ReminderConfig,
) -> None:
    facts = PlanFacts(hpht=HPHT, delivery_date=HPHT + timedelta(days=275), ttd_enabled=True)
    # The weekly tablet check-in (the default) and the daily reminder (her choice).
    plan = [*plan_all(facts, config), *(i for i in plan_all(replace(facts, ttd_daily=True), config)
                                       if i.text_key == "ttd")]
    assert {i.text_key for i in plan} == TEXT_KEYS
    for item in plan:
        text = render(item, first_name="Ani")
        assert text.startswith("Bunda Ani, ")
        assert len(text) <= 400, item.kind
        assert not re.search(r"\d{6,}", text), item.kind  # nothing NIK- or phone-like


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Siti Aminah", "Bunda Siti"),
        ("  nur  ", "Bunda nur"),
        ("3604014512900001", "Bunda"),  # a NIK typed into the name field
        ("081234567890", "Bunda"),
        ("", "Bunda"),
        (None, "Bunda"),
    ],
)
def test_greeting_uses_a_first_name_or_bunda(name: str | None, expected: str) -> None:
    assert greeting(name) == expected


def test_renders_from_a_stored_row_payload() -> None:
    """JSON gives lists back, not tuples; the dispatcher renders from the row."""
    text = render_text(
        "imun", {"vaccines": ["BCG", "Polio tetes 1"], "until": "2026-03-01"}, first_name=None
    )
    assert text == (
        "Bunda, waktunya imunisasi si kecil: BCG dan Polio tetes 1. Datang ke posyandu atau "
        "puskesmas paling lambat 1 Maret 2026, bawa Buku KIA ya."
    )


def test_an_anc_reminder_sent_after_its_date_says_so() -> None:
    payload = {"contact": 4, "visit_date": "2026-11-20"}
    for on in (None, date(2026, 11, 17), date(2026, 11, 20)):
        assert "minggu ini waktunya periksa kehamilan ke-4" in render_text("anc", payload, on=on)
    late = render_text("anc", payload, on=date(2026, 11, 21))
    assert late == ("Bunda, jadwal periksa kehamilan ke-4 sekitar 20 November 2026. Bila belum sempat, periksa "
                    "secepatnya ke puskesmas atau bidan ya. Jangan lupa bawa Buku KIA.")


def test_hpl_countdown_in_weeks_or_days() -> None:
    two_weeks = render_text("hpl", {"days_before": 14, "hpl": "2026-10-12"})
    assert "12 Oktober 2026, sekitar 2 minggu lagi" in two_weeks
    assert "sekitar 3 hari lagi" in render_text("hpl", {"days_before": 3, "hpl": "2026-10-12"})


def test_posyandu_mentions_vitamin_a_and_june() -> None:
    feb = render_text("posyandu", {"month": 2, "vitamin_a": True, "measurement_month": False})
    assert "bulan Februari" in feb and "vitamin A" in feb
    june = render_text("posyandu", {"month": 6, "vitamin_a": False, "measurement_month": True})
    assert "Bulan Penimbangan Balita" in june and "vitamin A" not in june


def test_unknown_text_key_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_text("nope", {})


def test_month_names_are_babels_everywhere() -> None:
    """One source of month names: the posyandu reminder, the /jadwal line and every date agree."""
    names = [month_name(month) for month in range(1, 13)]
    assert names[0] == "Januari" and names[7] == "Agustus" and names[11] == "Desember"
    for month, name in enumerate(names, start=1):
        assert long_date(date(2026, month, 9)) == f"9 {name} 2026"
        assert f"bulan {name} " in render_text("posyandu", {"month": month})
        assert item_label("posyandu", {"month": month}) == f"Posyandu bulan {name}"
