"""Property-based tests of the importer (Hypothesis): whatever the file, it never crashes, and
every row is accounted for; a file it refuses writes nothing.

Profiles: ``ci`` (the default, a few dozen examples per property so the suite stays fast) and
``thorough`` (``HYPOTHESIS_PROFILE=thorough pytest tests/unit/test_importer_properties.py``).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.importing import csv_bytes, person_row
from transition import nhs
from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS, Column
from transition.db import Database
from transition.errors import InputFileError, TransitionError
from transition.importer import ImportOptions, ImportResult, import_file

_COMMON = {"deadline": None, "derandomize": True, "suppress_health_check": [
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=25, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")
                               if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "thorough")
                               else "ci")


class _RolledBack(Exception):
    """Raised inside the transaction so each example leaves the database empty."""


def _row_count(database: Database) -> int:
    with database.session() as session:
        return sum(session.execute(select(func.count()).select_from(table)).scalar_one()
                   for table in SQLModel.metadata.sorted_tables)


def _import(database: Database, path: Path, kind: str, tmp_path: Path,
            **options: Any) -> ImportResult | TransitionError:
    """Import in a transaction that is always rolled back; the result or the refusal."""
    outcome: ImportResult | TransitionError
    try:
        with database.transaction() as session:
            outcome = import_file(session, path, kind,
                                  ImportOptions(rejects_dir=tmp_path / "rejects", **options),
                                  actor=ACTOR, today=TODAY)
            accounted = (outcome.inserted + outcome.updated + outcome.unchanged
                         + outcome.rejected + outcome.duplicates)
            assert outcome.rows == accounted, outcome.to_json()
            assert outcome.updated == outcome.unchanged == 0  # the database started empty
            table = "person" if kind == "caseload" else "staff"
            stored = session.execute(select(func.count()).select_from(
                SQLModel.metadata.tables[table])).scalar_one()
            # --strict with a reject stores nobody; its counts say what it would have done.
            held_back = options.get("strict") and outcome.rejected
            assert stored == (0 if held_back else outcome.inserted)
            raise _RolledBack
    except _RolledBack:
        pass
    except TransitionError as exc:  # a refusal is fine; anything else fails the test
        outcome = exc
    return outcome


# ---------------------------------------------------------------------------------------------
# Strategies


def _spelling(column: Column) -> st.SearchStrategy[str]:
    spellings = [column.name, *column.aliases]
    styles = st.sampled_from([str, str.upper, str.lower, str.title,
                              lambda text: f"  {text} ", lambda text: text.replace(" ", "_")])
    return st.tuples(st.sampled_from(spellings), styles).map(lambda pair: pair[1](pair[0]))


def _dates() -> st.SearchStrategy[str]:
    day = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
    return st.one_of(
        day.map(lambda d: d.strftime("%d/%m/%Y")),
        day.map(date.isoformat),
        day.map(lambda d: d.strftime("%d-%b-%y")),
        st.sampled_from(["31/02/2001", "00/00/0000", "2027-13-01", "yesterday", "", "1/1/1",
                         (TODAY + timedelta(days=3)).isoformat()]),
    )


def _nhs_numbers() -> st.SearchStrategy[str]:
    valid = st.integers(0, 12).map(nhs_number)
    return st.one_of(
        valid,
        valid.map(lambda n: f"{n[:3]} {n[3:6]} {n[6:]}"),
        valid.map(lambda n: n[:9] + str((int(n[9]) + 1) % 10)),  # wrong check digit
        st.text(alphabet="0123456789 -", max_size=14),
        st.sampled_from(["", "NULL", "9999999999", "1234567890"]),
    )


# Cell text: anything a person could type (control characters are the binary-file test's job).
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=25)
_VALUES: dict[str, st.SearchStrategy[str]] = {
    "nhs_number": _nhs_numbers(),
    "date": _dates(),
    "bool": st.sampled_from(["Y", "N", "yes", "no", "TRUE", "0", "maybe", ""]),
    "int": st.one_of(st.integers(-5, 500).map(str), st.sampled_from(["", "many", "1.5"])),
    "cluster": st.one_of(st.integers(-1, 25).map(str), st.sampled_from(["", "11a"])),
    "gender": st.sampled_from(["F", "M", "1", "2", "X", "9", "female", "alien", ""]),
}


def _value(column: Column) -> st.SearchStrategy[str]:
    if column.kind in _VALUES:
        return _VALUES[column.kind]
    if column.choices:
        return st.one_of(st.sampled_from(column.choices), _TEXT)
    return _TEXT


@st.composite
def caseload_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """A caseload export with its columns in any order and spelling, and any values."""
    required = [column for column in CASELOAD_COLUMNS if column.required]
    optional = [column for column in CASELOAD_COLUMNS if not column.required]
    columns = draw(st.lists(st.sampled_from(optional), unique_by=lambda c: c.name, max_size=12))
    if draw(st.integers(0, 9)):  # now and then a required column is missing
        columns += required
    else:
        columns += draw(st.lists(st.sampled_from(required), unique_by=lambda c: c.name))
    columns = draw(st.permutations(columns))
    headers = [draw(_spelling(column)) for column in columns]
    rows = draw(st.lists(st.tuples(*(_value(column) for column in columns)),
                         min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=8))
    if rows and draw(st.booleans()):
        rows.append(draw(st.sampled_from(rows)))  # an exact repeat
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(headers)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return buffer.getvalue().encode(encoding, errors="replace"), len(rows)


# ---------------------------------------------------------------------------------------------
# Properties


@settings(PROFILE)
@given(content=st.binary(max_size=2000), kind=st.sampled_from(["caseload", "staff"]))
def test_any_bytes_are_imported_or_refused_never_a_crash(
    database: Database, tmp_path: Path, content: bytes, kind: str
) -> None:
    path = tmp_path / "anything.csv"
    path.write_bytes(content)
    _import(database, path, kind, tmp_path)
    assert _row_count(database) == 0


@settings(PROFILE)
@given(file=caseload_files())
def test_any_caseload_shape_accounts_for_every_row(
    database: Database, tmp_path: Path, file: tuple[bytes, int]
) -> None:
    content, written = file
    path = tmp_path / "caseload.csv"
    path.write_bytes(content)
    outcome = _import(database, path, "caseload", tmp_path)
    if isinstance(outcome, ImportResult):
        assert outcome.rows == written
    assert _row_count(database) == 0


@settings(PROFILE)
@given(rows=st.lists(st.tuples(_nhs_numbers(), _dates()), min_size=1, max_size=10),
       strict=st.booleans())
def test_random_nhs_numbers_and_dates_are_each_imported_or_rejected(
    database: Database, tmp_path: Path, rows: list[tuple[str, str]], strict: bool
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes([person_row(i, nhs_number=number, date_of_birth=born)
                                for i, (number, born) in enumerate(rows)]))
    outcome = _import(database, path, "caseload", tmp_path, strict=strict)
    assert isinstance(outcome, ImportResult), outcome  # a well-formed file is never refused
    assert outcome.rows == len(rows)
    numbers = [nhs.normalise(number) for number, _born in rows]
    if all(_plausible(number, born) for number, born in rows) and len(set(numbers)) == len(rows):
        assert outcome.rejected == 0, [reject.errors for reject in outcome.rejects]


def _plausible(number: str, born: str) -> bool:
    """A valid NHS number and an adult's date of birth written in full."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(born, pattern).date()
        except ValueError:
            continue
        return nhs.is_valid(number) and date(1920, 1, 1) <= day <= date(2000, 12, 31)
    return False


# ---------------------------------------------------------------------------------------------
# Files refused outright write nothing (on each database)


def _staff_columns_csv() -> bytes:
    return (",".join(column.name for column in STAFF_COLUMNS) + "\r\n").encode()


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        ("empty.csv", b"", {}, "is empty"),
        ("binary.csv", bytes(range(256)) * 8, {}, "binary"),
        ("header-only.csv", _staff_columns_csv(), {}, "no data rows"),
        ("huge-cell.csv", csv_bytes([person_row(1), person_row(2, address="x" * 40_000)]), {},
         "row 3, column G"),
        ("caseload.csv", csv_bytes([person_row(1)]), {"sheet": "Sheet9"}, "sheet"),
    ],
)
def test_an_unusable_file_is_a_clear_error_and_writes_nothing(
    database: Database, tmp_path: Path, name: str, content: bytes, options: dict[str, Any],
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    outcome = _import(database, path, "caseload", tmp_path, **options)
    assert isinstance(outcome, InputFileError)
    assert message in outcome.message
    assert _row_count(database) == 0
    assert not (tmp_path / "rejects").exists() or not any((tmp_path / "rejects").iterdir())


def test_a_wrong_sheet_name_in_a_workbook_lists_the_sheets_and_writes_nothing(
    database: Database, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Caseload"
    row = person_row(1)
    sheet.append(list(row))
    sheet.append(list(row.values()))
    path = tmp_path / "caseload.xlsx"
    workbook.save(path)
    outcome = _import(database, path, "caseload", tmp_path, sheet="Sheet1")
    assert isinstance(outcome, InputFileError) and "Caseload" in outcome.message
    assert _row_count(database) == 0


def test_an_oversized_file_is_refused_before_reading(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transition import tabular

    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes([person_row(i) for i in range(20)]))
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1000)
    outcome = _import(database, path, "caseload", tmp_path)
    assert isinstance(outcome, InputFileError) and "MB" in outcome.message
    assert _row_count(database) == 0
