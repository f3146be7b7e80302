"""The last check's findings, and a worker's people.

:class:`FindingsScreen` lists the latest check's findings (all, or one code), most urgent
first; ``enter`` opens the person, or for a finding about a worker, :class:`WorkerScreen`: the
worker's findings and the people they hold, where ``enter`` opens a person.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from transition.absence import absence_words
from transition.checks import (
    CODES,
    StoredFinding,
    advice_for,
    count_findings,
    latest_run,
    people_held,
    run_findings,
)
from transition.models import Staff
from transition.nhs import format_334
from transition.screens.base import DetailScreen
from transition.widgets.chrome import PAGES, AppFooter, NavBar
from transition.widgets.fitted_table import FILL, FitColumn, FittedTable
from transition.widgets.format import plural, uk_date

PAGE = 100  # findings drawn at a time: measuring rows of wrapped advice costs ~6 ms each
# A finding's advice gives the command line's commands (it is mailed from cron too): for those
# whose commands act on one person or worker, what a manager does here instead, shown after the
# advice when it holds such a command (ADVICE_COMMAND, default "`transition ").
IN_THE_APP = {
    "unassigned": ("enter opens the person: A chooses a worker (when none fits, the nearest, "
                   "each with what they lack); K on the dashboard proposes workers as a draft "
                   "plan"),
    "away_after_handover": "enter opens the person: A chooses a worker who stays",
    "absent_at_handover": ("enter opens the worker and the people they hold: enter on one, then "
                           "H moves their handover date or A chooses another worker"),
    "letter_out_of_date": "l opens the letters: on theirs, g writes their letters again",
    "overdue_task": ("enter opens the person: T shows their tasks, where s changes its status "
                     "(blocked or not needed asks why)"),
}
ADVICE_COMMAND = {"letter_out_of_date": "`transition letters generate",
                  "overdue_task": "`transition tasks set"}
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}
# At 80 columns the advice, the column the screen is for, keeps 38 of them and the name is
# left out (enter opens the person); from about 100 columns the name is shown too.
FINDING_COLUMNS = (
    FitColumn("severity", "Severity", 8), FitColumn("nhs", "NHS number", 12),
    FitColumn("name", "Name", 20, most=26, drop=1), FitColumn("worker", "Worker", 10),
    FitColumn("message", "What to do", 36, most=FILL),
)
# The risk band stays on screen at 80 columns: the name and role narrow first.
PEOPLE_COLUMNS = (
    FitColumn("nhs", "NHS number", 12), FitColumn("name", "Name", 30, squeeze=20),
    FitColumn("role", "Role", 26, most=40, squeeze=20), FitColumn("band", "Risk", 6),
)


def what_to_do(item: StoredFinding, *, in_app_keys: bool = True) -> Text:
    """A finding's advice as the app shows it: its commands written for its own person (the
    app shows NHS numbers in full), then (``in_app_keys``: the findings list, where enter opens
    its person or worker) what to do here, in the app's keys (:data:`IN_THE_APP`)."""
    text = Text(advice_for(item.message, item.nhs_number))
    in_app = IN_THE_APP.get(item.code) if in_app_keys else None
    if in_app and ADVICE_COMMAND.get(item.code, "`transition ") in item.message:
        text.append(f"\nIn the app: {in_app}.", style="bold")
    return text


class FindingsScreen(DetailScreen):
    """Findings of the latest check, optionally of one code or about one worker, a page at a
    time (``]`` next, ``[`` previous): a run a week before the transfer can hold 200,000."""

    CSS_PATH = "findings.tcss"
    TITLE = "Check findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]",
                id="findings.next_page", group=PAGES),
        Binding("left_square_bracket", "page(-1)", "Prev page", key_display="[",
                id="findings.previous_page", group=PAGES),
    ]

    def __init__(self, code: str | None = None, staff_id: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.staff_id = staff_id
        self.targets: dict[str, tuple[int | None, str | None]] = {}
        self.first = 0  # the page's first finding (0-based)
        self.total = 0

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
            found: list[StoredFinding] = []
            self.total = 0
            if run is not None and run.id is not None:
                self.total = count_findings(session, run.id, code=self.code,
                                            staff_id=self.staff_id)
                # A newer run may have fewer findings than the page shown before it.
                self.first = min(self.first, max(0, (self.total - 1) // PAGE * PAGE))
                found = run_findings(session, run.id, code=self.code, staff_id=self.staff_id,
                                     limit=PAGE, offset=self.first)
        what = CODES.get(self.code or "", "All findings")
        summary = self.query_one("#findings-summary", Static)
        if run is None:
            summary.update("No check has run yet: press k on the dashboard to run one.")
        else:
            if self.total > PAGE:
                shown = (f"findings {self.first + 1:,}-{self.first + len(found):,} of "
                         f"{self.total:,} (] next page, [ previous)")
            else:
                shown = plural(self.total, "finding")
            summary.update(Text.assemble(
                (what, "bold"), f" · run {run.id}, as of {uk_date(run.as_of)} · ", shown,
                ("\nenter: open the person (or the worker)" if found else "", "dim")))
        table = self.query_one("#findings-table", FittedTable)
        table.clear()
        self.targets = {}
        # Text, not str, in every cell: a DataTable reads a str as markup, and a message
        # quotes file names, an export's headers and the rules' [sections] (a file named
        # "x[/y].csv" stopped the app).
        for item in found:
            key = str(item.finding_id)
            self.targets[key] = (item.person_id, item.staff_id)
            table.add_row(
                Text(item.severity, style=SEVERITY_STYLE.get(item.severity, "")),
                Text(format_334(item.nhs_number) if item.nhs_number else ""),
                Text(item.person_name or ""),
                Text(item.staff_id or ""),
                what_to_do(item),
                key=key, height=None,
            )
        self.refresh_bindings()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The paging keys show only when there is more than one page, greyed at either end."""
        if action != "page":
            return True
        if self.total <= PAGE:
            return False
        at_end = (self.first + PAGE >= self.total if parameters[0] == 1 else self.first == 0)
        return None if at_end else True

    def action_page(self, step: int) -> None:
        offset = max(0, min(self.first + step * PAGE, (self.total - 1) // PAGE * PAGE))
        if offset != self.first:
            self.first = offset
            self.safely(self.reload)

    @on(DataTable.RowSelected, "#findings-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        person_id, staff_id = self.targets.get(str(event.row_key.value), (None, None))
        if person_id is not None:
            self.transition.open_person(person_id)
        elif staff_id is not None:
            self.app.push_screen(WorkerScreen(staff_id))
        else:  # enter did nothing, and a manager could not tell why
            self.notify("This finding is about the whole programme, not one person or worker: "
                        "its advice (What to do) says where to act.", title="Nothing to open")


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
            if staff.absent_from or staff.absent_until:
                lines.append(f" · {absence_words(staff.absent_from, staff.absent_until, uk_date)}",
                             style="yellow")
        lines.append(f"\nHolds {plural(len(held), 'person', 'people')}.")
        for item in found:
            lines.append(f"\n{item.severity}: ", style=SEVERITY_STYLE.get(item.severity, ""))
            lines.append(what_to_do(item, in_app_keys=False))  # here: enter opens a person
        lines.append("\nenter: open the person", style="dim")
        self.query_one("#worker-summary", Static).update(lines)
        table = self.query_one("#worker-people", FittedTable)
        table.clear()
        for item in held:
            table.add_row(Text(format_334(item.nhs_number)),
                          Text(f"{item.given_name} {item.family_name}"),
                          Text(item.role.replace("_", " ") if item.role
                               else "care coordinator (trust)"),
                          Text(item.risk_band or "", style=SEVERITY_STYLE.get(
                              {"red": "critical", "amber": "warning"}.get(item.risk_band or "",
                                                                          ""), "")),
                          key=str(item.person_id))
        table.focus()

    @on(DataTable.RowSelected, "#worker-people")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.transition.open_person(int(event.row_key.value))
