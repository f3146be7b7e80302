"""A plan as a spreadsheet for the people who carry it out (``transition plan show --report``).

Business support moving records, a team manager briefing an outgoing worker on their
handover list, the council's case management team opening cases: each needs the plan's rows
with the names on them, not a terminal table of the first rows. The file holds personal data
(names, NHS numbers) on purpose, so it is written owner-only (0600) like every file the tool
writes, its spreadsheet cells are never run as formulas, and writing it is audited
(``plan.report``: how many rows, which plan and filters, by whom; never the rows themselves).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.audit import Change, record
from transition.errors import TransitionError
from transition.files import csv_text, neutralise_cell, write_private_bytes
from transition.handover import effective_handover_date
from transition.models import Person, Staff
from transition.plan_rows import PlanRow
from transition.planning import PlanResult
from transition.programme import transfer_date
from transition.upsert import chunks

FORMATS = (".csv", ".xlsx")
HEADER = ("NHS number", "Given name", "Family name", "Team now", "Pathway", "Risk band",
          "Handover date", "Role", "Care coordinator now", "Care coordinator now (name)",
          "Outcome", "Worker", "Worker (name)", "Worker's team", "Why")
# Outcome words, as the plan screen and `plan show --from` say them.
KEPT, LOCKED, NEW, BACK, NO_ONE = ("stays", "locked by a manager", "new worker",
                                   "back to their coordinator", "no one yet")
_IDS_PER_STATEMENT = 900  # under SQLite's limit on bound values


@dataclass(frozen=True)
class PlanReport:
    path: Path
    rows: int


def outcome(row: PlanRow, coordinator: str | None) -> str:
    """What happens to this role: it stays, a manager locked it, a new worker, the person's
    coordinator again after their allocation ended, or no one yet."""
    if row.staff_id is None:
        return NO_ONE
    if row.locked:
        return LOCKED
    if row.kept:
        return KEPT
    return BACK if row.staff_id == coordinator else NEW


def report_rows(session: Session, result: PlanResult) -> list[list[Any]]:
    """One row per role in ``result`` (as filtered), in its order, with names and teams."""
    people = _people(session, sorted({row.person_id for row in result.rows}))
    staff_ids = {row.staff_id for row in result.rows if row.staff_id}
    staff_ids |= {person.care_coordinator_id for person in people.values()
                  if person.care_coordinator_id}
    workers = _workers(session, sorted(staff_ids))
    programme_date = transfer_date(session)
    rows = []
    for row in result.rows:
        person = people[row.person_id]
        coordinator = person.care_coordinator_id
        worker = workers.get(row.staff_id or "")
        handover = effective_handover_date(person, programme_date)
        rows.append([
            row.nhs_number, person.given_name, person.family_name, person.team,
            row.pathway, row.risk_band, handover, (row.role or "").replace("_", " "),
            coordinator, _name(workers.get(coordinator or "")),
            outcome(row, coordinator), row.staff_id, _name(worker),
            _team_after(worker), "; ".join(row.reasons),
        ])
    return rows


def write_plan_report(session: Session, result: PlanResult, path: Path, *, actor: str,
                      filters: dict[str, Any]) -> PlanReport:
    """Write ``result``'s rows to ``path`` (CSV or Excel by its ending) and audit it."""
    ending = path.suffix.lower()
    if ending not in FORMATS:
        raise TransitionError(
            f"A plan report is written as CSV or Excel, not '{ending or path.name}': nothing "
            "was written.", hint="End the file's name .csv or .xlsx, e.g. plan.xlsx.")
    rows = report_rows(session, result)
    data = (_xlsx(rows, f"Plan {result.plan_id}") if ending == ".xlsx"
            else csv_text(HEADER, rows).encode("utf-8"))
    written = write_private_bytes(path.expanduser(), data)
    record(session, Change(
        action="plan.report", entity="plan", entity_key=str(result.plan_id),
        after={"rows": len(rows), "format": ending.lstrip("."),
               "filters": {key: value for key, value in filters.items() if value}}),
        actor=actor)
    return PlanReport(written, len(rows))


def _people(session: Session, person_ids: Sequence[int]) -> dict[int, Any]:
    return _rows_by(session, Person.id, person_ids, Person.given_name, Person.family_name,
                    Person.team, Person.care_coordinator_id, Person.handover_date)


def _workers(session: Session, staff_ids: Sequence[str]) -> dict[str, Any]:
    return _rows_by(session, Staff.staff_id, staff_ids, Staff.given_name, Staff.family_name,
                    Staff.team, Staff.seconded, Staff.council_team)


def _rows_by(session: Session, key: Any, wanted: Sequence[Any], *columns: Any) -> dict[Any, Any]:
    """``key value -> row`` (the key first, then ``columns``) for the ``wanted`` keys."""
    found: dict[Any, Any] = {}
    for chunk in chunks(wanted, _IDS_PER_STATEMENT):
        found.update((row[0], row) for row in session.execute(
            select(key, *columns).where(key.in_(chunk))))
    return found


def _name(worker: Any) -> str | None:
    return f"{worker.given_name} {worker.family_name}" if worker is not None else None


def _team_after(worker: Any) -> str | None:
    """The worker's team after the transfer: a seconded worker's council team."""
    if worker is None:
        return None
    return worker.council_team if worker.seconded and worker.council_team else worker.team


def _xlsx(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook  # imported here: only Excel reports pay for it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    widths = [14, 14, 16, 24, 10, 10, 13, 16, 14, 22, 22, 12, 22, 26, 60]
    for position, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + position)].width = width

    def heading(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        return cell

    sheet.append([heading(text) for text in HEADER])
    def cell(value: Any) -> Any:
        if isinstance(value, date):  # a real date, shown the UK way
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = "dd/mm/yyyy"
            return dated
        return neutralise_cell(value)  # never run as a formula

    for row in rows:  # the NHS number stays text, so a spreadsheet keeps it whole
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
