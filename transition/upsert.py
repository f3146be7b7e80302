"""Writing an import: what changes (the plan), then the bulk inserts, updates and audit rows.

Everything here is SQLAlchemy Core on the SQLModel tables (``executemany``), never one ORM
object per row: 100,000 people are written in a few seconds. Records are matched by their key
(NHS number, staff id); a stored ``content_hash`` of the imported fields lets an unchanged
record be recognised without reading it. A changed record is read once to audit each changed
field with its value before and after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, bindparam, func, null, or_, select
from sqlmodel import Session

from transition import audit
from transition.audit import Change
from transition.bulk import DirectInsert, indexes_set_aside
from transition.lost_characters import keep_stored
from transition.models import ImportBatch, ImportWarning, Locality, Team, utcnow
from transition.search_text import search_text
from transition.validation import CheckedRow, Problem

if TYPE_CHECKING:
    from transition.importer import KindSpec

log = logging.getLogger(__name__)
CHUNK = 5_000  # rows per executemany (and per progress report)
_IN_CHUNK = 900  # ids per IN (...) list, under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class Existing:
    """What the import needs to know about a stored record without reading all of it."""

    key: str
    pk: Any
    content_hash: str
    missing_since: int | None
    source_row: int | None
    version: int


@dataclass
class Update:
    row: CheckedRow
    existing: Existing
    values: dict[str, Any]  # every supplied column, as it will be stored
    changes: list[tuple[str, Any, Any]]  # (field, before, after)


@dataclass
class Plan:
    inserts: list[CheckedRow] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[tuple[CheckedRow, Existing]] = field(default_factory=list)
    absent: list[Existing] = field(default_factory=list)  # stored, but not in this file
    supplied: tuple[str, ...] = ()
    extras: frozenset[str] = frozenset()
    # A top-up (a fixed rejects file) lists only some records: those it lists, when it is one.
    # Nobody else is absent from it, or seen in it.
    listed: frozenset[str] | None = None
    # Rows whose stored name or address was kept: the file had '?' for a letter (lost_characters).
    kept_from_loss: list[int] = field(default_factory=list)


@dataclass
class WriteOutcome:
    newly_missing: int = 0
    returned: int = 0


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def with_defaults(spec: KindSpec, values: dict[str, Any]) -> dict[str, Any]:
    """A staff member is not seconded unless the list says so (a blank cell or no column:
    an unreadable value rejects the row)."""
    if spec.kind == "staff" and "seconded" in values and values["seconded"] is None:
        return {**values, "seconded": False}
    return values


def _stored_column(values: Sequence[Any], processor: Callable[[Any], Any] | None, *,
                   json: bool = False) -> Sequence[Any]:
    """A column's values as the driver takes them: ``processor`` (the column type's bind
    processor) applied once per distinct value; None stays None (SQL NULL, as :func:`storable`
    stores an empty JSON value)."""
    if processor is None:
        return values
    if not json:
        # Dates, yes/no, times: hashable, one type per column (one reader made them).
        seen = {value: processor(value) for value in set(values)}
        seen[None] = None
        return list(map(seen.__getitem__, values))
    # JSON lists and dicts are not hashable: keyed by type and repr (equal reprs of these plain
    # values are equal values).
    texts: dict[Any, Any] = {None: None}
    stored = []
    for value in values:
        key = (value.__class__, repr(value)) if value is not None else None
        found = texts.get(key, _MISSING)
        if found is _MISSING:
            found = texts[key] = processor(value)
        stored.append(found)
    return stored


_MISSING = object()


def _by_column(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, Sequence[Any]]:
    """Each named value of every row, as a column (the rows transposed in C)."""
    if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
        return {names[0]: [row[names[0]] for row in rows]}
    return dict(zip(names, zip(*map(itemgetter(*names), rows), strict=True), strict=True))


def storable(spec: KindSpec, values: dict[str, Any], *, copy: bool = True) -> dict[str, Any]:
    """Values as they are written: defaults applied, and an empty JSON column as SQL NULL
    (``null()``, which also spares encoding 100,000 empty values)."""
    stored = with_defaults(spec, dict(values) if copy else values)
    for name in _json_columns(spec.table):
        if name in stored and stored[name] is None:
            stored[name] = null()
    return stored


@cache
def _json_columns(table: Any) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns if isinstance(column.type, JSON))


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


def plan_changes(session: Session, spec: KindSpec, accepted: Sequence[CheckedRow], *,
                 seen: set[str], supplied: set[str], extras: set[str],
                 top_up: bool = False) -> Plan:
    """Classify each accepted row as insert, update or unchanged, and find absent records
    (none in a ``top_up``: a file of some records only, such as a fixed rejects file)."""
    table = spec.table
    key_column, pk_column = table.c[spec.key], table.c[spec.pk]
    statement = select(key_column, pk_column, table.c.content_hash,
                       table.c.missing_since_batch_id, table.c.source_row, table.c.version)
    stored = {row[0]: Existing(*row) for row in session.execute(statement)}
    plan = Plan(supplied=tuple(sorted(supplied)), extras=frozenset(extras))
    candidates: list[tuple[CheckedRow, Existing]] = []
    for row in accepted:
        existing = stored.get(row.values[spec.key])
        if existing is None:
            plan.inserts.append(row)
        elif existing.content_hash == row.content_hash:
            plan.unchanged.append((row, existing))
        else:
            candidates.append((row, existing))
    if top_up:
        plan.listed = frozenset(seen)
    else:
        plan.absent = [existing for key, existing in stored.items() if key not in seen]

    # A different hash usually means a changed field, but not always (a file with fewer
    # columns, or a record made another way): compare the fields themselves.
    for batch in chunks(candidates, _IN_CHUNK):
        pks = [existing.pk for _row, existing in batch]
        current = {record._mapping[spec.pk]: record._mapping
                   for record in session.execute(select(table).where(pk_column.in_(pks)))}
        for row, existing in batch:
            before = current[existing.pk]
            values = with_defaults(spec, dict(row.values))
            values["extra"] = merge_extra(before["extra"], row.extra, plan.extras)
            if keep_stored(row, values, before):
                plan.kept_from_loss.append(row.number)
            changes = [
                (name, before[name], value) for name, value in values.items()
                if not same(before[name], value, empty_is_none=name not in _EMPTY_IS_AN_ANSWER)
            ]
            if changes:
                if "search_text" in before:  # a person: their search follows their names
                    values["search_text"] = search_text({**before, **values})
                plan.updates.append(Update(row, existing, values, changes))
            else:
                plan.unchanged.append((row, existing))
    return plan


# The fields that say who a person is, in words, in the order a warning names them.
IDENTITY_FIELDS = {"date_of_birth": "date of birth", "family_name": "family name",
                   "given_name": "given name"}


def warn_identity_changes(plan: Plan) -> str | None:
    """Warn on each row that changes who a stored person is (their date of birth or a name):
    the same person, a name changed on marriage or a date corrected at the trust, or another
    person's row under a mistyped NHS number, which would overwrite someone else's record. The
    row is imported (the export is the record; see docs/import.md); the warning names the
    fields, never their values, and is kept with the person like any other. Returns a notice
    for the import's summary (rows, no values), or None when no one's identity changed."""
    rows = []
    for update in plan.updates:
        changed = {name for name, before, after in update.changes
                   if name in IDENTITY_FIELDS and before not in (None, "")
                   and not _same_words(before, after)}
        if not changed:
            continue
        fields = [words for name, words in IDENTITY_FIELDS.items() if name in changed]
        which = (", ".join(fields[:-1]) + " and " + fields[-1]) if len(fields) > 1 else fields[0]
        rows.append(update.row.number)
        # A new family name is common (on marriage); a given name changes less often.
        common = ("a new family name, as on marriage, is common" if "family_name" in changed
                  else "people do change their given name")
        update.row.warnings.append(Problem("nhs_number", (
            f"this NHS number was held with a different {which}: updated, but check it is the "
            "same person, not another person's row under a mistyped NHS number"
            if "date_of_birth" in changed else
            f"this NHS number was held with a different {which}: updated ({common}), but check "
            "it is the same person")))
    if not rows:
        return None
    rows.sort()
    shown = ", ".join(map(str, rows[:10])) + (f" and {len(rows) - 10:,} more"
                                               if len(rows) > 10 else "")
    return (f"{len(rows):,} {'person' if len(rows) == 1 else 'people'} already held came with a "
            f"different date of birth or name (row{'s' if len(rows) > 1 else ''} {shown}), and "
            f"{'was' if len(rows) == 1 else 'were'} updated: check each is the same person. A "
            "mistyped NHS number that passes its check digit would overwrite someone else's "
            "record; the audit keeps the values before (transition audit --nhs NHS_NUMBER).")


def _same_words(before: Any, after: Any) -> bool:
    """The same value, or the same name written in another case or spacing."""
    if isinstance(before, str) and isinstance(after, str):
        return " ".join(before.split()).casefold() == " ".join(after.split()).casefold()
    return same(before, after)


def merge_extra(stored: dict[str, Any] | None, new: dict[str, str],
                file_extras: frozenset[str]) -> dict[str, Any]:
    """This file's extra columns replace their own values; columns it lacks are kept."""
    kept = {key: value for key, value in (stored or {}).items() if key not in file_extras}
    return kept | new


# JSON columns where an empty list is an answer, not the same as nothing: Care Act outcomes
# [] are "assessed, none unmet" (the person may be signposted), None "not yet assessed".
_EMPTY_IS_AN_ANSWER = frozenset({"care_act_outcomes"})


def same(before: Any, after: Any, *, empty_is_none: bool = True) -> bool:
    """Whether a stored value and a file's are the same; an empty list or dict is taken as
    nothing unless ``empty_is_none`` is false."""
    if isinstance(before, datetime) and isinstance(after, date) and not isinstance(after, datetime):
        return before.date() == after
    if isinstance(before, float) or isinstance(after, float):
        return before is not None and after is not None and abs(before - after) < 1e-9
    if empty_is_none and (before in ({}, []) and after in ({}, [], None)
                          or after in ({}, []) and before is None):
        return True
    return bool(before == after)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class Writer:
    """Carries out a :class:`Plan` for one batch, auditing every change."""

    def __init__(self, session: Session, spec: KindSpec, *, batch_id: int, actor: str,
                 file_name: str, progress: Callable[[int], None] | None = None):
        self.session = session
        self.spec = spec
        self.table = spec.table
        self.batch_id = batch_id
        self.actor = actor
        self.file_name = file_name
        self.progress = progress
        self.now = utcnow()
        # A person's names, local id and postcode folded for the caseload search.
        self.searched = "search_text" in self.table.c
        self.pks: dict[str, Any] = {}
        self.changes: list[Change] = []
        self._done = 0

    def write(self, plan: Plan) -> WriteOutcome:
        rows = [*plan.inserts, *(update.row for update in plan.updates)]
        self._places(rows)
        self._insert(plan.inserts, plan.supplied)
        self._update(plan.updates)
        outcome = WriteOutcome(returned=self._touch(plan.unchanged))
        outcome.newly_missing = self._flag_missing(plan.absent)
        self._last_seen(plan.listed)
        audit.record_many(self.session, self.changes, actor=self.actor, at=self.now)
        self.changes = []
        return outcome

    def _step(self, count: int) -> None:
        self._done += count
        if self.progress is not None:
            self.progress(self._done)

    def _change(self, action: str, key: str, pk: Any, *, number: int | None = None,
                field_name: str | None = None, before: Any = None, after: Any = None) -> None:
        self.changes.append(Change(
            action=f"{self.spec.entity}.{action}", entity=self.spec.entity, entity_key=key,
            person_id=pk if self.spec.entity == "person" else None, field=field_name,
            before=before, after=after, batch_id=self.batch_id,
            reason=f"{self.file_name} row {number}" if number is not None else None,
        ))

    # -- teams and localities --------------------------------------------------------------

    def _places(self, rows: Iterable[CheckedRow]) -> None:
        """Create the Locality and Team rows the imported records name (text foreign keys)."""
        localities: dict[str, None] = {}
        teams: dict[str, tuple[str | None, str | None]] = {}
        for row in rows:
            values = row.values
            locality = values.get("locality")
            if locality:
                localities.setdefault(locality, None)
            employer = values.get("employer") or ("trust" if self.spec.kind == "caseload" else None)
            if values.get("team"):
                teams.setdefault(values["team"], (locality, employer))
            if values.get("council_team"):
                teams.setdefault(values["council_team"], (None, "council"))
        stored_localities = set(self.session.scalars(select(Locality.name)))
        stored_teams = set(self.session.scalars(select(Team.name)))
        new_localities = [{"name": name, "created_at": self.now}
                          for name in localities if name not in stored_localities]
        new_teams = [{"name": name, "locality": locality, "employer": employer,
                      "created_at": self.now}
                     for name, (locality, employer) in teams.items() if name not in stored_teams]
        if new_localities:
            self.session.execute(Locality.__table__.insert(), new_localities)  # type: ignore[attr-defined]
        if new_teams:
            self.session.execute(Team.__table__.insert(), new_teams)  # type: ignore[attr-defined]

    # -- inserts, updates, unchanged -------------------------------------------------------

    def _insert(self, rows: Sequence[CheckedRow], supplied: tuple[str, ...]) -> None:
        if not rows:
            return
        if self.spec.pk == "id" and self.session.get_bind().dialect.name == "sqlite":
            self._insert_stored(rows)
        else:
            self._insert_core(rows)
        # One ``insert`` event per record (as _change makes them), put together a column at a
        # time: a Change is a tuple of its fields in order.
        keys = [row.values[self.spec.key] for row in rows]
        reason = f"{self.file_name} row "
        self.changes.extend(map(Change._make, zip(
            repeat(f"{self.spec.entity}.insert"), repeat(self.spec.entity), keys,
            map(self.pks.__getitem__, keys) if self.spec.entity == "person" else repeat(None),
            repeat(None), repeat(None), repeat(None), [f"{reason}{row.number}" for row in rows],
            repeat(self.batch_id))))

    def _insert_core(self, rows: Sequence[CheckedRow]) -> None:
        """The portable insert: Core ``executemany``, then the new ids read back."""
        # Every row gets every column (executemany needs one shape); absent ones are NULL.
        base = {**dict.fromkeys(column.name for column in self.spec.columns),
                "first_batch_id": self.batch_id, "last_batch_id": self.batch_id,
                "created_at": self.now, "updated_at": self.now, "version": 1}
        for batch in chunks(rows, CHUNK):
            params = []
            for row in batch:
                values = base.copy()
                values.update(row.values)
                values["extra"] = row.extra or None
                values["content_hash"] = row.content_hash
                values["source_row"] = row.number
                if self.searched:
                    values["search_text"] = search_text(values)
                params.append(storable(self.spec, values, copy=False))
            self.session.execute(self.table.insert(), params)
            self._step(len(batch))
        key, pk = self.table.c[self.spec.key], self.table.c[self.spec.pk]
        inserted = self.session.execute(
            select(key, pk).where(self.table.c.first_batch_id == self.batch_id))
        self.pks.update({row[0]: row[1] for row in inserted})

    def _insert_stored(self, rows: Sequence[CheckedRow]) -> None:
        """The same rows as :meth:`_insert_core` writes, built a column at a time (SQLite).

        Core's per-row parameter processing was most of inserting 100,000 people. Here each
        column is converted by its type's own bind processor once per distinct value (a yes/no
        column has three) and the tuples go straight to the driver's ``executemany``. New ids
        are given here, as SQLite gives them (one above the largest; the write transaction
        holds the database), so nothing is read back. Into an empty table (a first import) the
        indexes are built after the rows (:func:`indexes_set_aside`). Only for integer ids:
        the staff list is small and keeps the portable path.
        """
        largest = self.session.scalar(select(func.max(self.table.c[self.spec.pk])))
        first_id = (largest or 0) + 1
        names = [column.name for column in self.spec.columns]
        writer = DirectInsert(self.session, self.table, (
            self.spec.pk, *names, "extra", "content_hash", "source_row", "first_batch_id",
            "last_batch_id", "created_at", "updated_at", "version",
            *(("search_text",) if self.searched else ())))
        stored_now = writer.time("created_at", self.now)
        # The file's columns; the others are NULL (as in _insert_core).
        by_column = _by_column([row.values for row in rows],
                               [name for name in names if name in rows[0].values])
        json_columns = _json_columns(self.table)
        columns = [
            _stored_column(by_column[name], writer.processor(name), json=name in json_columns)
            if name in by_column else repeat(None)
            for name in names
        ]
        extra = _stored_column([row.extra or None for row in rows], writer.processor("extra"),
                               json=True)
        ids = range(first_id, first_id + len(rows))
        searched = ([[search_text(row.values) for row in rows]] if self.searched else [])
        stored = list(zip(
            ids, *columns, extra, [row.content_hash for row in rows],
            [row.number for row in rows], repeat(self.batch_id), repeat(self.batch_id),
            repeat(stored_now), repeat(stored_now), repeat(1), *searched))
        with indexes_set_aside(self.session, self.table.name, bulk=largest is None):
            for batch in chunks(stored, CHUNK):
                writer.execute(self.session, batch)  # type: ignore[arg-type]
                self._step(len(batch))
        self.pks.update(zip(by_column[self.spec.key], ids))

    def _by_pk(self) -> Any:
        return self.table.update().where(self.table.c[self.spec.pk] == bindparam("_pk"))

    def _update(self, updates: Sequence[Update]) -> None:
        # The version goes up from what is stored, not from what was read: on PostgreSQL a
        # manager's save can commit between this import's read and its write, and a bump
        # from the version read would land on the same number as theirs, so a later edit
        # made against their version would not see that the import changed the record too.
        statement = self._by_pk().values(version=self.table.c.version + 1)
        for batch in chunks(updates, CHUNK):
            params = []
            for update in batch:
                existing, row = update.existing, update.row
                self.pks[existing.key] = existing.pk
                params.append({
                    **storable(self.spec, update.values), "_pk": existing.pk,
                    "content_hash": row.content_hash,
                    "last_batch_id": self.batch_id, "source_row": row.number,
                    "missing_since_batch_id": None, "updated_at": self.now,
                })
                for name, before, after in update.changes:
                    self._change("update", existing.key, existing.pk, number=row.number,
                                 field_name=name, before=before, after=after)
                if existing.missing_since is not None:
                    self._returned(existing, row.number)
            self.session.execute(statement, params)
            self._step(len(batch))

    def _returned(self, existing: Existing, number: int) -> None:
        self._change("returned", existing.key, existing.pk, number=number,
                     field_name="missing_since_batch_id", before=existing.missing_since)

    def _touch(self, unchanged: Sequence[tuple[CheckedRow, Existing]]) -> int:
        """Unchanged records: unflag any that were missing, note the row they are on now.

        Only records where that differs are written one by one; ``last_batch_id`` is then set
        for every record listed in the file in one statement (see :meth:`_last_seen`).
        """
        params = []
        returned = 0
        for row, existing in unchanged:
            self.pks[existing.key] = existing.pk
            if existing.missing_since is not None:
                returned += 1
                self._returned(existing, row.number)
            elif existing.source_row == row.number and existing.content_hash == row.content_hash:
                continue
            params.append({"_pk": existing.pk, "source_row": row.number,
                           "content_hash": row.content_hash, "missing_since_batch_id": None})
        for batch in chunks(params, CHUNK):
            self.session.execute(self._by_pk(), batch)
        self._step(len(unchanged))
        return returned

    def _last_seen(self, listed: frozenset[str] | None = None) -> None:
        """Every record not missing from this file was listed in it (rejected rows included);
        in a top-up, only the records it lists (``listed``)."""
        column = self.table.c.last_batch_id
        statement = (self.table.update()
                     .where(self.table.c.missing_since_batch_id.is_(None))
                     .where(or_(column.is_(None), column != self.batch_id))
                     .values(last_batch_id=self.batch_id))
        if listed is None:
            self.session.execute(statement)
            return
        key = self.table.c[self.spec.key]
        for keys in chunks(sorted(listed), _IN_CHUNK):
            self.session.execute(statement.where(key.in_(keys)))

    def _flag_missing(self, absent: Sequence[Existing]) -> int:
        newly = [existing for existing in absent if existing.missing_since is None]
        for batch in chunks(newly, CHUNK):
            self.session.execute(self._by_pk(), [
                {"_pk": existing.pk, "missing_since_batch_id": self.batch_id} for existing in batch
            ])
        for existing in newly:
            self._change("missing", existing.key, existing.pk,
                         field_name="missing_since_batch_id", after=self.batch_id)
        return len(newly)

    # -- warnings and the batch ------------------------------------------------------------

    def write_warnings(self, accepted: Sequence[CheckedRow]) -> int:
        owner = "person_id" if self.spec.entity == "person" else "staff_id"
        # With the cell's value: a value left blank survives only here, and only the record's
        # own screen shows it.
        rows = [
            {"batch_id": self.batch_id, "row_number": row.number,
             owner: self.pks[row.values[self.spec.key]], "column": problem.column[:120],
             "message": problem.with_value[:500]}
            for row in accepted for problem in row.warnings
        ]
        for batch in chunks(rows, CHUNK):
            self.session.execute(ImportWarning.__table__.insert(), batch)  # type: ignore[attr-defined]
        return len(rows)

    @staticmethod
    def audit_batch(session: Session, spec: KindSpec, batch: ImportBatch, *, actor: str) -> None:
        counts = {name: getattr(batch, name) for name in (
            "rows", "inserted", "updated", "unchanged", "rejected", "duplicates",
            "missing_from_file", "warnings")}
        audit.record(session, Change(
            action=f"import.{spec.kind}", entity="import_batch", entity_key=str(batch.id),
            after={"status": batch.status, "file": batch.file_name, "sha256": batch.file_sha256,
                   **counts},
            batch_id=batch.id,
        ), actor=actor)
