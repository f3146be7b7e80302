"""Two managers choosing workers at once (PostgreSQL, where transactions run side by side;
SQLite's write lock at BEGIN already makes the second wait and read afresh)."""

from __future__ import annotations

import threading

import pytest

from tests.caseloads import TRANSFER
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from tests.unit.test_concurrency import _wait_until_blocked
from transition.db import Database
from transition.errors import TransitionError
from transition.plan_review import current_caseloads
from transition.programme import set_transfer_date
from transition.ruleset import load_rules
from transition.worker_overrides import assign_worker


def test_two_managers_cannot_both_take_a_workers_last_place(database: Database) -> None:
    """SW1 has one place left. Ana gives it to one person while Ben, at the same moment,
    gives it to another: each check saw the place free, and both were recorded (SW1 over
    capacity, no one told). Ben's choice now waits for Ana's and is refused."""
    if database.is_sqlite:
        pytest.skip("SQLite takes the write lock at BEGIN: the second choice waits, then "
                    "reads afresh")
    rules = load_rules()
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=1)
        for number in (1, 2):
            make_person(session, pathway="council", risk_band="green",
                        nhs_number=nhs_number(number))
    outcome: dict[str, BaseException | None] = {}
    patient = Database(database.url.render_as_string(hide_password=False),
                       busy_timeout_seconds=60)

    def bens_choice() -> None:
        try:
            with patient.transaction() as session:
                assign_worker(session, rules, nhs_number=nhs_number(2), staff_id="SW1",
                              role="social_worker", reason="knows them", lock=False,
                              force=False, as_of=TODAY, actor="ben")
            outcome["ben"] = None
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            outcome["ben"] = exc

    thread = threading.Thread(target=bens_choice)
    try:
        with database.transaction() as session:
            assign_worker(session, rules, nhs_number=nhs_number(1), staff_id="SW1",
                          role="social_worker", reason="knows them", lock=False, force=False,
                          as_of=TODAY, actor="ana")
            thread.start()
            _wait_until_blocked(database, thread)
    finally:
        thread.join(timeout=60)
        patient.dispose()
    refused = outcome["ben"]
    assert isinstance(refused, TransitionError), outcome
    assert "SW1 would be over capacity (2 of 1)" in str(refused)
    with database.session() as session:
        assert current_caseloads(session, TODAY) == {"SW1": 1}
