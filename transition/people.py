"""People on the caseload: finding them, paging through them, and describing one.

``person_detail`` is what ``transition person NHS --json`` prints and the person screen shows:
the canonical columns, then one section per stage of the transition (import warnings, pathway,
risk, workers, tasks, letters) as each stage adds its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlmodel import Session

from transition import nhs
from transition.allocation import current_assignments
from transition.allocation_status import needs_a_worker
from transition.assessment import assessment_detail
from transition.columns import CASELOAD_COLUMNS
from transition.config import CouncilDetails
from transition.errors import NotFoundError, TransitionError
from transition.letter_records import letter_history
from transition.matching.rules import PATHWAY_ROLES, ROLE_WORDS
from transition.models import ImportBatch, ImportWarning, Person
from transition.plan_review import person_roles, person_workers
from transition.risk import RiskBands
from transition.search_text import fold
from transition.tasks.views import handover_section

SortKey = Literal[
    "family_name", "given_name", "nhs_number", "date_of_birth", "team", "locality",
    "care_coordinator_id", "pathway", "risk_score", "risk_band",
]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]


def find_person(session: Session, nhs_number: object) -> Person | None:
    number = nhs.normalise(nhs_number)
    return session.scalars(select(Person).where(Person.nhs_number == number)).first()


def require_person(session: Session, nhs_number: object) -> Person:
    """The person with this NHS number. A number that cannot be an NHS number (wrong length,
    failing Modulus 11) is bad input (TransitionError, exit 2); a valid one that names nobody
    on the caseload is not found (NotFoundError, exit 1). Neither message echoes the number."""
    person = find_person(session, nhs_number)
    if person is None:
        problem = nhs.problem(nhs_number)
        if problem:
            raise TransitionError(
                f"{nhs.mask(nhs_number) or 'That'} is not an NHS number: {problem}.",
                hint="Give the person's 10-digit NHS number (spaces allowed), or search with: "
                "transition people --search TEXT",
            )
        raise NotFoundError(
            f"No person with NHS number {nhs.mask(nhs_number)} is on the caseload.",
            hint="Check the number, or search with: transition people --search TEXT",
        )
    return person


# ---------------------------------------------------------------------------------------------
# Listing and paging (the caseload table pages in SQL; it never loads 100,000 rows)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleQuery:
    search: str | None = None
    # A name as the export spells it, or (from the command line) every spelling of one.
    team: str | tuple[str, ...] | None = None
    locality: str | tuple[str, ...] | None = None
    pathway: str | None = None
    risk_band: str | None = None
    missing_only: bool = False
    # A role their pathway needs that no one holds (the check's `unassigned` finding).
    needs_worker: bool = False
    sort: str = "family_name"
    descending: bool = False
    offset: int = 0
    limit: int | None = 200


@dataclass(frozen=True)
class PersonRow:
    """One line of the caseload table."""

    id: int
    nhs_number: str
    family_name: str
    given_name: str
    date_of_birth: date
    team: str | None
    locality: str | None
    care_coordinator_id: str | None
    pathway: str | None
    risk_band: str | None
    risk_score: int | None
    missing: bool
    # Who holds each role now ((role, staff id), social worker first), from an accepted plan
    # or a manager's choice; and whether their roles have been decided (an accepted plan, or
    # someone holds one). Before that, the trust's care coordinator holds them.
    workers: tuple[tuple[str, str], ...] = ()
    allocated: bool = False
    # When the export says the coordinator's allocation ended (MHSDS EndDateAssCareCoord).
    coordinator_until: date | None = None

    def coordinator_ended(self, today: date) -> date | None:
        """The day the coordinator's allocation ended, if before ``today``: until a plan is
        accepted for them, no one holds the person (the check's ``unassigned``)."""
        until = self.coordinator_until
        return until if until is not None and until < today else None

    def after_transfer(self) -> tuple[str, list[tuple[str, str | None]]]:
        """Who holds their case after the transfer, for the caseload's column: a word and
        (role, staff id, or None when no one holds it) for each role needed or held.

        The word is ``held`` (the roles are decided: an accepted plan or a manager), ``no plan
        yet`` (the trust's care coordinator holds them until one is accepted), ``none needed``
        (signposted) or ``not assessed`` (no pathway yet).
        """
        needed = PATHWAY_ROLES.get(self.pathway or "", ())
        held = dict(self.workers)
        roles = [*needed, *(role for role in held if role not in needed)]
        if self.allocated and roles:
            return "held", [(role, held.get(role)) for role in roles]
        if self.pathway is None:
            return "not assessed", []
        return ("no plan yet" if needed else "none needed"), []


@dataclass
class Page:
    rows: list[PersonRow]
    total: int
    offset: int
    limit: int | None
    filters: dict[str, Any] = field(default_factory=dict)


_ROW_COLUMNS = (
    Person.id, Person.nhs_number, Person.family_name, Person.given_name, Person.date_of_birth,
    Person.team, Person.locality, Person.care_coordinator_id, Person.pathway, Person.risk_band,
    Person.risk_score, Person.coordinator_until, Person.missing_since_batch_id,
    Person.allocated_plan_id,
)
_ROLE_ORDER = {role: position for position, role in enumerate(ROLE_WORDS)}


def _filters(query: PeopleQuery, as_of: date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.search and query.search.strip():
        # "Mason, Sarah", as the screens list people, is the name in the other order: a comma
        # and runs of spaces are one space ("mason sarah" matches family then given name).
        text = " ".join(query.search.replace(",", " ").split()) or query.search.strip()
        # Names, local id and postcode are searched folded (search_text.py): no accents or
        # case ("sean" finds Seán), and a postcode with or without its space.
        folded = fold(text)
        typed = [folded]
        if any(char.isdigit() for char in folded) and " " in folded:
            typed.append(folded.replace(" ", ""))  # a postcode is stored without its space
        options: list[ColumnElement[bool]] = [
            Person.search_text.like(f"%{_escaped(each)}%", escape="\\")  # type: ignore[union-attr]
            for each in typed
        ]
        digits = nhs.normalise(text)
        if digits.isdigit():
            options.append(Person.nhs_number.like(f"{digits}%"))  # type: ignore[attr-defined]
        conditions.append(or_(*options))
    for column, wanted in ((Person.team, query.team), (Person.locality, query.locality)):
        if isinstance(wanted, tuple):  # each spelling the caseload has (handover.match_place)
            conditions.append(column.in_(wanted))  # type: ignore[union-attr]
        elif wanted:
            conditions.append(column == wanted)
    if query.pathway:
        conditions.append(Person.pathway == query.pathway)
    if query.risk_band:
        conditions.append(Person.risk_band == query.risk_band)
    if query.missing_only:
        conditions.append(Person.missing_since_batch_id.is_not(None))  # type: ignore[union-attr]
    if query.needs_worker:
        if as_of is None:
            raise ValueError("the needs-a-worker filter is judged on a day: give as_of")
        conditions.append(needs_a_worker(as_of))
    return conditions


def _escaped(text: str) -> str:
    """What was typed, matched as written: a % or _ in it is not a wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ordered(statement: Select[Any], query: PeopleQuery) -> Select[Any]:
    if query.sort not in SORT_KEYS:
        raise ValueError(f"cannot sort by {query.sort!r}; choose one of {', '.join(SORT_KEYS)}")
    column = getattr(Person, query.sort)
    if query.search and query.search.strip():
        # A search's matches are sorted, not found by walking the sort column's index a row at
        # a time: SQLite would look up every person it passes (100,000 for a rare name, 0.6 s);
        # no index holds this expression, so it scans once and sorts the few (0.1 s).
        column = func.coalesce(column, column)
    primary = column.desc().nulls_last() if query.descending else column.asc().nulls_last()
    # Ties broken stably so paging never repeats or skips a person.
    return statement.order_by(primary, Person.family_name, Person.given_name, Person.id)


def list_people(session: Session, query: PeopleQuery = PeopleQuery(), *,
                as_of: date | None = None) -> Page:
    """One page of people matching ``query``, and how many match in all. ``as_of``: the day
    (today) the needs-a-worker filter is judged on, as the nightly check judges it."""
    conditions = _filters(query, as_of)
    total = session.scalar(select(func.count()).select_from(Person).where(*conditions)) or 0
    statement = _ordered(select(*_ROW_COLUMNS).where(*conditions), query)
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    found = session.execute(statement).all()
    held = _held_roles(session, [values[0] for values in found])
    rows = [
        PersonRow(*values[:-3], missing=values[-2] is not None,
                  workers=held.get(values[0], ()),
                  allocated=values[-1] is not None or values[0] in held,
                  coordinator_until=values[-3])
        for values in found
    ]
    return Page(rows=rows, total=total, offset=query.offset, limit=query.limit)


def _held_roles(session: Session, person_ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """person id -> ((role, staff id), ...) for the roles someone holds now, social worker first."""
    return {person_id: tuple((role, roles[role].staff_id)
                             for role in sorted(roles, key=lambda role: _ROLE_ORDER.get(role, 99)))
            for person_id, roles in current_assignments(session, person_ids).items()}


def count_people(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


# ---------------------------------------------------------------------------------------------
# One person
# ---------------------------------------------------------------------------------------------


def canonical_record(person: Person) -> dict[str, Any]:
    """The person as the canonical caseload columns: yes/no as bools, dates as ISO text."""
    record: dict[str, Any] = {}
    for column in CASELOAD_COLUMNS:
        value = getattr(person, column.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif column.kind == "outcomes" and value is not None:
            value = list(value)
        record[column.name] = value
    return record


def import_warnings(session: Session, person: Person) -> list[dict[str, Any]]:
    statement = (
        select(ImportWarning, ImportBatch.file_name, ImportBatch.started_at)
        .join(ImportBatch, ImportBatch.id == ImportWarning.batch_id)
        .where(ImportWarning.person_id == person.id)
        .order_by(ImportWarning.id)
    )
    return [
        {
            "batch_id": warning.batch_id,
            "file": file_name,
            "imported_at": started_at.isoformat(),
            "row": warning.row_number,
            "column": warning.column,
            "message": warning.message,
        }
        for warning, file_name, started_at in session.execute(statement)
    ]


def import_history(session: Session, person: Person) -> dict[str, Any]:
    """Where the record came from: the first and latest imports listing the person, the row."""
    batches = {
        batch.id: batch for batch in session.scalars(select(ImportBatch).where(
            ImportBatch.id.in_([person.first_batch_id, person.last_batch_id,  # type: ignore[union-attr]
                                person.missing_since_batch_id])))
    }

    def describe(batch_id: int | None) -> dict[str, Any] | None:
        batch = batches.get(batch_id)
        if batch is None:
            return None
        return {"batch_id": batch.id, "file": batch.file_name,
                "imported_at": batch.started_at.isoformat(), "by": batch.actor}

    return {"first": describe(person.first_batch_id), "latest": describe(person.last_batch_id),
            "row": person.source_row, "missing_since": describe(person.missing_since_batch_id)}


def person_detail(
    session: Session, person: Person, *, as_of: date | None = None,
    bands: RiskBands | None = None, council: CouncilDetails | None = None,
) -> dict[str, Any]:
    """Everything known about one person, as ``transition person NHS --json`` prints it.

    ``as_of`` is "today" for whether a task is overdue (default: the real date); ``bands``
    (the rules' risk thresholds) name the rules' band under a manager's band; ``council`` (the
    settings' details) marks a letter printing one since corrected as out of date.
    """
    detail = canonical_record(person)
    detail["extra"] = person.extra or {}
    detail["missing_from_latest_export"] = person.missing_since_batch_id is not None
    detail["warnings"] = import_warnings(session, person)
    detail["import"] = import_history(session, person)
    detail.update(assessment_detail(person, bands))  # pathway, override, risk (issue 3)
    detail.update(handover_section(session, person, as_of=as_of or date.today()))
    assert person.id is not None
    detail["letters"] = [record.as_dict() for record in letter_history(
        session, person.id, council=council, as_of=as_of or date.today())]
    detail["workers"] = person_workers(session, person.id)  # who holds each role (issue 4)
    # Each role the pathway needs: held, or why no one holds it, and the draft's proposal.
    detail["roles"] = person_roles(session, person, detail["workers"], as_of=as_of)
    return detail


def person_names(session: Session, person_ids: list[int]) -> dict[int, str]:
    """'Family, Given' for each of these people (a screen naming the rows of a plan)."""
    if not person_ids:
        return {}
    statement = select(Person.id, Person.family_name, Person.given_name).where(
        Person.id.in_(person_ids))  # type: ignore[union-attr]
    return {person_id: f"{family}, {given}" for person_id, family, given in session.execute(statement)}
