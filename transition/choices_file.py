"""A spreadsheet of managers' choices of worker (``transition assign --file FILE``): the
allocation a team agreed in a meeting, recorded in one go, each row exactly as
:func:`transition.worker_overrides.assign_worker` records one choice (checked against the hard
constraints, audited with its reason, the person's handover tasks brought up to date).

Nothing is lost: every row is recorded, already so (unchanged), or rejected with its row
number, the column at fault and what to do. Rows are taken in file order, so a choice counts
against the worker's capacity for the rows after it. Each row is its own savepoint: a refused
row leaves nothing behind. ``dry_run`` checks every row and records nothing; ``strict``
records nothing if any row is rejected.

A rejected row's message names the column and the problem, not the cell's value: it is
printed on the terminal, and a cell in the wrong column may hold a person's name. (A staff id
is named: it is what the manager chose, and the staff list is no secret to them.)

Columns (headers matched as the importer matches them, in any order): ``nhs_number`` and
``staff_id`` (required), ``role`` (``social_worker`` or ``key_worker``, "social worker", "SW",
"KW"; blank when the person's pathway needs one role only), ``reason`` (or ``--reason`` for
every row) and ``lock`` (yes/no; blank: ``--lock``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from transition import nhs
from transition.columns import Column, header_key
from transition.errors import InputFileError, TransitionError
from transition.headers import HeaderMatch, header_scorer, match_headers
from transition.matching import PATHWAY_ROLES, ROLE_WORDS
from transition.models import Person
from transition.people import find_person
from transition.ruleset import Rules
from transition.tabular import Table, cell_text, read_table
from transition.worker_overrides import REASON_LIMIT, assign_worker, checked_reason

CHOICE_COLUMNS: tuple[Column, ...] = (
    Column("nhs_number", "nhs_number", True,
           ("NHS No", "NHS Number", "NHS no.", "NHSNumber", "NHSNo", "NHS Num"),
           description="The person's 10-digit NHS number."),
    Column("staff_id", "text", True,
           ("Staff ID", "Staff No", "Worker", "Worker ID", "New worker", "New worker ID",
            "Allocated worker", "Allocated to", "New care coordinator"),
           description="The chosen worker's staff id, as on the staff list."),
    Column("role", "text", False, ("Role", "Worker role"),
           description="social_worker or key_worker; blank when the pathway needs one role."),
    Column("reason", "text", False, ("Reason", "Why", "Rationale", "Notes", "Note",
                                     "Reason for change", "Reason for allocation",
                                     "Reason for choice", "Justification", "Comments",
                                     "Comment"),
           description="Why this worker (kept in the audit trail)."),
    Column("lock", "text", False, ("Lock", "Locked", "Keep"),
           description="yes: keep this choice in every later plan."),
)

_ROLE_SPELLINGS = {
    **{header_key(role): role for role in ROLE_WORDS},
    **{header_key(words): role for role, words in ROLE_WORDS.items()},
    "sw": "social_worker", "kw": "key_worker", "social": "social_worker", "key": "key_worker",
}
_YES = frozenset({"yes", "y", "true", "1", "lock", "locked"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class ChoiceRow:
    """What happened to one row of the file."""

    row: int  # as the spreadsheet numbers it
    outcome: str  # recorded | unchanged | rejected
    nhs_number: str | None = None
    role: str | None = None
    staff_id: str | None = None
    locked: bool = False
    column: str | None = None  # the column at fault, for a rejected row
    message: str = ""
    forced_past: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "outcome": self.outcome, "nhs_number": self.nhs_number,
                "role": self.role, "staff_id": self.staff_id, "locked": self.locked,
                "column": self.column, "message": self.message,
                "forced_past": self.forced_past}


@dataclass
class ChoicesResult:
    file_name: str
    rows: list[ChoiceRow]
    dry_run: bool
    strict_refused: bool = False  # strict, and a row was rejected: nothing recorded
    # Headers of columns that hold something and were not read (a reason under a header the
    # file reader does not know would otherwise be lost without a word).
    unread_columns: list[str] = field(default_factory=list)
    reason_given: bool = False  # --reason: used for every row without a reason of its own

    def unread_note(self) -> str | None:
        """What to say about columns not read, or None."""
        if not self.unread_columns:
            return None
        named = ", ".join(f"'{label}'" for label in self.unread_columns)
        note = f"Columns not read: {named}."
        if self.reason_given:
            note += (" If one holds each row's reason, head it Reason (or Why, Rationale, "
                     "Notes) and run the file again: --reason was recorded for every row "
                     "instead.")
        return note

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def rejected(self) -> int:
        return self.count("rejected")

    def summary(self) -> str:
        """'choices.csv: 7 rows, 2 recorded, 1 already so, 4 rejected.'"""
        rows = len(self.rows)
        return (f"{self.file_name}: {rows:,} {'row' if rows == 1 else 'rows'}, "
                f"{self.count('recorded'):,} recorded, {self.count('unchanged'):,} already so, "
                f"{self.rejected:,} rejected.")

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file_name, "dry_run": self.dry_run,
                "recorded": self.count("recorded"), "unchanged": self.count("unchanged"),
                "rejected": self.rejected, "nothing_recorded": self.nothing_recorded,
                "unread_columns": self.unread_columns, "unread_note": self.unread_note(),
                "rows": [row.to_json() for row in self.rows]}

    @property
    def nothing_recorded(self) -> bool:
        return self.dry_run or self.strict_refused


class _Rejected(Exception):
    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


def read_choices(path: Path, *, sheet: str | None = None) -> tuple[Table, HeaderMatch]:
    """The file, and which column holds each field (InputFileError if it cannot be used)."""
    try:
        table = read_table(path, score=header_scorer(CHOICE_COLUMNS, {}), sheet=sheet)
        match = match_headers(table, CHOICE_COLUMNS, {}, "choice")
    except InputFileError as exc:
        if "--mapping" not in (exc.hint or ""):
            raise
        # The import's advice: `assign --file` has no --mapping, so say what it can do.
        raise InputFileError(exc.message, hint=(
            "Give the file one header row naming each column once (NHS number, Staff ID, and "
            "Role, Reason, Lock where needed; rename another column that uses one of those "
            "names), then run the file again"
            + (" (or choose the sheet that holds them with --sheet)." if sheet is None
               and path.suffix.lower() != ".csv" else "."))) from None
    return table, match


def apply_choices(
    session: Session,
    rules: Rules,
    path: Path,
    *,
    sheet: str | None = None,
    reason: str | None = None,
    lock: bool = False,
    force: bool = False,
    dry_run: bool = False,
    strict: bool = False,
    as_of: date,
    actor: str,
) -> ChoicesResult:
    """Record every row's choice in ``session`` (see the module's docstring). With
    ``dry_run``, or ``strict`` and a rejected row, everything is rolled back."""
    if reason and reason.strip():
        checked_reason(reason, "--reason")  # too long for any row: refused before reading
    table, match = read_choices(path, sheet=sheet)
    where = {name: position for position, name in match.columns.items()}
    labels = {name: table.column_label(position) for name, position in where.items()}
    result = ChoicesResult(
        file_name=table.file_name, rows=[], dry_run=dry_run,
        unread_columns=[label for position, label in sorted(match.extras.items())
                        if any(position < len(row.cells)
                               and cell_text(row.cells[position]).strip()
                               for row in table.rows)],
        reason_given=bool(reason and reason.strip()))
    seen: dict[tuple[str, str], int] = {}
    misshapen = table.misshapen
    whole = session.begin_nested()
    for index, source in enumerate(table.rows):
        def cell(name: str, source_cells: tuple[Any, ...] = source.cells) -> str:
            position = where.get(name)
            if position is None or position >= len(source_cells):
                return ""
            return cell_text(source_cells[position]).strip()

        number = nhs.normalise(cell("nhs_number"))
        try:
            # A separator or line break inside a cell without quotes: the values after it are
            # in the wrong columns (a reason cut short, a name read as a staff id).
            shape = misshapen.get(index) or _past_the_header(table, source.cells)
            if shape:
                raise _Rejected(None, shape)
            role, staff_id, why, locked = _parse(session, cell, labels, number, reason, lock)
            key = (number, role)
            if key in seen:
                raise _Rejected(labels.get("role") or labels["nhs_number"],
                                f"the same person and role as row {seen[key]}: keep one row")
            seen[key] = source.number
            row = session.begin_nested()
            try:
                done = assign_worker(session, rules, nhs_number=number, staff_id=staff_id,
                                     role=role, lock=locked, force=force, as_of=as_of,
                                     actor=actor, reason=why,
                                     source=f"{table.file_name} row {source.number}")
            except TransitionError as exc:
                row.rollback()
                raise _Rejected(_column_of(exc.message, labels), _said(exc)) from None
            row.commit()
        except _Rejected as refused:
            result.rows.append(ChoiceRow(source.number, "rejected", number or None,
                                         column=refused.column, message=refused.message))
            continue
        said = list(done.warnings)
        if done.reason_cut:
            said.append(f"the reason was cut by {done.reason_cut:,} characters to keep this "
                        "row's reference" + (" and what the choice breaks" if done.broken else "")
                        + " whole in the record")
        result.rows.append(ChoiceRow(
            source.number, "recorded" if done.changed else "unchanged", number, role,
            done.staff_id, locked, message="; ".join(said), forced_past=list(done.broken)))
    result.strict_refused = strict and result.rejected > 0
    if dry_run or result.strict_refused:
        whole.rollback()
    else:
        whole.commit()
    return result


def _past_the_header(table: Table, cells: tuple[Any, ...]) -> str | None:
    """Why a CSV line with values beyond the header's last column cannot be trusted (every
    line may have them, when each has a separator in the same cell), or None."""
    if table.format != "csv" or not any(cell_text(value).strip()
                                        for value in cells[len(table.headers):]):
        return None
    return (f"this line has values past the last column with a header "
            f"({table.column_label(len(table.headers) - 1)}): a "
            f"{'comma' if table.delimiter == ',' else 'separator'} inside a cell without "
            "quotes has probably moved the values after it into the wrong columns. Put quotes "
            "round that cell, or take the separator out of it, and run the file again")


def _parse(session: Session, cell: Any, labels: dict[str, str], number: str,
           reason: str | None, lock: bool) -> tuple[str, str, str, bool]:
    """The row's role, staff id, reason and lock, or _Rejected naming the column."""
    problem = nhs.problem(number)
    if problem:
        raise _Rejected(labels["nhs_number"], f"{problem}: correct the NHS number")
    person = find_person(session, number)
    if person is None:
        raise _Rejected(labels["nhs_number"], "no one on the caseload has this NHS number: "
                        "check it, or import the trust's export first")
    staff_id = cell("staff_id")
    if not staff_id:
        raise _Rejected(labels["staff_id"], "no staff id: say which worker")
    role = _role(cell("role"), person, labels)
    why = cell("reason") or (reason or "").strip()
    if not why:
        raise _Rejected(labels.get("reason") or "Reason",
                        "no reason: add a Reason column (or, on the command line, --reason "
                        "for every row)")
    if len(why) > REASON_LIMIT:
        raise _Rejected(labels.get("reason") or "Reason",
                        f"the reason is {len(why):,} characters long; it can be at most "
                        f"{REASON_LIMIT:,} (it is kept in the audit trail): say it more briefly")
    raw_lock = cell("lock").lower()
    if raw_lock and raw_lock not in _YES | _NO:
        raise _Rejected(labels.get("lock"), "not yes or no (or leave it blank)")
    locked = (raw_lock in _YES) if raw_lock else lock
    return role, staff_id, why, locked


def _role(text: str, person: Person, labels: dict[str, str]) -> str:
    needed = PATHWAY_ROLES.get(person.pathway or "", ())
    if not text:
        if len(needed) == 1:
            return needed[0]
        if not needed:
            raise _Rejected(labels["nhs_number"], "their pathway "
                            f"({person.pathway or 'not decided yet'}) needs no worker")
        raise _Rejected(labels.get("role") or "Role",
                        f"their pathway ({person.pathway}) needs two workers: say which role "
                        "(social_worker or key_worker)")
    role = _ROLE_SPELLINGS.get(header_key(text))
    if role is None:
        raise _Rejected(labels.get("role"), "not a role: use social_worker or key_worker")
    return role


def _said(exc: TransitionError) -> str:
    text = exc.message.rstrip(".")
    for tail in (". Nothing was changed", ". Nothing was saved"):
        text = text.removesuffix(tail)
    return text + (f" ({exc.hint})" if exc.hint else "")


def _column_of(message: str, labels: dict[str, str]) -> str | None:
    """The column a refusal is about: the worker, unless it is about the role or the person."""
    if "--role" in message or "is not a role" in message:
        return labels.get("role")
    if "missing from the latest caseload export" in message:
        return labels.get("nhs_number")
    return labels.get("staff_id")
