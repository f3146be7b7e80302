"""What the nightly check's findings share: the severities, the person and assignment filters
every check uses, the world read once (:class:`_World`: the staff as the planner sees them,
who holds whom) and small date helpers. Imported by every other module of the package; it
imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition import programme
from transition.checks import Finding
from transition.letter_templates import LetterTemplateError, LetterTemplates
from transition.matching import Worker
from transition.models import Assignment, Person, Severity
from transition.plan_inputs import read_workers
from transition.plan_review import current_caseloads
from transition.working_days import working_days_between

CRITICAL, WARNING, INFO = Severity.CRITICAL.value, Severity.WARNING.value, Severity.INFO.value

_current = Assignment.ended_at.is_(None)  # type: ignore[union-attr]
_in_export = Person.missing_since_batch_id.is_(None)  # type: ignore[union-attr]


class _World:
    """What several checks share, read once: the staff as the planner sees them, holdings."""

    def __init__(self, session: Session, rules: Any, as_of: date, council: Any = None,
                 templates_dir: Path | None = None):
        from transition.models import Team

        self.session = session
        self.rules = rules
        self.as_of = as_of
        self.council = council  # the settings' [council]: letters printing old details
        # The settings' letter_templates_dir (None: the shipped templates, nothing to check).
        self.templates_dir = templates_dir
        self._templates: tuple[LetterTemplates | None] | None = None  # read when asked
        self.connection = session.connection()
        self.transfer = programme.transfer_date(session)
        team_locality = dict(session.execute(select(Team.name, Team.locality)).all())
        workers, _rows = read_workers(session, rules.matching, team_locality, [])
        self.workers: dict[str, Worker] = {worker.staff_id: worker for worker in workers}
        self.holding = current_caseloads(session, as_of)
        # No one on a staff list (none imported yet): every named coordinator would be "not on
        # the staff list", so the checks say it once (``no_staff_list``) instead of per person.
        self.staff_list = any(worker.on_staff_list for worker in self.workers.values())

    def on_staff_list(self, staff_id: str | None) -> bool:
        worker = self.workers.get(staff_id or "")
        return bool(worker and worker.on_staff_list)

    def council_templates(self) -> LetterTemplates | None:
        """The council's letter templates, read once for every check that looks at them; None
        when no folder is set, or it is not a folder (``bad_letter_templates`` says so)."""
        if self._templates is None:
            try:
                found = LetterTemplates(self.templates_dir) if self.templates_dir else None
            except LetterTemplateError:
                found = None
            self._templates = (found,)
        return self._templates[0]


Check = Callable[[_World], list[Finding]]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _as_date(value: Any) -> date:
    """A date from a date, a datetime, or SQLite's ISO text."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date"):
        return value.date()
    return value


def _when(as_of: date, day: date) -> str:
    if day < as_of:
        return f"since {day.isoformat()} (already past)"
    if day == as_of:
        return "today"
    left = working_days_between(as_of, day)
    if left == 0:  # tomorrow, or after a weekend or bank holiday: no working day to prepare
        return f"on {day.isoformat()}, with no working day before it"
    return f"on {day.isoformat()}, in {left} working day{'s' if left != 1 else ''}"
