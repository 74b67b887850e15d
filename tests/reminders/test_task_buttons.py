"""The task buttons' callback data (``tg:``) and what counts as a visit request."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.reminders.planning import visit_markup, visit_target
from bot.reminders.visit_digest import (
    CLOSE_REASONS,
    TaskPress,
    close_ask_data,
    close_data,
    keep_data,
    parse_task_press,
    request_label,
)

IDS = st.integers(1, 2**63 - 1)


@given(IDS, st.sampled_from(sorted(CLOSE_REASONS.values())))
def test_every_task_button_round_trips_within_64_bytes(sasaran_id: int, reason: str) -> None:
    for data, press in ((close_ask_data(sasaran_id), TaskPress("t", sasaran_id)),
                        (keep_data(sasaran_id), TaskPress("k", sasaran_id)),
                        (close_data(sasaran_id, reason), TaskPress("r", sasaran_id, reason))):
        assert len(data.encode()) <= 64
        assert parse_task_press(data) == press


@given(st.text(max_size=70))
def test_junk_never_raises_and_only_well_formed_data_parses(data: str) -> None:
    press = parse_task_press(data)
    if press is not None:
        rebuilt = {"t": close_ask_data, "k": keep_data}.get(press.action)
        assert data == (rebuilt(press.sasaran_id) if rebuilt else close_data(press.sasaran_id, press.reason or ""))


def test_digits_must_be_plain_ascii_and_in_range() -> None:
    for data in ("tg:t:²", "tg:t:٣", "tg:t:01", "tg:t:0", "tg:t:9223372036854775808", "tg:t:-1", "tg:t:1:p",
                 "tg:r:1", "tg:r:1:z", "tg:k", "kj:new:1", "tg:t: 1"):
        assert parse_task_press(data) is None, data
    assert parse_task_press("tg:t:9223372036854775807") == TaskPress("t", 2**63 - 1)


def test_a_visit_request_is_a_notice_with_exactly_the_visit_button() -> None:
    assert visit_target(visit_markup(42)) == 42
    assert visit_target(None) is None
    assert visit_target([*visit_markup(1), *visit_markup(2)]) is None, "a digest lists many"
    assert visit_target([[{"text": "x", "callback_data": "kj:new:²"}]]) is None
    assert visit_target([[{"text": "x", "callback_data": "rk:dg:on:-"}]]) is None


def test_the_request_label_is_the_notice_first_line_in_plain_words() -> None:
    assert request_label("🔔 <b>Ibu Y.</b> belum periksa kehamilan ke-3 — mohon dikunjungi.\nPengingatnya belum "
                         "dijawab.") == "Ibu Y. belum periksa kehamilan ke-3 — mohon dikunjungi"
    assert request_label("") == "Mohon dikunjungi"
    assert request_label("🏥 Anak &amp; ibu") == "Anak & ibu"
