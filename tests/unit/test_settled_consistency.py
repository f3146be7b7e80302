"""The planner and the nightly check agree on every person settled with their worker (their
handover has passed): a re-plan moves them exactly when ``worker_unavailable`` flags the
worker, for any staff state (leaving, gone, off the staff list, absences short, long, planned
or with no return date) and any setting of the thresholds (back_within_days included)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.check_world import (
    RULES,
    TRANSFER,
    caseload_import,
    check,
    of,
    person,
    with_transfer,
)
from tests.conftest import ACTOR
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.check_findings.workers import settled_reason
from transition.db import Database
from transition.matching import Need, Worker
from transition.plan_inputs import settled_unavailable, stays_until
from transition.planning import propose_plan

PASSED = date(2027, 1, 4)
BEFORE, AFTER = date(2027, 3, 1), date(2027, 5, 3)  # either side of the transfer date


def _state(rng: random.Random, as_of: date, batch_id: int) -> dict[str, Any]:
    """A worker's staff fields, drawn to land on either side of every threshold."""
    fields: dict[str, Any] = {}
    if rng.random() < 0.4:
        fields["leaving_date"] = as_of + timedelta(days=rng.randint(-10, 90))
    kind = rng.choice(["none", "under_way", "begun_on", "planned", "no_return"])
    if kind == "under_way":
        fields["absent_until"] = as_of + timedelta(days=rng.randint(-3, 60))
    elif kind == "begun_on":
        fields["absent_from"] = as_of - timedelta(days=rng.randint(0, 20))
        fields["absent_until"] = as_of + timedelta(days=rng.randint(-1, 60))
    elif kind == "planned":
        start = as_of + timedelta(days=rng.randint(1, 20))
        fields["absent_from"] = start
        fields["absent_until"] = start + timedelta(days=rng.randint(0, 60))
    elif kind == "no_return":
        fields["absent_from"] = as_of + timedelta(days=rng.randint(-10, 10))
    if rng.random() < 0.1:
        fields["missing_since_batch_id"] = batch_id
    return fields


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_a_plan_moves_a_settled_person_exactly_when_the_check_flags_their_worker(
    database: Database, seed: int
) -> None:
    rng = random.Random(seed)
    as_of = BEFORE if seed % 2 else AFTER
    people: dict[str, str] = {}
    states: dict[str, dict[str, Any]] = {}
    with database.transaction() as session:
        with_transfer(session)
        batch = caseload_import(session, as_of - timedelta(days=1))
        assert batch.id is not None
        make_staff(session, "STAYER", capacity=200)
        for number in range(30):
            staff_id = f"W{number:02d}"
            states[staff_id] = _state(rng, as_of, batch.id)
            make_staff(session, staff_id, **states[staff_id])
            own = PASSED if as_of < TRANSFER else None
            made = person(session, coordinator="TRUST1", handover_date=own)
            assert made.id is not None
            set_assignments(session, [NewAssignment(made.id, "social_worker", staff_id,
                                                    own or TRANSFER)], actor=ACTOR)
            people[staff_id] = made.nhs_number
    flagged = {finding.staff_id for finding in of(check(database, as_of), "worker_unavailable")}
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=as_of, actor=ACTOR, refresh=False)
    rows = {row.nhs_number: row for row in result.rows}
    moved = {staff_id for staff_id, nhs_number in people.items()
             if not rows[nhs_number].kept}
    assert moved == flagged, {staff_id: states[staff_id] for staff_id in moved ^ flagged}
    # Both outcomes are drawn: the test can tell a rule that moves everyone or no one.
    assert flagged and flagged != set(people)
    for staff_id in moved:  # to someone the check would not flag
        assert rows[people[staff_id]].staff_id not in (flagged | {staff_id, None})


_offset = st.one_of(st.none(), st.integers(-40, 120))


@settings(max_examples=400, deadline=None)
@given(
    as_of=st.sampled_from([BEFORE, TRANSFER - timedelta(days=1), AFTER]),
    leaving=_offset, absent_from=_offset, absent_until=_offset,
    on_staff_list=st.booleans(),
    leaving_within=st.integers(0, 40), long_term=st.integers(1, 60),
    back_within=st.integers(0, 90),
)
def test_the_planners_test_and_the_checks_are_one_rule(
    as_of: date, leaving: int | None, absent_from: int | None, absent_until: int | None,
    on_staff_list: bool, leaving_within: int, long_term: int, back_within: int,
) -> None:
    def day(offset: int | None) -> date | None:
        return None if offset is None else as_of + timedelta(days=offset)

    rules = RULES.model_copy(update={
        "matching": RULES.matching.model_copy(update={"back_within_days": back_within}),
        "checks": RULES.checks.model_copy(update={"leaving_within_days": leaving_within,
                                                  "long_term_absence_days": long_term}),
    })
    worker = Worker(staff_id="W", employer="council", role="social_worker", team=None,
                    locality=None, capacity=20, leaving_date=day(leaving),
                    absent_from=day(absent_from), absent_until=day(absent_until),
                    on_staff_list=on_staff_list)
    # The need a plan makes for someone settled with them (plan_inputs.read_inputs).
    need = Need(1, "social_worker", as_of, current_staff_id="W",
                stays_through=max(as_of, stays_until(rules, as_of=as_of, transfer=TRANSFER)),
                long_term_days=long_term)
    world = SimpleNamespace(rules=rules, as_of=as_of, transfer=TRANSFER)
    planner = worker.unavailable_for(need, rules.matching)
    assert planner == settled_unavailable(worker, rules, as_of=as_of, transfer=TRANSFER)
    assert (planner is None) == (settled_reason(world, worker) is None)  # type: ignore[arg-type]
