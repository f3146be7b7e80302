"""Write the caseload and staff list as a trust would send them: CSV, and an Excel workbook.

CSV: UTF-8 with a byte-order mark and CRLF line ends (what Excel's "CSV UTF-8" saves, so accents
survive a double-click), canonical headers, yes/no as Y/N, dates as DD/MM/YYYY, lists joined
with ``;``. XLSX: the same caseload under two title lines, with real date cells, NHS numbers and
counts stored as numbers. Both are byte-for-byte reproducible: the workbook's document times and
every zip entry's timestamp are fixed to the export date.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS
from transition.generator.messy import CaseloadRow
from transition.generator.workforce import Worker

# The trust's own columns after the canonical ones: the importer keeps them in ``extra``, where
# the rules can use them (``extra.forensic_history`` and ``extra.perinatal`` in
# [[matching.required_skills]]).
EXTRA_COLUMNS = ("forensic_history", "perinatal")
CASELOAD_HEADER = tuple(column.name for column in CASELOAD_COLUMNS) + EXTRA_COLUMNS
STAFF_HEADER = tuple(column.name for column in STAFF_COLUMNS)
_person_values = attrgetter(*CASELOAD_HEADER)
DATE_FORMAT = "DD/MM/YYYY"


def cell_text(value: Any) -> str:
    """A typed value as the CSV writes it."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "Y" if value else "N"
    if kind is date:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if kind is tuple:
        return ";".join(value)
    return str(value)  # int, float


def caseload_cells(rows: Iterable[CaseloadRow]) -> Iterable[Sequence[Any]]:
    """Each row's typed values in canonical column order, overrides (raw text) in place."""
    positions = {name: index for index, name in enumerate(CASELOAD_HEADER)}
    for row in rows:
        if not row.overrides:
            yield _person_values(row.person)
            continue
        values = list(_person_values(row.person))
        for column, text in row.overrides.items():
            values[positions[column]] = text
        yield values


def staff_cells(workers: Iterable[Worker]) -> Iterable[list[Any]]:
    for worker in workers:
        values = {
            "staff_id": worker.staff_id, "given_name": worker.given_name,
            "family_name": worker.family_name, "employer": worker.employer, "role": worker.role,
            "team": worker.team.name, "locality": worker.locality, "capacity": worker.capacity,
            "fte": worker.fte, "skills": worker.skills, "languages": worker.languages,
            "gender": worker.gender, "seconded": worker.seconded,
            "council_team": worker.council_team, "leaving_date": worker.leaving_date,
            "absent_from": worker.absent_from, "absent_until": worker.absent_until, "phone": worker.phone, "email": worker.email,
        }
        yield [values[name] for name in STAFF_HEADER]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as Excel saves it (BOM, CRLF).

    Not :func:`transition.files.csv_text`: that neutralises every cell for data the tool does
    not control, which triples the time at 100,000 rows. Generated cells come from fixed word
    lists and never start with a formula character; a test checks every cell of the sample.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(
        ["" if value is None else value if type(value) is str
         else "Y" if value is True else "N" if value is False else cell_text(value)
         for value in row]
        for row in rows
    )
    return buffer.getvalue().encode("utf-8")


def caseload_xlsx_bytes(rows: Iterable[CaseloadRow], *, title: str, exported: date) -> bytes:
    """The caseload as a workbook: two title lines, the header on row 3, typed cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Caseload")
    for index, name in enumerate(CASELOAD_HEADER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 2)
    sheet.freeze_panes = "C4"
    bold = Font(bold=True)

    def styled(value: Any, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    sheet.append([styled(title, font=Font(bold=True, size=14))])
    sheet.append([f"Generated {exported:%d/%m/%Y}"])
    sheet.append([styled(name, font=bold) for name in CASELOAD_HEADER])
    nhs_position = CASELOAD_HEADER.index("nhs_number")
    for values in caseload_cells(rows):
        cells: list[Any] = []
        for position, value in enumerate(values):
            kind = type(value)
            if kind is date:
                cells.append(styled(value, number_format=DATE_FORMAT))
            elif kind is bool:
                cells.append("Y" if value else "N")
            elif position == nhs_position and kind is str and value.isdigit():
                cells.append(int(value))  # as a trust's spreadsheet stores it
            elif value == "":
                cells.append(None)
            else:
                cells.append(value)
        sheet.append(cells)
    stamp = datetime(exported.year, exported.month, exported.day, 6, 0, 0)
    workbook.properties.creator = "transition generate"
    workbook.properties.lastModifiedBy = "transition generate"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save(): save() stamps the current time as "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return reproducible_zip(buffer.getvalue(), stamp)


def reproducible_zip(data: bytes, when: datetime) -> bytes:
    """The same archive with every entry's timestamp and host fields fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
