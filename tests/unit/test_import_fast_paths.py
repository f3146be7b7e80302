"""The importer's fast paths give exactly what the plain paths give.

Checking reads a text column's usual cells without its reader, and NHS numbers and postcodes
by a short cut; on SQLite new people go straight to the driver with their indexes built
afterwards. Each is compared here with the path it short-cuts.
"""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from transition import audit, nhs
from transition.audit import Change
from transition.bulk import indexes_set_aside
from transition.columns import CASELOAD_COLUMNS
from transition.db import Database
from transition.generator import generate
from transition.headers import match_headers
from transition.importer import ImportOptions, import_file
from transition.postcodes import tidy
from transition.tabular import SourceRow, Table
from transition.upsert import Writer
from transition.validation import Bad, CellReader, NameBook, RowChecker, _ColumnPlan

_FIXED_NOW = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Checking cells


_HEADER = [column.name for column in CASELOAD_COLUMNS]


def _checker() -> RowChecker:
    """A checker for a caseload file with every canonical column and one extra."""
    table = Table(file_name="export.csv", sha256="0" * 64, format="csv", header_row=1,
                  headers=[*_HEADER, "Notes"], rows=[SourceRow(2, tuple("x" for _ in _HEADER))])
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    names = {"team": NameBook(), "council_team": NameBook(), "locality": NameBook()}
    return RowChecker(CASELOAD_COLUMNS, match, key="nhs_number", today=TODAY, names=names,
                      known_staff=frozenset({"S001"}))


_VERBATIM = [plan for plan in _checker().plan if plan.verbatim_up_to is not None]


def _same_answer(fast: Any, plain: Any) -> bool:
    if isinstance(plain, Bad):
        return (isinstance(fast, Bad) and (fast.message, fast.value, fast.warning)
                == (plain.message, plain.value, plain.warning))
    return bool(fast is plain or (type(fast) is type(plain) and fast == plain))


def test_the_usual_text_columns_are_read_verbatim() -> None:
    names = {plan.name for plan in _VERBATIM}
    assert {"local_id", "address", "carer_name", "gp_address"} <= names
    # Tidied, coded or named columns always go through their reader.
    assert not names & {"postcode", "gp_practice", "team", "locality", "interpreter_language"}


_CELL_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(["", "  ", "n/a", " N/A ", "none", "no", "Unallocated", "-", "'=1+1",
                     "'abc", "'", " '+44 ", "=cmd", "Mill Lane", "x" * 64, "x" * 65, "y" * 501,
                     "\u00a0text\u2003", "Null"]),
)


@given(cells=st.lists(st.one_of(st.none(), _CELL_TEXT), max_size=30),
       plan=st.sampled_from(_VERBATIM))
@settings(max_examples=200, deadline=None)
def test_verbatim_answers_are_the_readers_answers(cells: list[str | None],
                                                  plan: _ColumnPlan) -> None:
    assert plan.verbatim_up_to is not None
    fast = RowChecker._verbatim_answers(plan, plan.verbatim_up_to, set(cells))
    assert set(fast) == set(cells)
    for cell in set(cells):
        assert _same_answer(fast[cell], RowChecker._answer(plan, cell)), cell


_ROW_CELL = st.one_of(_CELL_TEXT, st.sampled_from(
    ["Y", "n", "maybe", "3", "-1", "03/04/1980", "31/02/1980", "2026-12-01", "F", "9",
     "S001", "S999", "nutrition;hygiene", "none", nhs_number(1), nhs_number(2), "WX1 2AB"]))


@given(rows=st.lists(st.lists(_ROW_CELL, max_size=len(_HEADER) + 2), min_size=1, max_size=8))
@settings(max_examples=100, deadline=None)
def test_text_only_rows_are_checked_as_any_rows_are(rows: list[list[str]]) -> None:
    source = [SourceRow(number, tuple(cells)) for number, cells in enumerate(rows, start=2)]
    looked_over = _checker().check_rows(source)
    text_only = _checker().check_rows(source, text_only=True)
    assert looked_over == text_only


def _nhs_general(cell: str) -> str | Bad:
    """What the NHS number reader answers without its short cut."""
    problem = nhs.problem(cell)
    return Bad(problem) if problem else nhs.normalise(cell)


@given(cell=st.one_of(
    st.integers(0, 5_000).map(nhs_number),
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.text(alphabet="0123456789\u0660\u0661\u0663\u0969", min_size=10, max_size=10),
))
@settings(max_examples=300, deadline=None)
def test_nhs_number_short_cut_agrees_with_the_general_check(cell: str) -> None:
    try:
        fast: str | Bad = CellReader.nhs_number(cell)
    except Bad as bad:
        fast = bad
    plain = _nhs_general(cell)
    assert (fast.message if isinstance(fast, Bad) else fast) == (
        plain.message if isinstance(plain, Bad) else plain)


@given(cell=st.one_of(
    st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", fullmatch=True),
    st.text(alphabet="ABWXwx0129 \t", max_size=10),
))
@settings(max_examples=150, deadline=None)
def test_postcodes_already_in_shape_are_as_tidied(cell: str) -> None:
    # The tidying in full: spaces as one, upper case, outward and inward parts apart.
    upper = " ".join(cell.upper().split())
    match = re.match(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$", upper)
    assert tidy(cell) == (f"{match.group(1)} {match.group(2)}" if match else upper)


# ---------------------------------------------------------------------------------------------
# Writing people (SQLite)


def _stored(path: Path) -> dict[str, Any]:
    """Every row of every table as SQLite stores it, and the schema; import times left out
    (the batch's start and end come from the clock)."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        stored: dict[str, Any] = {"schema": connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            names = [column[0] for column in cursor.description]
            keep = [i for i, name in enumerate(names) if name not in ("started_at", "finished_at")]
            stored[table] = [tuple(row[i] for i in keep) for row in cursor]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return stored
    finally:
        connection.close()


def _changed_copy(source: Path, target: Path) -> Path:
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    team, outcomes = header.index("team"), header.index("care_act_outcomes")
    for row in rows[1::7]:
        row[team] = "Changed CMHT"
    for row in rows[3::11]:
        row[outcomes] = "nutrition"
    del rows[5::13]  # some people leave the file
    with target.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return target


def _import_all(path: Path, files: list[tuple[Path, str]], rejects: Path) -> list[dict[str, Any]]:
    database = Database(f"sqlite:///{path}")
    results = []
    try:
        for file, kind in files:
            with database.transaction() as session:
                result = import_file(session, file, kind, ImportOptions(rejects_dir=rejects),
                                     actor=ACTOR, today=TODAY)
            results.append({**result.to_json(), "rejects_path": None})
    finally:
        database.dispose()
    return results


def test_people_written_straight_to_sqlite_are_as_core_writes_them(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("transition.upsert.utcnow", lambda: _FIXED_NOW)
    monkeypatch.setattr("transition.audit.utcnow", lambda: _FIXED_NOW)
    files = generate(tmp_path / "files", people=300, staff=40, seed=11, messy=True)
    changed = _changed_copy(files.caseload_csv, tmp_path / "changed.csv")
    steps = [(files.staff_csv, "staff"), (files.caseload_csv, "caseload"),
             (files.caseload_csv, "caseload"), (changed, "caseload"),
             (files.caseload_csv, "caseload")]
    fast_db, plain_db = tmp_path / "fast.db", tmp_path / "plain.db"
    for path in (fast_db, plain_db):
        shutil.copyfile(sqlite_template, path)

    fast = _import_all(fast_db, steps, tmp_path / "rejects")
    with monkeypatch.context() as plain:
        plain.setattr(Writer, "_insert_stored", Writer._insert_core)
        slow = _import_all(plain_db, steps, tmp_path / "rejects")

    assert fast == slow
    assert fast[1]["inserted"] and fast[1]["warnings"] and fast[1]["rejected"]
    assert fast[3]["updated"] and fast[3]["missing_from_file"]
    assert _stored(fast_db) == _stored(plain_db)


def test_indexes_set_aside_are_rebuilt_and_a_failure_rolls_back(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'indexes.db'}")
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE thing (id INTEGER PRIMARY KEY, code TEXT, n INT)"))
            session.execute(text("CREATE UNIQUE INDEX ix_thing_code ON thing (code)"))
            session.execute(text("CREATE INDEX ix_thing_n ON thing (n)"))

        def indexes() -> list[tuple[str, str]]:
            with database.session() as session:
                return list(session.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")))

        before = indexes()
        with (database.transaction() as session,
              indexes_set_aside(session, "thing", bulk=True)):
            assert session.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index'")).scalar() == 0
            session.execute(text("INSERT INTO thing (code, n) VALUES ('a', 1), ('b', 2)"))
        assert indexes() == before

        # A repeated code fails when the unique index is built again: nothing is kept.
        with (pytest.raises(IntegrityError), database.transaction() as session,
              indexes_set_aside(session, "thing", bulk=True)):
            session.execute(text("INSERT INTO thing (code, n) VALUES ('c', 3), ('c', 4)"))
        assert indexes() == before
        with database.session() as session:
            assert session.execute(text("SELECT count(*) FROM thing")).scalar() == 2
    finally:
        database.dispose()


def test_audit_rows_are_unpacked_in_the_fields_order(database: Database) -> None:
    """On SQLite, record_many unpacks each Change as a tuple: every field lands in its column."""
    change = Change(action="person.update", entity="person", entity_key="9990000018",
                    person_id=7, field="team", before="North", after={"team": ["South"]},
                    reason="file.csv row 2", batch_id=3)
    with database.transaction() as session:
        audit.record_many(session, [change], actor=ACTOR, at=_FIXED_NOW)
    with database.session() as session:
        stored = audit.events(session, limit=1)[0]
    assert (stored.actor, stored.action, stored.entity, stored.entity_key, stored.person_id,
            stored.field, stored.before, stored.after, stored.reason, stored.batch_id) == (
        ACTOR, *change)


@pytest.mark.parametrize("vary", ["many", "one"])
def test_many_audit_rows_with_shared_values_are_the_rows_written_one_by_one(
    database: Database, vary: str
) -> None:
    """A bulk record_many binds the values its rows share once (SQLite); every row, in order
    and with its id, is what recording each change on its own writes."""
    if vary == "many":
        changes = [Change("pathway.decide", "person", f"99900{n:05d}", n, "pathway", None,
                          ["council", "trust", None][n % 3], "reason " * (n % 2), None)
                   for n in range(1, 1301)]
    else:  # everything shared but the person
        changes = [Change("task.create", "task", None, n, None, None, {"key": "gp"}, None, 4)
                   for n in range(1, 1301)]

    def written(bulk: bool) -> list[tuple[Any, ...]]:
        with database.transaction() as session:
            if bulk:
                audit.record_many(session, changes, actor=ACTOR, at=_FIXED_NOW)
            else:
                for change in changes:
                    audit.record_many(session, [change], actor=ACTOR, at=_FIXED_NOW)
        with database.session() as session:
            rows = session.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
        return [tuple(row) for row in rows[-len(changes):]]

    one_by_one = written(bulk=False)
    bulk = written(bulk=True)
    assert [row[1:] for row in bulk] == [row[1:] for row in one_by_one]
    assert [row[0] for row in bulk] == [one_by_one[-1][0] + n for n in range(1, 1301)]
