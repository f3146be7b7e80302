"""Two managers, one record: the second save is refused with what changed, never a silent
overwrite (both databases)."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.caseloads import build_caseload
from tests.conftest import TODAY
from tests.importing import DATA, person_row, write_csv
from tests.letter_setup import TEST_COUNCIL, handover_person, with_transfer_date
from transition import importer
from transition.allocation import (
    NewAssignment,
    current_assignments,
    end_assignment,
    set_assignments,
)
from transition.db import Database
from transition.errors import ConflictError, TransitionError
from transition.handover import set_handover_date
from transition.importer import ImportOptions, import_file
from transition.letters import generate_letters
from transition.models import Assignment, AuditEvent, Letter, Person, Task
from transition.overrides import set_pathway_override
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.ruleset import Rules, load_rules
from transition.tasks import set_task_status
from transition.worker_overrides import assign_worker, unlock

STAFF_FILE = DATA / "staff.csv"


@pytest.fixture
def rules() -> Rules:
    return load_rules()


@pytest.fixture
def world(database: Database, rules: Rules) -> dict[str, Any]:
    ids = build_caseload(database)
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor="lead", refresh=False)
        accept_plan(session, rules, actor="lead")
        number = session.get(Person, ids["assess"]).nhs_number
    return {"person_id": ids["assess"], "nhs": number}


def _seen(database: Database, person_id: int) -> int | None:
    """What a manager's screen read: the current social worker assignment's id."""
    with database.session() as session:
        current = current_assignments(session, [person_id]).get(person_id, {})
        return current["social_worker"].id if "social_worker" in current else None


def _assign(database: Database, rules: Rules, world: dict[str, Any], staff_id: str, actor: str,
            **kwargs: Any) -> None:
    with database.transaction() as session:
        assign_worker(session, rules, nhs_number=world["nhs"], staff_id=staff_id,
                      role="social_worker", reason=f"{actor} decided", lock=True, force=False,
                      as_of=TODAY, actor=actor, **kwargs)


def _counts(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (session.scalar(select(func.count()).select_from(Assignment)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_the_second_manager_to_assign_is_refused_with_what_changed(
    database: Database, rules: Rules, world: dict[str, Any]
) -> None:
    seen_by_ben = _seen(database, world["person_id"])
    seen_by_ana = _seen(database, world["person_id"])
    assert seen_by_ana is not None and seen_by_ana == seen_by_ben
    _assign(database, rules, world, "SW2", "ana", expected_assignment_id=seen_by_ana)
    before = _counts(database)

    with pytest.raises(ConflictError) as caught:
        _assign(database, rules, world, "SW1", "ben", expected_assignment_id=seen_by_ben)

    message = str(caught.value)
    assert "changed by someone else (ana, at" in message and "it is now SW2 (locked)" in message
    assert "Nothing was saved" in message and world["nhs"] not in message
    assert _counts(database) == before
    with database.session() as session:
        current = current_assignments(session, [world["person_id"]])[world["person_id"]]
    assert current["social_worker"].staff_id == "SW2"
    # Having reloaded, ben can make his choice.
    _assign(database, rules, world, "SW1", "ben",
            expected_assignment_id=_seen(database, world["person_id"]))


def test_a_role_nobody_held_when_read_is_a_conflict_once_someone_takes_it(
    database: Database, rules: Rules, world: dict[str, Any]
) -> None:
    with database.transaction() as session:
        current = current_assignments(session, [world["person_id"]])[world["person_id"]]
        end_assignment(session, current["social_worker"], actor="lead", reason="test")
    assert _seen(database, world["person_id"]) is None
    _assign(database, rules, world, "SW2", "ana", expected_assignment_id=None)
    with pytest.raises(ConflictError, match="it is now SW2"):
        _assign(database, rules, world, "SW1", "ben", expected_assignment_id=None)


def test_unlocking_a_role_that_changed_since_it_was_read_is_refused(
    database: Database, rules: Rules, world: dict[str, Any]
) -> None:
    _assign(database, rules, world, "SW2", "ana")
    seen = _seen(database, world["person_id"])
    _assign(database, rules, world, "SW1", "cat")  # cat moves it (still locked)
    with pytest.raises(ConflictError, match=r"changed by someone else \(cat, at"), database.transaction() as session:
        unlock(session, nhs_number=world["nhs"], role="social_worker", actor="ana",
               expected_assignment_id=seen)
    with database.transaction() as session:
        assert unlock(session, nhs_number=world["nhs"], role="social_worker", actor="ana",
                      expected_assignment_id=_seen(database, world["person_id"])) == [
            "social_worker"]


def test_two_transactions_giving_the_same_role_at_once_do_not_both_win(
    database: Database, world: dict[str, Any]
) -> None:
    """PostgreSQL runs both at once (read committed); SQLite queues the second writer."""
    if database.is_sqlite:
        pytest.skip("SQLite takes the write lock at BEGIN: the second waits, then reads afresh")
    person_id = world["person_id"]
    give = lambda staff_id: [NewAssignment(person_id, "social_worker", staff_id,
                                           date(2027, 4, 1), source="manager", locked=True)]
    outcome: dict[str, BaseException | None] = {}
    with database.transaction() as first:
        set_assignments(first, give("SW2"), actor="ana")  # ends the row, holds its lock

        # Ben's own connection waits as long as it takes (a loaded CI machine is slow).
        patient = Database(database.url.render_as_string(hide_password=False),
                           busy_timeout_seconds=60)

        def second() -> None:
            try:
                with patient.transaction() as session:
                    set_assignments(session, give("SW1"), actor="ben")
                outcome["ben"] = None
            except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
                outcome["ben"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_blocked(database, thread)
    thread.join(timeout=60)
    patient.dispose()
    assert isinstance(outcome["ben"], ConflictError), outcome
    with database.session() as session:
        current = current_assignments(session, [person_id])[person_id]
        assert current["social_worker"].staff_id == "SW2"


def _wait_until_blocked(database: Database, thread: threading.Thread) -> None:
    """Return once another backend is waiting for a row lock (PostgreSQL)."""
    with database.engine.connect() as probe:
        for _ in range(1000):
            waiting = probe.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
            if waiting:
                return
            if not thread.is_alive():
                raise AssertionError("the second transaction finished without waiting")
            probe.rollback()
            time.sleep(0.01)  # polling for a condition, not guessing a delay
    raise AssertionError("the second transaction never waited for the first")


def _person(database: Database, person_id: int) -> Person:
    """The record as a manager's screen read it."""
    with database.session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person


def test_a_stale_handover_date_is_refused_naming_who_changed_it(
    database: Database, world: dict[str, Any]
) -> None:
    seen_by_ana = _person(database, world["person_id"])
    seen_by_ben = _person(database, world["person_id"])
    with database.transaction() as session:
        set_handover_date(session, session.get(Person, world["person_id"]), date(2027, 5, 3),
                          actor="ana", expected_version=seen_by_ana.version)
    before = _counts(database)
    with pytest.raises(ConflictError) as caught, database.transaction() as session:
        set_handover_date(session, session.get(Person, world["person_id"]), date(2027, 6, 1),
                          actor="ben", expected_version=seen_by_ben.version)
    assert "changed by someone else (ana, at" in str(caught.value)
    assert _counts(database) == before
    assert _person(database, world["person_id"]).handover_date == date(2027, 5, 3)


def test_a_stale_pathway_override_is_refused_naming_who_changed_it(
    database: Database, world: dict[str, Any]
) -> None:
    seen = _person(database, world["person_id"]).version
    with database.transaction() as session:
        set_pathway_override(session, session.get(Person, world["person_id"]), "council",
                             reason="Needs a social worker", actor="ana", expected_version=seen)
    with pytest.raises(ConflictError, match=r"someone else \(ana, at"), \
            database.transaction() as session:
        set_pathway_override(session, session.get(Person, world["person_id"]), "joint",
                             reason="Both", actor="ben", expected_version=seen)
    assert _person(database, world["person_id"]).pathway_override == "council"


def test_a_stale_task_status_is_refused_naming_who_and_what(
    database: Database, world: dict[str, Any]
) -> None:
    with database.transaction() as session:
        task = Task(person_id=world["person_id"], key="joint_visit", title="Joint visit",
                    owner_kind="incoming", due=date(2027, 3, 1), offset_working_days=-20,
                    handover_date=date(2027, 4, 1))
        session.add(task)
        session.flush()
        task_id = task.id
    assert task_id is not None
    with database.transaction() as session:
        set_task_status(session, task_id, "done", actor="ana", expected_version=1)
    with pytest.raises(ConflictError) as caught, database.transaction() as session:
        set_task_status(session, task_id, "blocked", actor="ben", reason="Waiting",
                        expected_version=1)
    message = str(caught.value)
    assert "changed by someone else (ana, at" in message and "status is now done" in message


# ---------------------------------------------------------------------------------------------
# Accepting a plan while someone else writes its inputs (PostgreSQL; SQLite's write lock
# already keeps every other writer out from BEGIN)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def draft(database: Database, rules: Rules) -> dict[str, int]:
    """The caseload with a draft plan, not yet accepted."""
    if database.is_sqlite:
        pytest.skip("SQLite takes the write lock at BEGIN: an accept cannot start mid-write")
    ids = build_caseload(database)
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor="lead", refresh=False)
    return ids


def _accept_meanwhile(database: Database, rules: Rules, outcome: dict[str, BaseException | None],
                      plan_id: int | None = None) -> tuple[threading.Thread, Database]:
    """Start accepting the newest draft (or ``plan_id``) on another connection that waits as
    long as it takes."""
    patient = Database(database.url.render_as_string(hide_password=False),
                       busy_timeout_seconds=60)

    def accept() -> None:
        try:
            with patient.transaction() as session:
                accept_plan(session, rules, plan_id=plan_id, actor="ben")
            outcome["accept"] = None
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            outcome["accept"] = exc

    thread = threading.Thread(target=accept)
    thread.start()
    return thread, patient


def _finished(thread: threading.Thread, patient: Database,
              outcome: dict[str, BaseException | None]) -> BaseException | None:
    """Wait for the accept started by :func:`_accept_meanwhile`; what it raised, if anything."""
    thread.join(timeout=60)
    patient.dispose()
    return outcome["accept"]


def _accepted_plans(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Assignment)
                              .where(Assignment.source == "plan")) or 0


def test_an_accept_waits_for_an_import_under_way_then_sees_the_staff_list_changed(
    database: Database, rules: Rules, draft: dict[str, int]
) -> None:
    outcome: dict[str, BaseException | None] = {}
    with database.transaction() as session:
        # A new staff list: the draft's workers are now missing from it. Not committed yet.
        import_file(session, STAFF_FILE, "staff", ImportOptions(), actor="importer",
                    today=TODAY)
        thread, patient = _accept_meanwhile(database, rules, outcome)
        _wait_until_blocked(database, thread)
    accepted = _finished(thread, patient, outcome)
    assert isinstance(accepted, ConflictError), outcome
    assert "the staff list changed" in str(accepted)
    assert _accepted_plans(database) == 0


def test_an_accept_waits_for_a_managers_assignment_then_sees_the_allocation_changed(
    database: Database, rules: Rules, draft: dict[str, int]
) -> None:
    outcome: dict[str, BaseException | None] = {}
    with database.transaction() as session:
        # A person the plan does not touch, so only the fingerprint can notice.
        set_assignments(session, [NewAssignment(draft["signpost"], "social_worker", "SW4",
                                                date(2027, 4, 1), source="manager")],
                        actor="ana")
        thread, patient = _accept_meanwhile(database, rules, outcome)
        _wait_until_blocked(database, thread)
    accepted = _finished(thread, patient, outcome)
    assert isinstance(accepted, ConflictError), outcome
    assert "is out of date: who holds a case changed" in str(accepted)
    assert _accepted_plans(database) == 0


def test_two_accepts_of_one_draft_at_once_accept_it_once(
    database: Database, rules: Rules, draft: dict[str, int]
) -> None:
    outcome: dict[str, BaseException | None] = {}
    with database.transaction() as session:
        first = accept_plan(session, rules, actor="ana")
        # Ben's screen shows the same draft, and he accepts it too.
        thread, patient = _accept_meanwhile(database, rules, outcome, plan_id=first.plan_id)
        _wait_until_blocked(database, thread)
    accepted = _finished(thread, patient, outcome)
    assert isinstance(accepted, TransitionError), outcome
    assert f"Plan {first.plan_id} is accepted, not a draft" in str(accepted)
    with database.session() as session:
        accepts = session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "plan.accept"))
    assert accepts == 1


def test_two_letter_runs_at_once_write_each_letter_once(
    database: Database, tmp_path: Path
) -> None:
    """PostgreSQL: the second run waits for the first, then finds its letters current."""
    if database.is_sqlite:
        pytest.skip("SQLite takes the write lock at BEGIN: the second run waits, then reads afresh")
    out = tmp_path / "letters"
    with database.transaction() as session:
        with_transfer_date(session)
        handover_person(session)
    outcome: dict[str, Any] = {}
    patient = Database(database.url.render_as_string(hide_password=False),
                       busy_timeout_seconds=60)

    def second() -> None:
        try:
            with patient.transaction() as session:
                outcome["second"] = generate_letters(session, council=TEST_COUNCIL, out_dir=out,
                                                     as_of=TODAY, actor="ben", fmt="md")
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            outcome["second"] = exc

    with database.transaction() as session:
        first = generate_letters(session, council=TEST_COUNCIL, out_dir=out, as_of=TODAY,
                                 actor="ana", fmt="md")
        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_blocked(database, thread)
    thread.join(timeout=60)
    patient.dispose()
    result = outcome["second"]
    assert len(first.written) == 2
    assert not isinstance(result, BaseException), result
    assert (len(result.written), len(result.unchanged)) == (0, 2)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Letter)) == 2
    assert len(list(out.iterdir())) == 2


def test_an_import_that_read_a_record_before_a_managers_save_still_moves_its_version_on(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a manager saves between an import's read and its write; the import's change
    must still show in the version, so an edit made against the manager's version is refused."""
    if database.is_sqlite:
        pytest.skip("SQLite takes the write lock at BEGIN: the manager waits for the import")
    caseload = tmp_path / "caseload.csv"
    write_csv(caseload, [person_row(1, cluster="11")])
    with database.transaction() as session:
        import_file(session, caseload, "caseload", ImportOptions(), actor="importer", today=TODAY)
        person = session.scalars(select(Person)).one()
        person_id, read_version = person.id, person.version
    write_csv(caseload, [person_row(1, cluster="12")])

    read, carry_on = threading.Event(), threading.Event()
    plan_changes = importer.plan_changes

    def paused(*args: Any, **kwargs: Any) -> Any:
        planned = plan_changes(*args, **kwargs)
        read.set()  # the import has read every record's version; nothing written yet
        carry_on.wait(60)
        return planned

    monkeypatch.setattr(importer, "plan_changes", paused)
    outcome: dict[str, BaseException | None] = {}
    patient = Database(database.url.render_as_string(hide_password=False),
                       busy_timeout_seconds=60)

    def run_import() -> None:
        try:
            with patient.transaction() as session:
                import_file(session, caseload, "caseload", ImportOptions(), actor="importer",
                            today=TODAY)
            outcome["import"] = None
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            outcome["import"] = exc

    thread = threading.Thread(target=run_import)
    thread.start()
    try:
        assert read.wait(60), "the import never reached its writes"
        with database.transaction() as session:
            set_handover_date(session, session.get(Person, person_id), date(2027, 5, 3),
                              actor="ana", expected_version=read_version)
        anas_version = _person(database, person_id).version
    finally:
        carry_on.set()
        thread.join(timeout=60)
        patient.dispose()
    assert outcome["import"] is None, outcome
    stored = _person(database, person_id)
    assert (stored.cluster, stored.handover_date) == (12, date(2027, 5, 3))
    assert stored.version == anas_version + 1
    # Ben read the person just after Ana's save: the import has changed it since.
    with pytest.raises(ConflictError), database.transaction() as session:
        set_handover_date(session, session.get(Person, person_id), date(2027, 6, 1),
                          actor="ben", expected_version=anas_version)
