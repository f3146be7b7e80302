"""Staff ids typed or exported in another case than the staff list's."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from transition.db import Database
from transition.errors import NotFoundError
from transition.staff_ids import by_folded_case, find_staff_id, require_staff_id


def test_only_spellings_that_one_id_has_are_folded() -> None:
    index = by_folded_case(["SW1", "sw2", "Kw1", "KW1", "kw1", "SW1"])
    assert index == {"sw1": "SW1", "sw2": "sw2"}  # kw1 could be any of three: never guessed


def test_an_id_is_found_exactly_then_by_case(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "SW0042")
        make_staff(session, "ab1")
        make_staff(session, "AB1")
    with database.session() as session:
        assert find_staff_id(session, "SW0042") == "SW0042"
        assert find_staff_id(session, " sw0042 ") == "SW0042"
        assert find_staff_id(session, "ab1") == "ab1" and find_staff_id(session, "AB1") == "AB1"
        assert find_staff_id(session, "Ab1") is None  # two workers: the exact id is needed
        assert find_staff_id(session, "") is None
        with pytest.raises(NotFoundError, match="No worker with staff id 'SW9'"):
            require_staff_id(session, "SW9")
