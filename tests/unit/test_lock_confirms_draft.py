"""A manager's lock of the worker the draft already proposes keeps the draft acceptable; any
other change (a lock of another worker, an unlock, anything changed before) still puts it out
of date. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.caseloads import build_caseload
from tests.conftest import ACTOR, TODAY
from transition.allocation import current_assignments
from transition.allocation_status import allocation_status, plan_sentences
from transition.audit import events
from transition.db import Database
from transition.errors import ConflictError
from transition.models import Person, Plan, PlanAssignment, PlanStatus, Staff
from transition.overrides import set_pathway_override
from transition.plan_review import (
    LOCKED_REASON,
    accept_plan,
    allocation_changed_since,
    changed_since,
    load_plan,
    plan_out_of_date,
)
from transition.planning import PlanResult, propose_plan, replan
from transition.ruleset import Rules, load_rules
from transition.worker_overrides import AssignResult, assign_worker, unlock

HOLDS_A_CASE = "who holds a case changed"


@pytest.fixture
def rules() -> Rules:
    return load_rules()


def plan(database: Database, rules: Rules) -> PlanResult:
    with database.transaction() as session:
        return propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)


def planned(database: Database, plan_id: int, person_id: int, role: str) -> PlanAssignment:
    with database.session() as session:
        row = session.scalars(select(PlanAssignment).where(
            PlanAssignment.plan_id == plan_id, PlanAssignment.person_id == person_id,
            PlanAssignment.role == role)).one()
        session.expunge(row)
        return row


def lock(database: Database, rules: Rules, person_id: int, staff_id: str,
         role: str = "social_worker") -> AssignResult:
    with database.transaction() as session:
        number = session.get(Person, person_id).nhs_number  # type: ignore[union-attr]
        return assign_worker(session, rules, nhs_number=number, staff_id=staff_id, role=role,
                             reason="Agreed with the team", lock=True, force=False,
                             as_of=TODAY, actor=ACTOR)


def out_of_date(database: Database, rules: Rules, plan_id: int) -> list[str]:
    with database.session() as session:
        return plan_out_of_date(session, rules, plan_id)


def refused(database: Database, rules: Rules) -> str:
    with database.transaction() as session, pytest.raises(ConflictError) as caught:
        accept_plan(session, rules, actor=ACTOR)
    return caught.value.message


def test_a_lock_of_the_drafts_own_worker_keeps_it_acceptable(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    before = planned(database, draft.plan_id, ids["polish"], "social_worker")
    assert (before.staff_id, before.kept, before.locked) == ("SW2", False, False)

    done = lock(database, rules, ids["polish"], "SW2")
    assert done.changed and done.confirms_draft == draft.plan_id and done.draft_changed == ()
    assert done.to_json()["confirms_draft"] == {"plan_id": draft.plan_id, "changed_since": []}
    said = done.draft_in_words("transition plan accept")
    assert said == (f"Draft plan {draft.plan_id} already proposed this worker, so it stays "
                    "ready to accept (transition plan accept).")
    # The draft's row is as a new plan would store the lock; its counts follow.
    after = planned(database, draft.plan_id, ids["polish"], "social_worker")
    assert (after.staff_id, after.kept, after.locked, after.cost) == ("SW2", False, True, None)
    assert after.reasons == [LOCKED_REASON] and after.alternatives is None
    with database.session() as session:
        shown = load_plan(session, draft.plan_id)
        assert (shown.locked, shown.changed) == (draft.locked + 1, draft.changed - 1)
        assert shown.kept_with_current == draft.kept_with_current
        # Every look at the draft says it is up to date: accept's own test, the screens'
        # quick look at who holds a case, and the dashboard's at the audit trail.
        assert plan_out_of_date(session, rules, draft.plan_id) == []
        assert not allocation_changed_since(session, draft.plan_id)
        assert changed_since(session, draft.plan_id) == []
        status = allocation_status(session, TODAY)
        assert status.draft is not None and not status.draft.stale
        assert "plan again" not in " ".join(plan_sentences(status))
        # The lock is audited as any manager's choice.
        [event] = events(session, actions=["assignment.manager"])
        assert event.person_id == ids["polish"] and event.after["locked"] is True

    with database.transaction() as session:
        accepted = accept_plan(session, rules, actor=ACTOR)
    assert accepted.plan_id == draft.plan_id
    assert accepted.changed == draft.assigned - 1  # every other role; the lock was already so
    with database.session() as session:
        held = current_assignments(session)
        plan_row = session.get(Plan, draft.plan_id)
        assert plan_row is not None and plan_row.status == PlanStatus.ACCEPTED
    polish = held[ids["polish"]]["social_worker"]
    assert (polish.staff_id, polish.locked, polish.source) == ("SW2", True, "manager")
    for row in draft.rows:  # everyone else has the draft's worker
        if row.staff_id is not None and row.role is not None:
            assert held[row.person_id][row.role].staff_id == row.staff_id


def test_a_lock_kept_with_the_current_worker_replaces_a_row_and_still_confirms(
    database: Database, rules: Rules
) -> None:
    """A worker who holds the role already (an accepted plan's row), kept by the new draft:
    locking them ends that row and adds a locked one, and the draft stays acceptable."""
    ids = build_caseload(database)
    plan(database, rules)
    with database.transaction() as session:
        accept_plan(session, rules, actor=ACTOR)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    row = planned(database, draft.plan_id, ids["keeps"], "social_worker")
    assert (row.staff_id, row.kept) == ("SW1", True)
    done = lock(database, rules, ids["keeps"], "SW1")
    assert done.changed and done.confirms_draft == draft.plan_id
    after = planned(database, draft.plan_id, ids["keeps"], "social_worker")
    assert (after.kept, after.locked) == (True, True)  # their coordinator carrying on
    with database.session() as session:
        shown = load_plan(session, draft.plan_id)
        assert (shown.locked, shown.kept_with_current) == (
            draft.locked + 1, draft.kept_with_current - 1)
    assert out_of_date(database, rules, draft.plan_id) == []
    with database.transaction() as session:
        assert accept_plan(session, rules, actor=ACTOR).plan_id == draft.plan_id
    with database.session() as session:
        keeps = current_assignments(session)[ids["keeps"]]["social_worker"]
    assert (keeps.staff_id, keeps.locked) == ("SW1", True)


def test_a_lock_of_another_worker_puts_the_draft_out_of_date(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    assert planned(database, draft.plan_id, ids["keeps"], "social_worker").staff_id == "SW1"
    done = lock(database, rules, ids["keeps"], "SW2")
    assert done.changed and done.confirms_draft is None
    assert done.draft_in_words("transition plan accept") is None
    row = planned(database, draft.plan_id, ids["keeps"], "social_worker")
    assert (row.staff_id, row.locked) == ("SW1", False)  # the draft is left as it was
    with database.session() as session:
        assert allocation_changed_since(session, draft.plan_id)
        assert changed_since(session, draft.plan_id) == ["who holds a case"]
    assert HOLDS_A_CASE in out_of_date(database, rules, draft.plan_id)[0]
    assert HOLDS_A_CASE in refused(database, rules)
    with database.session() as session:
        assert current_assignments(session)[ids["keeps"]]["social_worker"].staff_id == "SW2"
        assert session.get(Plan, draft.plan_id).status == PlanStatus.DRAFT  # type: ignore[union-attr]


def test_an_unassigned_choice_of_the_drafts_worker_is_a_change_as_before(
    database: Database, rules: Rules
) -> None:
    """Only a lock confirms the draft: a choice left unlocked is a manager's choice the next
    plan may change, and the draft is out of date, as it was."""
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    with database.transaction() as session:
        number = session.get(Person, ids["polish"]).nhs_number  # type: ignore[union-attr]
        done = assign_worker(session, rules, nhs_number=number, staff_id="SW2",
                             role="social_worker", reason="Speaks Polish", lock=False,
                             force=False, as_of=TODAY, actor=ACTOR)
    assert done.changed and done.confirms_draft is None
    assert HOLDS_A_CASE in refused(database, rules)


def test_a_draft_out_of_date_before_the_lock_stays_out_of_date(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    with database.transaction() as session:  # a change the draft did not see
        person = session.get(Person, ids["assess"])
        set_pathway_override(session, person, "council", reason="Agreed at panel", actor=ACTOR)
    done = lock(database, rules, ids["polish"], "SW2")
    assert done.confirms_draft == draft.plan_id and done.draft_changed == ("pathways",)
    said = done.draft_in_words("transition plan accept")
    assert said is not None and "does not put it out of date, but it was already" in said
    assert "pathways changed since it was made" in said
    assert out_of_date(database, rules, draft.plan_id) == [
        "people's details, pathways or risk bands changed"]  # the lock is not among them
    message = refused(database, rules)
    assert "pathways or risk bands changed" in message and HOLDS_A_CASE not in message


def test_a_change_of_the_same_role_before_the_lock_is_not_masked(
    database: Database, rules: Rules
) -> None:
    """Another worker chosen after the draft, then the draft's own worker locked: the lock
    confirms nothing that was there when the draft was made, so it is still out of date."""
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    with database.transaction() as session:
        number = session.get(Person, ids["polish"]).nhs_number  # type: ignore[union-attr]
        assign_worker(session, rules, nhs_number=number, staff_id="SW1", role="social_worker",
                      reason="Covering", lock=False, force=True, as_of=TODAY, actor=ACTOR)
    done = lock(database, rules, ids["polish"], "SW2")
    assert done.confirms_draft == draft.plan_id and done.draft_changed == ("who holds a case",)
    with database.session() as session:
        assert allocation_changed_since(session, draft.plan_id)
    assert HOLDS_A_CASE in refused(database, rules)


def test_another_roles_change_after_the_lock_still_shows(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    lock(database, rules, ids["polish"], "SW2")
    assert out_of_date(database, rules, draft.plan_id) == []
    with database.transaction() as session:  # the staff list changes afterwards
        worker = session.get(Staff, "SW3")
        assert worker is not None
        worker.capacity, worker.content_hash = 1, "changed"
    assert out_of_date(database, rules, draft.plan_id) == ["the staff list changed"]
    lock(database, rules, ids["keeps"], "SW2")  # and another worker is locked
    with database.session() as session:
        assert allocation_changed_since(session, draft.plan_id)
    message = refused(database, rules)
    assert HOLDS_A_CASE in message and "the staff list changed" in message


def test_an_unlock_after_the_confirming_lock_puts_the_draft_out_of_date(
    database: Database, rules: Rules
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None
    lock(database, rules, ids["polish"], "SW2")
    assert out_of_date(database, rules, draft.plan_id) == []
    with database.transaction() as session:
        number = session.get(Person, ids["polish"]).nhs_number  # type: ignore[union-attr]
        assert unlock(session, nhs_number=number, actor=ACTOR) == ["social_worker"]
    with database.session() as session:
        assert allocation_changed_since(session, draft.plan_id)
        assert changed_since(session, draft.plan_id) == ["who holds a case"]
    assert HOLDS_A_CASE in out_of_date(database, rules, draft.plan_id)[0]
    assert HOLDS_A_CASE in refused(database, rules)
    # Locked again: the draft was out of date just before, so it stays so.
    again = lock(database, rules, ids["polish"], "SW2")
    assert again.changed and again.confirms_draft is None
    assert HOLDS_A_CASE in refused(database, rules)


def test_a_re_plan_of_some_people_is_confirmed_too(database: Database, rules: Rules) -> None:
    """A draft of only some people (the nightly check's): a lock of its own worker for one of
    them keeps it acceptable; a lock of someone it leaves as they are does not."""
    ids = build_caseload(database)
    with database.transaction() as session:
        draft = replan(session, rules, person_ids=[ids["polish"], ids["keeps"]], as_of=TODAY,
                       actor=ACTOR, refresh=False)
    assert draft.plan_id is not None
    assert lock(database, rules, ids["polish"], "SW2").confirms_draft == draft.plan_id
    assert out_of_date(database, rules, draft.plan_id) == []
    with database.transaction() as session:
        assert accept_plan(session, rules, actor=ACTOR).plan_id == draft.plan_id


def test_nothing_is_half_written_when_the_lock_fails_after_confirming(
    database: Database, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_caseload(database)
    draft = plan(database, rules)
    assert draft.plan_id is not None

    def broken(_session: object) -> None:
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr("transition.worker_overrides.latest_draft", broken)
    with pytest.raises(RuntimeError):
        lock(database, rules, ids["polish"], "SW2")
    row = planned(database, draft.plan_id, ids["polish"], "social_worker")
    assert (row.locked, row.reasons) == (False, draft_reasons(draft, ids["polish"]))
    with database.session() as session:
        assert current_assignments(session) == {}
        summary = session.get(Plan, draft.plan_id).summary  # type: ignore[union-attr]
        assert "confirmed_locks" not in summary and summary["locked"] == draft.locked
        assert events(session, actions=["assignment.manager"]) == []


def draft_reasons(draft: PlanResult, person_id: int) -> list[str]:
    return next(row.reasons for row in draft.rows
                if row.person_id == person_id and row.role == "social_worker")
