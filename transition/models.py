"""The database tables.

One schema serves every stage of a transition: the trust's caseload and staff as imported, the
pathway and risk decided for each person, plans (drafts and the accepted allocation), tasks,
letters, nightly checks, and an append-only audit trail. Enumerated values are stored as text
(validated in code) so that SQLite and PostgreSQL share one migration history.

Conventions:
- Every table has a surrogate integer ``id`` except ``staff``, keyed by the trust's ``staff_id``.
- Teams and localities are referenced by name (a text foreign key), so lists read naturally.
- Times are timezone-aware UTC (``utcnow()``); dates are calendar dates in UK local time.
- Records two managers may edit at once carry ``version`` for optimistic concurrency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, event, select, text
from sqlalchemy.orm import column_property
from sqlmodel import Field, SQLModel

from transition.search_text import FIELDS as SEARCHED_FIELDS
from transition.search_text import column_default as search_column_default
from transition.search_text import search_text


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware (SQLModel's UTCDateTime columns refuse naive times)."""
    return datetime.now(UTC)


def json_column(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


class Employer(StrEnum):
    COUNCIL = "council"
    TRUST = "trust"


class Pathway(StrEnum):
    """Which organisation holds the case (see DOMAIN.md and the rules file)."""

    COUNCIL = "council"
    TRUST = "trust"
    JOINT = "joint"
    ASSESS = "assess"
    SIGNPOST = "signpost"


class RiskBand(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Role(StrEnum):
    """A role a person needs filled after the transition."""

    SOCIAL_WORKER = "social_worker"  # a council social worker
    KEY_WORKER = "key_worker"  # a trust key worker


class AccessibleFormat(StrEnum):
    """Accessible Information Standard needs the trust records."""

    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"
    BRAILLE = "braille"
    BSL = "bsl"
    AUDIO = "audio"
    EMAIL = "email"


# Accessible Information Standard needs in words, as a GP letter and the risk factors name them.
ACCESSIBLE_FORMAT_WORDS = {
    AccessibleFormat.LARGE_PRINT.value: "large print",
    AccessibleFormat.EASY_READ.value: "easy read",
    AccessibleFormat.BRAILLE.value: "braille",
    AccessibleFormat.BSL.value: "British Sign Language",
    AccessibleFormat.AUDIO.value: "audio",
    AccessibleFormat.EMAIL.value: "information by email",
}


CARE_ACT_OUTCOMES: tuple[str, ...] = (
    "nutrition",
    "hygiene",
    "toilet",
    "clothing",
    "home_safety",
    "habitable_home",
    "relationships",
    "work_education",
    "community_services",
    "child_care",
)
"""The ten outcomes of the Care and Support (Eligibility Criteria) Regulations 2015, reg 2(2)."""


class ImportKind(StrEnum):
    CASELOAD = "caseload"
    STAFF = "staff"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    DISCARDED = "discarded"


class TaskStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NEEDED = "not_needed"
    BLOCKED = "blocked"


class TaskOwner(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    MANAGER = "manager"


class LetterKind(StrEnum):
    PERSON = "person"
    GP = "gp"
    CARER = "carer"
    SIGNPOST = "signpost"


class LetterFormat(StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    DOCX = "docx"
    PDF = "pdf"


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------


class Locality(SQLModel, table=True):
    """A geographical area the trust and council organise teams by."""

    name: str = Field(primary_key=True, max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class Team(SQLModel, table=True):
    """A team named in an import (a trust CMHT or a council team)."""

    name: str = Field(primary_key=True, max_length=120)
    locality: str | None = Field(default=None, foreign_key="locality.name", max_length=120)
    employer: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class Programme(SQLModel, table=True):
    """The transition programme: one row, id 1."""

    id: int = Field(default=1, primary_key=True)
    name: str = Field(default="Withdrawal of seconded social workers", max_length=200)
    transfer_date: date | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=120)


# ---------------------------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------------------------


class ImportBatch(SQLModel, table=True):
    """One run of ``transition import``: what was read and what became of every row."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    file_name: str = Field(max_length=255, description="Base name only, never the full path.")
    file_sha256: str = Field(max_length=64)
    sheet: str | None = Field(default=None, max_length=120)
    actor: str = Field(max_length=120)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="complete", max_length=20)
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    missing_from_file: int = 0
    warnings: int = 0
    header_map: dict[str, str] | None = json_column()
    rejects_path: str | None = Field(default=None, max_length=1024)
    column_notes: list[str] | None = json_column()  # what the import said about the columns


class RejectedRow(SQLModel, table=True):
    """A row that was not imported, with its raw values and every reason, to fix and re-import."""

    __tablename__ = "rejected_row"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    row_number: int = Field(description="Spreadsheet row number; the header row is row 1.")
    record_key: str | None = Field(default=None, max_length=64, description="NHS no. / staff id")
    raw: dict[str, Any] | None = json_column()
    errors: list[dict[str, str]] | None = json_column()


class ImportWarning(SQLModel, table=True):
    """A non-fatal problem with an imported row (the row was imported)."""

    __tablename__ = "import_warning"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    row_number: int
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    staff_id: str | None = Field(default=None, foreign_key="staff.staff_id", max_length=64)
    column: str = Field(max_length=120)
    message: str = Field(max_length=500)


# ---------------------------------------------------------------------------------------------
# People and staff
# ---------------------------------------------------------------------------------------------


class PathwayReasons(SQLModel, table=True):
    """Each distinct list of pathway reasons, stored once, keyed by a hash of its JSON text.

    A caseload has a few thousand distinct lists (about 1 KB each) among 100,000 people, so a
    person row holds only the key (``Person.pathway_reasons_hash``) and reads the list back as
    ``Person.pathway_reasons`` (see the end of this module). Rows are only ever added.
    """

    __tablename__ = "pathway_reasons"

    reasons_hash: str = Field(primary_key=True, max_length=32)
    reasons: list[dict[str, str]] = json_column(nullable=False)


class Person(SQLModel, table=True):
    """A person on the trust's caseload (a service user)."""

    __table_args__ = (
        Index("ix_person_family_given", "family_name", "given_name"),
        Index("ix_person_pathway_band", "pathway", "risk_band"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nhs_number: str = Field(max_length=10, unique=True, index=True)
    local_id: str | None = Field(default=None, max_length=64, index=True)
    given_name: str = Field(max_length=120)
    family_name: str = Field(max_length=120)
    date_of_birth: date
    gender: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=10)
    locality: str | None = Field(default=None, foreign_key="locality.name", max_length=120)
    team: str | None = Field(default=None, foreign_key="team.name", max_length=120, index=True)
    care_coordinator_id: str | None = Field(
        default=None, max_length=64, index=True,
        description="The current worker's staff id as the trust exported it (may be unknown).",
    )
    gp_practice: str | None = Field(default=None, max_length=20)
    gp_practice_name: str | None = Field(default=None, max_length=200)
    gp_address: str | None = Field(default=None, max_length=500)
    cpa: bool | None = None
    # The person's CPA episode (MHSDS MHS701CPACareEpisode StartDateCPA, EndDateCPA).
    cpa_start: date | None = None
    cpa_end: date | None = None
    cluster: int | None = None
    s117: bool | None = None
    cto: bool | None = None
    # When the Community Treatment Order began (MHSDS StartDateCommTreatOrd).
    cto_start: date | None = None
    # When the Community Treatment Order expires unless renewed (MHSDS ExpiryDateCommTreatOrd).
    cto_expiry: date | None = None
    safeguarding_open: bool | None = None
    last_contact: date | None = None
    last_discharge: date | None = None
    admissions_12m: int | None = None
    missed_appointments_6m: int | None = None
    self_harm_history: bool | None = None
    substance_misuse: bool | None = None
    lives_alone: bool | None = None
    # MHSDS MHS003AccommStatus: the accommodation type (a code or words, as the trust wrote
    # it) and whether it is settled (SettledAccommodationInd: Y, N; Z not stated = None).
    accommodation_type: str | None = Field(default=None, max_length=60)
    settled_accommodation: bool | None = None
    carer: bool | None = None
    carer_name: str | None = Field(default=None, max_length=200)
    carer_address: str | None = Field(default=None, max_length=500)
    # Whether the person agrees to their carer being told (a carer letter says they have a
    # mental health team): no means no carer letter; None, not recorded, means check first.
    carer_consent: bool | None = None
    personal_budget: bool | None = None
    interpreter_language: str | None = Field(default=None, max_length=60)
    # MHSDS EthnicCategory, as its code (A-S, Z not stated): for the equality report only.
    ethnic_category: str | None = Field(default=None, max_length=2)
    # MHSDS EmployStatus, as its code (01 employed ... 08 retired).
    employment_status: str | None = Field(default=None, max_length=2)
    # MHSDS LanguageCodePreferred, as the language's name (lower case).
    preferred_language: str | None = Field(default=None, max_length=60)
    accessible_format: str | None = Field(default=None, max_length=20)
    preferred_worker_gender: str | None = Field(default=None, max_length=40)
    care_act_outcomes: list[str] | None = json_column()
    significant_impact: bool | None = None
    coordinator_since: date | None = None
    # When the care coordinator's allocation ended (MHSDS EndDateAssCareCoord); None while
    # current. Ended before today: the coordinator no longer holds the person.
    coordinator_until: date | None = None
    extra: dict[str, Any] | None = json_column()

    # Import bookkeeping
    content_hash: str = Field(max_length=64, description="Hash of the imported fields.")
    first_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    last_batch_id: int | None = Field(default=None, foreign_key="import_batch.id", index=True)
    source_row: int | None = Field(default=None, description="Row in the last import.")
    missing_since_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    # The names, local id and postcode without accents, case or a postcode's space, for the
    # caseload search (transition/search_text.py): given by the import, else worked out.
    search_text: str | None = Field(default=None, sa_type=Text,
                                    sa_column_kwargs={"default": search_column_default})

    # Programme
    handover_date: date | None = Field(default=None, description="Own date; else programme's.")

    # Allocation: the first accepted plan that decided this person's roles (written once, so
    # accepting again rewrites no person rows). Until one has, the trust's care coordinator
    # holds them; after, only their current ``Assignment`` rows do (a role the plan could not
    # fill is unassigned, and a signposted person is no one's).
    allocated_plan_id: int | None = Field(default=None, foreign_key="plan.id")

    # Pathway (eligibility.py) and handover risk (risk.py)
    pathway: str | None = Field(default=None, max_length=20)
    # The key of the person's reasons in ``pathway_reasons``; read them as
    # ``Person.pathway_reasons``. Not a database foreign key: SQLite checking one on every row
    # doubled the time of writing 100,000 people; ``transition db check`` verifies it instead.
    pathway_reasons_hash: str | None = Field(default=None, max_length=32)
    pathway_rules_version: str | None = Field(default=None, max_length=64)
    pathway_decided_at: datetime | None = None
    pathway_override: str | None = Field(default=None, max_length=20)
    pathway_override_reason: str | None = Field(default=None, max_length=1000)
    pathway_override_by: str | None = Field(default=None, max_length=120)
    pathway_override_at: datetime | None = None
    risk_score: int | None = None
    risk_band: str | None = Field(default=None, max_length=10)
    risk_factors: list[dict[str, Any]] | None = json_column()
    risk_as_of: date | None = None
    # A manager's band (risk_overrides.py): while set, ``risk_band`` is this band and the score
    # and factors stay the rules' own.
    risk_band_override: str | None = Field(default=None, max_length=10)
    risk_override_reason: str | None = Field(default=None, max_length=1000)
    risk_override_by: str | None = Field(default=None, max_length=120)
    risk_override_at: datetime | None = None
    assessed_hash: str | None = Field(
        default=None, max_length=64,
        description="Hash of the inputs and rules version the stored pathway/risk came from.",
    )

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


@event.listens_for(Person, "before_update")
def _search_text_follows_the_names(_mapper: Any, _connection: Any, person: Person) -> None:
    """A name, local id or postcode changed on a Person object keeps its search text (Core
    updates of those columns, the import's, give it themselves)."""
    folded = search_text({name: getattr(person, name) for name in SEARCHED_FIELDS})
    if person.search_text != folded:
        person.search_text = folded


class Staff(SQLModel, table=True):
    """A worker from the staff list: council social workers (seconded or not) and trust staff."""

    staff_id: str = Field(primary_key=True, max_length=64)
    given_name: str = Field(max_length=120)
    family_name: str = Field(max_length=120)
    employer: str = Field(max_length=20, index=True)
    role: str = Field(max_length=40, index=True)
    team: str | None = Field(default=None, foreign_key="team.name", max_length=120, index=True)
    locality: str | None = Field(default=None, foreign_key="locality.name", max_length=120)
    capacity: int | None = Field(default=None, description="How many people they can hold.")
    fte: float | None = None
    skills: list[str] | None = json_column()
    languages: list[str] | None = json_column()
    gender: str | None = Field(default=None, max_length=40)
    seconded: bool = False
    council_team: str | None = Field(
        default=None, foreign_key="team.name", max_length=120,
        description="Where a seconded worker returns to; None = not yet decided.",
    )
    leaving_date: date | None = None
    # An absence's first and last days (transition.absence): no first day, it has begun; no
    # last day, there is no known return.
    absent_from: date | None = None
    absent_until: date | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    extra: dict[str, Any] | None = json_column()

    content_hash: str = Field(max_length=64)
    first_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    last_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    source_row: int | None = None
    missing_since_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


# ---------------------------------------------------------------------------------------------
# Allocation: plans (drafts) and the accepted allocation
# ---------------------------------------------------------------------------------------------


class Plan(SQLModel, table=True):
    """A proposed allocation. At most one is ``accepted`` at a time; older ones are superseded."""

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=PlanStatus.DRAFT, max_length=20, index=True)
    kind: str = Field(default="plan", max_length=20, description="plan | check_apply")
    base_plan_id: int | None = Field(default=None, foreign_key="plan.id")
    rules_version: str | None = Field(default=None, max_length=64)
    as_of: date | None = None
    transfer_date: date | None = None
    objective: float | None = None
    optimal: bool = False
    solver_status: str | None = Field(default=None, max_length=40)
    summary: dict[str, Any] | None = json_column()
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=120)
    accepted_at: datetime | None = None
    accepted_by: str | None = Field(default=None, max_length=120)


class PlanAssignment(SQLModel, table=True):
    """One role for one person in a plan: filled (``staff_id``) or unassigned (with reasons)."""

    __tablename__ = "plan_assignment"
    __table_args__ = (UniqueConstraint("plan_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    # Looked up by plan through the unique constraint's index (plan_id first).
    plan_id: int = Field(foreign_key="plan.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    staff_id: str | None = Field(default=None, foreign_key="staff.staff_id", max_length=64)
    kept: bool = False
    locked: bool = False
    cost: float | None = None
    pathway: str | None = Field(default=None, max_length=20, description="Pathway planned for.")
    risk_band: str | None = Field(default=None, max_length=10)
    reasons: list[str] | None = json_column()
    alternatives: list[dict[str, Any]] | None = json_column()
    unassigned_reasons: list[str] | None = json_column()


class Assignment(SQLModel, table=True):
    """Who holds a role for a person now (the accepted allocation, or a manager's choice).

    Rows are never deleted: a change ends the current row (``ended_at``) and adds a new one.
    """

    __table_args__ = (
        Index(
            "uq_assignment_current",
            "person_id",
            "role",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    staff_id: str = Field(foreign_key="staff.staff_id", max_length=64, index=True)
    since: date
    locked: bool = False
    reason: str | None = Field(default=None, max_length=1000)
    source: str = Field(default="plan", max_length=20, description="plan | manager")
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=120)
    ended_at: datetime | None = None
    ended_by: str | None = Field(default=None, max_length=120)
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


# ---------------------------------------------------------------------------------------------
# Tasks and letters
# ---------------------------------------------------------------------------------------------


class Task(SQLModel, table=True):
    """A thing someone must do for one person's handover, by a working-day deadline."""

    __table_args__ = (UniqueConstraint("person_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    key: str = Field(max_length=60)
    title: str = Field(max_length=200)
    owner_kind: str = Field(max_length=20, description="outgoing | incoming | manager")
    owner_staff_id: str | None = Field(
        default=None, foreign_key="staff.staff_id", max_length=64, index=True
    )
    due: date = Field(index=True)
    offset_working_days: int
    handover_date: date
    status: str = Field(default=TaskStatus.TODO, max_length=20, index=True)
    blocked_reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    depends_on: list[str] | None = json_column()
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=120)
    completed_at: datetime | None = None
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})


class Letter(SQLModel, table=True):
    """A letter written to a file: what, for whom, from which facts, and its SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=20)
    template: str = Field(max_length=200)
    format: str = Field(max_length=10)
    path: str = Field(max_length=1024)
    sha256: str = Field(max_length=64)
    facts_hash: str = Field(max_length=64, description="Hash of the facts the letter states.")
    staff_ids: list[str] | None = json_column()
    generated_at: datetime = Field(default_factory=utcnow)
    generated_by: str = Field(max_length=120)
    superseded_at: datetime | None = None
    dated: date | None = Field(default=None, description="The date the letter bears.")
    content_sha256: str | None = Field(
        default=None, max_length=64,
        description="Hash of the rendered letter (with its own date), to tell if it would change.",
    )


# ---------------------------------------------------------------------------------------------
# Nightly checks
# ---------------------------------------------------------------------------------------------


class CheckRun(SQLModel, table=True):
    """One run of ``transition check``."""

    __tablename__ = "check_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    as_of: date
    actor: str = Field(max_length=120)
    status: str = Field(default="running", max_length=20)
    exit_code: int | None = None
    counts: dict[str, int] | None = json_column()
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    report_path: str | None = Field(default=None, max_length=1024)


class CheckFinding(SQLModel, table=True):
    __tablename__ = "check_finding"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="check_run.id", index=True)
    code: str = Field(max_length=40)
    severity: str = Field(max_length=10)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    staff_id: str | None = Field(default=None, foreign_key="staff.staff_id", max_length=64)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    message: str = Field(max_length=1000)


# ---------------------------------------------------------------------------------------------
# Audit trail (append-only: the migration adds triggers refusing UPDATE and DELETE)
# ---------------------------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the value before and after. Never updated or deleted."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=40)
    entity_key: str | None = Field(default=None, max_length=64)
    person_id: int | None = Field(default=None, index=True)
    field: str | None = Field(default=None, max_length=120)
    before: Any = json_column()
    after: Any = json_column()
    reason: str | None = Field(default=None, max_length=1000)
    batch_id: int | None = None


# ``Person.pathway_reasons``: the person's list of reasons as stored once in ``pathway_reasons``
# (None when not decided), read with the person like a column and usable in ``select()``.
# Read-only here: write the list with ``transition.stored_reasons.stored_reasons_hash`` (one)
# or ``reasons_hash`` + ``store_reasons`` (many) and set ``pathway_reasons_hash``.
Person.pathway_reasons = column_property(  # type: ignore[attr-defined]
    select(PathwayReasons.reasons)  # type: ignore[call-overload]
    .where(PathwayReasons.reasons_hash == Person.pathway_reasons_hash)
    .correlate_except(PathwayReasons)
    .scalar_subquery()
)
