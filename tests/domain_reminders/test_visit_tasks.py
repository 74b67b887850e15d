"""TPK visit tasks per sasaran category, for the daily digest."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from bot.domain.reminder_plan import add_months
from bot.domain.schedule_config import DayWindow, ReminderConfig, RoutineVisitConfig
from bot.domain.visit_tasks import VisitAnchors, child_category, outstanding, plan_visit_tasks

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


def test_a_child_is_visited_monthly_from_birth_to_60_months_whatever_was_typed(config: ReminderConfig) -> None:
    birth = date(2025, 5, 20)
    anchors = VisitAnchors(birth_date=birth)
    as_baduta = plan_visit_tasks("baduta", anchors, None, config)
    # A "baduta" record of a child now 25 months old still gets its monthly visits (as a
    # balita): the stored category is what was typed two years ago.
    assert as_baduta == plan_visit_tasks("balita", anchors, None, config)
    assert as_baduta[0].due_date == birth
    assert any(t.due_date >= add_months(birth, 24) for t in as_baduta)
    assert as_baduta[-1].window_end < add_months(birth, 60)
    assert {t.kind for t in as_baduta} == {"kunjungan_rutin"}
    later = date(2030, 6, 1)  # 60 months and more: out of the target groups, nothing new
    assert [t for t in as_baduta if t.due_date >= add_months(birth, 60)] == []
    assert outstanding(as_baduta, today=later, lookahead_days=3, last_visit_on=date(2030, 5, 10),
                       registered_on=birth) == []


def test_the_child_category_follows_the_calendar() -> None:
    birth = date(2024, 2, 29)
    assert child_category(birth, date(2026, 2, 27)) == "baduta"
    assert child_category(birth, date(2026, 2, 28)) == "balita"  # 24 months: the day after 27 Feb (clipped)
    assert child_category(birth, date(2029, 2, 27)) == "balita"
    assert child_category(birth, date(2029, 2, 28)) is None


def test_balita_interval_applies_from_24_months(config: ReminderConfig) -> None:
    slow = config.model_copy(update={"visits": config.visits.model_copy(
        update={"balita": RoutineVisitConfig(interval_days=90, window_days=14)})})
    birth = date(2024, 1, 10)
    tasks = plan_visit_tasks("baduta", VisitAnchors(birth_date=birth), None, slow)
    after = [t.due_date for t in tasks if t.due_date >= add_months(birth, 24)]
    assert all((b - a).days == 90 for a, b in pairwise(after))
    before = [t.due_date for t in tasks if t.due_date < add_months(birth, 24)]
    assert all((b - a).days == 30 for a, b in pairwise(before))


def test_nifas_tasks_end_on_day_42(config: ReminderConfig) -> None:
    wide = config.model_copy(update={"postpartum": config.postpartum.model_copy(update={"kf": (
        DayWindow(start_day=0, end_day=2), DayWindow(start_day=29, end_day=50), DayWindow(start_day=45, end_day=55))})})
    delivery = date(2026, 10, 1)
    tasks = plan_visit_tasks("ibu_nifas", VisitAnchors(delivery_date=delivery), None, wide)
    assert [(t.kind, (t.window_end - delivery).days) for t in tasks] == [("kunjungan_kf_1", 2), ("kunjungan_kf_2", 42)]


def test_post_term_pregnancy_gets_a_referral_at_42_weeks_and_an_update_past_44(config: ReminderConfig) -> None:
    anchors = VisitAnchors(hpht=HPHT, registered_on=HPHT + timedelta(weeks=10))
    tasks = plan_visit_tasks("ibu_hamil", anchors, None, config)
    refer = next(t for t in tasks if t.kind == "pascaterm_rujuk")
    stale = next(t for t in tasks if t.kind == "pascaterm_perbarui")
    assert refer.due_date == HPHT + timedelta(weeks=42)
    assert stale.due_date == HPHT + timedelta(weeks=44, days=1)
    assert "rujuk" in refer.label() and "perbarui" in stale.label()

    def owed(on: date, last_visit: date | None) -> list[str]:
        return [t.kind for t in outstanding(tasks, today=on, lookahead_days=0, last_visit_on=last_visit,
                                            registered_on=anchors.registered_on)]

    day_before_42 = HPHT + timedelta(weeks=42, days=-1)
    assert "pascaterm_rujuk" not in owed(day_before_42, day_before_42)
    assert "pascaterm_rujuk" in owed(HPHT + timedelta(weeks=42), day_before_42)
    # a visit at 43 weeks settles the referral task, not the stale record
    at_43 = HPHT + timedelta(weeks=43)
    assert owed(at_43 + timedelta(days=1), at_43) == []
    at_44 = HPHT + timedelta(weeks=44)
    assert "pascaterm_perbarui" not in owed(at_44, at_43)
    past_44 = at_44 + timedelta(days=1)
    assert owed(past_44, past_44) == ["pascaterm_perbarui"], "a visit does not update the record"
    assert owed(past_44 + timedelta(days=200), past_44) == ["pascaterm_perbarui"], "never silent"
    # registered long after it was stale: still owed
    late = VisitAnchors(hpht=HPHT, registered_on=HPHT + timedelta(weeks=50))
    assert "pascaterm_perbarui" in [t.kind for t in outstanding(
        plan_visit_tasks("ibu_hamil", late, None, config), today=HPHT + timedelta(weeks=50), lookahead_days=0,
        last_visit_on=None, registered_on=late.registered_on)]
    # after the birth there is no post-term task
    born = VisitAnchors(hpht=HPHT, delivery_date=HPHT + timedelta(weeks=39))
    assert not [t for t in plan_visit_tasks("ibu_hamil", born, None, config) if t.kind.startswith("pascaterm")]


def test_late_tasks_stay_until_visited_or_closed(config: ReminderConfig) -> None:
    delivery = date(2026, 10, 1)
    tasks = plan_visit_tasks("ibu_nifas", VisitAnchors(delivery_date=delivery), None, config)

    def owed(on: date, last_visit: date | None = None, closed: tuple[str, ...] = ()) -> list[str]:
        return [t.kind for t in outstanding(tasks, today=on, lookahead_days=0, last_visit_on=last_visit,
                                            registered_on=delivery, closed=closed)]

    much_later = delivery + timedelta(days=120)
    assert owed(much_later) == ["kunjungan_kf_1", "kunjungan_kf_2", "kunjungan_kf_3", "kunjungan_kf_4"]
    kf1 = tasks[0]
    assert kf1.days_late(much_later) == 118 and kf1.target == delivery + timedelta(days=2)
    # one late visit settles everything that was open before it
    assert owed(much_later, last_visit=delivery + timedelta(days=30)) == []
    assert owed(much_later, last_visit=delivery + timedelta(days=10)) == ["kunjungan_kf_4"]
    assert owed(much_later, closed=(kf1.key,)) == ["kunjungan_kf_2", "kunjungan_kf_3", "kunjungan_kf_4"]


def test_missed_months_are_one_late_visit(config: ReminderConfig) -> None:
    birth = date(2025, 1, 1)
    tasks = plan_visit_tasks("baduta", VisitAnchors(birth_date=birth, registered_on=birth), birth, config)
    owed = outstanding(tasks, today=date(2025, 6, 1), lookahead_days=3, last_visit_on=birth, registered_on=birth)
    assert [(t.kind, t.due_date) for t in owed] == [("kunjungan_rutin", birth + timedelta(days=30))]


def test_tasks_from_before_registration_are_not_owed(config: ReminderConfig) -> None:
    registered = HPHT + timedelta(weeks=25)
    tasks = plan_visit_tasks("ibu_hamil", VisitAnchors(hpht=HPHT, registered_on=registered), None, config)
    owed = outstanding(tasks, today=registered, lookahead_days=3, last_visit_on=None, registered_on=registered)
    assert "kunjungan_anc_1" not in {t.kind for t in owed}


def test_the_anc_visit_is_late_only_after_the_contact_date(config: ReminderConfig) -> None:
    tasks = plan_visit_tasks("ibu_hamil", VisitAnchors(hpht=HPHT), None, config)
    anc3 = next(t for t in tasks if t.kind == "kunjungan_anc_3")
    contact = HPHT + timedelta(weeks=config.anc.contact_weeks[2])
    assert anc3.due_date < contact and anc3.target == contact
    assert anc3.days_late(contact - timedelta(days=2)) < 0
    assert anc3.days_late(contact) == 0 and anc3.days_late(contact + timedelta(days=1)) == 1


def test_catin_whose_wedding_has_passed_gets_a_task_to_record_it(config: ReminderConfig) -> None:
    wedding = date(2026, 12, 12)
    tasks = plan_visit_tasks("catin", VisitAnchors(wedding_date=wedding), None, config)
    registered = date(2026, 11, 20)
    owed = outstanding(tasks, today=date(2026, 12, 20), lookahead_days=0, last_visit_on=date(2026, 11, 20),
                       registered_on=registered)
    assert [t.kind for t in owed] == ["catin_menikah"]
    assert owed[0].due_date == date(2026, 12, 13) and "catat pernikahan" in owed[0].label()
    assert outstanding(tasks, today=date(2026, 12, 12), lookahead_days=0, last_visit_on=date(2026, 11, 20),
                       registered_on=registered) == [], "not before the wedding has passed"
    assert outstanding(tasks, today=date(2027, 3, 1), lookahead_days=0, last_visit_on=date(2026, 12, 20),
                       registered_on=registered) == [], "a visit after the wedding records it"


def test_catin_monthly_in_the_three_months_before_the_wedding(config: ReminderConfig) -> None:
    wedding = date(2026, 12, 12)
    tasks = plan_visit_tasks("catin", VisitAnchors(wedding_date=wedding), None, config)
    assert [(t.kind, t.due_date, t.window_end) for t in tasks if t.kind != "catin_menikah"] == [
        ("kunjungan_catin_1", date(2026, 9, 12), date(2026, 10, 11)),
        ("kunjungan_catin_2", date(2026, 10, 12), date(2026, 11, 11)),
        ("kunjungan_catin_3", date(2026, 11, 12), date(2026, 12, 11)),
    ]
    done = plan_visit_tasks("catin", VisitAnchors(wedding_date=wedding), date(2026, 10, 20), config)
    assert [t.kind for t in done] == ["kunjungan_catin_1", "kunjungan_catin_3", "catin_menikah"]


def test_missing_anchor_means_no_tasks(config: ReminderConfig) -> None:
    for category in ("catin", "ibu_hamil", "ibu_nifas", "baduta", "balita"):
        assert plan_visit_tasks(category, VisitAnchors(), None, config) == []
