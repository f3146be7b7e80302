"""One person: every field the trust sent, grouped as a team manager reads them, with the
import history, the importer's warnings and the audit trail.

The page is a list of :class:`PersonSection` s; each turns a :class:`PersonView` into something
to show (or None to hide). Later stages add theirs (pathway reasons, risk factors, workers,
tasks, letters) to :data:`STAGE_SECTIONS`, one line each, reading the section they added to
``people.person_detail`` from ``view.detail``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from transition import nhs
from transition.audit import person_audit
from transition.columns import employment_words, ethnic_category_words
from transition.config import CouncilDetails
from transition.db import Database
from transition.errors import ConflictError, TransitionError
from transition.handover_change import HandoverOutcome
from transition.handover_status import HandoverStatus, handover_statuses
from transition.languages import language_name
from transition.letter_facts import has_carer
from transition.matching import ROLE_WORDS
from transition.models import AuditEvent, Person
from transition.overview import PersonImport, person_imports, staff_names
from transition.people import person_detail
from transition.plan_review import describe_role
from transition.postcodes import pseudo_meaning
from transition.programme import transfer_date
from transition.risk import RiskBands, homeless_code, seeking_work
from transition.risk_overrides import BandChange
from transition.ruleset import Rules
from transition.screens.base import DetailScreen
from transition.screens.confirm import ConfirmScreen
from transition.screens.handover_dialog import (
    HandoverAnswer,
    HandoverDateScreen,
    save_handover_date,
)
from transition.screens.pathway_override import (
    OverrideChoice,
    PathwayOverrideScreen,
    clear_override,
    save_override,
    what_changed,
)
from transition.screens.risk_band import BandChoice, RiskBandScreen, save_band
from transition.screens.worker_picker import RoleChoiceScreen, WorkerPick, ask_for_worker
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.format import (
    NOT_RECORDED,
    age,
    days_ago,
    plural,
    recorded_value,
    task_status,
    uk_date,
    uk_time,
    words,
    yes_no,
)
from transition.widgets.panels import Panel, emphasise_yes, fields_table
from transition.widgets.pathway import handover_text, pathway_section, risk_section
from transition.worker_overrides import (
    AssignResult,
    WorkerOption,
    assign_worker,
    worker_choices,
)

AUDIT_SHOWN = 200
NARROW = 110  # columns: below this the boxes of the trust's fields go one under another

OUTCOME_LABELS = {
    "nutrition": "Managing and maintaining nutrition",
    "hygiene": "Maintaining personal hygiene",
    "toilet": "Managing toilet needs",
    "clothing": "Being appropriately clothed",
    "home_safety": "Using the home safely",
    "habitable_home": "Maintaining a habitable home",
    "relationships": "Family and other personal relationships",
    "work_education": "Work, training, education or volunteering",
    "community_services": "Using local facilities and services",
    "child_care": "Caring responsibilities for a child",
}


@dataclass(frozen=True)
class PersonView:
    """Everything the person screen shows, read in one session."""

    person: Person
    detail: dict[str, Any]
    today: date
    programme_transfer: date | None
    coordinator_name: str | None
    imports: list[PersonImport]
    audit: list[AuditEvent]
    handover: HandoverStatus | None = None


def load_person(database: Database, person_id: int, today: date,
                visit_task: str | None = None,
                bands: RiskBands | None = None,
                council: CouncilDetails | None = None) -> PersonView | None:
    """What the screen shows; ``visit_task`` (the rules' joint visit task key) adds where the
    handover stands, ``bands`` (the rules' risk thresholds) the rules' band under a manager's,
    ``council`` (the settings' details) letters printing one since corrected."""
    with database.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        names = staff_names(session, [person.care_coordinator_id])
        return PersonView(
            person=person,
            detail=person_detail(session, person, as_of=today, bands=bands, council=council),
            today=today,
            programme_transfer=transfer_date(session),
            coordinator_name=names.get(person.care_coordinator_id or ""),
            imports=person_imports(session, person),
            audit=person_audit(session, person, limit=AUDIT_SHOWN + 1),
            handover=None if visit_task is None else handover_statuses(
                session, [person_id], visit_task=visit_task, as_of=today).get(person_id),
        )


@dataclass(frozen=True)
class PersonSection:
    """A box on the person screen: its id, title, and what it shows (None = hidden)."""

    id: str
    title: str
    render: Callable[[PersonView], RenderableType | None]
    wide: bool = False


# -- the trust's fields ------------------------------------------------------------------------


def identity(view: PersonView) -> RenderableType:
    p = view.person
    return fields_table([
        ("NHS number", Text(nhs.format_334(p.nhs_number), style="bold")),
        ("Name", f"{p.given_name} {p.family_name}"),
        ("Date of birth", f"{uk_date(p.date_of_birth)} (age {age(p.date_of_birth, view.today)})"),
        ("Gender", words(p.gender)),
        ("Ethnic category", ethnic_category_text(p.ethnic_category)),
        ("Local id", p.local_id or NOT_RECORDED),
    ])


def ethnic_category_text(code: str | None) -> str:
    """'Asian or Asian British: Indian (H)', 'Not stated (Z)': MHSDS EthnicCategory in words."""
    return ethnic_category_words(code) or NOT_RECORDED


def care_team(view: PersonView) -> RenderableType:
    p = view.person
    if p.care_coordinator_id is None:
        coordinator: RenderableType = Text("None recorded", style="bold red")
    elif view.coordinator_name is None:
        coordinator = Text(f"{p.care_coordinator_id} (not in the staff list)", style="yellow")
    else:
        coordinator = f"{view.coordinator_name} ({p.care_coordinator_id})"
    ended = p.coordinator_until is not None and p.coordinator_until < view.today
    if ended and p.care_coordinator_id is not None:
        coordinator = Text.assemble(coordinator, (" allocation ended", "bold red"))
    if p.handover_date is not None:
        handover = f"{uk_date(p.handover_date)} (this person's own date)"
    elif view.programme_transfer is not None:
        handover = f"{uk_date(view.programme_transfer)} (the programme's transfer date)"
    else:
        handover = "not set (no programme transfer date yet)"
    return fields_table([
        ("Team", p.team or NOT_RECORDED),
        ("Locality", p.locality or NOT_RECORDED),
        ("Care coordinator", coordinator),
        ("Coordinator since", days_ago(p.coordinator_since, view.today)),
        *([("Allocation ended" if ended else "Allocation ends",
            Text(uk_date(p.coordinator_until), style="bold red" if ended else ""))]
          if p.coordinator_until is not None else []),
        ("Handover date", handover),
    ])


def address_and_gp(view: PersonView) -> RenderableType:
    p = view.person
    practice = " ".join(part for part in (p.gp_practice, p.gp_practice_name and f"{p.gp_practice_name}") if part)
    return fields_table([
        ("Address", p.address or NOT_RECORDED),
        ("Postcode", postcode_text(p.postcode)),
        ("GP practice", practice or NOT_RECORDED),
        ("GP address", p.gp_address or NOT_RECORDED),
    ])


def postcode_text(postcode: str | None) -> RenderableType:
    """The postcode, with what an NHS pseudo-postcode stands for: no letter can be posted."""
    meaning = pseudo_meaning(postcode)
    if meaning is None:
        return postcode or NOT_RECORDED
    return Text.assemble(postcode or "", " ", (f"({meaning}: no postal address)", "bold yellow"))


def cluster_text(cluster: int | None) -> str:
    if cluster is None:
        return NOT_RECORDED
    if cluster == 0:
        group = "variance"
    elif 1 <= cluster <= 8:
        group = "non-psychotic"
    elif 10 <= cluster <= 17:
        group = "psychosis"
    elif 18 <= cluster <= 21:
        group = "organic"
    else:
        return str(cluster)
    return f"{cluster} ({group})"


def care_and_legal(view: PersonView) -> RenderableType:
    p = view.person
    return fields_table([
        ("CPA / key worker", cpa_text(p.cpa, p.cpa_start, p.cpa_end, view.today)),
        ("Cluster", cluster_text(p.cluster)),
        ("Section 117 aftercare", emphasise_yes(p.s117)),
        ("Community Treatment Order", cto_text(p.cto, p.cto_expiry, view.today, p.cto_start)),
        ("Personal budget", emphasise_yes(p.personal_budget, "bold")),
    ])


def cpa_text(cpa: bool | None, start: date | None, end: date | None,
             today: date) -> RenderableType:
    """'Yes, since 1 Jun 2024' or 'No, ended 31 Dec 2026': the CPA episode the export gives."""
    shown = yes_no(cpa)
    dates = ([f"since {uk_date(start)}"] if start is not None else []) + (
        [f"{'ended' if end < today else 'ends'} {uk_date(end)}"] if end is not None else [])
    if not dates:
        return shown
    return Text.assemble(shown, ", " + ", ".join(dates))


def cto_text(cto: bool | None, expiry: date | None, today: date,
             start: date | None = None) -> RenderableType:
    """'Yes, since 3 Mar 2025, expires 9 Mar 2027 (in 53 days)': a CTO's renewal must not fall
    between workers."""
    shown = emphasise_yes(cto)
    if not cto:
        return shown
    said = [f"since {uk_date(start)}"] if start is not None else []
    if expiry is not None:
        days = (expiry - today).days
        said.append(f"expired {uk_date(expiry)}: ask the trust" if days < 0 else
                    f"expires {uk_date(expiry)} ({'today' if days == 0 else f'in {days} days'})")
    if not said:
        return shown
    return Text.assemble(shown, *(f", {part}" for part in said))


def risk_facts(view: PersonView) -> RenderableType:
    p = view.person

    def number(value: int | None) -> RenderableType:
        if value is None:
            return Text(NOT_RECORDED, style="dim")
        return Text(str(value), style="bold yellow" if value else "")

    return fields_table([
        ("Open safeguarding", emphasise_yes(p.safeguarding_open, "bold red")),
        ("Last contact", days_ago(p.last_contact, view.today)),
        ("Last discharge", days_ago(p.last_discharge, view.today)),
        ("Admissions (12 months)", number(p.admissions_12m)),
        ("Missed appointments (6 months)", number(p.missed_appointments_6m)),
        ("Self-harm history", emphasise_yes(p.self_harm_history)),
        ("Substance misuse", emphasise_yes(p.substance_misuse)),
        ("Lives alone", emphasise_yes(p.lives_alone)),
        ("Accommodation", accommodation_text(p.accommodation_type, p.settled_accommodation)),
        ("Employment", employment_text(p.employment_status)),
    ])


def employment_text(code: str | None) -> RenderableType:
    """What the export's MHSDS EmployStatus says, in yellow when the risk score counts it."""
    if not code:
        return Text(NOT_RECORDED, style="dim")
    said = employment_words(code)
    return Text(said, style="bold yellow" if seeking_work(code) else "")


def accommodation_text(kind: str | None, settled: bool | None) -> RenderableType:
    """'12 (no settled home)', 'settled (01)', 'not settled': what the export's MHSDS
    accommodation fields say, in yellow when the person has no settled home."""
    if homeless_code(kind):
        return Text(f"{kind} (no settled home)", style="bold yellow")
    said = {True: "settled", False: "not settled", None: ""}[settled]
    text = " ".join(part for part in (said, f"({kind})" if kind and said else kind) if part)
    if not text:
        return Text(NOT_RECORDED, style="dim")
    return Text(text, style="bold yellow" if settled is False else "")


def carer(view: PersonView) -> RenderableType:
    p = view.person
    return fields_table([
        ("Has a carer", yes_no(p.carer)),
        ("Carer's name", p.carer_name or NOT_RECORDED),
        ("Carer's address", p.carer_address or NOT_RECORDED),
        # Where there is a carer, as the letters read it.
        ("Carer may be told",
         carer_consent(p.carer_consent) if has_carer(p) else NOT_RECORDED),
    ])


def carer_consent(consent: bool | None) -> RenderableType:
    """Whether the person agrees to their carer being told: yes; no (bold: no carer letter);
    or not recorded (yellow: ask them first)."""
    if consent is None:
        return Text("not recorded: ask first", style="yellow")
    return Text("No: no carer letter", style="bold") if not consent else "Yes"


def communication(view: PersonView) -> RenderableType:
    p = view.person
    interpreter: RenderableType = (
        Text(language_name(p.interpreter_language), style="bold") if p.interpreter_language
        else "Not needed"
    )
    formats: RenderableType = (
        Text(words(p.accessible_format), style="bold") if p.accessible_format else "None recorded"
    )
    return fields_table([
        ("Preferred language", language_name(p.preferred_language)
         if p.preferred_language else NOT_RECORDED),
        ("Interpreter", interpreter),
        ("Accessible format", formats),
        ("Preferred worker gender", words(p.preferred_worker_gender)
         if p.preferred_worker_gender else "No preference recorded"),
    ])


def care_act(view: PersonView) -> RenderableType:
    p = view.person
    outcomes = p.care_act_outcomes
    known = [key for key in outcomes or [] if key in OUTCOME_LABELS]
    unknown = [key for key in outcomes or [] if key not in OUTCOME_LABELS]
    if outcomes is None:
        status: RenderableType = Text("Not yet assessed", style="yellow")
    elif not known and not unknown:
        status = "Assessed: no outcome unmet"
    else:
        status = Text.assemble((plural(len(known), "outcome"), "bold"), " unmet")
    table = fields_table([
        ("Outcomes", status),
        ("Significant impact on wellbeing", yes_no(p.significant_impact)),
    ])
    unmet = [Text(f"• {OUTCOME_LABELS[key]}") for key in known]
    # What the export said that is not one of the ten (see the pathway's reasons).
    unmet += [Text(f"• {words(key)}: not one of the ten outcomes, not counted", style="yellow")
              for key in unknown]
    return Group(table, *unmet) if unmet else table


def extra_columns(view: PersonView) -> RenderableType | None:
    extra = view.detail.get("extra") or {}
    if not extra:
        return None
    return fields_table((str(key), str(value)) for key, value in sorted(extra.items()))


# -- history -----------------------------------------------------------------------------------


def _table(*headings: str) -> Table:
    table = Table(box=None, padding=(0, 3, 0, 0), header_style="bold")
    for heading in headings:
        table.add_column(heading, overflow="fold")
    return table


def import_history(view: PersonView) -> RenderableType:
    if not view.imports:
        return Text("Not imported from a file (added directly).", style="dim")
    table = _table("Import", "File", "When", "What happened")
    for item in view.imports:
        style = "yellow" if item.what == "not in this export" else ""
        table.add_row(f"#{item.batch_id}", item.file_name, uk_time(item.started_at),
                      Text(item.what, style=style))
    return table


def import_warnings(view: PersonView) -> RenderableType | None:
    warnings = view.detail.get("warnings") or []
    if not warnings:
        return None
    table = _table("Import", "Row", "Column", "Warning")
    for warning in warnings:
        table.add_row(f"#{warning['batch_id']}", str(warning["row"]), warning["column"],
                      Text(warning["message"], style="yellow"))
    return table


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
    table = _table("When", "Who", "What", "Field", "Before", "After")
    for event in view.audit[:AUDIT_SHOWN]:
        when = event.at if isinstance(event.at, datetime) else None
        table.add_row(uk_time(when), event.actor, audit_action(event.action),
                      event.field.replace("_", " ") if event.field else "",
                      recorded_value(event.before), recorded_value(event.after))
    if len(view.audit) > AUDIT_SHOWN:
        return Group(table, Text(f"Showing the latest {AUDIT_SHOWN} changes.", style="dim"))
    return table


FIELD_SECTIONS: tuple[PersonSection, ...] = (
    PersonSection("identity", "Identity", identity),
    PersonSection("care-team", "Team and care coordinator", care_team),
    PersonSection("address-gp", "Address and GP", address_and_gp),
    PersonSection("care-legal", "Care and legal status", care_and_legal),
    PersonSection("risk-facts", "Risk-relevant facts", risk_facts),
    PersonSection("communication", "Communication needs", communication),
    PersonSection("carer", "Carer", carer),
    PersonSection("care-act", "Care Act outcomes", care_act),
)

def letters(view: PersonView) -> RenderableType | None:
    """The letters written for this person (``person_detail``'s "letters"), newest first."""
    written = view.detail.get("letters") or []
    if not written:
        return None
    table = _table("Letter", "Format", "Dated", "Status", "File")
    styles = {"current": "green", "out_of_date": "bold yellow", "superseded": "dim"}
    for letter in written:
        status = Text(words(letter["status"]), style=styles.get(letter["status"], ""))
        if letter.get("reason"):
            status.append(f": {letter['reason']}")
        dated = date.fromisoformat(letter["dated"]) if letter.get("dated") else None
        kind = "GP" if letter["kind"] == "gp" else words(letter["kind"])
        table.add_row(kind, letter["format"], uk_date(dated), status,
                      letter["path"])
    return table


def tasks(view: PersonView) -> RenderableType | None:
    """The person's handover tasks (``person_detail``'s "tasks"), overdue first."""
    rows = view.detail.get("tasks") or []
    if not rows:
        return None
    table = _table("Due", "Task", "Owner", "Status", "Note")
    for task in rows:
        late = task["overdue"]
        status = Text(f"Overdue: {task_status(task['status']).lower()}" if late
                      else task_status(task["status"]),
                      style="bold red" if late else TASK_STATUS_STYLES.get(task["status"], ""))
        if task.get("reason"):
            status.append(f": {task['reason']}")
        owner = task["owner_name"] or task["owner_staff_id"] or "Team manager"
        table.add_row(Text(uk_date(date.fromisoformat(task["due"])), style="red" if late else ""),
                      task["title"], owner, status, task.get("note") or "")
    done = sum(1 for task in rows if task["status"] == "done")
    late = sum(1 for task in rows if task["overdue"])
    summary = Text(f"{done} of {plural(len(rows), 'task')} done", style="dim")
    if late:
        summary.append(f" · {late} overdue", style="bold red")
    summary.append(" · T: change them in Tasks")
    return Group(table, summary)


def workers(view: PersonView) -> RenderableType | None:
    """Who holds each role the pathway needs, or why no one does, and the draft's proposal."""
    roles = view.detail.get("roles") or []
    if not roles:
        pathway = view.detail.get("pathway")
        return Text("Signposted: no worker is needed (they get a letter)." if pathway == "signpost"
                    else "No pathway decided yet, so no roles to fill: run an assessment.",
                    style="dim")
    table = _table("Role", "Worker", "Notes")
    for entry in roles:
        who, notes = describe_role(entry, view.today)
        missing = entry["state"] in ("unfilled", "none", "coordinator_ended")
        table.add_row(ROLE_WORDS.get(entry["role"], entry["role"]),
                      Text(who, style="bold red" if missing else "bold"), notes)
    if view.handover is None:
        return table
    return Group(handover_text(view.handover, view.person.risk_band, view.handover.sentence()),
                 table)


TASK_STATUS_STYLES = {"done": "green", "not_needed": "dim", "blocked": "bold magenta",
                      "in_progress": "cyan"}


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
    PersonSection("extra", "Other columns in the export", extra_columns, wide=True),
    PersonSection("imports", "Import history", import_history, wide=True),
    PersonSection("warnings", "Import warnings", import_warnings, wide=True),
    PersonSection("audit", "Audit trail (newest first)", audit_trail, wide=True),
)


def banner(view: PersonView) -> RenderableType:
    p = view.person
    line = Text.assemble(
        (f"{p.family_name}, {p.given_name}", "bold"),
        f"   {nhs.format_334(p.nhs_number)}   age {age(p.date_of_birth, view.today)}"
        f"   {p.team or 'no team recorded'}",
    )
    if not view.detail.get("missing_from_latest_export"):
        return line
    return Group(line, Text(
        "Not in the latest caseload export: check with the trust whether this person was "
        "discharged or moved before planning their handover.", style="bold yellow",
    ))


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
                expected_version=version), f"Pathway set to {choice.pathway}.",
                refused=refusals.append)
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
                    expected_version=version), "Override cleared: the rules decide again.")

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
                self.notify("\n".join(notes), title="Check the new date", severity="warning",
                            timeout=20)
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
                        # The driver's text may quote data, so only the kind of failure shows.
                        f"{type(error).__name__} while finding workers. Check "
                        f"{self.database.describe()} is reachable and try again.",
                        title="Could not list workers", severity="error", timeout=15)
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
                           chosen=lambda pick, force: self._assign(entry, pick, force))

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

        locked = " and locked" if pick.lock else ""
        broke = " (recorded with what it breaks)" if force else ""
        refusals: list[str] = []
        self._write(save, lambda: " ".join(filter(None, (
            f"{pick.staff_id} is now the {ROLE_WORDS.get(role, role)}{locked}{broke}.",
            done[0].tasks_in_words()))), refused=refusals.append)
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
                        title="Changed by someone else", severity="warning", timeout=20)
            return
        except TransitionError as exc:
            said = f"{exc.message} {exc.hint or ''}".strip()
            if refused is not None:
                refused(said)
            else:
                self.notify(said, title="Not saved", severity="error", timeout=15)
            return
        except SQLAlchemyError as exc:
            # The driver's text may quote data, so only the kind of failure is shown.
            self.notify(f"{type(exc).__name__} on {self.database.describe()}: nothing was "
                        "saved. Check the database is reachable and try again.",
                        title="Not saved", severity="error", timeout=15)
            return
        self.transition.data_changed()
        self.safely(self.reload)
        self.refresh_bindings()
        self.notify(done() if callable(done) else done)
