"""``red_without_handover`` once the handover date has passed: the joint visit did not happen
before the change, so the finding no longer says to book it "before the handover"; it says to
book a visit with the new worker now and review the handover."""

from __future__ import annotations

from pathlib import Path

from tests.check_world import assign, check, days, of, person, task, with_transfer
from tests.conftest import TODAY
from tests.factories import make_staff
from transition.check_findings import red_without_handover
from transition.check_findings.world import _World
from transition.db import Database
from transition.ruleset import load_rules


def _messages(database: Database) -> dict[str, str]:
    return {finding.nhs_number or "": finding.message
            for finding in of(check(database), "red_without_handover")}


def test_a_past_handover_asks_for_a_visit_with_the_new_worker_now(database: Database) -> None:
    # TODAY is Friday 15 January 2027.
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")
        past = person(session, band="red", coordinator="OLD", handover_date=days(-3))
        assign(session, past, "social_worker", "NEW")
        task(session, past, "joint_visit", days(-6))
        past_no_task = person(session, band="red", coordinator="OLD", handover_date=days(-1))
        assign(session, past_no_task, "social_worker", "NEW")
        ahead = person(session, band="red", coordinator="OLD", handover_date=days(3))
        assign(session, ahead, "social_worker", "NEW")
        task(session, ahead, "joint_visit", days(1))
    said = _messages(database)
    message = said[past.nhs_number]
    assert message.startswith(
        "Red handover risk: the handover was on 2027-01-12 (already past, 3 days ago) and the "
        "joint handover visit did not happen before the worker changed (its task is todo).")
    assert "before the handover" not in message and "both workers" not in message
    assert "Book a visit with the new worker now" in message
    assert "review the handover with the team manager" in message
    assert "Mark the visit task done once it has happened." in message
    no_task = said[past_no_task.nhs_number]
    assert "(already past, 1 day ago)" in no_task
    assert "there is no joint visit task: run `transition tasks generate` to make one" in no_task
    assert "Book a visit with the new worker now" in no_task
    # Ahead of the handover, the advice is still to visit before it.
    assert said[ahead.nhs_number].endswith("Book it with both workers before the handover.")


def test_a_past_handover_with_the_visit_template_turned_off(
    database: Database, tmp_path: Path
) -> None:
    rules_file = tmp_path / "council.toml"
    rules_file.write_text("[tasks.templates.joint_visit]\nenabled = false\n")
    rules = load_rules(rules_file)
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "OLD")
        make_staff(session, "NEW")
        past = person(session, band="red", coordinator="OLD", handover_date=days(-3))
        assign(session, past, "social_worker", "NEW")
    with database.session() as session:
        [finding] = red_without_handover(_World(session, rules, TODAY))
    assert finding.nhs_number == past.nhs_number
    assert "tasks generate" not in finding.message
    assert "enabled = false, so none is made: arrange the visit by hand" in finding.message
    assert "Book a visit with the new worker now" in finding.message
    assert "Mark the visit task done" not in finding.message
    assert "before the handover" not in finding.message
