"""Build small caseload exports and staff lists (CSV and XLSX) for importer tests.

Everything is synthetic: NHS numbers from the 999 range (``tests.factories.nhs_number``),
invented names and WX postcodes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.factories import nhs_number
from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS

DATA = Path(__file__).parent / "data"
CASELOAD_HEADER = [column.name for column in CASELOAD_COLUMNS]
STAFF_HEADER = [column.name for column in STAFF_COLUMNS]


def person_row(i: int, **overrides: Any) -> dict[str, Any]:
    """One caseload row (canonical columns, values as an export writes them)."""
    row: dict[str, Any] = {
        "nhs_number": nhs_number(i),
        "local_id": f"RIO{i:05d}",
        "given_name": f"Robin{i}",
        "family_name": "Ashdown",
        "date_of_birth": "03/04/1980",
        "gender": "F",
        "address": f"{i} Mill Lane, Westhaven",
        "postcode": "WX1 2AB",
        "locality": "North",
        "team": "North CMHT",
        "care_coordinator_id": "S001",
        "gp_practice": "Y00001",
        "gp_practice_name": "Mill Lane Surgery",
        "gp_address": "2 Mill Lane, Westhaven WX1 3CD",
        "cpa": "Y",
        "cpa_start": "",
        "cpa_end": "",
        "cluster": "11",
        "s117": "N",
        "cto": "N",
        "cto_start": "",
        "cto_expiry": "",
        "safeguarding_open": "N",
        "last_contact": "01/12/2026",
        "last_discharge": "",
        "admissions_12m": "0",
        "missed_appointments_6m": "1",
        "self_harm_history": "N",
        "substance_misuse": "N",
        "lives_alone": "Y",
        "accommodation_type": "",
        "settled_accommodation": "Z",  # MHSDS: not stated
        "employment_status": "ZZ",  # MHSDS: not stated
        "ethnic_category": "A",
        "carer": "N",
        "carer_name": "",
        "carer_address": "",
        "carer_consent": "",
        "personal_budget": "N",
        "interpreter_language": "",
        "preferred_language": "en",
        "accessible_format": "",
        "preferred_worker_gender": "",
        "care_act_outcomes": "nutrition;hygiene",
        "significant_impact": "Y",
        "coordinator_since": "2024-05-01",
        "coordinator_until": "",
    }
    row.update(overrides)
    return row


def staff_row(i: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "staff_id": f"S{i:03d}",
        "given_name": f"Jo{i}",
        "family_name": "Carver",
        "employer": "council",
        "role": "social_worker",
        "team": "North CMHT",
        "locality": "North",
        "capacity": "25",
        "fte": "1.0",
        "skills": "eip;forensic",
        "languages": "english",
        "gender": "female",
        "seconded": "Y",
        "council_team": "Westhaven Adult Social Care",
        "leaving_date": "",
        "absent_until": "",
        "phone": "01234 567890",
        "email": f"s{i:03d}@westshire.example",
    }
    row.update(overrides)
    return row


def csv_bytes(
    rows: Iterable[dict[str, Any] | Sequence[Any]],
    header: Sequence[str] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
    title_lines: Sequence[str] = (),
) -> bytes:
    """CSV bytes. Dict rows are written in their own key order; ``header`` (same length) can
    rename the columns, e.g. to aliases."""
    rows = list(rows)
    keys = list(rows[0]) if rows and isinstance(rows[0], dict) else None
    if header is None:
        header = keys or CASELOAD_HEADER
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for line in title_lines:
        writer.writerow([line])
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys] if isinstance(row, dict) and keys
                        else row)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: Iterable[dict[str, Any] | Sequence[Any]],
              header: Sequence[str] | None = None, **options: Any) -> Path:
    path.write_bytes(csv_bytes(rows, header, **options))
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], header: Sequence[str], *,
               title_lines: Sequence[str] = (), sheet: str = "Caseload",
               other_sheets: Sequence[str] = ()) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for line in title_lines:
        worksheet.append([line])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    for name in other_sheets:
        workbook.create_sheet(name).append(["nothing", "here"])
    workbook.save(path)
    return path


def xlsx_person(i: int, **overrides: Any) -> list[Any]:
    """A caseload row as Excel stores it: NHS number as a number, dates as date cells."""
    row = person_row(i, **overrides)
    values: dict[str, Any] = dict(row)
    values["nhs_number"] = int(str(row["nhs_number"])) if str(row["nhs_number"]).isdigit() else row["nhs_number"]
    for name in ("date_of_birth", "last_contact", "coordinator_since"):
        text = row[name]
        if isinstance(text, str) and text:
            try:
                parsed = (date.fromisoformat(text) if "-" in text
                          else datetime.strptime(text, "%d/%m/%Y").date())
            except ValueError:
                continue  # an impossible date stays text, as a person typed it
            values[name] = datetime.combine(parsed, datetime.min.time())
    values["cluster"] = int(row["cluster"]) if str(row["cluster"]).isdigit() else row["cluster"]
    values["admissions_12m"] = 0
    values["missed_appointments_6m"] = 1
    return [values.get(name) if values.get(name) != "" else None for name in CASELOAD_HEADER]
