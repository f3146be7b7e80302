"""The dashboard's "Last check" box: the latest nightly check's findings by code and severity.

``enter`` on a code lists its findings (:class:`transition.screens.findings.FindingsScreen`),
where ``enter`` opens the person, or the worker the finding is about. ``k`` on the dashboard
runs the check now, in a worker thread, exactly as ``transition check`` does (the same lock:
if the nightly check is running, it says so); ``K`` as ``transition check --apply``, whose
proposed moves are a draft plan the plan screen shows; ``R`` as ``transition check
--rebalance``, which also re-plans the people of workers over capacity. ``R`` is offered (in the
box's subtitle and the notification) only when the last check found such a worker.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import events, on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from transition.check_report import moves_in_words
from transition.check_runs import run_check
from transition.checks import CODES, CheckReport, latest_run, run_counts
from transition.errors import TransitionError
from transition.ruleset import load_rules
from transition.screens.dashboard import DashboardPanel
from transition.widgets.format import count, plural, uk_date, uk_time

if TYPE_CHECKING:
    from transition.app import TransitionApp

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}
LEVELS = ("critical", "warning", "info")
LEVEL_WIDTH = 8
# The finding's title takes the width the counts leave, up to the longest title; at 80
# columns (72 cells in the box) that is 40, and a longer title takes a second line rather
# than pushing the counts off the right edge behind a scrollbar.
FINDING_WIDEST = max(len(title) for title in CODES.values())
FINDING_LEAST = 24


class CheckFindingsPanel(DashboardPanel):
    """Counts of the last check's findings, one row per code, by severity."""

    DEFAULT_CSS = """
    CheckFindingsPanel {
        column-span: 2;
    }
    CheckFindingsPanel #check-codes {
        margin-top: 1;
    }
    """

    run_id: int | None = None
    # The last run's rows (code, title, counts by level), kept to lay out again on a resize.
    rows: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    finding_width: int = 0  # the title column's width the rows were laid out for

    SUBTITLE = "enter: the findings · k: check now · K: and propose fixes"
    REBALANCE_SUBTITLE = "enter: findings · k: check · K: + fixes · R: + rebalance"

    def __init__(self) -> None:
        super().__init__(id="check-findings")
        self.border_title = "Last check"
        self.border_subtitle = self.SUBTITLE

    def compose(self) -> ComposeResult:
        yield Static(id="check-summary")
        yield DataTable(id="check-codes", cursor_type="row", zebra_stripes=True)

    @property
    def transition(self) -> TransitionApp:
        return cast("TransitionApp", self.app)

    def _finding_width(self) -> int:
        """What the counts leave of the box's width (each column has a cell of padding
        either side), between FINDING_LEAST and the longest title; 40 until laid out."""
        inside = self.content_size.width
        if inside <= 0:
            return 40
        room = inside - len(LEVELS) * (LEVEL_WIDTH + 2) - 2
        return max(FINDING_LEAST, min(FINDING_WIDEST, room))

    def on_resize(self, event: events.Resize) -> None:
        if self.rows and self._finding_width() != self.finding_width:
            self._show_rows(keep_cursor=True)

    def _show_rows(self, *, keep_cursor: bool = False) -> None:
        """The rows, laid out for the box's width now (on the same row, ``keep_cursor``)."""
        table: DataTable[Text] = self.query_one("#check-codes", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        self.finding_width = width = self._finding_width()
        table.add_column("Finding", key="title", width=width)
        for level in LEVELS:
            table.add_column(level.capitalize(), key=level, width=LEVEL_WIDTH)
        for code, title, numbers in self.rows:
            lines = Text(title).wrap(self.app.console, width)
            for line in lines:
                line.rstrip()
            table.add_row(Text("\n").join(lines), *(
                Text(count(number), style=SEVERITY_STYLE[level] if number else "dim",
                     justify="right")
                for number, level in zip(numbers, LEVELS, strict=True)
            ), key=code, height=len(lines))
        # A table's automatic height is not recomputed inside the dashboard's grid of boxes:
        # size it to its rows (and the header).
        table.styles.height = sum(row.height for row in table.rows.values()) + 1
        if keep_cursor and table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1), animate=False)

    def refresh_from(self, session: Session, today: date) -> None:
        run = latest_run(session)
        table = self.query_one("#check-codes", DataTable)
        summary = self.query_one("#check-summary", Static)
        self.rows = ()
        if run is None:
            self.run_id = None
            table.clear()
            self.border_subtitle = self.SUBTITLE
            summary.update(Text.assemble("No check has run yet. ", ("k", "bold"),
                                         " runs one now; schedule it nightly (docs/checks.md)."))
            table.display = False
            return
        assert run.id is not None
        self.run_id = run.id
        counts = run_counts(session, run.id)
        over_capacity = sum(number for (code, _level), number in counts.items()
                            if code == "over_capacity")
        self.border_subtitle = self.REBALANCE_SUBTITLE if over_capacity else self.SUBTITLE
        critical = sum(number for (_code, level), number in counts.items() if level == "critical")
        total = sum(counts.values())
        summary.update(Text.assemble(
            (f"Run {run.id}", "bold"), f" · {uk_time(run.finished_at)} · as of {uk_date(run.as_of)}",
            f" · {count(total)} finding{'s' if total != 1 else ''}, ",
            (f"{count(critical)} critical", "bold red" if critical else "dim"),
            ("" if run.plan_id is None else f" · draft plan {run.plan_id}"),
        ))
        table.display = True
        self.rows = tuple(
            (code, title, numbers) for code, title in CODES.items()
            if any(numbers := tuple(counts.get((code, level), 0) for level in LEVELS)))
        self._show_rows()
        if not table.row_count:
            table.display = False
            summary.update(Text.assemble(summary.content, "\n", ("Nothing found.", "green")))  # type: ignore[arg-type]

    @on(DataTable.RowSelected, "#check-codes")
    def _open_code(self, event: DataTable.RowSelected) -> None:
        event.stop()
        from transition.screens.findings import FindingsScreen

        if self.run_id is not None and event.row_key.value is not None:
            self.app.push_screen(FindingsScreen(code=event.row_key.value))

    # -- running the check now ---------------------------------------------------------------

    def run_now(self, *, apply: bool = False, rebalance: bool = False) -> None:
        """Run the check now; with ``apply``, as ``transition check --apply`` (the fixes it
        proposes are a draft plan, for the plan screen); with ``rebalance``, as ``transition
        check --rebalance`` (which implies ``apply``)."""
        self.notify("Checking everything"
                    + (" and re-planning who needs it" if apply or rebalance else "")
                    + (", over-capacity workers' people too" if rebalance else "")
                    + "; this takes a few seconds on a large caseload.",
                    title="Check started")
        self._run(apply or rebalance, rebalance)

    @work(thread=True, exclusive=True, group="check-now")
    def _run(self, apply: bool, rebalance: bool) -> None:
        settings = self.transition.settings
        try:
            rules = load_rules(settings.rules_file, given_by=settings.rules_file_given_by)
            report = run_check(self.transition.database, rules, as_of=settings.today(),
                               actor=settings.actor, apply=apply, rebalance=rebalance,
                               council=settings.council,
                               templates_dir=settings.letter_templates_dir)
        except TransitionError as exc:
            self.app.call_from_thread(self._failed, f"{exc.message} {exc.hint or ''}".strip())
        except SQLAlchemyError as exc:
            # The driver's text may quote the statement or a person's data: only its first
            # line, and only for a failure the database's words know (as every command says
            # it); otherwise only the error's type.
            known = self.transition.database.known_failure(exc)
            self.app.call_from_thread(
                self._failed,
                f"{type(exc).__name__} on the database. Nothing was recorded." if known is None
                else f"{known.message} The check did not finish and its findings were not "
                f"recorded. {known.hint or ''}".strip())
        except Exception as exc:  # noqa: BLE001 - a bug must not take the manager's app down
            # Textual ends the app on a worker's error. The exception's text may quote data,
            # so only its type is shown; run_check has recorded the run as failed.
            self.app.call_from_thread(
                self._failed,
                f"The check stopped unexpectedly ({type(exc).__name__}); it is recorded as "
                "failed (`transition check history`). Run `transition check` in a terminal "
                "with TRANSITION_DEBUG=1 to see the details, and report it to the team that "
                "supports transition.")
        else:
            self.app.call_from_thread(self._done, report, rebalance)

    def _failed(self, message: str) -> None:
        self.notify(message, title="The check could not run", severity="error")

    def _done(self, report: CheckReport, rebalance: bool = False) -> None:
        critical = report.critical
        said = f"{plural(len(report.findings), 'finding')}, {critical} critical (run {report.run_id})."
        if report.plan_id is not None:
            said += (f" Draft plan {report.plan_id} re-plans {count(report.affected_people)} "
                     f"people: {moves_in_words(report)}. p: review and accept it.")
        if report.notes:  # why nothing was re-planned, or who stays over capacity
            said += " " + " ".join(report.notes)
        over = report.counts.get("over_capacity", 0)
        if over and not rebalance:
            said += (f" {count(over)} worker{'s are' if over != 1 else ' is'} over capacity: "
                     "R re-plans their people too.")
        self.notify(said, title="Check finished", severity="warning" if critical else "information")
        self.transition.data_changed()
        screen = self.screen
        reload = getattr(screen, "reload", None)
        if reload is not None:
            screen.safely(reload)  # type: ignore[attr-defined]
