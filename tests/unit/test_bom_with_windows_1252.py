"""A UTF-8 file saved with a byte-order mark (as Notepad's "UTF-8 with BOM" and Excel's "CSV
UTF-8" save it) that also holds a stray Windows-1252 line is read as the same file without the
mark is: the mark dropped, each line in its own encoding, and a note naming the rows. All data
is synthetic."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ACTOR, TODAY
from tests.importing import csv_bytes, person_row
from transition.columns import CASELOAD_COLUMNS
from transition.db import Database
from transition.errors import InputFileError
from transition.headers import header_scorer
from transition.importer import ImportOptions, import_file
from transition.models import Person
from transition.tabular import Table, read_table

SCORE = header_scorer(CASELOAD_COLUMNS, {})
MIXED = (b"NHS Number,Forename,Surname,DOB,Postcode\r\n"
         + "9991000003,Renée,Able,01/02/1980,WX1 2AB\r\n".encode()
         + "9991000011,José,Bell,01/02/1981,WX1 2AB\r\n".encode("cp1252")
         + "9991000038,Zoë,O’Neill,01/02/1982,WX1 2AB\r\n".encode())


def _read(tmp_path: Path, data: bytes, name: str = "export.csv") -> Table:
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path, score=SCORE)


def test_a_bom_and_a_stray_windows_1252_line_read_as_without_the_bom(tmp_path: Path) -> None:
    with_bom = _read(tmp_path, codecs.BOM_UTF8 + MIXED, "bom.csv")
    without = _read(tmp_path, MIXED, "plain.csv")
    assert [row.cells[1:3] for row in with_bom.rows] == [
        ("Renée", "Able"), ("José", "Bell"), ("Zoë", "O’Neill")]
    assert [row.cells for row in with_bom.rows] == [row.cells for row in without.rows]
    assert with_bom.header_row == 1 and with_bom.windows_1252_rows == [3]
    assert with_bom.encoding == "utf-8-sig"  # the file's own: UTF-8 with a BOM
    assert not any("\ufeff" in str(cell) for row in with_bom.rows for cell in row.cells)
    [note] = with_bom.reading_notes()
    assert note == without.reading_notes()[0]
    assert "except for row 3, which is not valid UTF-8 and was read as Windows-1252" in note
    for value in ("José", "Jos", "Bell", "9991000011"):
        assert value not in note  # row numbers only


def test_a_bom_file_that_is_all_utf8_reads_as_before(tmp_path: Path) -> None:
    table = _read(tmp_path, codecs.BOM_UTF8 + "NHS Number,Forename\r\n9991000003,Renée\r\n"
                  .encode())
    assert table.encoding == "utf-8-sig" and table.windows_1252_rows == []
    assert table.rows[0].cells == ("9991000003", "Renée")
    assert table.reading_notes() == []


def test_utf16_that_is_not_utf16_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="says it is UTF-16 text"):
        _read(tmp_path, codecs.BOM_UTF16_LE + b"N\x00H\x00S\x00\x00\xd8\n\x00")


def test_the_import_reads_the_rows_and_names_them(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0, given_name="Renée"), person_row(1, given_name="José"),
            person_row(2, given_name="Zoë")]
    lines = csv_bytes(rows).splitlines(keepends=True)
    # The second person's row pasted in from a file saved on a UK PC (Windows-1252).
    lines[2] = lines[2].decode().encode("cp1252")
    path = tmp_path / "caseload.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"".join(lines))
    with database.transaction() as session:
        result = import_file(session, path, "caseload", ImportOptions(), actor=ACTOR,
                             today=TODAY)
    assert (result.inserted, result.rejected) == (3, 0), result.rejects
    assert any("except for row 3, which is not valid UTF-8 and was read as Windows-1252" in note
               for note in result.notices), result.notices
    with database.session() as session:
        assert set(session.scalars(select(Person.given_name))) == {"Renée", "José", "Zoë"}
