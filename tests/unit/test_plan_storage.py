"""The plan's JSON columns are stored as the JSON encoder writes them, whatever the text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.caseloads import build_caseload
from tests.conftest import ACTOR, TODAY
from tests.unit.test_matching_explain import crowded
from transition.db import Database
from transition.matching import MatchingRules, Placement, Problem, solve
from transition.models import PlanAssignment, PlanStatus
from transition.plan_inputs import PersonInfo, read_inputs
from transition.planning import PlanRow, StoredJson, _placed_rows, assemble, store_plan
from transition.ruleset import load_rules

encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# Phrases drawn from a small pool, so the same text recurs (as in a real plan) and the
# remembered encodings are used; any character, quotes and control characters included.
phrases = st.lists(st.text(max_size=12), min_size=1, max_size=6).flatmap(
    lambda pool: st.lists(st.sampled_from(pool), max_size=8))
runner_up = st.fixed_dictionaries({
    "staff_id": st.sampled_from(["C001", "T002", 'odd "id" é']),
    "cost": st.none() | st.integers(-5, 2_000),
    "why_not": st.lists(st.sampled_from(["full (20 of 20)", "costs 5 more: new worker",
                                          "tab\there", "línea\nnueva"]), max_size=3),
})
# A runner-up in another key order must be encoded in that order, not from the memo.
reordered = runner_up.map(lambda item: {"why_not": item["why_not"], "staff_id": item["staff_id"],
                                        "cost": item["cost"]})


@given(st.lists(phrases, max_size=20), st.lists(st.lists(runner_up | reordered, max_size=4),
                                                max_size=20))
def test_stored_text_is_what_json_dumps_gives(
    reasons: list[list[str]], alternatives: list[list[dict[str, object]]]
) -> None:
    text = StoredJson()
    for _ in range(2):  # the second time from what was remembered
        assert [text.phrases(row) for row in reasons] == [encode(row) for row in reasons]
        assert ([text.runner_ups(row) for row in alternatives]
                == [encode(row) for row in alternatives])


# ---------------------------------------------------------------------------------------------
# The rows assemble makes, and the text it encodes for them, against the plain way
# ---------------------------------------------------------------------------------------------


def plain_row(info: PersonInfo, placement: Placement) -> PlanRow:
    """A placement's row made directly from it, nothing shared or remembered."""
    return PlanRow(
        person_id=info.person_id, nhs_number=info.nhs_number, role=placement.need.role,
        staff_id=placement.staff_id, kept=placement.kept, locked=False,
        cost=placement.cost if placement.staff_id else None, reasons=list(placement.reasons),
        alternatives=[{"staff_id": item.staff_id, "cost": item.cost,
                       "why_not": list(item.why_not)} for item in placement.alternatives],
        pathway=info.pathway, risk_band=info.risk_band)


def plain_text(row: PlanRow) -> tuple[str, str | None]:
    return encode(row.reasons), encode(row.alternatives) if row.alternatives else None


def person(position: int, person_id: int) -> PersonInfo:
    return PersonInfo(person_id, f"999{position:07d}", ("council", "trust", None)[position % 3],
                      ("red", "amber", None)[position % 3], None, None, date(2027, 4, 1),
                      None, None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded())
def test_placed_rows_are_the_plain_rows_with_their_stored_text(
    instance: tuple[Problem, MatchingRules],
) -> None:
    problem, rules = instance
    placements = solve(problem, rules).placements
    people = {need.person_id: person(position, need.person_id)
              for position, need in enumerate(problem.needs)}
    inputs = SimpleNamespace(people=people)
    rows = _placed_rows(inputs, placements)  # type: ignore[arg-type]
    plain = [plain_row(people[placement.need.person_id], placement) for placement in placements]
    assert rows == plain
    assert [row.stored for row in rows] == [plain_text(row) for row in plain]


def test_a_stored_plan_is_the_same_written_plainly(database: Database) -> None:
    """store_plan with the text assemble encoded, and without it (each row encoded as it
    is), writes the same rows."""
    build_caseload(database)
    rules = load_rules()
    stored = []
    for fast in (True, False):
        with database.transaction() as session:
            inputs = read_inputs(session, rules, as_of=TODAY)
            solution = solve(inputs.problem, rules.matching)
            result = assemble(inputs, solution, kind="plan", status=PlanStatus.DRAFT,
                              rules=rules, as_of=TODAY)
            assert any(row.stored for row in result.rows)
            if not fast:
                result.rows = [replace(row, stored=None) for row in result.rows]
            plan_id = store_plan(session, result, inputs, solution, actor=ACTOR)
            columns = [column for column in PlanAssignment.__table__.columns  # type: ignore[attr-defined]
                       if column.name not in ("id", "plan_id")]
            stored.append(session.execute(
                select(*columns).where(PlanAssignment.plan_id == plan_id)
                .order_by(PlanAssignment.id)).all())  # type: ignore[arg-type]
    assert stored[0] == stored[1] and stored[0]
