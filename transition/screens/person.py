"""One person: every field the trust sent, grouped as a team manager reads them, with the
import history, the importer's warnings and the audit trail.

The page is a list of :class:`PersonSection` s; each turns a :class:`PersonView` into something
to show (or None to hide). The trust's fields, letters and import history are in
:mod:`transition.widgets.person_record` (no Textual), which ``transition person`` prints too.
Later stages add theirs (pathway reasons, risk factors, workers, tasks, letters) to
:data:`STAGE_SECTIONS`, one line each, reading the section they added to
``people.person_detail`` from ``view.detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from transition import nhs
from transition.config import CouncilDetails
from transition.db import Database
from transition.errors import ConflictError, TransitionError
from transition.handover_change import HandoverOutcome
from transition.matching import ROLE_WORDS
from transition.models import Person
from transition.overview import named, staff_names
from transition.plan_review import describe_role
from transition.programme import transfer_date
from transition.risk import RiskBands
from transition.risk_overrides import BandChange
from transition.ruleset import Rules
from transition.screens.base import DetailScreen, database_words
from transition.screens.confirm import ConfirmScreen
from transition.screens.handover_dialog import (
    HandoverAnswer,
    HandoverDateScreen,
    save_handover_date,
)
from transition.screens.pathway_override import (
    CLEAR,
    OVERRIDE_CLEARED,
    OverrideChoice,
    PathwayOverrideScreen,
    clear_override,
    save_override,
    what_changed,
)
from transition.screens.risk_band import BandChoice, RiskBandScreen, save_band
from transition.screens.worker_picker import (
    RoleChoiceScreen,
    WorkerPick,
    ask_for_worker,
    holds_now_words,
)
from transition.widgets.audit_trail import audit_table
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.format import (
    words,
)
from transition.widgets.panels import Panel
from transition.widgets.pathway import handover_text, pathway_section, risk_section
from transition.widgets.person_record import (
    FIELD_SECTIONS,
    RECORD_HISTORY,
    PersonSection,
    PersonView,
    banner,
    letters,
    no_roles,
    read_person,
    section_table,
    task_summary,
    task_table,
)
from transition.worker_overrides import (
    AssignResult,
    WorkerOption,
    assign_worker,
    worker_choices,
)

AUDIT_SHOWN = 200
NARROW = 110  # columns: below this the boxes of the trust's fields go one under another


def load_person(database: Database, person_id: int, today: date,
                visit_task: str | None = None,
                bands: RiskBands | None = None,
                council: CouncilDetails | None = None) -> PersonView | None:
    """What the screen shows (see :func:`read_person`), with the latest changes to them."""
    with database.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        return read_person(session, person, today, visit_task=visit_task, bands=bands,
                           council=council, audit_limit=AUDIT_SHOWN + 1)


# What each recorded action did, in a manager's words ("task.create" is for scripts:
# transition audit --action); an action not listed reads as its words ("task template").
AUDIT_ACTIONS = {
    "person.insert": "First imported",
    "person.update": "Changed by an import",
    "person.missing": "Not in an export",
    "person.returned": "Back in an export",
    "person.handover_date": "Handover date set",
    "pathway.decide": "Pathway decided",
    "pathway.override": "Pathway overridden",
    "pathway.override_cleared": "Override cleared",
    "risk.override": "Risk band set",
    "risk.override_cleared": "Risk band cleared",
    "assignment.accept": "Plan accepted",
    "assignment.manager": "Worker chosen",
    "assignment.end": "Role ended",
    "assignment.since": "Worker's start moved",
    "task.create": "Tasks made",
    "task.status": "Task status",
    "task.note": "Task note",
    "task.owner": "Task owner",
    "task.due": "Task due date",
    "letter.generate": "Letter written",
    "letter.supersede": "Letter replaced",
}


def audit_action(action: str) -> str:
    """'Pathway overridden' for pathway.override: what a recorded change did, in words."""
    return AUDIT_ACTIONS.get(action) or words(action.replace(".", " "))


def audit_trail(view: PersonView) -> RenderableType:
    if not view.audit:
        return Text("No changes recorded yet.", style="dim")
    # Tasks by their titles, the change wrapped at word boundaries (widgets/audit_trail.py).
    table = audit_table(view.audit[:AUDIT_SHOWN], action_words=audit_action,
                        tasks=view.detail.get("tasks") or [])
    if len(view.audit) > AUDIT_SHOWN:
        return Group(table, Text(f"Showing the latest {AUDIT_SHOWN} changes.", style="dim"))
    return table


def tasks(view: PersonView) -> RenderableType | None:
    """The person's handover tasks (``person_detail``'s "tasks"), overdue first."""
    rows = view.detail.get("tasks") or []
    if not rows:
        return None
    summary = task_summary(rows)
    summary.append(" · T: change them in Tasks")
    return Group(task_table(rows), summary)


def workers(view: PersonView) -> RenderableType | None:
    """Who holds each role the pathway needs, or why no one does, and the draft's proposal."""
    roles = view.detail.get("roles") or []
    if not roles:
        return no_roles(view.detail.get("pathway"))
    table = section_table("Role", "Worker", "Notes")
    for entry in roles:
        who, notes = describe_role(entry, view.today)
        missing = entry["state"] in ("unfilled", "none", "coordinator_ended")
        table.add_row(ROLE_WORDS.get(entry["role"], entry["role"]),
                      Text(who, style="bold red" if missing else "bold"), notes)
    if view.handover is None:
        return table
    return Group(handover_text(view.handover, view.person.risk_band, view.handover.sentence()),
                 table)


STAGE_SECTIONS: tuple[PersonSection, ...] = (
    # Later stages add one line each.
    PersonSection("pathway", "Pathway and reasons (o: override)",
                  lambda view: pathway_section(view.detail), wide=True),
    PersonSection("risk", "Handover risk (R: set the band)",
                  lambda view: risk_section(view.detail), wide=True),
    PersonSection("workers", "Workers (A: choose a worker)", workers, wide=True),
    PersonSection("tasks", "Tasks (T: their tasks)", tasks, wide=True),
    PersonSection("letters", "Letters", letters, wide=True),
)

HISTORY_SECTIONS: tuple[PersonSection, ...] = (
    *RECORD_HISTORY,
    PersonSection("audit", "Audit trail (newest first)", audit_trail, wide=True),
)


def handover_saved(outcome: HandoverOutcome) -> str:
    """'They now move on Tuesday 1 June 2027. Their tasks: 4 given a new owner.'"""
    effective = outcome.effective
    if effective is None:
        said = "Saved: they have no handover date until the programme's transfer date is set."
    elif outcome.change.after is None:
        said = f"They now move on the programme's transfer date, {effective:%A %-d %B %Y}."
    else:
        said = f"They now move on {effective:%A %-d %B %Y}."
    if not outcome.change.changed:
        said = f"No change: {said[0].lower()}{said[1:]}"
    return " ".join([said, *outcome.tasks_in_words()])


class PersonScreen(DetailScreen):
    """Everything known about one person."""

    CSS_PATH = "person.tcss"
    TITLE = "Person"

    BINDINGS = [
        # At 80 columns the footer has room for esc, o, u, A, H and q Quit: T is named in the
        # tasks box's title instead, and o's label says no more than that box's "o: override".
        Binding("o", "override_pathway", "Override", id="person.override"),
        Binding("u", "clear_override", "Clear override", id="person.clear_override"),
        Binding("T", "tasks", "Their tasks", show=False, id="person.tasks"),
        Binding("A", "choose_worker", "Choose worker", key_display="A",
                id="person.choose_worker"),
        Binding("H", "handover_date", "Handover date", key_display="H",
                id="person.handover_date"),
        # Named in the risk box's title ("R: set the band"): the footer has no room at 80.
        Binding("R", "risk_band", "Risk band", key_display="R", show=False,
                id="person.risk_band"),
    ]

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id
        self.view: PersonView | None = None
        self.choosing = False  # the workers for a role are being listed

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with VerticalScroll(id="person"):
            yield Static(id="banner")
            with Grid(id="fields"):
                for section in FIELD_SECTIONS:
                    yield Panel(section.title, id=section.id)
            with Vertical(id="stage-sections"):
                for section in STAGE_SECTIONS:
                    yield Panel(section.title, id=section.id, classes="wide" if section.wide else "")
            for section in HISTORY_SECTIONS:
                yield Panel(section.title, id=section.id, classes="wide")
        yield AppFooter()

    def on_resize(self, event: events.Resize) -> None:
        # Two boxes side by side leave a value a few cells (at 80 columns, one: "Y/e/s" down
        # the box); narrower than NARROW, the boxes go one under another.
        self.query_one("#fields", Grid).set_class(event.size.width < NARROW, "-narrow")

    def action_tasks(self) -> None:
        """The tasks section showing only this person's tasks, to change them."""
        self.transition.show_tasks(person_id=self.person_id)

    def reload(self) -> None:
        try:
            rules: Rules | None = self.transition.rules
        except TransitionError:  # a broken rules file: the screen still opens, without this
            rules = None
        self.view = load_person(self.database, self.person_id, self.today(),
                                rules.checks.handover_visit_task if rules else None,
                                rules.risk.bands if rules else None, self.settings.council)
        if self.view is None:
            self.query_one("#banner", Static).update(
                Text("This person is no longer on the caseload.", style="bold red")
            )
            for panel in self.query(Panel):
                panel.show(None)
            return
        self.sub_title = f"{self.view.person.family_name}, {self.view.person.given_name}"
        self.query_one("#banner", Static).update(banner(self.view))
        for section in (*FIELD_SECTIONS, *STAGE_SECTIONS, *HISTORY_SECTIONS):
            self.query_one(f"#{section.id}", Panel).show(section.render(self.view))
        self.refresh_bindings()

    # -- a manager's pathway override ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tasks":  # only a person with tasks has any to show
            return bool(self.view and self.view.detail.get("tasks"))
        if action == "override_pathway":
            return self.view is not None
        if action == "risk_band":  # a band is set against a score: only once assessed
            return self.view is not None and self.view.person.risk_score is not None
        if action == "choose_worker":  # a role the pathway needs, and not already looking
            return bool(self.view and any(entry["needed"] for entry in
                                          self.view.detail.get("roles") or [])
                        and not self.choosing)
        if action == "clear_override":
            return self.view is not None and self.view.person.pathway_override is not None
        return True

    def action_override_pathway(self) -> None:
        if self.view is None:
            return
        person = self.view.person
        version = person.version
        label = f"{person.given_name} {person.family_name} ({nhs.format_334(person.nhs_number)})"

        def save(choice: OverrideChoice) -> str | None:
            """Saved from the dialog: a refusal (signpost or trust with a statutory duty, as
            overrides.set_pathway_override decides) stays in it, with the reason typed."""
            refusals: list[str] = []
            self._write(lambda: save_override(
                self.database, self.person_id, choice, actor=self.settings.actor,
                expected_version=version),
                OVERRIDE_CLEARED if choice.pathway == CLEAR
                else f"Pathway set to {choice.pathway}.", refused=refusals.append)
            return refusals[0] if refusals else None

        detail = self.view.detail
        self.app.push_screen(PathwayOverrideScreen(
            label, person.pathway, save=save,
            rules_decision=detail.get("pathway_rules_decision"),
            reasons=detail.get("pathway_reasons") or (),
            override=detail.get("pathway_override")))

    def action_clear_override(self) -> None:
        if self.view is None or self.view.person.pathway_override is None:
            return
        version = self.view.person.version
        decision = self.view.detail.get("pathway_rules_decision") or "undecided until assessed"

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(lambda: clear_override(
                    self.database, self.person_id, actor=self.settings.actor,
                    expected_version=version), OVERRIDE_CLEARED)

        self.app.push_screen(ConfirmScreen(
            "Clear the manager's pathway override?",
            detail=f"The pathway goes back to the rules' decision: {decision}.",
            yes="Clear it", no="Keep it"), answered)

    # -- a manager's handover-risk band ------------------------------------------------------

    def action_risk_band(self) -> None:
        """Set the band (clinical judgement over the points), or give the rules' band back:
        saved with the reason, audited, and their tasks brought up to date (a red band's
        joint visit added or set aside)."""
        if self.view is None or self.view.person.risk_score is None:
            return
        person = self.view.person
        version = person.version
        label = f"{person.given_name} {person.family_name} ({nhs.format_334(person.nhs_number)})"
        override = self.view.detail.get("risk_band_override") or {}
        rules_band = override.get("rules_band") if override else person.risk_band

        def save(choice: BandChoice) -> str | None:
            refusals: list[str] = []
            changes: list[BandChange] = []
            self._write(lambda: changes.append(save_band(
                self.database, self.transition.rules, self.person_id, choice,
                actor=self.settings.actor, today=self.today(), expected_version=version)),
                lambda: " ".join([changes[0].in_words(named=False),
                                   *changes[0].tasks_in_words()]),
                refused=refusals.append)
            return refusals[0] if refusals else None

        self.app.push_screen(RiskBandScreen(label, person.risk_band, rules_band,
                                            overridden=bool(override), save=save))

    # -- a person's own handover date (a phased move) ----------------------------------------

    def action_handover_date(self) -> None:
        """Give this person their own handover date, or the programme's back (as transition
        handover-date does): saved with their tasks brought up to date, and what the new date
        breaks (a worker not there then, letters written with the old date) said after."""
        if self.view is None:
            return
        person = self.view.person
        version = person.version
        label = f"{person.given_name} {person.family_name} ({nhs.format_334(person.nhs_number)})"
        with self.database.session() as session:
            programme = transfer_date(session)
        today = self.today()

        def save(answer: HandoverAnswer) -> str | None:
            refusals: list[str] = []
            outcomes: list[HandoverOutcome] = []
            self._write(lambda: outcomes.append(save_handover_date(
                self.database, self.transition.rules, self.person_id, answer,
                actor=self.settings.actor, today=today, expected_version=version)),
                lambda: handover_saved(outcomes[0]), refused=refusals.append)
            if outcomes and (notes := outcomes[0].notes(today)):
                self.notify("\n".join(notes), title="Check the new date", severity="warning")
            return refusals[0] if refusals else None

        self.app.push_screen(HandoverDateScreen(label, person.handover_date, programme,
                                                save=save))

    # -- a manager's choice of worker -------------------------------------------------------

    def action_choose_worker(self) -> None:
        """Choose a worker for one of the roles the pathway needs (asking which, for two)."""
        if self.view is None:
            return
        roles = [entry for entry in self.view.detail.get("roles") or [] if entry["needed"]]
        if len(roles) == 1:
            self._load_choices(roles[0])
            return

        def which(role: str | None) -> None:
            entry = next((entry for entry in roles if entry["role"] == role), None)
            if entry is not None:
                self._load_choices(entry)

        labels = [(entry["role"], f"{ROLE_WORDS.get(entry['role'], entry['role'])}: "
                                  + describe_role(entry, self.view.today)[0]) for entry in roles]
        self.app.push_screen(RoleChoiceScreen("Choose a worker for which role?", labels), which)

    def _load_choices(self, entry: dict[str, Any]) -> None:
        self.choosing = True
        self.refresh_bindings()
        self._list_workers(entry)

    @work(thread=True, exclusive=True, group="person-options", exit_on_error=False)
    def _list_workers(self, entry: dict[str, Any]) -> tuple[dict[str, Any], list[WorkerOption]]:
        with self.database.session() as session:
            return entry, worker_choices(session, self.transition.rules,
                                         person_id=self.person_id, role=entry["role"],
                                         as_of=self.today())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "person-options" or not event.worker.is_finished:
            return
        self.choosing = False
        self.refresh_bindings()
        if self.view is None:
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{error.message} {error.hint or ''}".strip()
                        if isinstance(error, TransitionError) else
                        # The driver's text may quote data, so only the kind of failure shows,
                        # unless it is one the database's words know.
                        database_words(self.database, error)
                        or f"{type(error).__name__} while finding workers. Check "
                        f"{self.database.describe()} is reachable and try again.",
                        title="Could not list workers", severity="error")
        elif event.state == WorkerState.SUCCESS:
            entry, options = event.worker.result  # type: ignore[misc]
            person = self.view.person
            holder = entry["holder"] or {}
            draft = entry.get("draft") or {}
            ask_for_worker(self, name=f"{person.given_name} {person.family_name}",
                           nhs_number=person.nhs_number, role=entry["role"], options=options,
                           planned=holder.get("staff_id") or draft.get("staff_id"),
                           marker="holds it now" if holder else "planned in the draft",
                           why_none=entry["reasons"] or draft.get("reasons") or (),
                           chosen=lambda pick, force: self._assign(entry, pick, force),
                           holds_now=(holder["staff_id"], holds_now_words(holder.get("source")))
                           if holder.get("staff_id") else None)

    def _assign(self, entry: dict[str, Any], pick: WorkerPick, force: bool) -> str | None:
        """Saved from the worker dialog: a refusal (the worker full, gone, the reason too
        long) is returned for the dialog to show, with the choice and reason kept."""
        assert self.view is not None
        nhs_number = self.view.person.nhs_number
        role = entry["role"]
        seen = entry["assignment_id"]  # refused if someone changed who holds it meanwhile

        done: list[AssignResult] = []

        def save() -> None:
            with self.database.transaction() as session:
                done.append(assign_worker(
                    session, self.transition.rules, nhs_number=nhs_number,
                    staff_id=pick.staff_id, role=role, reason=pick.reason, lock=pick.lock,
                    force=force, as_of=self.today(), actor=self.settings.actor,
                    expected_assignment_id=seen))
                names.update(staff_names(session, [pick.staff_id]))

        names: dict[str, str] = {}
        locked = " and locked" if pick.lock else ""
        broke = " (recorded with what it breaks)" if force else ""
        refusals: list[str] = []
        self._write(save, lambda: " ".join(filter(None, (
            (f"{named(names, pick.staff_id)} is now the {ROLE_WORDS.get(role, role)}{locked}"
            f"{broke}."), done[0].draft_in_words("A on the plan screen"),
            done[0].late_start_in_words(), done[0].tasks_in_words()))),
            refused=refusals.append)
        return refusals[0] if refusals else None

    def _write(self, save: Callable[[], None], done: str | Callable[[], str], *,
               refused: Callable[[str], None] | None = None) -> None:
        """Save; on a conflict reload the record and say what someone else changed. A refusal
        (TransitionError) goes to ``refused`` when given (a dialog's problem line), else to a
        notification."""
        before = self.view.detail if self.view else {}
        try:
            save()
        except ConflictError as exc:
            self.transition.data_changed()
            self.safely(self.reload)
            after = self.view.detail if self.view else {}
            self.notify(f"{exc.message} What changed: {what_changed(before, after)}. The screen "
                        "now shows the record as it is: check it and try again.",
                        title="Changed by someone else", severity="warning")
            return
        except TransitionError as exc:
            said = f"{exc.message} {exc.hint or ''}".strip()
            if refused is not None:
                refused(said)
            else:
                self.notify(said, title="Not saved", severity="error")
            return
        except SQLAlchemyError as exc:
            # The driver's text may quote data, so only the kind of failure is shown, unless
            # it is one the database's words know.
            self.notify(database_words(self.database, exc)
                        or f"{type(exc).__name__} on {self.database.describe()}: nothing was "
                        "saved. Check the database is reachable and try again.",
                        title="Not saved", severity="error")
            return
        self.transition.data_changed()
        self.safely(self.reload)
        self.refresh_bindings()
        self.notify(done() if callable(done) else done)
