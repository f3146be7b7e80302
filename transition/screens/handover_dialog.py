"""A person's own handover date (a phased move) from the person screen: the date, or blank for
the programme's transfer date, and why; saved as ``transition handover-date NHS DATE`` saves it
(:func:`transition.handover_change.change_handover_date`: audited, version-checked, tasks
brought up to date).

The modal only asks and reads the date; the person screen saves, and a refusal (someone else
changed the record, a reason too long) stays in the modal with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from transition.audit import REASON_LIMIT
from transition.db import Database
from transition.errors import NotFoundError
from transition.handover_change import HandoverOutcome, change_handover_date
from transition.models import Person
from transition.ruleset import Rules
from transition.screens.choice_dialog import ReasonDialog
from transition.validation import Bad, date_problem, typed_date
from transition.widgets.format import uk_date

# A date box's example (its placeholder), and what to type when the box holds no date: the
# example's shape first (the month in words, as the box shows a date already set), then the
# others typed_date reads, the same day in each (01/06/2027 is 1 June: day first).
DATE_BOX_EXAMPLE = "1 June 2027, 01/06/2027 or 2027-06-01"
DATE_BOX_PLACEHOLDER = f"e.g. {DATE_BOX_EXAMPLE}"
DATE_BOX_HINT = f"Write it like the example: {DATE_BOX_EXAMPLE}."


@dataclass(frozen=True)
class HandoverAnswer:
    day: date | None  # None: the programme's transfer date
    reason: str


class HandoverDateScreen(ReasonDialog[HandoverAnswer]):
    """Type a date (blank: the programme's) and why; ctrl+s or enter saves, escape cancels."""

    # Under 30 rows (80x24) the dialog may take the whole height and gives up its blank lines,
    # so a refusal of a few lines above the buttons still leaves Save and Cancel on screen.
    DEFAULT_CSS = """
    HandoverDateScreen { align: center middle; }
    HandoverDateScreen > #dialog {
        width: 84; max-width: 100%; height: auto; max-height: 90%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    HandoverDateScreen #question { text-style: bold; }
    HandoverDateScreen #now { color: $text-muted; margin-bottom: 1; }
    HandoverDateScreen #problem { color: $text-error; height: auto; }
    /* A label wraps at word boundaries rather than losing its end on a narrow terminal. */
    HandoverDateScreen Label { width: 100%; }
    HandoverDateScreen #answers { height: auto; margin-top: 1; align-horizontal: right; }
    HandoverDateScreen Button { margin-left: 2; }
    HandoverDateScreen.-short > #dialog { max-height: 100%; padding: 0 1; }
    HandoverDateScreen.-short #answers { margin-top: 0; }
    """

    def __init__(self, person_label: str, own: date | None, programme: date | None,
                 save: Callable[[HandoverAnswer], str | None] | None = None) -> None:
        super().__init__()
        self.person_label = person_label
        self.own = own
        self.programme = programme
        self.save = save

    def compose(self) -> ComposeResult:
        programme = uk_date(self.programme) if self.programme else "not set yet"
        if self.own is not None:
            now = f"Now: their own date, {uk_date(self.own)} (the transfer date is {programme})."
        else:
            now = f"Now: the programme's transfer date, {programme}."
        with Vertical(id="dialog"):
            yield Static(f"Handover date for {self.person_label}", id="question")
            yield Static(now, id="now")
            yield Label(f"New date (blank: the transfer date, {programme}):")
            # Their own date as a manager writes it ("1 Feb 2027"), which the box reads back.
            yield Input(value=uk_date(self.own) if self.own else "",
                        placeholder=DATE_BOX_PLACEHOLDER, id="date")
            yield Label("Why (kept in the audit trail):")
            yield Input(placeholder="e.g. Phase 2 of the move, agreed at the panel",
                        max_length=REASON_LIMIT, id="reason")
            yield Static("", id="problem")
            with Horizontal(id="answers"):
                yield Button("Save (ctrl+s)", id="save", variant="warning")
                yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    @on(Input.Submitted, "#date")
    def _date_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#reason", Input).focus()

    def action_save(self) -> None:
        typed = date_and_reason(self, self.programme)
        if typed is None:
            return
        answer = HandoverAnswer(*typed)
        refused = self.save(answer) if self.save is not None else None
        if refused:
            self.query_one("#problem", Static).update(refused)
            return
        self.dismiss(answer)


def date_and_reason(dialog: Screen[Any], programme: date | None) -> tuple[date | None, str] | None:
    """What a handover-date dialog's ``#date`` and ``#reason`` boxes hold: the date (None,
    left blank: the programme's transfer date) and why. None when something is wrong: the
    dialog's ``#problem`` line says what, and the box to put right has the focus."""
    problem = dialog.query_one("#problem", Static)
    date_box, reason_box = dialog.query_one("#date", Input), dialog.query_one("#reason", Input)
    typed = date_box.value.strip()
    try:
        day = typed_date(typed) if typed else None
    except Bad as bad:
        problem.update(f"{typed!r} is not a date{date_problem(bad)}. {DATE_BOX_HINT}")
        date_box.focus()
        return None
    if day is None and programme is None:
        problem.update("The programme has no transfer date yet, so give a date (or set the "
                       "transfer date first: transition programme set).")
        date_box.focus()
        return None
    reason = reason_box.value.strip()
    if not reason:
        problem.update("Say why: it goes into the audit trail.")
        reason_box.focus()
        return None
    return day, reason


def save_handover_date(database: Database, rules: Rules, person_id: int, answer: HandoverAnswer,
                       *, actor: str, today: date, expected_version: int) -> HandoverOutcome:
    """Save in its own transaction; ConflictError if the record moved on since it was read."""
    with database.transaction() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError("This person is no longer on the caseload: nothing was saved.")
        return change_handover_date(session, rules, person, answer.day, actor=actor,
                                    today=today, reason=answer.reason,
                                    expected_version=expected_version)
