"""A manager's handover-risk band: set with a reason, kept by assess, cleared, audited, and
followed by everything that reads the band (ranking, tasks, integrity)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from tests import task_world
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition import audit
from transition.assessment import assessment_detail, at_risk, refresh_assessments
from transition.db import Database
from transition.errors import EXIT_PARTIAL, ConflictError, TransitionError
from transition.integrity import check_database
from transition.models import Person, Task
from transition.risk_overrides import clear_risk_band, set_risk_band
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

RULES = load_rules()


def refresh(database: Database, **options: object) -> None:
    with database.transaction() as session:
        refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR, **options)  # type: ignore[arg-type]


def person(session: Session, index: int) -> Person:
    return session.scalars(select(Person).where(Person.nhs_number == nhs_number(index))).one()


def seed(database: Database) -> None:
    """0: red (13: self-harm and a discharge today); 1: green 3 (self-harm); 2: green 0."""
    with database.transaction() as session:
        make_staff(session, "S1")
        common = {"care_coordinator_id": "S1"}
        make_person(session, nhs_number=nhs_number(0), self_harm_history=True,
                    last_discharge=TODAY, **common)
        make_person(session, nhs_number=nhs_number(1), self_harm_history=True, **common)
        make_person(session, nhs_number=nhs_number(2), **common)
    refresh(database)


def set_band(database: Database, index: int, band: str, reason: str = "Seen by crisis team",
             **options: object):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return set_risk_band(session, RULES, person(session, index), band, reason=reason,
                             actor=ACTOR, today=TODAY, **options)  # type: ignore[arg-type]


def test_a_managers_band_is_the_band_in_use_and_the_score_stays_the_rules(
        database: Database) -> None:
    seed(database)
    change = set_band(database, 1, "red", "Carer moved away; crisis team contact last week")
    assert (change.before, change.after, change.rules_band, change.moved) == (
        "green", "red", "green", True)
    with database.session() as session:
        found = person(session, 1)
        assert (found.risk_band, found.risk_band_override, found.risk_score) == ("red", "red", 3)
        assert found.risk_override_by == ACTOR
        assert found.risk_override_reason == "Carer moved away; crisis team contact last week"
        detail = assessment_detail(found, RULES.risk.bands)
        [event] = audit.events(session, actions=["risk.override"])
    assert detail["risk_band"] == "red"
    assert detail["risk_band_override"]["band"] == "red"
    assert detail["risk_band_override"]["rules_band"] == "green"
    assert assessment_detail(found)["risk_band_override"]["rules_band"] is None  # no rules
    assert event.before == {"risk_band": "green", "override": None}
    assert event.after["risk_band"] == "red" and event.after["rules_band"] == "green"
    assert event.reason == "Carer moved away; crisis team contact last week"
    assert "set to red" in change.in_words() and "gives green" in change.in_words()


def test_assess_keeps_the_managers_band_full_and_only_changed(database: Database) -> None:
    seed(database)
    set_band(database, 0, "green", "Score inflated by a stale discharge record")
    for only_changed in (False, True, False):
        refresh(database, only_changed=only_changed)
        with database.session() as session:
            found = person(session, 0)
            assert (found.risk_band, found.risk_score) == ("green", 13)
    with database.transaction() as session:
        summary = refresh_assessments(session, RULES, as_of=TODAY, actor=ACTOR)
    assert summary.risk_band_overrides == 1
    assert summary.bands == {"red": 0, "amber": 0, "green": 3}


def test_clearing_gives_the_rules_band_back_and_is_audited(database: Database) -> None:
    seed(database)
    set_band(database, 2, "amber")
    with database.transaction() as session:
        change = clear_risk_band(session, RULES, person(session, 2), actor=ACTOR, today=TODAY,
                                 reason="Reviewed at panel")
    assert (change.before, change.after) == ("amber", "green")
    assert "cleared" in change.in_words()
    with database.session() as session:
        found = person(session, 2)
        assert (found.risk_band, found.risk_band_override, found.risk_override_by) == (
            "green", None, None)
        [event] = audit.events(session, actions=["risk.override_cleared"])
    assert event.before == {"risk_band": "amber", "override": "amber"}
    assert event.reason == "Reviewed at panel"
    with database.transaction() as session, pytest.raises(TransitionError) as refused:
        clear_risk_band(session, RULES, person(session, 2), actor=ACTOR, today=TODAY)
    assert refused.value.exit_code == EXIT_PARTIAL
    assert "no manager's risk band" in refused.value.message


@pytest.mark.parametrize(("band", "reason", "said"), [
    ("red", "   ", "needs a written reason"),
    ("purple", "why", "is not a risk band"),
    pytest.param("x" * 500, "why", "That is not a risk band", id="long"),
])
def test_bad_input_changes_nothing(database: Database, band: str, reason: str,
                                   said: str) -> None:
    seed(database)
    with pytest.raises(TransitionError) as refused:
        set_band(database, 1, band, reason)
    assert said in refused.value.message and len(refused.value.message) < 200
    assert nhs_number(1) not in refused.value.message + (refused.value.hint or "")
    with database.session() as session:
        assert person(session, 1).risk_band == "green"
        assert audit.events(session, actions=["risk.override"]) == []


def test_someone_not_yet_assessed_has_no_band_to_set(database: Database) -> None:
    with database.transaction() as session:
        make_person(session, nhs_number=nhs_number(5))
    with pytest.raises(TransitionError) as refused:
        set_band(database, 5, "red")
    assert "no handover-risk score yet" in refused.value.message
    assert refused.value.hint == "Run transition assess first."


def test_a_stale_version_is_a_conflict_and_changes_nothing(database: Database) -> None:
    seed(database)
    with database.session() as session:
        seen = person(session, 1).version
    set_band(database, 1, "amber")
    with pytest.raises(ConflictError):
        set_band(database, 1, "red", expected_version=seen)
    with database.session() as session:
        assert person(session, 1).risk_band == "amber"


def test_the_at_risk_list_ranks_the_band_in_use_first(database: Database) -> None:
    seed(database)
    with database.session() as session:
        assert [row.nhs_number for row in at_risk(session)] == [nhs_number(i) for i in (0, 1, 2)]
    set_band(database, 2, "red")  # score 0, but a manager's red: above the green 3
    set_band(database, 0, "green", "Stale discharge record")  # score 13, now green
    with database.session() as session:
        ranked = at_risk(session)
        red_only = at_risk(session, band="red")
    assert [row.nhs_number for row in ranked] == [nhs_number(i) for i in (2, 0, 1)]
    assert [row.band_overridden for row in ranked] == [True, True, False]
    assert ranked[0].as_json()["risk_band_overridden"] is True
    assert [row.nhs_number for row in red_only] == [nhs_number(2)]


def test_a_band_that_moves_brings_their_tasks_up_to_date(database: Database) -> None:
    """Red asks for a joint visit (rules: tasks.templates.joint_visit): setting red adds it
    once the programme has tasks, clearing sets it aside; a band that does not move touches
    no task."""
    with database.transaction() as session:
        ids = task_world.build(session)
        session.execute(update(Person).values(risk_score=2))
        generate_tasks(session, RULES, as_of=TODAY, actor=ACTOR,
                       transfer_date=task_world.TRANSFER)
    council = ids["council"]

    def joint_visit(session: Session) -> Task | None:
        return session.scalars(select(Task).where(Task.person_id == council,
                                                  Task.key == "joint_visit")).one_or_none()

    with database.transaction() as session:
        assert joint_visit(session) is None
        change = set_risk_band(session, RULES, session.get(Person, council), "red",  # type: ignore[arg-type]
                               reason="Crisis", actor=ACTOR, today=TODAY)
        assert change.tasks is not None and change.tasks.created == 1
        assert change.tasks_in_words() == ["Their tasks: 1 added."]
        visit = joint_visit(session)
        assert visit is not None and visit.status == "todo"
        again = set_risk_band(session, RULES, session.get(Person, council), "red",  # type: ignore[arg-type]
                              reason="Still so", actor=ACTOR, today=TODAY)
        assert not again.moved and again.tasks is None
        assert "did not change" in again.in_words()
        cleared = clear_risk_band(session, RULES, session.get(Person, council),  # type: ignore[arg-type]
                                  actor=ACTOR, today=TODAY)
        assert cleared.after == "green" and cleared.tasks is not None
        assert joint_visit(session).status == "not_needed"  # type: ignore[union-attr]


def test_before_any_tasks_a_band_generates_none(database: Database) -> None:
    seed(database)
    change = set_band(database, 2, "red")
    assert change.moved and change.tasks is None
    with database.session() as session:
        assert session.scalars(select(Task)).all() == []


def test_integrity_checks_the_band_in_use_and_its_audit_row(database: Database) -> None:
    seed(database)
    set_band(database, 1, "amber")
    assert check_database(database).ok
    with database.transaction() as session:
        session.execute(update(Person).where(Person.nhs_number == nhs_number(2))
                        .values(risk_band_override="red"))  # set behind the tool's back
    found = {finding.name: finding for finding in check_database(database).findings}
    assert not found["people_valid"].ok
    assert "the manager's risk band is not the band in use" in found["people_valid"].examples[0]
    assert not found["overrides_audited"].ok


def test_dates_do_not_matter_to_the_band_kept(database: Database) -> None:
    """Weeks later the rules' score falls (the discharge leaves its window): the manager's
    band stays; the rules' band the detail gives is the new one."""
    seed(database)
    set_band(database, 0, "red", "Keep red whatever the score: known to crisis team")
    with database.transaction() as session:
        refresh_assessments(session, RULES, as_of=TODAY + timedelta(days=400), actor=ACTOR)
    with database.session() as session:
        found = person(session, 0)
        detail = assessment_detail(found, RULES.risk.bands)
    assert found.risk_band == "red" and found.risk_score is not None and found.risk_score < 10
    assert detail["risk_band_override"]["rules_band"] != "red"
    assert isinstance(detail["risk_band_override"]["at"], date)
