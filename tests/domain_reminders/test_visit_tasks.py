"""TPK visit tasks per sasaran category, for the daily digest."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from bot.domain.reminder_plan import add_months
from bot.domain.schedule_config import ReminderConfig
from bot.domain.visit_tasks import VisitAnchors, plan_visit_tasks

HPHT = date(2026, 1, 5)


def test_ibu_hamil_visit_around_each_anc_contact(config: ReminderConfig) -> None:
    tasks = plan_visit_tasks("ibu_hamil", VisitAnchors(hpht=HPHT), None, config)
    around = [t for t in tasks if t.kind.startswith("kunjungan_anc_")]
    assert len(around) == len(config.anc.contact_weeks)
    for task, week in zip(around, config.anc.contact_weeks, strict=True):
        contact = HPHT + timedelta(weeks=week)
        assert task.due_date <= contact <= task.window_end
    assert around[2].label() == "Dampingi periksa kehamilan ke-3"


def test_ibu_hamil_monthly_cycle_restarts_from_the_last_visit(config: ReminderConfig) -> None:
    last_visit = HPHT + timedelta(weeks=15)
    tasks = plan_visit_tasks("ibu_hamil", VisitAnchors(hpht=HPHT), last_visit, config)
    routine = [t.due_date for t in tasks if t.kind == "kunjungan_rutin"]
    assert routine[0] == last_visit + timedelta(days=30)
    assert all(b - a == timedelta(days=30) for a, b in pairwise(routine))
    # the visit fell inside the window around contact 2 (week 14): that one is done
    assert "kunjungan_anc_2" not in {t.kind for t in tasks}


def test_ibu_hamil_visits_stop_at_birth(config: ReminderConfig) -> None:
    delivery = HPHT + timedelta(weeks=33)
    tasks = plan_visit_tasks(
        "ibu_hamil", VisitAnchors(hpht=HPHT, delivery_date=delivery), None, config
    )
    assert all(t.window_end < delivery for t in tasks)


def test_ibu_hamil_without_hpht_uses_registration(config: ReminderConfig) -> None:
    registered = date(2026, 3, 2)
    tasks = plan_visit_tasks("ibu_hamil", VisitAnchors(registered_on=registered), None, config)
    assert tasks[0].due_date == registered
    assert {t.kind for t in tasks} == {"kunjungan_rutin"}


def test_ibu_nifas_within_kf_windows(config: ReminderConfig) -> None:
    delivery = date(2026, 10, 1)
    tasks = plan_visit_tasks("ibu_nifas", VisitAnchors(delivery_date=delivery), None, config)
    assert [
        (t.kind, (t.due_date - delivery).days, (t.window_end - delivery).days) for t in tasks
    ] == [
        ("kunjungan_kf_1", 0, 2),
        ("kunjungan_kf_2", 3, 7),
        ("kunjungan_kf_3", 8, 28),
        ("kunjungan_kf_4", 29, 42),
    ]
    assert tasks[1].label() == "Kunjungan nifas KF2"


def test_baduta_then_balita_monthly(config: ReminderConfig) -> None:
    birth = date(2025, 5, 20)
    anchors = VisitAnchors(birth_date=birth)
    baduta = plan_visit_tasks("baduta", anchors, None, config)
    balita = plan_visit_tasks("balita", anchors, None, config)
    assert baduta[0].due_date == birth
    assert baduta[-1].window_end < add_months(birth, 24) <= balita[0].due_date
    assert balita[-1].window_end < add_months(birth, 60)
    assert {t.kind for t in baduta + balita} == {"kunjungan_rutin"}


def test_catin_monthly_in_the_three_months_before_the_wedding(config: ReminderConfig) -> None:
    wedding = date(2026, 12, 12)
    tasks = plan_visit_tasks("catin", VisitAnchors(wedding_date=wedding), None, config)
    assert [(t.kind, t.due_date, t.window_end) for t in tasks] == [
        ("kunjungan_catin_1", date(2026, 9, 12), date(2026, 10, 11)),
        ("kunjungan_catin_2", date(2026, 10, 12), date(2026, 11, 11)),
        ("kunjungan_catin_3", date(2026, 11, 12), date(2026, 12, 11)),
    ]
    done = plan_visit_tasks("catin", VisitAnchors(wedding_date=wedding), date(2026, 10, 20), config)
    assert [t.kind for t in done] == ["kunjungan_catin_1", "kunjungan_catin_3"]


def test_missing_anchor_means_no_tasks(config: ReminderConfig) -> None:
    for category in ("catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"):
        assert plan_visit_tasks(category, VisitAnchors(), None, config) == []
