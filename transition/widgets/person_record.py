"""One person's record in sections, as plain Rich renderables (no Textual): the person screen
shows each in a box, ``transition person NHS`` prints them one under another.

Each :class:`PersonSection` turns a :class:`PersonView` (read by :func:`read_person`) into
something to show, or None to hide it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlmodel import Session

from transition import nhs
from transition.audit import person_audit
from transition.columns import employment_words, ethnic_category_words
from transition.config import CouncilDetails
from transition.handover_status import HandoverStatus, handover_statuses
from transition.languages import language_name
from transition.letter_facts import has_carer
from transition.models import AuditEvent, Person, Staff, TaskOwner
from transition.overview import PersonImport, person_imports, staff_names
from transition.people import person_detail
from transition.postcodes import pseudo_meaning
from transition.programme import transfer_date
from transition.risk import RiskBands, homeless_code, seeking_work
from transition.tasks.owners import owner_role
from transition.widgets.format import (
    NOT_RECORDED,
    age,
    days_ago,
    plural,
    task_status,
    uk_date,
    uk_time,
    words,
    yes_no,
)

Field = tuple[str, RenderableType]
EXTRA_LABEL_WIDTH = 32  # columns: an export's column name longer than this wraps

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
    """Everything the person's record shows, read in one session."""

    person: Person
    detail: dict[str, Any]
    today: date
    programme_transfer: date | None
    coordinator_name: str | None
    imports: list[PersonImport]
    audit: list[AuditEvent]
    handover: HandoverStatus | None = None
    # The coordinator is in the staff table but was left out of the latest staff list.
    coordinator_off_list: bool = False


def read_person(session: Session, person: Person, today: date, *,
                visit_task: str | None = None, bands: RiskBands | None = None,
                council: CouncilDetails | None = None, audit_limit: int = 0) -> PersonView:
    """Everything the record shows of ``person``; ``visit_task`` (the rules' joint visit task
    key) adds where the handover stands, ``bands`` (the rules' risk thresholds) the rules' band
    under a manager's, ``council`` (the settings' details) letters printing one since
    corrected, ``audit_limit`` the latest changes to them (none by default)."""
    assert person.id is not None
    names = staff_names(session, [person.care_coordinator_id])
    return PersonView(
        person=person,
        detail=person_detail(session, person, as_of=today, bands=bands, council=council),
        today=today,
        programme_transfer=transfer_date(session),
        coordinator_name=names.get(person.care_coordinator_id or ""),
        coordinator_off_list=bool(person.care_coordinator_id and session.scalar(
            select(Staff.missing_since_batch_id).where(
                Staff.staff_id == person.care_coordinator_id)) is not None),
        imports=person_imports(session, person),
        audit=person_audit(session, person, limit=audit_limit) if audit_limit else [],
        handover=None if visit_task is None else handover_statuses(
            session, [person.id], visit_task=visit_task, as_of=today).get(person.id),
    )


@dataclass(frozen=True)
class PersonSection:
    """A section of the record (a box on the person screen): its id, title, and what it
    shows (None = hidden)."""

    id: str
    title: str
    render: Callable[[PersonView], RenderableType | None]
    wide: bool = False


def fields_table(fields: Iterable[Field], *, label_width: int | None = None) -> Table:
    """Labels in a dim column on the left, values on the right. The labels stay on one line,
    unless ``label_width`` is given (for labels the record does not choose): longer ones wrap
    at it, so a long column name leaves its value room."""
    grid = Table.grid(padding=(0, 2))
    if label_width is None:
        grid.add_column(style="dim", no_wrap=True)
    else:
        grid.add_column(style="dim", max_width=label_width, overflow="fold")
    grid.add_column(overflow="fold")
    for label, value in fields:
        grid.add_row(label, value)
    return grid


def emphasise_yes(value: bool | None, style: str = "bold yellow") -> RenderableType:
    """Yes in a colour that catches the eye (for facts a handover must not miss)."""
    if value is None:
        return Text("—", style="dim")
    return Text("Yes", style=style) if value else Text("No")


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
        if view.coordinator_off_list:
            coordinator = Text.assemble(coordinator, (" not on the latest staff list", "yellow"))
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
        ("Coordinator since", happened(p.coordinator_since, view.today)),
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
        ("Section 117 aftercare", s117_text(p.s117, p.cto)),
        ("Community Treatment Order", cto_text(p.cto, p.cto_expiry, view.today, p.cto_start)),
        ("Personal budget", emphasise_yes(p.personal_budget, "bold")),
    ])


def s117_text(s117: bool | None, cto: bool | None) -> RenderableType:
    """Yes or no; a no for someone on a CTO says the record is wrong one way or the other (a
    CTO follows a detention that brings s117 aftercare): the check's ``cto_without_s117``."""
    shown = emphasise_yes(s117)
    if s117 is not False or cto is not True:
        return shown
    warning = (", but on a CTO, which is made only after a detention that brings s117 "
               "aftercare: one of the two is wrong, ask the trust. Letters are held back until "
               "it is corrected")
    return Text.assemble(shown, (warning, "bold yellow"))


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


def happened(value: date | None, today: date) -> RenderableType:
    """'12 Dec 2026 (34 days ago)': when something happened. A day after today has not
    happened yet (most likely a mistyped date; the risk score leaves it out): in yellow, with
    what to do."""
    shown = days_ago(value, today)
    if value is None or value <= today:
        return shown
    return Text(f"{shown}: not happened yet, check the date with the trust",
                style="bold yellow")


def risk_facts(view: PersonView) -> RenderableType:
    p = view.person

    def number(value: int | None) -> RenderableType:
        if value is None:
            return Text(NOT_RECORDED, style="dim")
        return Text(str(value), style="bold yellow" if value else "")

    return fields_table([
        ("Open safeguarding", emphasise_yes(p.safeguarding_open, "bold red")),
        ("Last contact", happened(p.last_contact, view.today)),
        ("Last discharge", happened(p.last_discharge, view.today)),
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
    # The export's own column names, as long as the trust made them.
    return fields_table(((str(key), str(value)) for key, value in sorted(extra.items())),
                        label_width=EXTRA_LABEL_WIDTH)


# -- history -----------------------------------------------------------------------------------


def section_table(*headings: str) -> Table:
    table = Table(box=None, padding=(0, 3, 0, 0), header_style="bold")
    for heading in headings:
        table.add_column(heading, overflow="fold")
    return table


def import_history(view: PersonView) -> RenderableType:
    if not view.imports:
        return Text("Not imported from a file (added directly).", style="dim")
    table = section_table("Import", "File", "When", "What happened")
    for item in view.imports:
        style = "yellow" if item.what == "not in this export" else ""
        table.add_row(f"#{item.batch_id}", item.file_name, uk_time(item.started_at),
                      Text(item.what, style=style))
    return table


def import_warnings(view: PersonView) -> RenderableType | None:
    warnings = view.detail.get("warnings") or []
    if not warnings:
        return None
    table = section_table("Import", "Row", "Column", "Warning")
    for warning in warnings:
        table.add_row(f"#{warning['batch_id']}", str(warning["row"]), warning["column"],
                      Text(warning["message"], style="yellow"))
    return table


def letters(view: PersonView) -> RenderableType | None:
    """The letters written for this person (``person_detail``'s "letters"), newest first."""
    written = view.detail.get("letters") or []
    if not written:
        return None
    table = section_table("Letter", "Format", "Dated", "Status", "File")
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


TASK_STATUS_STYLES = {"done": "green", "not_needed": "dim", "blocked": "bold magenta",
                      "in_progress": "cyan"}


def task_table(rows: list[dict[str, Any]], *, ids: bool = False) -> Table:
    """The person's handover tasks (``person_detail``'s "tasks"), overdue first; ``ids`` adds
    each task's id first, as ``transition tasks`` takes it."""
    table = section_table(*(["Id"] if ids else []), "Due", "Task", "Owner", "Status", "Note")
    for task in rows:
        late = task["overdue"]
        status = Text(f"Overdue: {task_status(task['status']).lower()}" if late
                      else task_status(task["status"]),
                      style="bold red" if late else TASK_STATUS_STYLES.get(task["status"], ""))
        if task.get("reason"):
            status.append(f": {task['reason']}")
        # The name, and under it their part: a worker who keeps the person is not "outgoing".
        owner = Text(task["owner_name"] or task["owner_staff_id"] or "Team manager")
        if task["owner"] != TaskOwner.MANAGER:
            owner.append("\n" + owner_role(task["owner"], task["owner_staff_id"],
                                           stays=task["owner_stays"]), style="dim")
        if task.get("owner_gone"):  # left, or leaves before it is due: the task needs moving
            owner.append(f"\n{task['owner_gone']}", style="red")
        table.add_row(*([str(task["id"])] if ids else []),
                      Text(uk_date(date.fromisoformat(task["due"])), style="red" if late else ""),
                      task["title"], owner, status, task.get("note") or "")
    return table


def task_summary(rows: list[dict[str, Any]]) -> Text:
    """'3 of 5 tasks done · 1 overdue'."""
    done = sum(1 for task in rows if task["status"] == "done")
    late = sum(1 for task in rows if task["overdue"])
    summary = Text(f"{done} of {plural(len(rows), 'task')} done", style="dim")
    if late:
        summary.append(f" · {late} overdue", style="bold red")
    return summary


def no_roles(pathway: str | None) -> Text:
    """Why a person has no roles to fill: signposted, or no pathway decided yet."""
    return Text("Signposted: no worker is needed (they get a letter)." if pathway == "signpost"
                else "No pathway decided yet, so no roles to fill: run an assessment.",
                style="dim")


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


RECORD_HISTORY: tuple[PersonSection, ...] = (
    PersonSection("extra", "Other columns in the export", extra_columns, wide=True),
    PersonSection("imports", "Import history", import_history, wide=True),
    PersonSection("warnings", "Import warnings", import_warnings, wide=True),
)
"""Where the record came from (the screen adds the audit trail after them)."""
