"""The nightly check around weekends and bank holidays: cron runs `1-5`, so it runs on bank
holiday Mondays, and a manager may press k on a Saturday."""

from __future__ import annotations

from datetime import date

import pytest

from tests.check_world import check, of, person, task, with_transfer
from transition.db import Database


@pytest.mark.parametrize(("due", "as_of"), [
    (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve; Boxing Day's substitute Monday
    (date(2027, 1, 15), date(2027, 1, 16)),  # a Friday; the Saturday after it
])
def test_a_task_overdue_with_no_working_day_since_does_not_say_0_working_days_ago(
    database: Database, due: date, as_of: date
) -> None:
    """It said "was due 2026-12-24, 0 working days ago": as if due today, and not late."""
    with database.transaction() as session:
        with_transfer(session)
        late = task(session, person(session), "letter_person", due)
    [finding] = of(check(database, as_of), "overdue_task")
    assert finding.task_id == late.id
    assert "0 working days" not in finding.message
    assert f"was due {due.isoformat()}, and no working day has passed since" in finding.message
