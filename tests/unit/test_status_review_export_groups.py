"""The pseudonymised export never lets a small group single anyone out (status review).

Before: team and care coordinator id were copied as they were (a team of two, a worker with
one person on the caseload), and the "fewer than 5" group itself could hold one person (the
only rare GP practice, the only interpreter language): that row was then theirs."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_person, make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.db import Database
from transition.export import (
    RARE_BELOW,
    RARE_FIELDS,
    RARE_PLAN_FIELDS,
    RARE_VALUE,
    pseudonym,
    pseudonymised_export,
)

KEY = b"k" * 32
AS_OF = date(2027, 1, 15)


def _export(database: Database, out: Path, key: bytes = KEY) -> tuple[list[dict[str, str]],
                                                                     list[dict[str, str]]]:
    with database.transaction() as session:
        pseudonymised_export(session, out_dir=out, key=key, as_of=AS_OF, actor="test")
    files = []
    for name in ("caseload.csv", "plan.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            files.append(list(csv.DictReader(handle)))
    return files[0], files[1]


def _groups(rows: list[dict[str, str]], field: str) -> dict[str, set[str]]:
    """Value (empty included) -> the people whose row shows it."""
    held: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        held[row[field]].add(row["pseudonym"])
    return held


def _assert_no_small_group(rows: list[dict[str, str]], fields: tuple[str, ...]) -> None:
    for field in fields:
        for value, people in _groups(rows, field).items():
            assert len(people) >= RARE_BELOW, (field, value, len(people))


def test_a_small_team_and_a_coordinator_with_few_people_are_withheld(
        database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        for index in range(12):
            make_person(session, team="North CMHT", care_coordinator_id=f"S{index % 2}")
        for _ in range(2):
            make_person(session, team="Forensic CMHT", care_coordinator_id="S9")
    caseload, _plan = _export(database, tmp_path / "out")
    teams = _groups(caseload, "team")
    coordinators = _groups(caseload, "care_coordinator_id")
    assert "Forensic CMHT" not in teams and "S9" not in coordinators
    _assert_no_small_group(caseload, ("team", "care_coordinator_id"))
    # The two were withheld with enough others that the mark holds 5 or more, and what is
    # left of those others is still 5 or more.
    assert len(teams[RARE_VALUE]) >= RARE_BELOW and len(teams["North CMHT"]) >= RARE_BELOW


def test_the_only_rare_value_is_withheld_among_at_least_five(database: Database,
                                                             tmp_path: Path) -> None:
    """One person has a GP practice no one else has and is the only one needing an
    interpreter: the mark must not be theirs alone."""
    with database.transaction() as session:
        for _ in range(30):
            make_person(session, gp_practice="Y00001")
        make_person(session, gp_practice="Y99999", interpreter_language="cantonese",
                    accessible_format="braille")
    caseload, _plan = _export(database, tmp_path / "out")
    for field in ("gp_practice", "interpreter_language", "accessible_format"):
        assert len(_groups(caseload, field)[RARE_VALUE]) >= RARE_BELOW, field
    assert "cantonese" not in {row["interpreter_language"] for row in caseload}
    _assert_no_small_group(caseload, RARE_FIELDS)


def test_a_blank_that_few_people_have_is_withheld_too(database: Database,
                                                      tmp_path: Path) -> None:
    """Two people with no team recorded are as rare as a team of two."""
    with database.transaction() as session:
        for _ in range(20):
            make_person(session)
        for _ in range(2):
            make_person(session, team=None)
    caseload, _plan = _export(database, tmp_path / "out")
    assert "" not in _groups(caseload, "team")
    _assert_no_small_group(caseload, RARE_FIELDS)


def test_who_holds_each_role_is_withheld_for_a_worker_with_few_people(
        database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        for staff_id in ("BIG", "LONE"):
            make_staff(session, staff_id)
        people = [make_person(session, pathway="council") for _ in range(10)]
        set_assignments(session, [
            NewAssignment(person.id, "social_worker", "LONE" if index == 0 else "BIG",
                          date(2027, 4, 1)) for index, person in enumerate(people)],
            actor="test")
    _caseload, plan = _export(database, tmp_path / "out")
    assert "LONE" not in {row["staff_id"] for row in plan}
    _assert_no_small_group(plan, RARE_PLAN_FIELDS)


@pytest.mark.parametrize("seed", range(6))
def test_no_value_shown_or_withheld_is_shared_by_fewer_than_five(
        database: Database, tmp_path: Path, seed: int) -> None:
    """Made-up caseloads of many small and a few large groups, blanks included."""
    chance = random.Random(seed)

    def pick(*values: Any) -> Any:
        return chance.choice(values)

    with database.transaction() as session:
        for _ in range(chance.randint(8, 90)):
            make_person(
                session,
                date_of_birth=date(chance.randint(1930, 2008), 6, 1),
                gender=pick("male", "female", "female", "non_binary", None),
                postcode=pick("WX1 2AB", "WX2 3CD", "WX9 9ZZ", None),
                locality=pick("North", "South", None),
                team=pick("North CMHT", "South CMHT", "Early Intervention", None),
                care_coordinator_id=pick(*(f"S{n}" for n in range(8)), None),
                gp_practice=pick("Y00001", "Y00001", "Y00002", "Y00003", None),
                interpreter_language=pick(None, None, None, "polish", "cantonese"),
                accessible_format=pick(None, None, None, None, "braille", "easy_read"),
            )
    caseload, _plan = _export(database, tmp_path / "out")
    _assert_no_small_group(caseload, RARE_FIELDS)


def test_which_rows_take_the_mark_follows_the_key_not_the_pseudonym_order(
        database: Database, tmp_path: Path) -> None:
    """Were the extra rows those of the smallest pseudonyms, a partner would know that any
    withheld row above the smallest shown one was a rare value."""
    with database.transaction() as session:
        for _ in range(40):
            make_person(session, gp_practice="Y00001")
        rare = pseudonym(KEY, make_person(session, gp_practice="Y99999").nhs_number)
    caseload, _plan = _export(database, tmp_path / "out")
    withheld = _groups(caseload, "gp_practice")[RARE_VALUE]
    shown = _groups(caseload, "gp_practice")["Y00001"]
    assert rare in withheld and len(withheld) == RARE_BELOW
    assert not all(extra < min(shown) for extra in withheld - {rare})
    again, _plan = _export(database, tmp_path / "again")
    assert again == caseload  # the same key and data: the same rows


def test_a_value_shown_is_still_formula_neutralised(database: Database, tmp_path: Path) -> None:
    """(What tests/cli/test_data_protection.py checks with one person, whose team of one is
    now withheld.)"""
    with database.transaction() as session:
        for _ in range(RARE_BELOW):
            make_person(session, team="=HYPERLINK(\"http://x\")", locality="+north")
    _export(database, tmp_path / "out")
    text = (tmp_path / "out" / "caseload.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+north" in text
