"""How screens write values: ISO dates inside domain sentences become UK dates."""

import pytest

from transition.widgets.format import recorded_value, uk_dates_in, worker_label


def test_iso_dates_in_a_sentence_are_written_the_uk_way() -> None:
    assert uk_dates_in("leaving on 2027-03-31") == "leaving on 31 Mar 2027"
    assert uk_dates_in("2026-11-18 (2 days before)") == "18 Nov 2026 (2 days before)"
    assert uk_dates_in("from 2027-01-04 to 2027-04-01") == "from 4 Jan 2027 to 1 Apr 2027"


def test_text_without_a_real_date_is_left_alone() -> None:
    assert uk_dates_in("3 missed appointments") == "3 missed appointments"
    assert uk_dates_in("ref 2027-13-40") == "ref 2027-13-40"
    assert uk_dates_in("9990000018") == "9990000018"


def test_recorded_values_read_as_words() -> None:
    assert recorded_value({"staff_id": "SW1", "locked": False, "since": "2027-04-01"}) == (
        "staff id SW1 · locked no · since 1 Apr 2027")
    assert recorded_value(["nutrition", "hygiene"]) == "nutrition, hygiene"
    assert recorded_value([]) == "(none)" and recorded_value({}) == "(none)"
    assert recorded_value(None) == "—" and recorded_value(True) == "yes"
    assert recorded_value(3) == "3" and recorded_value("joint") == "joint"


@pytest.mark.parametrize(
    ("name", "staff_id", "shown"),
    [
        ("Kerry Carter", "WC11226", "Kerry Carter (WC11226)"),  # fits: as it is
        ("Zoë Richardson", "WC18763", "Z. Richardson (WC18763)"),  # the given name gives way
        ("Maximilian Featherstonehaugh", "WC12345", "M. Featherst… (WC12345)"),  # then the rest
        ("Cher", "WC1", "Cher (WC1)"),
    ],
)
def test_a_worker_label_keeps_the_staff_id_whole(name: str, staff_id: str, shown: str) -> None:
    assert worker_label(name, staff_id, 23) == shown
    assert len(worker_label(name, staff_id, 23)) <= 23
