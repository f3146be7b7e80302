"""The plan's JSON columns are stored as the JSON encoder writes them, whatever the text."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.caseloads import build_caseload
from tests.conftest import ACTOR, TODAY
from tests.unit.test_matching_explain import crowded
from transition.db import Database
from transition.matching import MatchingRules, Placement, Problem, solve
from transition.models import Plan, PlanAssignment, PlanStatus
from transition.plan_inputs import PersonInfo, read_inputs
from transition.planning import PlanResult, PlanRow, PlanRows, StoredJson, assemble, store_plan
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
# The rows assemble makes from the explainer's columns, against rows made plainly
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


def plain_stored(row: PlanRow, plan_id: int) -> tuple[object, ...]:
    """A row as stored, encoded by the JSON encoder itself."""
    reasons = encode(row.reasons)
    placed = row.staff_id is not None
    return (plan_id, row.person_id, row.role or "none", row.staff_id, int(row.kept),
            int(row.locked), row.cost, row.pathway, row.risk_band, reasons if placed else None,
            encode(row.alternatives) if row.alternatives else None, None if placed else reasons)


def person(position: int, person_id: int) -> PersonInfo:
    return PersonInfo(person_id, f"999{position:07d}", ("council", "trust", None)[position % 3],
                      ("red", "amber", None)[position % 3], None, None, date(2027, 4, 1),
                      None, None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded(), st.data())
def test_plan_rows_are_the_plain_rows(
    instance: tuple[Problem, MatchingRules], data: st.DataObject
) -> None:
    """PlanRows from the explainer's columns, with locked roles and people with no pathway
    among them, show, count and store what rows made one by one from the placements do."""
    problem, rules = instance
    solution = solve(problem, rules)
    people = {need.person_id: person(position, need.person_id)
              for position, need in enumerate(problem.needs)}
    rows = PlanRows()
    rows.add_placements(people, solution.columns)
    plain = [plain_row(people[placement.need.person_id], placement)
             for placement in solution.placements]
    # Rows added one by one, for people among and around those placed (their order is the
    # plan's: by person, then role), some alike in what they say.
    staff = [worker.staff_id for worker in problem.workers]
    for _ in range(data.draw(st.integers(0, 4))):
        person_id = data.draw(st.integers(0, max(people, default=0) + 2))
        info = people.setdefault(person_id, person(person_id, person_id))
        if data.draw(st.booleans()):
            staff_id = data.draw(st.sampled_from(staff))
            kept = data.draw(st.booleans())
            rows.add(info, "amhp", staff_id, kept=kept, locked=True, reasons=("locked",))
            plain.append(PlanRow(person_id, info.nhs_number, "amhp", staff_id, kept, True,
                                 None, ["locked"], [], info.pathway, info.risk_band))
        else:
            reason = data.draw(st.sampled_from(["no pathway", "pathway 'x' is not one"]))
            rows.add(info, None, None, kept=False, locked=False, reasons=(reason,))
            plain.append(PlanRow(person_id, info.nhs_number, None, None, False, False, None,
                                 [reason], [], info.pathway, info.risk_band))
    plain.sort(key=lambda row: (row.person_id, row.role or ""))
    assert len(rows) == len(plain)
    assert rows.stored(7, int) == [plain_stored(row, 7) for row in plain]
    assert list(rows) == plain and rows[-1:] == plain[-1:]
    assert rows.counts() == counted(plain)


def counted(rows: list[PlanRow]) -> dict[str, int]:
    """The counts a plan shows, counted from its rows one by one."""
    result = PlanResult(plan_id=None, kind="plan", status="draft", optimal=True,
                        solver_status="OPTIMAL", objective=0, rows=rows)
    return {name: getattr(result, name) for name in
            ("people", "assigned", "unassigned", "kept_with_current", "changed", "locked")}


def test_a_stored_plan_is_the_same_written_plainly(database: Database) -> None:
    """store_plan with the rows as assemble made them (from the explainer's columns), and
    with the same rows as a plain list (each row encoded and counted as it is), writes the
    same rows and the same summary."""
    build_caseload(database)
    rules = load_rules()
    stored = []
    for fast in (True, False):
        with database.transaction() as session:
            inputs = read_inputs(session, rules, as_of=TODAY)
            solution = solve(inputs.problem, rules.matching)
            result = assemble(inputs, solution, kind="plan", status=PlanStatus.DRAFT,
                              rules=rules, as_of=TODAY)
            assert isinstance(result.rows, PlanRows)
            if not fast:
                result.rows, result.totals = list(result.rows), None
            plan_id = store_plan(session, result, inputs, solution, actor=ACTOR)
            columns = [column for column in PlanAssignment.__table__.columns  # type: ignore[attr-defined]
                       if column.name not in ("id", "plan_id")]
            summary = session.get_one(Plan, plan_id).summary
            stored.append((session.execute(
                select(*columns).where(PlanAssignment.plan_id == plan_id)
                .order_by(PlanAssignment.id)).all(), summary))  # type: ignore[arg-type]
    assert stored[0] == stored[1] and stored[0][0]
