"""Is the database sound? Storage integrity, foreign keys and the invariants the domain relies on;
and a consistent copy of a SQLite database taken while it is in use.

``check_database`` never changes anything. Findings name records by id or masked NHS number,
never by name, so the report can be pasted into a support ticket.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from transition import db as dbmod
from transition import nhs
from transition.db import Database, describe_url
from transition.errors import DatabaseError, TransitionError
from transition.files import private_temporary
from transition.models import (
    Assignment,
    AuditEvent,
    Letter,
    Pathway,
    PathwayReasons,
    Person,
    Plan,
    PlanAssignment,
    PlanStatus,
    RiskBand,
    Role,
    Staff,
    Task,
    TaskStatus,
)
from transition.search_text import FIELDS as SEARCHED_FIELDS
from transition.search_text import search_text

SHOW = 10  # examples kept per finding


@dataclass
class Finding:
    """One check: what it verifies, whether it held, and a few examples when it did not."""

    name: str
    description: str
    problems: int = 0
    examples: list[str] = field(default_factory=list)
    severity: str = "error"  # error (exit 1) | warning
    skipped: str | None = None  # why the check does not apply to this database

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "ok": self.ok,
                "severity": self.severity, "problems": self.problems,
                "examples": self.examples, "skipped": self.skipped}


@dataclass
class IntegrityReport:
    database: str
    backend: str
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for item in self.findings if not item.ok and item.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for item in self.findings if not item.ok and item.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def to_json(self) -> dict[str, Any]:
        return {"database": self.database, "backend": self.backend, "ok": self.ok,
                "errors": self.errors, "warnings": self.warnings,
                "checks": [item.to_json() for item in self.findings]}


def check_database(database: Database) -> IntegrityReport:
    """Run every check on ``database`` (read-only) and return what each found.

    A database too damaged to read is a failed ``readable`` check, not an exception."""
    findings: list[Finding] = []
    report = IntegrityReport(database.describe(), database.url.get_backend_name(), findings)
    try:
        schema = _schema(database)
        findings.append(schema)
        if not schema.ok:
            # The other checks read the schema this version knows; on another they would fail.
            return report
        findings += _schema_objects(database)
        if database.is_sqlite:
            findings += _sqlite_storage(database)
        else:
            skipped = "PostgreSQL checks its own pages and enforces foreign keys on every write"
            findings += [
                Finding("storage", "SQLite integrity_check: the file's pages are sound",
                        skipped=skipped),
                Finding("foreign_keys",
                        "SQLite foreign_key_check: every reference points at a row",
                        skipped=skipped),
            ]
        with database.session() as session:
            for check in INVARIANTS:
                findings.append(check(session))
    except DBAPIError as exc:
        reason = dbmod.failure_reason(exc)
        if not findings and dbmod.cannot_be_reached(reason):
            # Not opened at all (a server that does not answer, a folder we may not write
            # in): nothing was checked, and restoring a backup is not the answer.
            raise dbmod.unusable_database(database.describe(), reason,
                                          database.sqlite_path) from None
        findings.append(Finding("readable", "The database can be read to the end", problems=1,
                                examples=[f"reading stopped: {reason}"]))
    return report


# ---------------------------------------------------------------------------------------------
# Storage


def _schema(database: Database) -> Finding:
    finding = Finding("schema", "The schema is the revision this version of transition expects")
    current, head, known = dbmod.schema_status(database.engine)
    if current != head:
        finding.problems = 1
        finding.examples = [f"schema revision {current or '(none)'}, expected {head}: "
                            + ("run transition db upgrade" if known else
                               "upgrade transition")]
    return finding


def _schema_objects(database: Database) -> list[Finding]:
    """What the schema revision alone cannot vouch for: every table, column, index and
    constraint the models describe is there as described (Alembic's own comparison, as the
    tests run it), and the audit trail's append-only triggers are in place. A dropped
    ``uq_assignment_current`` lets a person have two current workers; dropped triggers let
    the audit trail be edited. Tables or indexes the database has beyond these are its own."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    objects = Finding("schema_objects", "Every table, column, index and constraint transition "
                      "relies on is there as it expects")
    append_only = Finding("audit_append_only", "The audit trail's append-only triggers are "
                          "in place")
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        if database.is_sqlite:
            triggers = set(connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_event'").scalars())
            wanted = {"audit_event_no_update", "audit_event_no_delete"}
        else:
            triggers = set(connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'").scalars())
            wanted = {"audit_event_append_only"}
    problems = [text for item in differences if (text := _missing(item)) is not None]
    objects.problems, objects.examples = len(problems), problems[:SHOW]
    absent = sorted(wanted - triggers)
    append_only.problems = len(absent)
    append_only.examples = [f"trigger {name} is missing or disabled: the audit trail can be "
                            "changed" for name in absent]
    return [objects, append_only]


def _missing(difference: Any) -> str | None:
    """One of Alembic's differences in words, or None for something the database has beyond
    the models (its own business)."""
    if isinstance(difference, list):  # modify_type / modify_nullable / ..., one column
        _kind, _schema, table, column, *_rest = difference[0]
        return f"column {table}.{column} differs from what transition expects"
    kind, target = difference[0], difference[-1]
    if kind.startswith("remove_"):
        return None
    if kind == "add_table":
        return f"table {target.name} is missing"
    if kind == "add_column":
        return f"column {difference[2]}.{target.name} is missing"
    if kind in ("add_index", "add_constraint", "add_fk"):
        table = getattr(getattr(target, "table", None), "name", "?")
        name = getattr(target, "name", None) or kind.removeprefix("add_")
        return f"{kind.removeprefix('add_').replace('fk', 'foreign key')} {name} on {table} is missing"
    return f"{kind.replace('_', ' ')}: {getattr(target, 'name', target)}"


def _sqlite_storage(database: Database) -> list[Finding]:
    storage = Finding("storage", "SQLite integrity_check: the file's pages are sound")
    keys = Finding("foreign_keys", "SQLite foreign_key_check: every reference points at a row")
    with database.engine.connect() as connection:
        messages = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        if messages != ["ok"]:
            storage.problems = len(messages)
            storage.examples = messages[:SHOW]
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        keys.problems = len(broken)
        keys.examples = [f"{table} row {rowid} -> {parent}"
                         for table, rowid, parent, _fk in broken[:SHOW]]
    return [storage, keys]


# ---------------------------------------------------------------------------------------------
# Domain invariants (both databases)


def _found(finding: Finding, session: Session, statement: Any,
           describe: Callable[[Any], str]) -> Finding:
    rows = session.execute(statement).all()
    finding.problems = len(rows)
    finding.examples = [describe(row) for row in rows[:SHOW]]
    return finding


def _one_current_assignment(session: Session) -> Finding:
    statement = (
        select(Assignment.person_id, Assignment.role, func.count())
        .where(Assignment.ended_at.is_(None))  # type: ignore[union-attr]
        .group_by(Assignment.person_id, Assignment.role)
        .having(func.count() > 1)
    )
    return _found(
        Finding("one_current_assignment", "At most one current worker per person and role"),
        session, statement, lambda row: f"person id {row[0]} has {row[2]} current {row[1]}s")


def _assignments_point_at_records(session: Session) -> Finding:
    staff = aliased(Staff)
    person = aliased(Person)
    statement = (
        select(Assignment.id, Assignment.person_id, Assignment.staff_id,
               person.id, staff.staff_id)
        .outerjoin(person, person.id == Assignment.person_id)
        .outerjoin(staff, staff.staff_id == Assignment.staff_id)
        .where((person.id.is_(None)) | (staff.staff_id.is_(None)))  # type: ignore[union-attr]
    )
    return _found(
        Finding("assignments_exist", "Every assignment names an existing person and worker"),
        session, statement,
        lambda row: f"assignment {row[0]}: "
        + ("no person" if row[3] is None else "no worker " + str(row[2])))


def _assignments_valid(session: Session) -> Finding:
    roles = [item.value for item in Role]
    statement = select(Assignment.id, Assignment.role).where(
        Assignment.role.not_in(roles))  # type: ignore[attr-defined]
    return _found(Finding("assignment_roles", "Every assignment's role is a known role"),
                  session, statement, lambda row: f"assignment {row[0]}: role {row[1]!r}")


def _assignments_audited(session: Session) -> Finding:
    audited = exists().where(
        AuditEvent.entity == "assignment",
        AuditEvent.person_id == Assignment.person_id,
        AuditEvent.field == Assignment.role,
        AuditEvent.action.in_(("assignment.accept", "assignment.manager")),  # type: ignore[attr-defined]
    )
    statement = select(Assignment.id, Assignment.person_id, Assignment.role).where(~audited)
    return _found(
        Finding("assignments_audited", "Every assignment has its entry in the audit trail"),
        session, statement,
        lambda row: f"assignment {row[0]} (person id {row[1]}, {row[2]}) is not in the audit trail")


def _tasks_point_at_records(session: Session) -> Finding:
    person = aliased(Person)
    staff = aliased(Staff)
    statement = (
        select(Task.id, Task.owner_staff_id, person.id)
        .outerjoin(person, person.id == Task.person_id)
        .outerjoin(staff, staff.staff_id == Task.owner_staff_id)
        .where(person.id.is_(None)  # type: ignore[union-attr]
               | and_(Task.owner_staff_id.is_not(None),  # type: ignore[union-attr]
                      staff.staff_id.is_(None)))  # type: ignore[union-attr]
    )
    return _found(
        Finding("tasks_exist", "Every task belongs to an existing person (and owner, if named)"),
        session, statement,
        lambda row: f"task {row[0]}: " + ("no person" if row[2] is None
                                          else f"no worker {row[1]}"))


def _task_statuses(session: Session) -> Finding:
    statement = select(Task.id, Task.status).where(
        Task.status.not_in([item.value for item in TaskStatus]))  # type: ignore[attr-defined]
    return _found(Finding("task_status", "Every task's status is a known status"),
                  session, statement, lambda row: f"task {row[0]}: status {row[1]!r}")


def _one_accepted_plan(session: Session) -> Finding:
    statement = select(Plan.id).where(Plan.status == PlanStatus.ACCEPTED.value).order_by(Plan.id)
    finding = Finding("one_accepted_plan", "At most one plan is accepted")
    accepted = list(session.scalars(statement))
    if len(accepted) > 1:
        finding.problems = len(accepted) - 1
        finding.examples = [f"plans {', '.join(map(str, accepted[:SHOW]))} are all accepted"]
    return finding


def _plan_rows_point_at_records(session: Session) -> Finding:
    person = aliased(Person)
    plan = aliased(Plan)
    statement = (
        select(PlanAssignment.id)
        .outerjoin(person, person.id == PlanAssignment.person_id)
        .outerjoin(plan, plan.id == PlanAssignment.plan_id)
        .where(person.id.is_(None) | plan.id.is_(None))  # type: ignore[union-attr]
    )
    return _found(
        Finding("plan_rows_exist", "Every plan row belongs to an existing plan and person"),
        session, statement, lambda row: f"plan row {row[0]}")


def _people_valid(session: Session) -> Finding:
    finding = Finding(
        "people_valid",
        "Every person has a valid NHS number, a known pathway and risk band, and a version")
    pathways = {item.value for item in Pathway}
    bands = {item.value for item in RiskBand}
    statement = select(Person.id, Person.nhs_number, Person.pathway, Person.pathway_override,
                       Person.risk_band, Person.risk_band_override, Person.version)
    for person_id, number, pathway, override, band, band_override, version in \
            session.execute(statement):
        wrong = []
        if not nhs.is_valid(number):
            wrong.append(f"NHS number {nhs.mask(number)} fails its check digit")
        if pathway is not None and pathway not in pathways:
            wrong.append(f"pathway {pathway!r}")
        if override is not None and override != pathway:
            wrong.append("the manager's override is not the pathway in use")
        if band is not None and band not in bands:
            wrong.append(f"risk band {band!r}")
        if band_override is not None and band_override != band:
            wrong.append("the manager's risk band is not the band in use")
        if version is None or version < 1:
            wrong.append(f"version {version!r}")
        if wrong:
            finding.problems += 1
            if len(finding.examples) < SHOW:
                finding.examples.append(f"person id {person_id}: " + "; ".join(wrong))
    return finding


def _pathway_reasons_stored(session: Session) -> Finding:
    stored = exists().where(PathwayReasons.reasons_hash == Person.pathway_reasons_hash)
    statement = select(Person.id).where(
        Person.pathway_reasons_hash.is_not(None), ~stored  # type: ignore[union-attr]
    )
    return _found(
        Finding("pathway_reasons_exist", "Every person's pathway reasons are stored"),
        session, statement, lambda row: f"person id {row[0]}")


def _overrides_audited(session: Session) -> Finding:
    def audited(action: str) -> Any:
        return exists().where(AuditEvent.person_id == Person.id, AuditEvent.action == action)

    statement = select(Person.id).where(
        (Person.pathway_override.is_not(None) & ~audited("pathway.override"))  # type: ignore[union-attr]
        | (Person.risk_band_override.is_not(None) & ~audited("risk.override"))  # type: ignore[union-attr]
    )
    return _found(
        Finding("overrides_audited",
                "Every manager's pathway and risk band has its entry in the audit trail"),
        session, statement, lambda row: f"person id {row[0]}")


def _letters_point_at_records(session: Session) -> Finding:
    person = aliased(Person)
    statement = (
        select(Letter.id).outerjoin(person, person.id == Letter.person_id)
        .where(person.id.is_(None))  # type: ignore[union-attr]
    )
    return _found(Finding("letters_exist", "Every letter belongs to an existing person"),
                  session, statement, lambda row: f"letter {row[0]}")


def _letter_files(session: Session) -> Finding:
    finding = Finding("letter_files", "Every current letter's file is still where it was written",
                      severity="warning")
    statement = select(Letter.id, Letter.path).where(Letter.superseded_at.is_(None))  # type: ignore[union-attr]
    for letter_id, path in session.execute(statement):
        if not Path(path).exists():
            finding.problems += 1
            if len(finding.examples) < SHOW:
                finding.examples.append(f"letter {letter_id}: file missing")
    return finding


def _search_text_current(session: Session) -> Finding:
    """Each person's ``search_text`` is what their names, local id and postcode fold to: a row
    written past the application (SQL by hand, a restore of an older copy) would be missed by a
    search, so it is said (a warning: nothing is wrong with the record itself)."""
    finding = Finding("search_text_current",
                      "Every person's search text matches their names, local id and postcode",
                      severity="warning")
    statement = select(Person.id, Person.search_text,
                       *(getattr(Person, name) for name in SEARCHED_FIELDS))
    for person_id, stored, *values in session.execute(statement):
        if stored != search_text(dict(zip(SEARCHED_FIELDS, values, strict=True))):
            finding.problems += 1
            if len(finding.examples) < SHOW:
                finding.examples.append(f"person id {person_id}: search text out of date "
                                        "(a caseload search may miss them)")
    return finding


INVARIANTS: list[Callable[[Session], Finding]] = [
    _one_current_assignment,
    _assignments_point_at_records,
    _assignments_valid,
    _assignments_audited,
    _tasks_point_at_records,
    _task_statuses,
    _one_accepted_plan,
    _plan_rows_point_at_records,
    _people_valid,
    _pathway_reasons_stored,
    _overrides_audited,
    _letters_point_at_records,
    _letter_files,
    _search_text_current,
]


# ---------------------------------------------------------------------------------------------
# Backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    pages: int


def pg_dump_advice(database: Database) -> str:
    url = database.url.set(drivername="postgresql", password=None)
    return (
        "Back up a PostgreSQL database with pg_dump, which takes a consistent snapshot while "
        f"others keep working:\n  pg_dump --format=custom --file FILE "
        f"'{describe_url(url)}'\n(restore with pg_restore; keep the file owner-only, it holds "
        "personal data)."
    )


def backup_sqlite(database: Database, target: Path, *, force: bool = False) -> BackupResult:
    """A consistent copy of the SQLite database at ``target`` (0600), taken while it is in use.

    SQLite's online backup copies the last committed state, including what is still in the
    write-ahead log; writers may carry on meanwhile. The copy is checked before it replaces
    ``target``, so a failed backup never leaves a half-written file there.
    """
    source_path = database.sqlite_path
    if source_path is None:
        raise DatabaseError("Only a SQLite file can be copied with transition db backup.",
                            hint=pg_dump_advice(database))
    target = target.expanduser()
    if target.resolve() == source_path.resolve():
        raise TransitionError("The backup file cannot be the database itself.",
                              hint="Give another path, e.g. transition-backup.db.")
    if target.is_dir():
        raise TransitionError(f"{target} is a folder, not a file; nothing was written.",
                              hint=f"Name the backup file, e.g. {target / 'transition-backup.db'}.")
    if target.exists() and not target.is_file():
        raise TransitionError(f"{target} is not a file; nothing was written.")
    if target.exists() and not force:
        raise TransitionError(f"{target} already exists; nothing was written.",
                              hint="Give a new file name, or add --force to replace it.")
    if not target.parent.is_dir():
        raise TransitionError(f"The folder {target.parent} does not exist; nothing was written.")
    try:
        fd, temporary = private_temporary(target, ".partial")
    except OSError as exc:
        raise TransitionError(
            f"Cannot write in the folder {target.parent} ({exc.strerror}); nothing was written.",
            hint="Choose a folder you may write to.") from None
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, timeout=database.busy_timeout_seconds)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            verdict = copy.execute("PRAGMA integrity_check").fetchone()
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if verdict != ("ok",):
            raise DatabaseError("The copy failed its integrity check; nothing was written.",
                                hint="Run transition db check on the database itself.")
        os.chmod(temporary, 0o600)
        # A file being replaced may have a write-ahead log or journal beside it (someone
        # opened the old backup): left there, SQLite would replay it over the new copy, which
        # would then read as the old data. Removed first, so no moment pairs them.
        for companion in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + companion).unlink(missing_ok=True)
        os.replace(temporary, target)
    except sqlite3.Error as exc:
        if dbmod.is_lock_error(exc):
            raise dbmod.lock_message(database.busy_timeout_seconds) from None
        unusable = dbmod.unusable_database(database.describe(), dbmod.failure_reason(exc),
                                           source_path)
        raise DatabaseError(f"The backup could not be made: {dbmod.failure_reason(exc)}. "
                            "Nothing was written.", hint=unusable.hint) from None
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, pages)

