"""Findings about the data itself, from the imports: the latest export that imported data is
too old (:func:`stale_import`), the latest import said something about its file's columns
(:func:`import_columns`), or no staff list has been imported (:func:`no_staff_list`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, exists, func, select

from transition.check_findings.world import (
    CRITICAL,
    WARNING,
    Finding,
    _as_date,
    _current,
    _in_export,
    _World,
)
from transition.models import Assignment, ImportBatch, ImportKind, Person

# The statuses `transition import` gives a batch that wrote data (importer.import_file). A
# `rejected` batch (every row rejected) and a `refused` one (--strict, some rows rejected)
# imported nothing: the people in the database are still those of the last batch that did.
_IMPORTED = ("complete", "partial")


def _caseload_batches(world: _World) -> Sequence[Row[Any]]:
    """Caseload import batches, newest first (one a night at most: a few hundred rows)."""
    return _batches(world, ImportKind.CASELOAD)


def _batches(world: _World, kind: str) -> Sequence[Row[Any]]:
    """Import batches of ``kind``, newest first."""
    return world.session.execute(
        select(ImportBatch.file_name, ImportBatch.started_at, ImportBatch.status,
               ImportBatch.column_notes)
        .where(ImportBatch.kind == kind)
        .order_by(ImportBatch.id.desc())  # type: ignore[union-attr]
    ).all()


def no_staff_list(world: _World) -> list[Finding]:
    """No worker is on a staff list (none has been imported): no care coordinator the export
    names can be looked up, so no one can be said to hold anyone and a plan has no one to
    give them. One finding for the programme, in place of a finding per person
    (``unassigned``, and ``not_assessed`` as critical) about a coordinator not on the staff
    list; people whose export names no coordinator keep theirs."""
    if world.staff_list:
        return []
    named = world.connection.execute(
        select(func.count()).select_from(Person)
        .where(_in_export, Person.care_coordinator_id.is_not(None),  # type: ignore[union-attr]
               Person.care_coordinator_id != "",
               ~exists().where(Assignment.person_id == Person.id, _current))
    ).scalar_one()
    what = ("No staff list has been imported into this database" if not world.workers
            else "No worker is on the latest staff list")
    people = ("" if not named else
              f": the trust's export names a care coordinator for {named:,} "
              f"{'person' if named == 1 else 'people'}, and none can be looked up, so the "
              "check cannot say who holds them and a plan has no one to give them")
    latest = next(iter(_batches(world, ImportKind.STAFF)), None)
    failed = ("" if latest is None or latest.status in _IMPORTED else
              f" The latest staff list file ({latest.file_name}, "
              f"{_as_date(latest.started_at).isoformat()}) was {latest.status}: nothing was "
              "imported from it (`transition import history` says why).")
    return [Finding(
        "no_staff_list", CRITICAL,
        f"{what}{people}. Import the staff list with `transition import staff FILE`, then run "
        f"the check again.{failed}")]


def stale_import(world: _World) -> list[Finding]:
    """The latest caseload export that imported data is older than the rules allow: a file
    that imported nothing (rejected or refused) does not make the data any newer."""
    days = world.rules.checks.stale_import_days
    failed = None  # the newest file that imported nothing, if it is newer than any that did
    latest = None
    for batch in _caseload_batches(world):
        if batch.status in _IMPORTED:
            latest = batch.started_at
            break
        failed = failed or batch
    since = ("" if failed is None else
             f" The newest file ({failed.file_name}, {_as_date(failed.started_at).isoformat()}) "
             f"was {failed.status}: nothing was imported from it (`transition import history`).")
    if latest is None:
        # Critical: the check can vouch for no one. From cron this is most often a mistyped
        # --db path, which makes a new, empty database rather than failing.
        return [Finding("stale_import", CRITICAL,
                        "No caseload export has been imported into this database, so the check "
                        "can vouch for no one. If people should be here, check the database the "
                        "command was given (--db or TRANSITION_DATABASE_URL); else import the "
                        f"trust's export with `transition import caseload FILE`.{since}")]
    age = (world.as_of - _as_date(latest)).days
    if age <= days:
        return []
    return [Finding("stale_import", WARNING,
                    f"The latest caseload export was imported {age} days ago "
                    f"({_as_date(latest).isoformat()}; the rules allow {days}). Ask the trust for "
                    f"a new export and import it.{since}")]


_MESSAGE_ROOM = 1000  # check_finding.message


def import_columns(world: _World) -> list[Finding]:
    """What the latest caseload import said about its file's columns (headers not recognised,
    known columns or the rules' columns it lacks): until the next export, every night, since
    a fact the rules need may be blank for everyone in it.

    A file that imported nothing (rejected or refused) counts too when it said something: it
    is what the trust sent last, and its columns are often why its rows were rejected, so the
    manager needs them corrected before the next export. When it said nothing, the notes of
    the last file that did import still stand: its data is what the database holds."""
    for batch in _caseload_batches(world):
        if batch.column_notes or batch.status in _IMPORTED:
            break
    else:
        return []
    if not batch.column_notes:
        return []
    notes = list(batch.column_notes)
    day = _as_date(batch.started_at).isoformat()
    when = (f"imported {day}" if batch.status in _IMPORTED
            else f"{batch.status} on {day}: nothing was imported from it")
    opening = (f"The latest caseload export ({batch.file_name}, {when}) said {len(notes)} "
               f"{'thing' if len(notes) == 1 else 'things'} about its columns: ")
    closing = (" Ask the trust to correct the export's headers, or name them in a --mapping "
               "file, and import it again.")
    said = " ".join(notes)
    room = _MESSAGE_ROOM - len(opening) - len(closing)
    if len(said) > room:
        more = "… (all of it: transition import history)"
        said = said[:room - len(more)].rstrip() + more
    return [Finding("import_columns", WARNING, opening + said + closing)]
