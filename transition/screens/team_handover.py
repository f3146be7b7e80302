"""Everyone in a team or locality moving on their own handover date (a phased move), from the
caseload screen: choose the team and/or locality, type the date (blank: the programme's
transfer date) and why. Saved as ``transition handover-date --team TEAM DATE`` saves it
(:func:`transition.handover_change.change_group_handover_date`: all or nothing, audited, their
tasks brought up to date).

The modal only asks and reads the answer; the caseload screen saves, and a refusal (someone
changed one of them meanwhile, a reason too long) stays in the modal with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from transition.audit import REASON_LIMIT
from transition.db import Database
from transition.handover import Place
from transition.handover_change import GroupOutcome, change_group_handover_date
from transition.ruleset import Rules
from transition.screens.choice_dialog import ReasonDialog
from transition.screens.handover_dialog import DATE_BOX_PLACEHOLDER, date_and_reason
from transition.widgets.format import uk_date


@dataclass(frozen=True)
class TeamHandoverAnswer:
    team: str | None  # None: any team (the locality decides)
    locality: str | None  # None: any locality
    day: date | None  # None: the programme's transfer date
    reason: str

    @property
    def where(self) -> str:
        """'North CMHT', 'the locality Westhaven', 'North CMHT in Westhaven'."""
        if self.team and self.locality:
            return f"{self.team} in {self.locality}"
        return self.team or f"the locality {self.locality}"


def _label(place: Place) -> str:
    people = f"{place.people:,} {'person' if place.people == 1 else 'people'}"
    if place.own_dates:
        return f"{place.name} ({people}; {place.own_dates:,} with their own date)"
    return f"{place.name} ({people})"


class TeamHandoverScreen(ReasonDialog[TeamHandoverAnswer]):
    """Choose a team and/or locality, type a date (blank: the programme's) and why; ctrl+s or
    enter in the reason saves, escape cancels."""

    DEFAULT_CSS = """
    TeamHandoverScreen { align: center middle; }
    TeamHandoverScreen > #dialog {
        width: 90; max-width: 100%; height: auto; max-height: 95%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    TeamHandoverScreen #body { height: auto; max-height: 1fr; }
    TeamHandoverScreen #question { text-style: bold; }
    TeamHandoverScreen .muted { color: $text-muted; }
    TeamHandoverScreen #now { margin-bottom: 1; }
    TeamHandoverScreen Select { margin-bottom: 1; }
    TeamHandoverScreen #dialog-foot { dock: bottom; height: auto; }
    TeamHandoverScreen #problem { color: $text-error; height: auto; }
    /* A label wraps at word boundaries rather than losing its end on a narrow terminal. */
    TeamHandoverScreen Label { width: 100%; }
    TeamHandoverScreen #answers { height: auto; margin-top: 1; align-horizontal: right; }
    TeamHandoverScreen Button { margin-left: 2; }
    TeamHandoverScreen.-short > #dialog { max-height: 100%; padding: 0 1; }
    TeamHandoverScreen.-short Select, TeamHandoverScreen.-short #now { margin-bottom: 0; }
    TeamHandoverScreen.-short #answers { margin-top: 0; }
    """

    def __init__(self, teams: Sequence[Place], localities: Sequence[Place],
                 programme: date | None, *, team: str | None = None,
                 locality: str | None = None,
                 save: Callable[[TeamHandoverAnswer], str | None] | None = None) -> None:
        super().__init__()
        self.teams = list(teams)
        self.localities = list(localities)
        self.programme = programme
        self.first_team = team if any(place.name == team for place in teams) else None
        self.first_locality = (locality if any(place.name == locality for place in localities)
                               else None)
        self.save = save

    def compose(self) -> ComposeResult:
        programme = uk_date(self.programme) if self.programme else "not set yet"
        with Vertical(id="dialog"):
            with VerticalScroll(id="body"):
                yield Static("Handover date for a team or locality", id="question")
                yield Static("Everyone in it who is in the latest trust export gets this date "
                             "as their own (all or nothing); their tasks follow.",
                             classes="muted")
                yield Static(f"The programme's transfer date is {programme}.",
                             id="now", classes="muted")
                yield Label("Team:")
                yield Select([(_label(place), place.name) for place in self.teams],
                             prompt="Any team (choose a locality)", id="team",
                             value=self.first_team or Select.NULL)
                yield Label("Locality (with a team: only the team's people there):")
                yield Select([(_label(place), place.name) for place in self.localities],
                             prompt="Any locality", id="locality",
                             value=self.first_locality or Select.NULL)
                yield Label(f"New date (blank: the transfer date, {programme}):")
                yield Input(placeholder=DATE_BOX_PLACEHOLDER, id="date")
                yield Label("Why (kept in the audit trail):")
                yield Input(placeholder="e.g. Phase 2 of the move, agreed at the panel",
                            max_length=REASON_LIMIT, id="reason")
            with Vertical(id="dialog-foot"):
                yield Static("", id="problem")
                with Horizontal(id="answers"):
                    yield Button("Save (ctrl+s)", id="save", variant="warning")
                    yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        # A team already chosen (the caseload's filter, or the person under the cursor):
        # straight to the date. The dialog opens at the top, so what it is about is read first:
        # Textual's focus centres the box it moves to, which at 80x24 scrolled the heading out
        # of sight. The box is brought into view only when it is not (a shorter terminal).
        box = self.query_one("#date" if self.first_team else "#team")
        box.focus(scroll_visible=False)
        self.call_after_refresh(self.query_one("#body", VerticalScroll).scroll_to_widget, box,
                                animate=False)

    @on(Input.Submitted, "#date")
    def _date_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#reason", Input).focus()

    def _chosen(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return value if isinstance(value, str) else None

    def action_save(self) -> None:
        problem = self.query_one("#problem", Static)
        team, locality = self._chosen("team"), self._chosen("locality")
        if team is None and locality is None:
            problem.update("Choose a team or a locality (or both).")
            self.query_one("#team", Select).focus()
            return
        typed = date_and_reason(self, self.programme)
        if typed is None:
            return
        answer = TeamHandoverAnswer(team, locality, *typed)
        refused = self.save(answer) if self.save is not None else None
        if refused:
            problem.update(refused)
            return
        self.dismiss(answer)


def save_team_handover_date(database: Database, rules: Rules, answer: TeamHandoverAnswer, *,
                            actor: str, today: date) -> GroupOutcome:
    """Save in its own transaction: all or nothing (ConflictError if anyone in it changed
    since it was read)."""
    with database.transaction() as session:
        return change_group_handover_date(session, rules, answer.day, actor=actor, today=today,
                                          reason=answer.reason, team=answer.team,
                                          locality=answer.locality)
