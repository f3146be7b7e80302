"""Importing the trust's caseload export and the staff list.

``import_file`` reads a CSV or XLSX file (:mod:`transition.tabular`), checks every row
(:mod:`transition.validation`), and upserts the good rows by NHS number (staff: by staff id) in
the caller's transaction, so one import is all or nothing:

- a new record is inserted; a changed one is updated, each changed field audited with its value
  before and after; an unchanged one (same content hash) is left alone;
- a record on the database that is missing from this file is flagged (``missing_since_batch_id``),
  never deleted, and unflagged if a later file lists it again; a fixed rejects file is a top-up
  and flags nobody;
- a bad row is kept as a :class:`RejectedRow` (raw values and every reason) and written to a
  rejects CSV that can be fixed and imported again; rows sharing an NHS number with different
  details (values as read) are all rejected; a repeat of an imported row is imported once and
  counted in ``duplicates``;
- ``rows == inserted + updated + unchanged + rejected + duplicates``, always.

With ``strict`` a file with any bad row changes no person or worker: the batch is recorded as
``refused`` with its rejected rows and rejects file, and the counts say what the import would
have done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Table as SqlTable
from sqlalchemy import exists, func, or_, select, text
from sqlmodel import Session

from transition.bulk import collector_paused
from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS, Column, derivable
from transition.config import Settings
from transition.db import Database
from transition.errors import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, TransitionError
from transition.headers import (
    REJECTS_ERRORS_HEADER,
    REJECTS_ROW_HEADER,
    HeaderMatch,
    column_notes,
    header_scorer,
    match_headers,
    read_mapping,
)
from transition.import_rules import ImportRules
from transition.locks import IMPORT_LOCK, advisory_lock
from transition.lost_characters import kept_notice, warn_lost
from transition.models import (
    Assignment,
    ImportBatch,
    ImportKind,
    Locality,
    Person,
    Staff,
    Team,
    utcnow,
)
from transition.rejects import record_rejects, rejects_target, stage_rejects_file
from transition.staff_ids import by_folded_case
from transition.tabular import Table, cell_text, read_table
from transition.upsert import Writer, plan_changes, warn_identity_changes
from transition.validation import CheckedRow, NameBook, Problem, RowChecker

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None
    mapping_file: Path | None = None
    strict: bool = False
    rejects_path: Path | None = None
    """Write the rejects CSV here. If None, ``rejects_dir`` names the folder instead."""
    rejects_dir: Path | None = None
    """Folder for the rejects CSV, named after the file and batch. Neither given: no file."""
    read_by_rules: Mapping[str, str] = field(default_factory=dict)
    """Extra columns the rules read (header key -> the skill they decide): a caseload file
    lacking one is named in a notice (:meth:`MatchingRules.extra_columns_read`)."""
    fitting_no_role: Callable[[Iterable[tuple[str | None, str | None]]], str | None] | None = None
    """For a staff list: the workers, by ``(employer, job role)``, whose pair fits no role a
    plan fills, in words, or None (:meth:`MatchingRules.fitting_no_role`); said in a notice."""
    rules_problem: str | None = None
    """Why the rules could not be read, so neither of the above is known (said in a notice)."""
    limits: ImportRules = field(default_factory=ImportRules)
    """The rules' ages and FTE ceiling that rows are checked against ([importing]); the
    shipped ones when there is no rules file, or it cannot be read."""


def what_the_rules_read(load_rules: Callable[[], Any], kind: str) -> dict[str, Any]:
    """:class:`ImportOptions` fields from the rules: the ages and FTE ceiling rows are checked
    against; for a caseload, the extra columns its rules read; for a staff list, which job
    roles fill a plan's roles. A rules file that cannot be read must not stop an import, only
    skip these looks and check with the shipped limits (``rules_problem``)."""
    try:
        rules = load_rules()
    except TransitionError as exc:
        return {"rules_problem": exc.message}
    matching = rules.matching
    if kind == ImportKind.CASELOAD:
        return {"read_by_rules": matching.extra_columns_read(), "limits": rules.importing}
    return {"fitting_no_role": matching.fitting_no_role, "limits": rules.importing}


@dataclass(frozen=True)
class Reject:
    row: int
    record_key: str | None
    errors: list[tuple[str, str]]


@dataclass(frozen=True)
class RowWarning:
    row: int
    record_key: str | None
    column: str
    message: str


@dataclass
class ImportResult:
    batch_id: int
    kind: str
    file: str
    sha256: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    missing_from_file: int = 0
    warnings: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_path: Path | None = None
    status: str = "complete"
    sheet: str | None = None
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)  # known columns not in the file
    nearest_columns: dict[str, str] = field(default_factory=dict)  # extra -> what it looks like
    newly_missing: int = 0
    returned: int = 0
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (row, the row it repeats)
    warning_list: list[RowWarning] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def key_name(self) -> str:
        return "staff_id" if self.kind == ImportKind.STAFF else "nhs_number"

    @property
    def exit_code(self) -> int:
        """0 all rows imported; 1 imported, some rejected; 2 nothing imported."""
        return {"complete": EXIT_OK, "partial": EXIT_PARTIAL}.get(self.status, EXIT_FAILED)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "file": self.file,
            "sheet": self.sheet,
            "sha256": self.sha256,
            "status": self.status,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "missing_from_file": self.missing_from_file,
            "warnings": self.warnings,
            "rejects": [
                {"row": reject.row, self.key_name: reject.record_key,
                 "errors": [{"column": column, "message": message}
                            for column, message in reject.errors]}
                for reject in self.rejects
            ],
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
            "warnings_by_column": dict(Counter(w.column for w in self.warning_list).most_common()),
            "repeated_rows": [{"row": row, "repeats_row": first} for row, first in self.repeats],
            "newly_missing": self.newly_missing,
            "returned_to_file": self.returned,
            "header_row": self.header_row,
            "columns": self.columns,
            "extra_columns": self.extra_columns,
            "missing_columns": self.missing_columns,
            "extra_columns_look_like": self.nearest_columns,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "notices": self.notices,
        }


@dataclass(frozen=True)
class KindSpec:
    kind: str
    columns: tuple[Column, ...]
    key: str  # the column records are matched on
    table: SqlTable
    pk: str  # the table's primary key column
    entity: str  # audit entity
    noun: str  # for messages: "person" / "worker"


SPECS = {
    ImportKind.CASELOAD.value: KindSpec("caseload", CASELOAD_COLUMNS, "nhs_number",
                                        Person.__table__, "id", "person", "person"),  # type: ignore[attr-defined]
    ImportKind.STAFF.value: KindSpec("staff", STAFF_COLUMNS, "staff_id",
                                     Staff.__table__, "staff_id", "staff", "worker"),  # type: ignore[attr-defined]
}


def default_rejects_dir(database: Database, settings: Settings) -> Path:
    """Where rejects files go by default: beside a SQLite database, else the output folder;
    on a demo database, its own folder (the default demo is in the data folder, beside the
    real database's rejects)."""
    if settings.demo_files_dir is not None:
        return settings.demo_files_dir / "rejects"
    if database.sqlite_path is not None:
        return database.sqlite_path.expanduser().resolve().parent / "rejects"
    return settings.resolved_output_dir / "rejects"


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


SQLITE_IMPORT_CACHE_KIB = 131_072


@contextmanager
def _sqlite_cache(session: Session) -> Iterator[None]:
    """A bigger SQLite page cache while importing (128 MB instead of 2 MB).

    Inserting 100,000 people updates the person table and its seven indexes; with the default
    cache their pages keep leaving it (measured: about 15% of the import).
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
    yield
    # Not in a ``finally``: after a failed statement the connection is rolled back and pooled
    # with the bigger cache, which does no harm, rather than masking the real error.
    session.execute(text(f"PRAGMA cache_size = {int(before or -2000)}"))


def import_file(
    session: Session,
    path: Path,
    kind: str,
    options: ImportOptions = ImportOptions(),
    *,
    actor: str,
    today: date,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a caseload export or staff list in the caller's transaction.

    Raises :class:`InputFileError` (nothing written) for a file that cannot be used at all.
    ``progress(done, total)`` counts steps: each row is checked, then written (total = 2 x rows).
    """
    spec = SPECS.get(str(kind))
    if spec is None:
        raise TransitionError(f"Unknown import kind {kind!r}: use caseload or staff.")
    with collector_paused(), _sqlite_cache(session):
        return _import(session, Path(path), spec, options, actor=actor, today=today,
                       progress=progress)


# The note an import gives when a file lacks a derived column (DERIVED_COLUMNS) but has the
# dates it is worked out from, in the order the notes are listed.
_WORKED_OUT_NOTES = {
    "cto": "The file has CTO dates (start or expiry) but no CTO yes/no column, so each person's "
           "CTO status is worked out from the dates: an order begun and expiring today or later "
           "is yes; an expired one is no (with a warning); a row with neither date leaves it "
           "unknown.",
    "cpa": "The file has CPA episode dates but no CPA yes/no column, so whether each person is "
           "on CPA is worked out from the dates: an episode that has begun and not ended by "
           "today is yes; an ended one is no; a row with neither date leaves it unknown.",
}


def _about_staff(session: Session, accepted: Sequence[CheckedRow],
                 options: ImportOptions) -> list[str]:
    """What a staff list's accepted rows say that a plan would otherwise find out too late:
    job roles that fill no role a plan fills (a misspelt 'Social Wroker' is never given
    anyone), and ids that differ only in case from a worker already held (a new worker, and
    the old one marked missing)."""
    notes = []
    if options.fitting_no_role is not None and (fits_nothing := options.fitting_no_role(
            (row.values.get("employer"), row.values.get("role")) for row in accepted)):
        notes.append(
            f"Staff whose employer and job role fit no role a plan fills, so no plan will give "
            f"them anyone: {fits_nothing}. Right for staff who are not care coordinators (AMHPs, "
            "psychiatrists, managers); else correct the role's spelling in the file, or add the "
            "role to the rules' [matching.roles].")
    in_file = {row.key for row in accepted if row.key}
    held = by_folded_case(set(session.scalars(select(Staff.staff_id))) - in_file)
    respelt = sorted(f"'{key}' for '{held[key.casefold()]}'" for key in in_file
                     if key.casefold() in held)
    if respelt:
        shown = ", ".join(respelt[:3]) + (f" and {len(respelt) - 3} more" if len(respelt) > 3
                                          else "")
        notes.append(
            f"{len(respelt)} staff {'id in this file differs' if len(respelt) == 1 else 'ids in this file differ'} "
            f"only in case from a worker already held ({shown}): each is imported as a new "
            "worker, and the one held is marked missing from the staff list. If they are the "
            "same people, write the ids as before and import the file again.")
    return notes


def _import(session: Session, path: Path, spec: KindSpec, options: ImportOptions, *,
            actor: str, today: date, progress: Progress | None) -> ImportResult:
    mapping = read_mapping(options.mapping_file, spec.kind, spec.columns) if options.mapping_file else {}
    table = read_table(path, score=header_scorer(spec.columns, mapping), sheet=options.sheet)
    match = match_headers(table, spec.columns, mapping, spec.kind)
    _one_import_at_a_time(session)

    about_columns = column_notes(match, spec.kind, options.read_by_rules
                                 if spec.kind == ImportKind.CASELOAD else {})
    notices = list(about_columns)
    # Columns worked out from others the file gives (RowChecker._derive): written too.
    derived = derivable(match.written)
    notices.extend(note for name, note in _WORKED_OUT_NOTES.items()
                   if name in derived and name not in match.written)
    if table.ragged:
        notices.append("The lines of this file hold differing numbers of fields, as a writer "
                       "that leaves off empty fields at a line's end makes them, so a short line "
                       "was read with its missing fields blank. A line cut short cannot be told "
                       "from one that is short by design in such a file (only lines longer than "
                       "the header are rejected): an export with every line alike, as Excel "
                       "saves, lets transition check them all.")
    # Rows read in Windows-1252 in a UTF-8 file; merged cells given their top cell's value.
    notices.extend(table.reading_notes())
    if options.rules_problem:
        shipped = ImportRules()
        unread = ("the extra columns the rules read were not looked for, and dates of birth "
                  f"were checked against the shipped ages (under {shipped.youngest_age} "
                  f"rejected, under {shipped.adult_age} warned)"
                  if spec.kind == ImportKind.CASELOAD
                  else "the job roles were not checked against the roles a plan fills, and "
                  f"FTEs were checked against the shipped ceiling ({shipped.max_fte:g})")
        notices.append(f"The rules file could not be read, so {unread}: {options.rules_problem}")
    known_staff = None
    if spec.kind == ImportKind.CASELOAD and "care_coordinator_id" in match.written:
        known_staff = frozenset(session.scalars(select(Staff.staff_id)))
        if not known_staff:
            known_staff = None
            notices.append(
                "No staff list has been imported yet, so care coordinator ids were not checked. "
                "Import the staff list (transition import staff FILE), then this file again."
            )
    teams = NameBook(session.scalars(select(Team.name)))
    names = {"team": teams, "council_team": teams,
             "locality": NameBook(session.scalars(select(Locality.name)))}
    checker = RowChecker(spec.columns, match, key=spec.key, today=today, names=names,
                         known_staff=known_staff, limits=options.limits)

    total = 2 * len(table.rows)
    checked = checker.check_rows(
        table.rows, (lambda done: progress(done, total)) if progress is not None else None,
        text_only=table.format == "csv")
    _reject_misshapen_lines(checked, table, match)
    warn_lost(checked, list(match.columns.values()))  # a '?' for a letter the export lost
    notices.extend(checker.notes)  # a date column read month first, as its header says
    accepted, repeats, rejected = _sort_rows(checked, table, spec, match)
    if spec.kind == ImportKind.STAFF:
        notices.extend(_about_staff(session, accepted, options))

    batch = ImportBatch(kind=spec.kind, file_name=table.file_name[:255], file_sha256=table.sha256,
                        sheet=table.sheet, actor=actor, status="running",
                        rows=len(table.rows),
                        header_map={header: name for name, header in match.written.items()},
                        column_notes=about_columns or None)
    session.add(batch)
    session.flush()
    assert batch.id is not None
    seen = _seen_keys(checked, spec)
    plan = plan_changes(session, spec, accepted, seen=seen,
                        supplied=set(match.written) | derived, extras=set(match.extras.values()),
                        top_up=match.rejects_file)
    if spec.kind == ImportKind.CASELOAD and (changed := warn_identity_changes(plan)):
        notices.append(changed)  # a stored person's date of birth or name changed
    if plan.kept_from_loss:
        notices.append(kept_notice(plan.kept_from_loss))
    if match.rejects_file:
        notices.append(
            f"This is a rejects file (it has the '{REJECTS_ROW_HEADER}' and "
            f"'{REJECTS_ERRORS_HEADER}' columns), so it tops up the {_LISTS[spec.kind]} rather "
            f"than replacing it: no {spec.noun} was marked as missing for not being in it.")
    result = ImportResult(
        batch_id=batch.id, kind=spec.kind, file=table.file_name, sha256=table.sha256,
        rows=len(table.rows), inserted=len(plan.inserts), updated=len(plan.updates),
        unchanged=len(plan.unchanged), rejected=len(rejected), duplicates=len(repeats),
        missing_from_file=len(plan.absent), sheet=table.sheet, header_row=table.header_row,
        encoding=table.encoding, delimiter=table.delimiter,
        columns={header: name for name, header in match.written.items()},
        extra_columns=list(match.extras.values()), missing_columns=list(match.absent),
        nearest_columns=dict(match.nearest), repeats=repeats, notices=notices,
    )
    assert result.rows == (result.inserted + result.updated + result.unchanged
                           + result.rejected + result.duplicates), "every row is counted once"
    # What is shown (terminal, --json, screens) names the column and the problem, never the
    # cell's value: the rejects file and the person's own warnings keep that.
    result.rejects = [Reject(row.number, row.key, [(p.column, p.message) for p in row.errors])
                      for row in rejected]

    result.warning_list = [
        RowWarning(row.number, row.key, problem.column, problem.message)
        for row in accepted for problem in row.warnings
    ]
    result.warnings = len(result.warning_list)
    refused = options.strict and bool(rejected)
    if refused:
        notices.append("--strict: nothing was imported because some rows were rejected; the "
                       "counts say what the import would have done. Fix the rejects and import "
                       "the whole file again.")
    elif not accepted:
        # Every row rejected: nothing in the file can be trusted, so nobody is marked missing
        # (a file whose NHS number column is garbage must not flag the whole caseload).
        notices.append("Every row was rejected, so nothing was imported and nobody was marked "
                       "as missing. Check this is the right file.")
        result.missing_from_file = 0  # the count says who was flagged: no one
    else:
        writer = Writer(session, spec, batch_id=batch.id, actor=actor, file_name=table.file_name,
                        progress=(lambda done: progress(len(table.rows) + done, total))
                        if progress is not None else None)
        outcome = writer.write(plan)
        result.newly_missing, result.returned = outcome.newly_missing, outcome.returned
        writer.write_warnings(accepted)
        if plan.absent:
            part = (f" This file lists fewer {_plural(spec.noun)} ({len(seen):,}) than it leaves "
                    f"out: if it is only part of the {_LISTS[spec.kind]} (one team's rows, or a "
                    f"rejects file whose '{REJECTS_ROW_HEADER}' and '{REJECTS_ERRORS_HEADER}' "
                    "columns were deleted), import the whole export again to clear the flags."
                    if len(plan.absent) > len(seen) else "")
            notices.append(
                f"{len(plan.absent):,} {spec.noun if len(plan.absent) == 1 else _plural(spec.noun)} "
                f"on the database {'is' if len(plan.absent) == 1 else 'are'} not in this file: "
                "marked as missing from the latest export, not deleted." + part
                + (_people_of_absent_staff(session, [item.key for item in plan.absent])
                   if spec.kind == "staff" else "")
            )

    record_rejects(session, batch.id, table, rejected)
    if rejected:
        target = rejects_target(options.rejects_path, options.rejects_dir, table.file_name,
                                batch.id)
        if target is not None:
            result.rejects_path = stage_rejects_file(session, target, table, rejected)

    imported = result.inserted + result.updated + result.unchanged + result.duplicates
    result.status = ("refused" if refused else "complete" if not rejected
                     else "partial" if imported else "rejected")
    batch.status = result.status
    batch.finished_at = utcnow()
    for name in ("inserted", "updated", "unchanged", "rejected", "duplicates",
                 "missing_from_file", "warnings"):
        setattr(batch, name, getattr(result, name))
    batch.rejects_path = str(result.rejects_path)[:1024] if result.rejects_path else None
    session.add(batch)
    Writer.audit_batch(session, spec, batch, actor=actor)
    session.flush()
    if progress is not None:
        progress(total, total)
    return result


_LISTS = {"caseload": "caseload", "staff": "staff list"}


def _people_of_absent_staff(session: Session, staff_ids: list[str]) -> str:
    """For workers left out of a staff list: how many people in the latest export they still
    hold (a current allocation) or coordinate (the trust's export names them), in words, so
    the import says who needs a new worker, not only that a worker is gone ("" for none)."""
    if not staff_ids:
        return ""
    held = exists().where(Assignment.person_id == Person.id,
                          Assignment.ended_at.is_(None),  # type: ignore[union-attr]
                          Assignment.staff_id.in_(staff_ids))  # type: ignore[attr-defined]
    count = session.scalar(
        select(func.count()).select_from(Person)
        .where(Person.missing_since_batch_id.is_(None),  # type: ignore[union-attr]
               or_(Person.care_coordinator_id.in_(staff_ids), held)))  # type: ignore[union-attr]
    if not count:
        return ""
    return (f" They hold or coordinate {count:,} {'person' if count == 1 else 'people'} in the caseload, who "
            "need a new worker unless the worker was left out by mistake: `transition check` "
            "lists them, and `transition check --apply` proposes new workers.")


def _plural(noun: str) -> str:
    return "people" if noun == "person" else f"{noun}s"


def _one_import_at_a_time(session: Session) -> None:
    """SQLite's write lock already serialises imports; PostgreSQL takes an advisory lock
    (shared with ``plan accept``, which must not accept a plan whose inputs an import is
    changing: :mod:`transition.locks`)."""
    advisory_lock(session, IMPORT_LOCK)


def _seen_keys(checked: Sequence[CheckedRow], spec: KindSpec) -> set[str]:
    """Every valid key in the file, rejected rows included: they are not missing, just bad."""
    return {row.values[spec.key] for row in checked if row.values.get(spec.key)}


def _sort_rows(
    checked: list[CheckedRow], table: Table, spec: KindSpec, match: HeaderMatch | None = None
) -> tuple[list[CheckedRow], list[tuple[int, int]], list[CheckedRow]]:
    """Split rows into accepted, exact repeats (row, first row) and rejected (by row number).

    Rows sharing a key are compared on their values as read (``999 000 0018`` is
    ``9990000018``, 03/04/1980 is 1980-04-03). Where they differ, every one of them is
    rejected: which is right cannot be known. Where they agree, the first is imported and
    the rest are repeats, "imported once"; unless the first is rejected, when they are too.
    """
    groups: dict[str, list[int]] = {}
    for position, row in enumerate(checked):
        key = row.values.get(spec.key)
        if key:
            groups.setdefault(key, []).append(position)
    repeat_of: dict[int, int] = {}
    noun = "NHS number" if spec.key == "nhs_number" else "staff id"
    for positions in groups.values():
        if len(positions) < 2:
            continue
        identities = [_identity(checked[position], table.rows[position].cells)
                      for position in positions]
        good = {position for position in positions if checked[position].ok}  # before rejecting
        if len(set(identities)) == 1:
            first = positions[0]
            if checked[first].ok:
                repeat_of.update(dict.fromkeys(positions[1:], first))
            continue
        for position, identity in zip(positions, identities, strict=True):
            different = [checked[other].number
                         for other, theirs in zip(positions, identities, strict=True)
                         if theirs != identity]
            same = [checked[other].number
                    for other, theirs in zip(positions, identities, strict=True)
                    if theirs == identity and other != position]
            # Which columns differ (their headers, never their values), from each other row.
            differs = {checked[other].number: _differs(checked[position], checked[other],
                                                       table, match, position, other,
                                                       as_read={position, other} <= good)
                       for other, theirs in zip(positions, identities, strict=True)
                       if theirs != identity}
            said = ([next(iter(differs.values()))] if len(set(differs.values())) == 1
                    else [f"{_rows([number])} {words}" for number, words in differs.items()])
            said = [words for words in said if words]
            if same:
                said.append(f"{_rows(same)} {'is' if len(same) == 1 else 'are'} the same as "
                            "this one")
            checked[position].errors.append(Problem(
                spec.key,
                f"the same {noun} is also on {_rows(different)} with different details"
                + (f" ({'; '.join(said)})" if said else "") + "; keep one correct row",
            ))
    accepted, rejected, repeats = [], [], []
    for position, row in enumerate(checked):
        if position in repeat_of:
            repeats.append((row.number, checked[repeat_of[position]].number))
        elif row.ok:
            accepted.append(row)
        else:
            rejected.append(row)
    return accepted, repeats, rejected


def _differs(one: CheckedRow, other: CheckedRow, table: Table, match: HeaderMatch | None,
             one_at: int, other_at: int, *, as_read: bool) -> str:
    """How two rows sharing a key differ, by the columns' headers in the file's order (never
    their values): "differs in: Forename, Notes"; a difference only of case or spacing is said
    to be one. Two good rows are compared on their values as read, as :func:`_identity`
    compares them (``as_read``); otherwise on their cells as written. "" if no column can be
    named."""
    pairs: list[tuple[str, Any, Any]] = []
    if as_read and match is not None:
        for position in sorted(match.columns.keys() | match.extras.keys()):
            if position in match.columns:
                name = match.columns[position]
                pairs.append((table.column_label(position), one.values.get(name),
                              other.values.get(name)))
            else:
                label = match.extras[position]
                pairs.append((label, one.extra.get(label), other.extra.get(label)))
        if not any(first != second for _label, first, second in pairs):
            # The same values, warned about differently: a value each row's cell had that was
            # left blank (a cluster of 25 and one of 30).
            def warned(row: CheckedRow, name: str) -> set[str]:
                return {problem.with_value for problem in row.warnings if problem.column == name}
            pairs = [(label, warned(one, name), warned(other, name))
                     for label, name in ((match.written.get(name, name), name) for name in
                                         sorted({p.column for p in (*one.warnings,
                                                                    *other.warnings)}))]
    else:
        cells, theirs = table.rows[one_at].cells, table.rows[other_at].cells
        pairs = [(table.column_label(position),
                  cell_text(cells[position]).strip() if position < len(cells) else "",
                  cell_text(theirs[position]).strip() if position < len(theirs) else "")
                 for position in range(max(len(cells), len(theirs)))]
    changed = [(label, first, second) for label, first, second in pairs if first != second]
    cosmetic = [label for label, first, second in changed
                if isinstance(first, str) and isinstance(second, str)
                and " ".join(first.split()).casefold() == " ".join(second.split()).casefold()]
    real = [label for label, _first, _second in changed if label not in cosmetic]
    if real and cosmetic:
        return (f"differs in: {', '.join(real)}, and in case or spacing only: "
                f"{', '.join(cosmetic)}")
    if cosmetic:
        return f"differs only in case or spacing, in: {', '.join(cosmetic)}"
    return f"differs in: {', '.join(real)}" if real else ""


def _rows(numbers: Sequence[int]) -> str:
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(map(str, numbers))


def _reject_misshapen_lines(checked: Sequence[CheckedRow], table: Table,
                            match: HeaderMatch) -> None:
    """Reject each CSV line whose number of fields shows its values are in the wrong columns
    (:attr:`Table.misshapen`). For a line cut short, the problems of the columns it never
    reached ("given name is missing") say nothing the shape does not, so they are left out;
    for the rest of a broken record, nothing it holds is where it belongs, so only the shape
    is said. A line longer than the others only by empty fields (:attr:`Table.padded`) is
    read as it stands; when its values are rejected, its shape is said first, as the likely
    cause."""
    shapes = table.shapes
    if shapes is None:
        return
    position_of = {name: position for position, name in match.columns.items()}
    for index, problem in table.misshapen.items():
        row, source = checked[index], table.rows[index]
        if source.fields < shapes.usual:
            pieces = shapes.pieces.get(source.number)
            reached = 0 if pieces is not None and pieces[0] != source.number else source.fields
            row.errors = [p for p in row.errors if position_of.get(p.column, 0) < reached]
            row.warnings = [p for p in row.warnings if position_of.get(p.column, 0) < reached]
        row.errors.insert(0, Problem("row", problem))
    for index, maybe in table.padded.items():
        if checked[index].errors:  # read as it stands, and wrong: say why it may be
            checked[index].errors.insert(0, Problem("row", maybe))


def _identity(row: CheckedRow, cells: Sequence[Any]) -> tuple[Any, ...]:
    """What two rows sharing a key are compared on: a good row's values as read (and what it
    was warned about); a rejected row's cells as written, since its values are incomplete."""
    if row.ok:
        return ("read", repr(sorted(row.values.items())), tuple(sorted(row.extra.items())),
                tuple(sorted(problem.with_value for problem in row.warnings)))
    values = [cell_text(cell).strip() for cell in cells]
    while values and not values[-1]:
        values.pop()
    return ("written", *values)


# ---------------------------------------------------------------------------------------------
# Looking back
# ---------------------------------------------------------------------------------------------


def recent_imports(session: Session, *, kind: str | None = None,
                   limit: int | None = 20) -> list[ImportBatch]:
    """Import batches, newest first."""
    statement = select(ImportBatch).order_by(ImportBatch.id.desc())  # type: ignore[union-attr]
    if kind is not None:
        statement = statement.where(ImportBatch.kind == kind)
    if limit:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """One batch as ``transition import history --json`` prints it."""
    return {
        "batch_id": batch.id, "kind": batch.kind, "file": batch.file_name,
        "sheet": batch.sheet, "sha256": batch.file_sha256, "status": batch.status,
        "actor": batch.actor, "started_at": batch.started_at, "finished_at": batch.finished_at,
        "rows": batch.rows, "inserted": batch.inserted, "updated": batch.updated,
        "unchanged": batch.unchanged, "rejected": batch.rejected,
        "duplicates": batch.duplicates, "missing_from_file": batch.missing_from_file,
        "warnings": batch.warnings, "rejects_path": batch.rejects_path,
        "column_notes": list(batch.column_notes or []),
    }
