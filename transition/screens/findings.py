"""The last check's findings, and a worker's people.

:class:`FindingsScreen` lists the latest check's findings (all, or one code), most urgent
first; ``enter`` opens the person, or for a finding about a worker, :class:`WorkerScreen`: the
worker's findings and the people they hold, where ``enter`` opens a person.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from transition.checks import CODES, latest_run, people_held, run_findings
from transition.models import Staff
from transition.nhs import format_334
from transition.screens.base import DetailScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.fitted_table import FILL, FitColumn, FittedTable
from transition.widgets.format import plural, uk_date

SHOWN = 2000  # rows drawn; the CLI's --report has every finding
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}
FINDING_COLUMNS = (
    FitColumn("severity", "Severity", 8), FitColumn("nhs", "NHS number", 12),
    FitColumn("name", "Name", 20, most=26), FitColumn("worker", "Worker", 10),
    FitColumn("message", "What to do", 56, most=FILL),
)
PEOPLE_COLUMNS = (
    FitColumn("nhs", "NHS number", 12), FitColumn("name", "Name", 30),
    FitColumn("role", "Role", 26, most=40), FitColumn("band", "Risk", 6),
)


class FindingsScreen(DetailScreen):
    """Findings of the latest check, optionally of one code or about one worker."""

    CSS_PATH = "findings.tcss"
    TITLE = "Check findings"

    def __init__(self, code: str | None = None, staff_id: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.staff_id = staff_id
        self.targets: dict[str, tuple[int | None, str | None]] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="findings"):
            yield Static(id="findings-summary")
            table = FittedTable(FINDING_COLUMNS, id="findings-table", cursor_type="row",
                                zebra_stripes=True)
            yield table
        yield AppFooter()

    def reload(self) -> None:
        with self.database.session() as session:
            run = latest_run(session)
            found = ([] if run is None or run.id is None else
                     run_findings(session, run.id, code=self.code, staff_id=self.staff_id))
        what = CODES.get(self.code or "", "All findings")
        summary = self.query_one("#findings-summary", Static)
        if run is None:
            summary.update("No check has run yet: press k on the dashboard to run one.")
        else:
            summary.update(Text.assemble(
                (what, "bold"), f" · run {run.id}, as of {uk_date(run.as_of)} · ",
                plural(len(found), "finding"),
                (f" (the first {SHOWN} shown)" if len(found) > SHOWN else "", "dim"),
                ("\nenter: open the person (or the worker)", "dim")))
        table = self.query_one("#findings-table", FittedTable)
        table.clear()
        self.targets = {}
        for item in found[:SHOWN]:
            key = str(item.finding_id)
            self.targets[key] = (item.person_id, item.staff_id)
            table.add_row(
                Text(item.severity, style=SEVERITY_STYLE.get(item.severity, "")),
                format_334(item.nhs_number) if item.nhs_number else "",
                item.person_name or "",
                item.staff_id or "",
                item.message,
                key=key, height=None,
            )
        table.focus()

    @on(DataTable.RowSelected, "#findings-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        person_id, staff_id = self.targets.get(str(event.row_key.value), (None, None))
        if person_id is not None:
            self.transition.open_person(person_id)
        elif staff_id is not None:
            self.app.push_screen(WorkerScreen(staff_id))


class WorkerScreen(DetailScreen):
    """One worker: who they are, what the last check found, and the people they hold."""

    CSS_PATH = "findings.tcss"
    TITLE = "Worker"

    def __init__(self, staff_id: str) -> None:
        super().__init__()
        self.staff_id = staff_id

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="findings"):
            yield Static(id="worker-summary")
            table = FittedTable(PEOPLE_COLUMNS, id="worker-people", cursor_type="row",
                                zebra_stripes=True)
            yield table
        yield AppFooter()

    def reload(self) -> None:
        with self.database.session() as session:
            staff = session.get(Staff, self.staff_id)
            held = people_held(session, self.staff_id, self.today())
            run = latest_run(session)
            found = ([] if run is None or run.id is None else
                     run_findings(session, run.id, staff_id=self.staff_id))
        lines = Text()
        if staff is None:
            lines.append(f"{self.staff_id}: not on the staff list", style="bold")
        else:
            lines.append(f"{staff.given_name} {staff.family_name}", style="bold")
            lines.append(f" ({staff.staff_id}) · {staff.employer} {staff.role.replace('_', ' ')}"
                         f" · {staff.team or 'no team'} · capacity {staff.capacity or '-'}")
            if staff.leaving_date:
                lines.append(f" · leaving {uk_date(staff.leaving_date)}", style="yellow")
            if staff.absent_until:
                lines.append(f" · absent until {uk_date(staff.absent_until)}", style="yellow")
        lines.append(f"\nHolds {plural(len(held), 'person', 'people')}.")
        for item in found:
            lines.append(f"\n{item.severity}: ", style=SEVERITY_STYLE.get(item.severity, ""))
            lines.append(item.message)
        lines.append("\nenter: open the person", style="dim")
        self.query_one("#worker-summary", Static).update(lines)
        table = self.query_one("#worker-people", FittedTable)
        table.clear()
        for item in held:
            table.add_row(format_334(item.nhs_number), f"{item.given_name} {item.family_name}",
                          item.role.replace("_", " ") if item.role else "care coordinator (trust)",
                          Text(item.risk_band or "", style=SEVERITY_STYLE.get(
                              {"red": "critical", "amber": "warning"}.get(item.risk_band or "",
                                                                          ""), "")),
                          key=str(item.person_id))
        table.focus()

    @on(DataTable.RowSelected, "#worker-people")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.transition.open_person(int(event.row_key.value))
