"""How screens write values: ISO dates inside domain sentences become UK dates."""

from transition.widgets.format import recorded_value, uk_dates_in


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
