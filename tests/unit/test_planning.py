"""Planning against the database: propose, show, accept, assign, lock, unlock, re-plan,
what-if; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.caseloads import TRANSFER, build_caseload, rules_with_red_cap
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.allocation import current_assignments
from transition.allocation_status import allocation_status, plan_sentences
from transition.audit import events
from transition.db import Database
from transition.errors import ConflictError, NotFoundError, TransitionError
from transition.models import Assignment, AuditEvent, Person, Plan, PlanStatus, Staff
from transition.overrides import set_pathway_override
from transition.people import person_detail, require_person
from transition.plan_inputs import read_inputs
from transition.plan_review import (
    PLAN_SORTS,
    Caseloads,
    PlanQuery,
    WorkerCaseload,
    accept_plan,
    allocation_changed_since,
    caseloads,
    changed_since,
    current_caseloads,
    load_plan,
    plan_out_of_date,
    plan_rows,
)
from transition.planning import PlanResult, propose_plan, replan
from transition.programme import set_transfer_date, transfer_date
from transition.ruleset import Rules, load_rules
from transition.tasks import generate_tasks
from transition.whatif import what_if
from transition.worker_overrides import CUT_MARK, assign_worker, feasible_workers, unlock


@pytest.fixture
def rules() -> Rules:
    return load_rules()


def plan(database: Database, rules: Rules) -> PlanResult:
    with database.transaction() as session:
        return propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)


def roles(result: PlanResult) -> dict[tuple[int, str | None], str | None]:
    return {(row.person_id, row.role): row.staff_id for row in result.rows}


def test_a_plan_places_everyone_it_can_and_says_why_not(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    result = plan(database, rules)
    placed = roles(result)
    assert result.optimal and result.plan_id is not None
    assert placed[ids["keeps"], "social_worker"] == "SW1"
    assert placed[ids["keeps_red"], "social_worker"] == "SW1"
    assert placed[ids["trust"], "key_worker"] == "KW1"  # KW2 leaves before the transfer
    assert placed[ids["joint"], "key_worker"] == "KW1"
    assert placed[ids["joint"], "social_worker"] in {"SW1", "SW2"}
    assert placed[ids["undecided_team"], "social_worker"] == "SW3"
    assert placed[ids["polish"], "social_worker"] == "SW2"
    assert placed[ids["assess"], "social_worker"] in {"SW1", "SW2"}
    assert placed[ids["forensic"], "social_worker"] is None
    assert placed[ids["no_pathway"], None] is None
    assert not any(person_id == ids["signpost"] for person_id, _ in placed)
    rows = {(row.person_id, row.role): row for row in result.rows}
    assert rows[ids["forensic"], "social_worker"].reasons == [
        "no council social worker with skill forensic in North (needed: has a forensic history)"]
    assert rows[ids["no_pathway"], None].reasons == ["no pathway decided yet: run transition assess"]
    assert "speaks Polish" in rows[ids["polish"], "social_worker"].reasons
    assert rows[ids["keeps"], "social_worker"].kept
    trust_reason = rows[ids["trust"], "key_worker"].reasons[0]
    assert trust_reason.startswith("new worker (current worker SW1 is a council social worker")
    assert result.not_planned == {"signpost": 1, "missing_from_export": 0}
    data = result.to_json()
    assert {"plan_id", "optimal", "objective", "assigned", "unassigned", "kept_with_current",
            "assignments", "unassigned_people"} <= data.keys()
    assert data["unassigned"] == 2 and data["assigned"] == 8
    assert all({"nhs_number", "role", "staff_id", "kept", "locked", "reasons"} <= item.keys()
               for item in data["assignments"])
    assert {item["nhs_number"] for item in data["unassigned_people"]} >= {
        rows[ids["forensic"], "social_worker"].nhs_number}


def test_the_stored_plan_reads_back_the_same_and_filters(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    result = plan(database, rules)
    with database.session() as session:
        stored = load_plan(session)
        unassigned = load_plan(session, query=PlanQuery(unassigned_only=True))
        sw1 = load_plan(session, query=PlanQuery(staff_id="SW1"))
    assert stored.plan_id == result.plan_id and stored.status == PlanStatus.DRAFT
    assert stored.to_json()["assignments"] == result.to_json()["assignments"]
    assert stored.to_json()["unassigned_people"] == result.to_json()["unassigned_people"]
    assert {row.person_id for row in unassigned.rows} == {ids["forensic"], ids["no_pathway"]}
    assert all(row.staff_id == "SW1" for row in sw1.rows) and sw1.rows


BAND_ORDER = {"red": 0, "amber": 1, "green": 2, None: 3}


def test_a_plans_rows_can_be_sorted_and_every_order_holds_the_same_rows(
    database: Database, rules: Rules
) -> None:
    build_caseload(database)
    plan_id = plan(database, rules).plan_id
    assert plan_id is not None
    with database.session() as session:
        orders = {sort: plan_rows(session, plan_id, PlanQuery(sort=sort))[0]
                  for sort in PLAN_SORTS}
        family = dict(session.execute(select(Person.id, Person.family_name)).all())
        score = dict(session.execute(select(Person.id, Person.risk_score)).all())
        staff = dict(session.execute(select(Staff.staff_id, Staff.family_name)).all())
        with pytest.raises(ValueError, match="cannot sort a plan by 'age'"):
            plan_rows(session, plan_id, PlanQuery(sort="age"))
    keys = {sort: [(row.person_id, row.role) for row in rows] for sort, rows in orders.items()}
    assert all(sorted(listed) == sorted(keys["person"]) for listed in keys.values())
    assert keys["person"] == sorted(keys["person"], key=lambda key: (key[0], key[1] or ""))
    by_name = [family[row.person_id] for row in orders["name"]]
    assert by_name == sorted(by_name)
    by_risk = [(BAND_ORDER[row.risk_band], -(score[row.person_id] or 0)) for row in orders["risk"]]
    assert by_risk == sorted(by_risk)
    change = [0 if row.staff_id is None else 1 if not (row.kept or row.locked)
              else 2 if row.locked else 3 for row in orders["change"]]
    assert change == sorted(change) and change[0] == 0 and 1 in change and 3 in change
    workers = [(row.staff_id is not None, staff.get(row.staff_id or "") or "")
               for row in orders["worker"]]
    assert workers == sorted(workers) and not workers[0][0]
    # A sort is not a filter: the plan says it shows every row.
    with database.session() as session:
        assert not load_plan(session, query=PlanQuery(sort="risk")).to_json()["filtered"]


def test_same_database_and_rules_give_the_same_plan(database: Database, rules: Rules) -> None:
    build_caseload(database)
    steps: list[tuple[int, int]] = []
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False,
                     progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
    first = plan(database, rules).to_json()
    second = plan(database, rules).to_json()
    for key in ("assignments", "unassigned_people", "objective"):
        assert first[key] == second[key]
    with database.session() as session:
        statuses = dict(session.execute(select(Plan.id, Plan.status)).all())
    assert statuses == {1: PlanStatus.DISCARDED, first["plan_id"]: PlanStatus.DISCARDED,
                        second["plan_id"]: PlanStatus.DRAFT}


def test_accept_records_the_allocation_audited_and_person_detail_shows_workers(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    first = plan(database, rules)
    second = plan(database, rules)
    with database.transaction() as session:
        accepted = accept_plan(session, rules, actor=ACTOR)
    assert accepted.plan_id == second.plan_id and accepted.changed == second.assigned
    assert accepted.superseded == [] and accepted.unassigned == 2
    with database.session() as session:
        held = current_assignments(session)
        assert held[ids["keeps"]]["social_worker"].staff_id == "SW1"
        assert held[ids["keeps"]]["social_worker"].since == date(2025, 6, 1)
        assert held[ids["trust"]]["key_worker"].since == TRANSFER
        assert len([event for event in events(session, actions=["assignment.accept"])]) == 8
        [accept_event] = events(session, actions=["plan.accept"])
        assert accept_event.actor == ACTOR and accept_event.entity_key == str(second.plan_id)
        assert session.get(Plan, second.plan_id).status == PlanStatus.ACCEPTED
        assert session.get(Plan, first.plan_id).status == PlanStatus.DISCARDED
        person = session.get(Person, ids["joint"])
        workers = person_detail(session, person)["workers"]
    assert [(item["role"], item["staff_id"]) for item in workers] == [
        ("key_worker", "KW1"), ("social_worker", roles(second)[ids["joint"], "social_worker"])]
    assert workers[0]["name"] == "Jo WorkerKW1" and workers[0]["since"] == TRANSFER
    with database.transaction() as session, pytest.raises(NotFoundError):
        accept_plan(session, rules, actor=ACTOR)  # no draft left


def test_a_stale_draft_is_refused_and_says_what_changed(database: Database, rules: Rules) -> None:
    build_caseload(database)
    plan(database, rules)
    with database.transaction() as session:
        staff = session.get(Staff, "SW2")
        staff.capacity = 1
        staff.content_hash = "changed"
    with database.transaction() as session, pytest.raises(ConflictError) as caught:
        accept_plan(session, rules, actor=ACTOR)
    assert "the staff list changed" in caught.value.message
    assert "Nothing was accepted" in caught.value.message
    with database.session() as session:
        assert current_assignments(session) == {}
        assert session.scalar(select(Plan.status)) == PlanStatus.DRAFT


def test_a_draft_knows_when_the_allocation_changed_after_it_was_made(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    with database.session() as session:
        assert not allocation_changed_since(session, draft.plan_id)
    with database.transaction() as session:
        number = session.get(Person, ids["assess"]).nhs_number
        assign_worker(session, rules, nhs_number=number, staff_id="SW2", role="social_worker",
                      reason="Knows the family", lock=True, force=False, as_of=TODAY,
                      actor=ACTOR)
    with database.session() as session:
        assert allocation_changed_since(session, draft.plan_id)
    later = plan(database, rules)
    assert later.plan_id is not None
    with database.session() as session:
        assert not allocation_changed_since(session, later.plan_id)
    with database.transaction() as session:  # an unlock is a change too
        unlock(session, nhs_number=number, actor=ACTOR)
    with database.session() as session:
        assert allocation_changed_since(session, later.plan_id)


def test_a_draft_knows_it_is_out_of_date_by_the_test_accept_makes(
    database: Database, rules: Rules
) -> None:
    """A pathway override changes no one's worker (allocation_changed_since stays False), but
    accept refuses the draft: plan_out_of_date says so first, in accept's words."""
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    with database.session() as session:
        assert plan_out_of_date(session, rules, draft.plan_id) == []
    with database.transaction() as session:
        person = session.get(Person, ids["assess"])
        set_pathway_override(session, person, "council", reason="Agreed at panel", actor=ACTOR)
    with database.session() as session:
        assert not allocation_changed_since(session, draft.plan_id)
        assert plan_out_of_date(session, rules, draft.plan_id) == [
            "people's details, pathways or risk bands changed"]
        # The dashboard's quick look (the audit trail) sees it too, where it saw only who
        # holds a case: its Allocation box said nothing of the override.
        assert changed_since(session, draft.plan_id) == ["pathways"]
        status = allocation_status(session, TODAY)
        assert status.draft is not None and status.draft.stale
        assert "Since it was made, pathways changed: plan again" in plan_sentences(status)[1]
    with database.transaction() as session, pytest.raises(ConflictError) as caught:
        accept_plan(session, rules, actor=ACTOR)
    assert "people's details, pathways or risk bands changed" in caught.value.message
    later = plan(database, rules)
    assert later.plan_id is not None
    with database.session() as session:
        assert plan_out_of_date(session, rules, later.plan_id) == []
        assert plan_out_of_date(session, rules, draft.plan_id) == []  # superseded: no draft


def test_accepting_after_tasks_were_made_says_they_need_bringing_up_to_date(
    database: Database, rules: Rules
) -> None:
    build_caseload(database)
    plan(database, rules)
    with database.transaction() as session:
        made = generate_tasks(session, rules, as_of=TODAY, actor=ACTOR,
                              transfer_date=transfer_date(session))
        assert made.created > 0  # the signposted person's, before any plan is accepted
        result = accept_plan(session, rules, actor=ACTOR)
    assert result.changed > 0 and result.tasks_out_of_date
    assert result.to_json()["tasks_out_of_date"] is True


def test_an_override_is_kept_and_replanning_changes_as_few_others_as_possible(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    before = plan(database, rules)
    assert roles(before)[ids["assess"], "social_worker"] == "SW1"
    with database.transaction() as session:
        accept_plan(session, rules, actor=ACTOR)
        number = session.get(Person, ids["assess"]).nhs_number
        result = assign_worker(session, rules, nhs_number=number, staff_id="SW2",
                               role="social_worker", reason="Knows the family", lock=True,
                               force=False, as_of=TODAY, actor=ACTOR)
    assert result.changed and result.locked and result.broken == []
    after = plan(database, rules)
    rows = {(row.person_id, row.role): row for row in after.rows}
    locked = rows[ids["assess"], "social_worker"]
    assert locked.staff_id == "SW2" and locked.locked
    assert locked.reasons == ["locked by a manager: kept as it is"]
    moved = [key for key, staff in roles(after).items()
             if staff != roles(before).get(key) and key != (ids["assess"], "social_worker")]
    assert moved == []  # SW1 now has a free place, but nobody is moved into it
    with database.session() as session:
        [override] = events(session, actions=["assignment.manager"])
        assert override.reason == "Knows the family" and override.after["locked"] is True
        assert override.before == {"staff_id": "SW1", "locked": False}


def test_an_override_breaking_a_hard_constraint_is_refused_unless_forced(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    with database.transaction() as session:
        number = session.get(Person, ids["keeps"]).nhs_number
    with database.transaction() as session, pytest.raises(TransitionError) as caught:
        assign_worker(session, rules, nhs_number=number, staff_id="KW1", role="social_worker",
                      reason="try", lock=False, force=False, as_of=TODAY, actor=ACTOR)
    assert "wrong employer or role" in caught.value.message
    assert number not in caught.value.message  # masked
    with database.transaction() as session:
        result = assign_worker(session, rules, nhs_number=number, staff_id="KW2",
                               role="key_worker", reason="short-term cover", lock=False,
                               force=True, as_of=TODAY, actor=ACTOR)
    assert any("pathway council does not need a key worker" in item for item in result.broken)
    assert any(item.startswith("not active on 2027-04-01") for item in result.broken)
    with database.session() as session:
        [event] = events(session, actions=["assignment.manager"])
        assert event.reason.startswith("short-term cover [forced past: ")


def test_a_forced_choice_keeps_what_it_breaks_whole_however_long_the_reason(
    database: Database, rules: Rules
) -> None:
    """The record of what a forced choice breaks is never cut off: with a reason as long as
    the box allows, the manager's words are cut (and the cut marked) so that the whole of
    "[forced past: ...]" follows them, in the assignment and in the audit trail."""
    ids = build_caseload(database)
    with database.transaction() as session:
        number = session.get(Person, ids["keeps"]).nhs_number
    limit = min(Assignment.__table__.c.reason.type.length,  # type: ignore[attr-defined]
                AuditEvent.__table__.c.reason.type.length)  # type: ignore[attr-defined]
    words = ("Cover while the team recruits. " * 40)[:limit]
    with database.transaction() as session:
        result = assign_worker(session, rules, nhs_number=number, staff_id="KW2",
                               role="key_worker", reason=words, lock=True, force=True,
                               as_of=TODAY, actor=ACTOR)
    assert result.broken and result.reason_cut > 0
    breaks = " [forced past: " + "; ".join(result.broken) + "]"
    with database.session() as session:
        [event] = events(session, actions=["assignment.manager"])
        held = current_assignments(session, [ids["keeps"]])[ids["keeps"]]["key_worker"]
    for recorded in (event.reason, held.reason):
        assert recorded is not None and len(recorded) <= limit
        assert recorded.endswith(CUT_MARK + breaks)
        kept = recorded.removesuffix(CUT_MARK + breaks)
        assert words.startswith(kept) and len(words) - len(kept) == result.reason_cut


def test_a_reason_longer_than_the_record_keeps_is_refused(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    with database.transaction() as session:
        number = session.get(Person, ids["polish"]).nhs_number
    with database.transaction() as session, pytest.raises(TransitionError) as caught:
        assign_worker(session, rules, nhs_number=number, staff_id="SW2", role="social_worker",
                      reason="x" * 1001, lock=False, force=False, as_of=TODAY, actor=ACTOR)
    assert "1,001 characters long; it can be at most 1,000" in caught.value.message
    with database.session() as session:
        assert events(session, actions=["assignment.manager"]) == []
    # A short reason is recorded as it is, nothing cut.
    with database.transaction() as session:
        done = assign_worker(session, rules, nhs_number=number, staff_id="SW2",
                             role="social_worker", reason="x" * 1000, lock=False, force=False,
                             as_of=TODAY, actor=ACTOR)
    assert done.changed and done.reason_cut == 0
    with database.session() as session:
        [event] = events(session, actions=["assignment.manager"])
        assert event.reason == "x" * 1000


def test_an_override_over_capacity_is_refused(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    with database.transaction() as session:
        make_staff(session, "SW9", team="North Council", capacity=0)
        number = session.get(Person, ids["polish"]).nhs_number
    with database.transaction() as session, pytest.raises(TransitionError, match="over capacity"):
        assign_worker(session, rules, nhs_number=number, staff_id="SW9", role="social_worker",
                      reason="x", lock=False, force=False, as_of=TODAY, actor=ACTOR)


def test_unlock_lets_the_plan_move_a_locked_role(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    with database.transaction() as session:
        number = session.get(Person, ids["polish"]).nhs_number
        assign_worker(session, rules, nhs_number=number, staff_id="SW1", role="social_worker",
                      reason="for now", lock=True, force=False, as_of=TODAY, actor=ACTOR)
    with database.transaction() as session:
        assert unlock(session, nhs_number=number, actor=ACTOR) == ["social_worker"]
    with database.transaction() as session, pytest.raises(NotFoundError):
        unlock(session, nhs_number=number, actor=ACTOR)
    with database.session() as session:
        assert not current_assignments(session)[ids["polish"]]["social_worker"].locked
        actions = [event.action for event in events(session, person_id=ids["polish"])]
    assert actions == ["assignment.manager", "assignment.manager"]
    result = plan(database, rules)
    row = next(row for row in result.rows if row.person_id == ids["polish"])
    assert not row.locked


def test_roles_a_pathway_no_longer_needs_end_when_the_next_plan_is_accepted(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    plan(database, rules)
    with database.transaction() as session:
        accept_plan(session, rules, actor=ACTOR)
        person = session.get(Person, ids["keeps"])
        person.pathway = "signpost"
    result = plan(database, rules)
    assert [(item["person_id"], item["role"], item["staff_id"]) for item in result.ending] == [
        (ids["keeps"], "social_worker", "SW1")]
    with database.transaction() as session:
        accepted = accept_plan(session, rules, actor=ACTOR)
    assert accepted.ended == 1
    with database.session() as session:
        assert ids["keeps"] not in current_assignments(session)
        [ended] = events(session, actions=["assignment.end"])
        assert ended.reason.endswith("pathway signpost does not need a social worker")


def test_replan_plans_only_some_people_and_holds_everyone_else(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    plan(database, rules)
    with database.transaction() as session:
        accept_plan(session, rules, actor=ACTOR)
        session.get(Staff, "SW2").leaving_date = date(2027, 2, 1)
        make_staff(session, "SW5", team="North Council", capacity=2, languages=["polish"])
    with database.transaction() as session:
        result = replan(session, rules, person_ids=[ids["polish"]], as_of=TODAY, actor=ACTOR,
                        refresh=False)
    assert result.kind == "check_apply" and {row.person_id for row in result.rows} == {ids["polish"]}
    [row] = result.rows
    assert row.staff_id == "SW5" and not row.kept
    assert "changes the accepted allocation (was SW2)" in row.reasons
    with database.transaction() as session:
        accepted = accept_plan(session, rules, plan_id=result.plan_id, actor=ACTOR)
        assert accepted.changed == 1
        assert current_assignments(session)[ids["polish"]]["social_worker"].staff_id == "SW5"


def test_what_if_shows_the_effect_and_stores_nothing(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    with database.session() as session:
        result = what_if(session, rules, as_of=TODAY, withdraw=["SW1"])
        count = session.scalar(select(func.count()).select_from(Plan))
    assert count == 0
    assert result.losing_current_worker == 2  # the two people SW1 would keep
    assert result.unassigned > result.baseline_unassigned
    data = result.to_json()
    assert data["stored"] is False and data["capacity_gap"]["by_team"]["North CMHT"] >= 1
    with database.session() as session:
        squeezed = what_if(session, rules, as_of=TODAY, capacity_scale=0.5)
        with pytest.raises(TransitionError, match="No worker with staff id NOPE"):
            what_if(session, rules, as_of=TODAY, withdraw=["NOPE"])
    assert squeezed.unassigned >= result.baseline_unassigned
    assert ids


def test_caseloads_and_feasible_workers_for_a_screen(database: Database, rules: Rules) -> None:
    ids = build_caseload(database)
    with database.session() as session:
        before = caseloads(session, rules, as_of=TODAY)
    assert before.plan_id is None
    now = {worker.staff_id: worker for worker in before.workers}
    assert now["SW1"].current == 3 and now["SW1"].proposed is None and now["SW1"].capacity == 4
    assert now["KW2"].unavailable == "leaving on 2027-03-31"
    assert now["SW1"].team == "North Council"
    result = plan(database, rules)
    with database.session() as session:
        after = caseloads(session, rules, as_of=TODAY)
        options = feasible_workers(session, rules, person_id=ids["polish"],
                                   role="social_worker", as_of=TODAY)
        everyone = feasible_workers(session, rules, person_id=ids["polish"],
                                    role="social_worker", as_of=TODAY, include_infeasible=True)
    planned = {worker.staff_id: worker for worker in after.workers}
    assert after.plan_id == result.plan_id
    assert sum(worker.proposed or 0 for worker in after.workers) == result.assigned
    assert all((worker.proposed or 0) <= worker.capacity for worker in after.workers), [
        (worker.staff_id, worker.proposed, worker.capacity) for worker in after.workers]
    teams = {team.team: team for team in after.teams}
    assert teams["North Council"].capacity == planned["SW1"].capacity + planned["SW2"].capacity
    assert [option.staff_id for option in options] == ["SW2"]  # SW1 is full in the plan
    assert options[0].spare == 3 - planned["SW2"].proposed + 1  # their own place counts free
    assert "speaks Polish" in options[0].reasons
    ruled_out = {option.staff_id: option for option in everyone if not option.feasible}
    assert "SW4" in ruled_out and ruled_out["SW4"].why_not == ["out of reach (South)"]
    assert ruled_out["SW3"].why_not == ["takes no new people until their council team is decided"]
    assert ruled_out["SW1"].why_not == ["full (4 of 4)"]


def test_caseloads_say_how_many_roles_leave_and_join_each_worker(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    with database.transaction() as session:
        # Signposted: leaves KW1 in the plan.
        make_person(session, pathway="signpost", risk_band="green", care_coordinator_id="KW1",
                    nhs_number=nhs_number(90))
        coordinators = dict(session.execute(select(Person.id, Person.care_coordinator_id)).all())
    with database.session() as session:
        before = caseloads(session, rules, as_of=TODAY)
    assert {(item.leaving, item.joining) for item in [*before.workers, *before.teams]} == {
        (None, None)}

    def adds_up(loads: Caseloads) -> dict[str, WorkerCaseload]:
        for item in [*loads.workers, *loads.teams]:
            assert item.current - (item.leaving or 0) + (item.joining or 0) == item.proposed, item
        return {worker.staff_id: worker for worker in loads.workers}

    result = plan(database, rules)
    with database.session() as session:
        draft = adds_up(caseloads(session, rules, as_of=TODAY))
    # Nobody is allocated yet: everyone is held by their care coordinator.
    kept = {(row.person_id, row.staff_id) for row in result.rows if row.staff_id}
    held = {(person, staff) for person, staff in coordinators.items() if staff}
    for worker in draft.values():
        assert worker.leaving == sum(1 for pair in held - kept if pair[1] == worker.staff_id)
        assert worker.joining == sum(1 for pair in kept - held if pair[1] == worker.staff_id)
    assert draft["KW1"].leaving >= 1 and sum(worker.joining for worker in draft.values()) > 0

    with database.transaction() as session:
        accept_plan(session, rules, plan_id=result.plan_id, actor=ACTOR)
    with database.session() as session:
        accepted = adds_up(caseloads(session, rules, as_of=TODAY))
    # Accepted, the plan is what they hold: the signposted person is no longer their trust
    # coordinator's, and nothing is left to move.
    assert {(worker.staff_id, worker.leaving, worker.joining) for worker in accepted.values()
            if worker.leaving or worker.joining} == set()
    assert all(worker.current == worker.proposed for worker in accepted.values())

    # Someone imported since, signposted, is still their coordinator's; a re-plan of them and
    # one other person counts only those two people's moves.
    with database.transaction() as session:
        newcomer = make_person(session, pathway="signpost", risk_band="green",
                               care_coordinator_id="KW1", nhs_number=nhs_number(91))
        again = replan(session, rules, person_ids=[newcomer.id, ids["keeps"]], as_of=TODAY,
                       actor=ACTOR, refresh=False)
    with database.session() as session:
        partial = {worker.staff_id: worker for worker in
                   caseloads(session, rules, as_of=TODAY, plan_id=again.plan_id).workers}
    assert {(worker.staff_id, worker.leaving, worker.joining) for worker in partial.values()
            if worker.leaving or worker.joining} == {("KW1", 1, 0)}


def test_a_coordinator_whose_allocation_ended_no_longer_counts_as_holding_the_person(
    database: Database, rules: Rules
) -> None:
    """The export's EndDateAssCareCoord (``coordinator_until``) is the last day the worker
    held the person: from the next day they are not on that worker's caseload now, and a plan
    that places them gives them a worker who joins, not one who was already counted."""
    build_caseload(database)
    with database.transaction() as session:
        ended = make_person(session, pathway="council", risk_band="green",
                            care_coordinator_id="SW2", nhs_number=nhs_number(92),
                            coordinator_until=TODAY - timedelta(days=1))
        make_person(session, pathway="council", risk_band="green", care_coordinator_id="SW2",
                    nhs_number=nhs_number(93), coordinator_until=TODAY)  # still theirs today
    with database.session() as session:
        today = {worker.staff_id: worker.current
                 for worker in caseloads(session, rules, as_of=TODAY).workers}
        before = {worker.staff_id: worker.current for worker in
                  caseloads(session, rules, as_of=TODAY - timedelta(days=1)).workers}
    assert before["SW2"] == today["SW2"] + 1  # the day it ended, it was still theirs
    result = plan(database, rules)
    [row] = [row for row in result.rows if row.person_id == ended.id]
    assert row.staff_id is not None and not row.kept
    with database.session() as session:
        loads = {worker.staff_id: worker
                 for worker in caseloads(session, rules, as_of=TODAY).workers}
    for worker in loads.values():
        assert worker.current - (worker.leaving or 0) + (worker.joining or 0) == worker.proposed
    assert loads[row.staff_id].joining >= 1


def test_a_coordinator_whose_allocation_ends_before_the_handover_is_not_kept(
    database: Database, rules: Rules
) -> None:
    """Kept means carrying the person through the handover: an allocation the export says
    ends before it (even one still running today) is someone the person knows, not their
    current worker; one lasting to the handover day is kept. When that worker has no room,
    the new worker's reason says why the person did not stay with them."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=3, team="North CMHT", locality="North")
        make_staff(session, "SW2", capacity=5, team="North CMHT", locality="North")
        common = {"pathway": "council", "risk_band": "green", "care_coordinator_id": "SW1",
                  "team": "North CMHT", "locality": "North"}
        to_the_day = make_person(session, nhs_number=nhs_number(94),
                                 coordinator_until=TRANSFER, **common)
        knows = make_person(session, nhs_number=nhs_number(95),
                            coordinator_until=TODAY, **common)
        no_room = make_person(session, nhs_number=nhs_number(96),
                              coordinator_until=TODAY, **common)
        untouched = make_person(session, nhs_number=nhs_number(97), **common)
    result = plan(database, rules)
    rows = {row.person_id: row for row in result.rows}
    assert rows[to_the_day.id].kept and rows[untouched.id].kept
    # SW1 has room for one more: one of the two whose allocation ends goes back to them
    # (a worker they know, not kept); the other goes to SW2 and is told why.
    back, moved = sorted((rows[knows.id], rows[no_room.id]), key=lambda row: row.staff_id or "")
    assert (back.staff_id, back.kept) == ("SW1", False)
    assert back.reasons[0] == "new worker the person already knows"
    assert (moved.staff_id, moved.kept) == ("SW2", False)
    assert moved.reasons[0] == (
        f"new worker (current worker SW1's allocation stops before the handover (last day "
        f"{TODAY.isoformat()}))")
    assert result.kept_with_current == 2


def test_a_managers_choice_counts_a_returning_coordinator_against_the_red_cap(
    database: Database,
) -> None:
    """Giving a red-band person back to the coordinator whose allocation the export says
    ended before the handover is a red handover to them, for the cap as for the planner;
    giving them to a coordinator who carries on through the handover is not."""
    rules = rules_with_red_cap(1)
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=10)
        make_staff(session, "SW2", capacity=10)
        red = {"pathway": "council", "risk_band": "red"}
        taken = make_person(session, care_coordinator_id="SW1", nhs_number=nhs_number(81),
                            **red)
        returning = make_person(session, care_coordinator_id="SW2", nhs_number=nhs_number(82),
                                coordinator_until=TODAY, **red)
        carries_on = make_person(session, care_coordinator_id="SW2",
                                 nhs_number=nhs_number(83), **red)
        numbers = {made.nhs_number for made in (taken, returning, carries_on)}
        assert len(numbers) == 3
    with database.transaction() as session:
        def give(number: str) -> None:
            assign_worker(session, rules, nhs_number=number, staff_id="SW2",
                          role="social_worker", reason="knows the family", lock=False,
                          force=False, as_of=TODAY, actor=ACTOR)

        give(taken.nhs_number)  # SW2's one red handover
        give(carries_on.nhs_number)  # theirs through the handover: not a handover
        with pytest.raises(TransitionError, match=r"red-band handover cap \(2 of 1\)"):
            give(returning.nhs_number)


def test_a_preferred_language_is_looked_for_when_no_interpreter_language_is_recorded(
    database: Database, rules: Rules
) -> None:
    """MHSDS LanguageCodePreferred: a worker who speaks it is looked for when the person needs
    no interpreter (in its own words), and it names the language of an interpreter needed in a
    language not recorded; English, or an interpreter's own language, changes nothing."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        common = {"pathway": "council", "risk_band": "green"}
        ids = {name: make_person(session, nhs_number=nhs_number(70 + i), **fields, **common).id
               for i, (name, fields) in enumerate({
                   "prefers": {"preferred_language": "polish"},
                   "unspecified": {"interpreter_language": "unspecified",
                                   "preferred_language": "urdu"},
                   "interpreter": {"interpreter_language": "arabic",
                                   "preferred_language": "english"},
                   "english": {"preferred_language": "english"},
                   "unknown": {"interpreter_language": "unspecified"},
               }.items())}
    with database.session() as session:
        inputs = read_inputs(session, rules, as_of=TODAY)
    needs = {need.person_id: need for need in inputs.problem.needs}
    assert [(needs[ids[name]].language, needs[ids[name]].language_preferred)
            for name in ("prefers", "unspecified", "interpreter", "english", "unknown")] == [
        ("polish", True), ("urdu", False), ("arabic", False), (None, False), (None, False)]
    # Only the interpreter with no language at all is left to find out (the importer stores
    # a bare "yes" as "unspecified"; it was taken for a language called that).
    assert [warning for warning in inputs.warnings if "not recorded" in warning] == [
        ("people who need an interpreter in a language not recorded: 1 (record it so the plan "
         "can match a worker who speaks it)")]


def test_planning_needs_a_transfer_date(database: Database, rules: Rules) -> None:
    with database.transaction() as session:
        make_person(session, pathway="council", risk_band="green", nhs_number=nhs_number(3))
    with database.transaction() as session, pytest.raises(TransitionError, match="No transfer date"):
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)


def test_skill_rules_read_the_person_and_extra_columns(database: Database, rules: Rules) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", capacity=5, skills=["Older Adults", "perinatal"])
        old = make_person(session, pathway="council", risk_band="green",
                          date_of_birth=date(1962, 3, 31))  # 65 on 1 April 2027
        young = make_person(session, pathway="council", risk_band="green",
                            date_of_birth=date(1962, 4, 2))
        perinatal = make_person(session, pathway="council", risk_band="green",
                                extra={"Perinatal": "Y"})
        ids = (old.id, young.id, perinatal.id)
    result = plan(database, rules)
    placed = roles(result)
    assert placed[ids[0], "social_worker"] == "SW2"
    assert placed[ids[2], "social_worker"] == "SW2"
    reasons = next(row.reasons for row in result.rows if row.person_id == ids[0])
    assert "has older_adults (needed: aged 65 or over)" in reasons
    with database.session() as session:
        assert require_person(session, result.rows[0].nhs_number).id == ids[0]


def test_plan_first_brings_stale_pathway_decisions_up_to_date(database: Database, rules: Rules) -> None:
    """Someone never assessed (or whose data changed) is decided before the plan is made."""
    with database.transaction() as session:
        set_transfer_date(session, date(2027, 4, 1), actor=ACTOR)
        make_staff(session, "SW9", capacity=5)
        make_staff(session, "KW9", employer="trust", role="nurse", capacity=5)
        person = make_person(session, pathway=None, s117=True, cpa=True)
        person_id = person.id
    with database.transaction() as session:
        result = propose_plan(session, rules, as_of=TODAY, actor=ACTOR)
    with database.session() as session:
        stored = session.get(Person, person_id)
        assert stored is not None and stored.pathway == "joint"
    roles = sorted(item["role"] for item in result.to_json()["assignments"])
    assert roles == ["key_worker", "social_worker"]


def test_a_replan_before_any_plan_counts_people_their_coordinator_still_holds(
    database: Database, rules: Rules
) -> None:
    """Before a plan is accepted, people are held through the trust's export (their care
    coordinator), with no assignment rows. A re-plan of someone else (the nightly check's
    --apply) counted those people as no load at all, and filled a full worker past capacity."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=2)
        make_staff(session, "SW2", capacity=2)
        held = [make_person(session, pathway="council", risk_band="green",
                            care_coordinator_id="SW1", nhs_number=nhs_number(number))
                for number in (1, 2)]
        # SW2 holds one: a place is left there.
        third = make_person(session, pathway="council", risk_band="green",
                            care_coordinator_id="SW2", nhs_number=nhs_number(3))
        # Gone from the export, or with an allocation that ended: held by no one.
        make_person(session, pathway="council", risk_band="green", care_coordinator_id="SW2",
                    nhs_number=nhs_number(4), coordinator_until=TODAY - timedelta(days=1))
        newcomer = make_person(session, pathway="council", risk_band="green",
                               nhs_number=nhs_number(5))
    with database.session() as session:
        assert current_caseloads(session, TODAY) == {"SW1": 2, "SW2": 1}
        inputs = read_inputs(session, rules, as_of=TODAY, person_ids=[newcomer.id])
    assert sorted((item.person_id, item.staff_id) for item in inputs.problem.held) == sorted(
        [(held[0].id, "SW1"), (held[1].id, "SW1"), (third.id, "SW2")])
    with database.transaction() as session:
        result = replan(session, rules, person_ids=[newcomer.id], as_of=TODAY, actor=ACTOR,
                        refresh=False)
    [row] = result.rows
    assert row.staff_id == "SW2", row.reasons  # SW1 is full with the two they hold


def test_a_locked_role_counts_once_in_the_plans_breakdown(
    database: Database, rules: Rules
) -> None:
    """A role locked with the worker who holds it now is stored kept (tasks, letters and the
    handover sentence read that), but the plan's counts give it as locked only, so kept, new
    worker and locked add up to the roles filled: counted from the rows, from the columns as
    stored, and read back filtered."""
    ids = build_caseload(database)
    with database.transaction() as session:
        number = session.get(Person, ids["keeps"]).nhs_number
        assign_worker(session, rules, nhs_number=number, staff_id="SW1", role="social_worker",
                      reason="stays with them", lock=True, force=False, as_of=TODAY,
                      actor=ACTOR)
    result = plan(database, rules)
    row = next(row for row in result.rows if row.person_id == ids["keeps"])
    assert row.locked and row.kept and row.staff_id == "SW1"
    counts = (result.assigned, result.kept_with_current, result.changed, result.locked)
    assert counts == (8, 3, 4, 1)
    plain = PlanResult(plan_id=None, kind="plan", status="draft", optimal=True,
                       solver_status="OPTIMAL", objective=0, rows=list(result.rows))
    assert (plain.assigned, plain.kept_with_current, plain.changed, plain.locked) == counts
    with database.session() as session:
        shown = load_plan(session, result.plan_id, PlanQuery(unassigned_only=True))
    assert shown.filtered
    assert (shown.assigned, shown.kept_with_current, shown.changed, shown.locked) == counts
