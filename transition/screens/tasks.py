"""The tasks section: every handover task, grouped by due week, owner or person, overdue first.

A manager moves a task on (``s``: to do, in progress, done, not needed, blocked with a reason)
or writes its note (``n``). Each save passes the version the screen read: if another manager
changed the task meanwhile, nothing is saved, the list is reloaded and the notification says
what they changed. ``G`` makes or brings up to date everyone's tasks from the accepted plan, as
``transition tasks generate`` does, in a worker thread. Listing, grouping, saving and making
tasks are domain functions (``transition.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker, WorkerState

from transition.errors import ConflictError, TransitionError
from transition.programme import transfer_date as programme_transfer_date
from transition.screens.base import DataScreen, database_words
from transition.screens.confirm import ConfirmScreen
from transition.screens.task_dialogs import NoteScreen, StatusChoice, StatusScreen
from transition.tasks import (
    DependencyError,
    GenerateSummary,
    TaskGroup,
    TaskQuery,
    TaskRow,
    generate_tasks,
    group_tasks,
    list_tasks,
    person_tasks,
    plan_accepted,
    set_task_note,
    set_task_status,
    task_progress,
)
from transition.tasks.owners import owner_gone, owner_label, owners_leaving, staying_workers
from transition.tasks.status import dependency_names
from transition.tasks.views import GROUP_BY, group_totals
from transition.widgets.chrome import PAGES, AppFooter, NavBar
from transition.widgets.fitted_table import FitColumn, FittedTable
from transition.widgets.format import count, plural, task_status, uk_date, uk_time, words
from transition.widgets.pathway import BAND_STYLES, BANDS, next_choice

PAGE_SIZE = 500
GROUP_PREFIX = "group:"
# Under 120 columns the owner goes first (the box under the table names them), then the
# titles and names narrow, so the status (blocked? in progress?) is always on screen.
COLUMNS = (
    FitColumn("due", "Due", 11), FitColumn("task", "Task", 44, most=56, squeeze=20),
    FitColumn("person", "Person", 18, most=28, squeeze=14),
    FitColumn("owner", "Owner", 16, most=28, drop=1),
    FitColumn("status", "Status", 17, most=30),
)
GROUP_NAMES = {"week": "due week", "owner": "owner", "person": "person"}
STATUS_STYLES = {"done": "green", "not_needed": "dim", "blocked": "bold magenta",
                 "in_progress": "cyan", "todo": ""}


def status_text(task: TaskRow) -> Text:
    if task.overdue:
        return Text(f"Overdue: {task_status(task.status).lower()}", style="bold red")
    return Text(task_status(task.status), style=STATUS_STYLES.get(task.status, ""))


def owner_text(task: TaskRow) -> str:
    if task.owner_staff_id is None:
        return "Team manager"
    return task.owner_name or f"{task.owner_staff_id} (not in staff list)"


def what_changed(before: TaskRow, after: TaskRow) -> list[str]:
    """What someone else changed in a task, in words, for the conflict notification."""
    changes = []
    if before.status != after.status:
        changes.append(f"status {task_status(before.status).lower()} → {task_status(after.status).lower()}")
    if before.blocked_reason != after.blocked_reason and after.blocked_reason:
        changes.append(f"reason “{after.blocked_reason}”")
    if before.note != after.note:
        changes.append(f"note “{after.note}”" if after.note else "note cleared")
    if before.owner_staff_id != after.owner_staff_id:
        changes.append(f"owner now {owner_text(after)}")
    if before.due != after.due:
        changes.append(f"due {uk_date(before.due)} → {uk_date(after.due)}")
    return changes or ["nothing you can see here"]


def handover_offset(days: int) -> str:
    """'10 working days before', 'on the day of', '5 working days after'."""
    if days == 0:
        return "the day of"
    return f"{plural(abs(days), 'working day')} {'before' if days < 0 else 'after'}"


def task_detail(task: TaskRow | None,
                after: dict[tuple[int, str], tuple[str, str]] | None = None,
                staying: Container[tuple[int, str]] = frozenset(),
                gone: str | None = None) -> RenderableType:
    """The box under the list: the task in full. ``after``: (person id, key) -> (title,
    status) of the tasks it waits for (:func:`~transition.tasks.status.dependency_names`);
    ``staying``: the workers who stay with the people shown
    (:func:`~transition.tasks.owners.staying_workers`), said as the "current worker, stays";
    ``gone``: why the owner will not do it (:func:`~transition.tasks.owners.owner_gone`)."""
    if task is None:
        return Text("Choose a task to see its details.", style="dim")
    owner = owner_label(task.owner_name, task.owner_kind, task.owner_staff_id,
                        stays=(task.person_id, task.owner_staff_id) in staying, gone=gone)
    text = Text.assemble(
        (task.title, "bold"), f"  ({task.key}, task {task.id})\n",
        f"{task.person_name} · owner {owner} · "
        f"due {uk_date(task.due)}, {handover_offset(task.offset_working_days)} the handover "
        f"on {uk_date(task.handover_date)}\n",
    )
    text.append("Status ")
    text.append_text(status_text(task))
    if task.blocked_reason:
        text.append(f": {task.blocked_reason}")
    if task.depends_on:
        named = []
        for key in task.depends_on:
            title, status = (after or {}).get((task.person_id, key), (words(key), None))
            named.append(f"{title} ({task_status(status).lower()})" if status else title)
        text.append(f" · after {'; '.join(named)}", style="dim")
    text.append("\nNote ", style="")
    text.append(task.note or "none", style="" if task.note else "dim")
    if task.updated_by:
        text.append(f"\nLast changed {uk_time(task.updated_at)} by {task.updated_by}", style="dim")
    return text


class TasksScreen(DataScreen):
    """Every handover task: group, filter, change status, write notes."""

    CSS_PATH = "tasks.tcss"
    TITLE = "Tasks"
    AUTO_FOCUS = "#tasks-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "status", "Status", id="tasks.status"),
        Binding("n", "note", "Note", id="tasks.note"),
        # Not in the footer, which at 80 columns with pages has room for the rest and q Quit:
        # the summary line says "grouped by due week (g)", and the help lists it.
        Binding("g", "group", "Group by", id="tasks.group", show=False),
        # A toggle has a binding for each way it can go, and check_action shows the one that
        # applies, so the footer says what pressing the key does now (Textual's descriptions
        # are fixed): "o Overdue only", then "o All open" (or "o All tasks" with done shown).
        Binding("o", "overdue(True)", "Overdue only", id="tasks.overdue"),
        Binding("o", "overdue(False)", "All open", id="tasks.all_open"),
        Binding("o", "overdue(False, True)", "All tasks", id="tasks.all_tasks"),
        Binding("h", "closed(True)", "Show done", id="tasks.closed"),
        Binding("h", "closed(False)", "Hide done", id="tasks.hide_closed"),
        Binding("b", "band", "Band", id="tasks.band"),
        # "g" groups; the capital makes every task, as "G" writes every letter on Letters.
        Binding("G", "generate", "Make tasks", key_display="G", id="tasks.generate"),
        Binding("escape", "clear", "Clear filters", id="tasks.clear", show=False),
        # Short words: on the first or last page one of these shows alone, and "] Next page"
        # or "[ Previous page" would push q Quit off an 80-column footer.
        Binding("right_square_bracket", "page(1)", "Next", key_display="]",
                id="tasks.next", group=PAGES),
        Binding("left_square_bracket", "page(-1)", "Prev", key_display="[",
                id="tasks.previous", group=PAGES),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.group_by = "week"
        self.overdue_only = False
        self.show_closed = False
        self.band: str | None = None  # only the tasks of people in this risk band
        self.person_id: int | None = None
        self.page_start = 0
        self.total = 0
        self.rows: dict[int, TaskRow] = {}
        self.after: dict[tuple[int, str], tuple[str, str]] = {}  # what the rows wait for
        self.staying: frozenset[tuple[int, str]] = frozenset()  # workers who stay (owners)
        self.leaving: dict[str, date | None] = {}  # owners gone or going (owners_leaving)
        self.groups: list[TaskGroup] = []
        self.making: str | None = None  # while G runs: how far it has got, under the summary
        self._summary_line = Text()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="tasks"):
            yield Static(id="tasks-summary")
            table = FittedTable(COLUMNS, id="tasks-table", cursor_type="row",
                                zebra_stripes=True)
            yield table
            yield Static(id="task-detail")
        yield AppFooter()

    # -- reading ---------------------------------------------------------------------------

    def task_query(self) -> TaskQuery:
        return TaskQuery(overdue_only=self.overdue_only, open_only=not self.show_closed,
                         person_id=self.person_id, risk_band=self.band,
                         grouped_by=self.group_by,
                         offset=self.page_start, limit=PAGE_SIZE)

    def reload(self, keep: int | None = None) -> None:
        table = self.query_one("#tasks-table", FittedTable)
        if keep is None and table.row_count:
            keep = self.current_task_id()
        was_at = table.cursor_row if table.row_count else 0
        with self.database.session() as session:
            page = list_tasks(session, self.task_query(), as_of=self.today())
            if not page.rows and page.total and self.page_start:
                # The list shrank under this page (its last task done, or someone else's
                # change): show the page that is now the last, not an empty one.
                self.page_start = (page.total - 1) // PAGE_SIZE * PAGE_SIZE
                page = list_tasks(session, self.task_query(), as_of=self.today())
            self.total = page.total
            self.rows = {row.id: row for row in page.rows}
            self.after = dependency_names(session, ((row.person_id, row.depends_on)
                                                    for row in page.rows))
            self.staying = staying_workers(session, {row.person_id for row in page.rows})
            self.leaving = owners_leaving(session, (row.owner_staff_id for row in page.rows))
            self.groups = group_tasks(page.rows, self.group_by, in_order=True)
            # A page of a longer list holds only part of some groups: their headings count
            # the whole list, and say how many are on this page.
            paged = self.total > len(self.rows)
            totals = (group_totals(session, self.task_query(), self.group_by,
                                   as_of=self.today(),
                                   only=[group.key for group in self.groups])
                      if paged else {})
            # Nothing open and no filter: are they all done, or are there none yet?
            progress = (task_progress(session, as_of=self.today())
                        if not page.total and not self.filtered else None)
            any_tasks = bool(progress and (progress.total or progress.not_needed))
        table.clear()
        for group in self.groups:
            overdue_group = group.key == "overdue"
            whole = totals.get(group.key)
            tasks, overdue = ((whole.tasks, whole.overdue) if whole is not None
                              else (len(group.tasks), group.overdue))
            # The label in the task's column (cut with "…" where it is narrow), its count in
            # the person's and what needs attention in the status column: each in a column
            # of its own, so at 80 columns a long owner's name does not cut the counts off.
            heading = Text(group.label, style="bold red" if overdue_group else "bold",
                           overflow="ellipsis")
            how_many = Text(plural(tasks, "task"), style="dim", overflow="ellipsis")
            attention = Text(overflow="ellipsis")
            if overdue and not overdue_group:
                attention.append(f"{count(overdue)} overdue", style="red")
            if tasks > len(group.tasks):
                attention.append(f"{', ' if attention else ''}{count(len(group.tasks))} on "
                                 "this page", style="dim")
            table.add_row(Text("▼", style="dim"), heading, how_many, "", attention,
                          key=f"{GROUP_PREFIX}{group.key}")
            for task in group.tasks:
                style = "red" if task.overdue else ""
                table.add_row(Text(uk_date(task.due), style=style),
                              Text(task.title, style=style, overflow="ellipsis"),
                              task.person_name,
                              Text.assemble(owner_text(task), *(
                                  [(f" ({gone})", "red")] if (gone := self.gone(task)) else [])),
                              status_text(task), key=str(task.id))
        self._summary(page.overdue_total, any_tasks=any_tasks)
        self._move_to(keep, was_at)
        self.refresh_bindings()

    @property
    def filtered(self) -> bool:
        """Whether a filter that escape clears narrows the list."""
        return bool(self.overdue_only or self.person_id is not None or self.band)

    def _summary(self, overdue_total: int, *, any_tasks: bool = True) -> None:
        shown = (f"{count(self.page_start + 1)}-{count(self.page_start + len(self.rows))} of "
                 if self.total > len(self.rows) else "")
        what = "overdue tasks" if self.overdue_only else (
            "tasks" if self.show_closed else "open tasks")
        line = Text(f"{shown}{count(self.total)} {what}", style="bold")
        if not self.overdue_only:  # "0 overdue tasks · none overdue" said it twice
            line.append(f" · {count(overdue_total)} overdue" if overdue_total else
                        " · none overdue", style="bold red" if overdue_total else "green")
        line.append(f" · grouped by {GROUP_NAMES[self.group_by]}")
        line.append(" (g)", style="dim")
        line.append(f" · as of {uk_date(self.today())}")
        if self.person_id is not None and self.rows:
            line.append(f" · only {next(iter(self.rows.values())).person_name}")
        if self.band:
            line.append(f" · only the {self.band} band", style=BAND_STYLES[self.band])
        if not self.rows:
            line.append("\n")
            line.append_text(self._nothing_shown(any_tasks))
        self._summary_line = line
        self._show_summary()

    def _show_summary(self) -> None:
        line = self._summary_line.copy()
        if self.making is not None:
            line.append(f"\n{self.making}", style="bold cyan")
        self.query_one("#tasks-summary", Static).update(line)

    def _nothing_shown(self, any_tasks: bool) -> Text:
        """Why the list is empty, and what to do about it."""
        if self.overdue_only and self.person_id is None and not self.band:
            return Text.assemble(("No task is overdue. ", "green"), ("o", "bold"),
                                 " shows every open task.")
        if self.filtered:
            return Text.assemble("Nothing matches these filters: ", ("escape", "bold"),
                                 " clears them.", style="dim")
        if any_tasks and not self.show_closed:
            return Text.assemble(("Every task is done or not needed. ", "green"),
                                 ("h", "bold"), " shows them.")
        return Text.assemble(
            ("No handover tasks yet. ", "bold"),
            "They are made from the accepted plan: accept it on the plan screen (",
            ("p", "bold"), ", then ", ("A", "bold"), "), then make the tasks here with ",
            ("G", "bold"), " (or the command ", ("transition tasks generate", "bold"), ").")

    def _move_to(self, task_id: int | None, near: int = 0) -> None:
        """The cursor on ``task_id``; if it has gone (done, so hidden), on the task now at the
        row it was on, so a manager working down the list stays where they were."""
        table = self.query_one("#tasks-table", FittedTable)
        if not table.row_count:
            self._show_detail()
            return
        if task_id is not None and task_id in self.rows:
            table.move_cursor(row=table.get_row_index(str(task_id)))
        else:
            rows = range(min(near, table.row_count - 1), table.row_count)
            task_row = next((index for index in rows
                             if not self._key_at(index).startswith(GROUP_PREFIX)), None)
            if task_row is None:  # nothing below: the last task above
                task_row = next((index for index in reversed(range(table.row_count))
                                 if not self._key_at(index).startswith(GROUP_PREFIX)), 0)
            table.move_cursor(row=task_row)
        self._show_detail()

    def _key_at(self, index: int) -> str:
        table = self.query_one("#tasks-table", FittedTable)
        return str(table.coordinate_to_cell_key((index, 0)).row_key.value)

    def current_task_id(self) -> int | None:
        table = self.query_one("#tasks-table", FittedTable)
        if not table.row_count:
            return None
        key = self._key_at(table.cursor_row)
        return None if key.startswith(GROUP_PREFIX) else int(key)

    def current_task(self) -> TaskRow | None:
        task_id = self.current_task_id()
        return self.rows.get(task_id) if task_id is not None else None

    def gone(self, task: TaskRow | None) -> str | None:
        """Why the task's owner will not do it (gone, or leaving before it is due), or None."""
        if task is None:
            return None
        return owner_gone(self.leaving, task.owner_staff_id, due=task.due, today=self.today(),
                          is_open=task.is_open)

    @on(DataTable.RowHighlighted, "#tasks-table")
    def _show_detail(self) -> None:
        self.query_one("#task-detail", Static).update(
            task_detail(self.current_task(), self.after, self.staying,
                        self.gone(self.current_task())) if self.rows
            else Text("No task to show: the line above says why.", style="dim"))

    # -- filters ---------------------------------------------------------------------------

    def show(self, *, person_id: int | None = None, overdue_only: bool | None = None) -> None:
        """Show only one person's tasks (None: everyone's), and/or only overdue ones."""
        self.person_id = person_id
        if overdue_only is not None:
            self.overdue_only = overdue_only
        self.page_start = 0
        self.safely(self.reload)

    def action_group(self) -> None:
        self.group_by = GROUP_BY[(GROUP_BY.index(self.group_by) + 1) % len(GROUP_BY)]
        self.page_start = 0  # the list's order changes with the grouping
        self.safely(self.reload)

    def action_overdue(self, overdue_only: bool, _done_shown: bool = False) -> None:
        """Only overdue tasks, or every one again (``_done_shown`` only picks the footer's
        label: see BINDINGS)."""
        self.overdue_only = overdue_only
        self.page_start = 0
        self.safely(self.reload)

    def action_band(self) -> None:
        """Only the red band's tasks, then amber, green, then everyone's again."""
        self.band = next_choice(BANDS, self.band)
        self.page_start = 0
        self.safely(self.reload)

    def action_closed(self, show_closed: bool) -> None:
        self.show_closed = show_closed
        self.page_start = 0
        self.safely(self.reload)

    def action_page(self, step: int) -> None:
        self.page_start = max(0, self.page_start + step * PAGE_SIZE)
        self.query_one("#tasks-table", FittedTable).clear()  # a new page starts at its top
        self.safely(self.reload)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            step = int(str(parameters[0])) if parameters else 1
            return (self.page_start + PAGE_SIZE < self.total) if step > 0 else self.page_start > 0
        if action == "overdue":  # the binding that does what the key does now
            turn_on, done_shown = (tuple(parameters) + (False,))[:2]
            return (self.overdue_only != turn_on
                    and (turn_on or done_shown == self.show_closed))
        if action == "closed":
            return self.show_closed != parameters[0]
        if action in ("status", "note"):
            # Greyed while G runs: its transaction holds the tasks, so a save would wait.
            return (None if self.making is not None else True) if self.rows else False
        if action == "generate":
            return None if self.making is not None else True
        return True

    @on(DataTable.RowSelected, "#tasks-table")
    def _open_person(self) -> None:
        task = self.current_task()
        if task is not None:
            self.transition.open_person(task.person_id)

    def action_clear(self) -> None:
        self.band = None
        self.show(person_id=None, overdue_only=False)

    # -- changing a task -------------------------------------------------------------------

    def _chosen_task(self) -> TaskRow | None:
        task = self.current_task()
        if task is None:
            self.notify("Move to a task (not a group heading) first.", severity="warning")
        return task

    def action_status(self) -> None:
        task = self._chosen_task()
        if task is None:
            return

        def chosen(choice: StatusChoice | None) -> None:
            if choice is not None:
                self._save(task, lambda session: set_task_status(
                    session, task.id, choice.status, actor=self.settings.actor,
                    reason=choice.reason, expected_version=task.version,
                ), f"{task.title}: {task_status(choice.status).lower()}")

        self.app.push_screen(StatusScreen(task), chosen)

    def action_note(self) -> None:
        task = self._chosen_task()
        if task is None:
            return

        def written(note: str | None) -> None:
            if note is not None:
                self._save(task, lambda session: set_task_note(
                    session, task.id, note, actor=self.settings.actor,
                    expected_version=task.version,
                ), f"{task.title}: note {'saved' if note.strip() else 'cleared'}")

        self.app.push_screen(NoteScreen(task), written)

    def _save(self, task: TaskRow, change: Callable[[Session], object], done: str) -> None:
        conflict = False
        refused: DependencyError | None = None

        def write() -> None:
            nonlocal conflict, refused
            try:
                with self.database.transaction() as session:
                    change(session)
            except ConflictError:
                conflict = True
            except DependencyError as exc:  # said with titles, without the command's ids
                refused = exc

        # A refusal (TransitionError) or a database failure becomes a notification without
        # the driver's text, which may quote the person's details: never a crash dump.
        if not self.safely(write, title="Not saved",
                           then="Nothing was saved. Check the database is reachable and try "
                                "again."):
            return
        if conflict:
            self._conflict(task)
            return
        if refused is not None:
            self.notify(refused.for_screen(), title="Not saved", severity="error")
            return
        self.notify(done, title="Saved")
        self._changed(task.id)

    def _changed(self, task_id: int) -> None:
        self.transition.data_changed()
        self._shown_version = self.transition.data_version
        self.safely(lambda: self.reload(keep=task_id))

    def _conflict(self, task: TaskRow) -> None:
        with self.database.session() as session:
            latest = next((row for row in person_tasks(session, task.person_id,
                                                       as_of=self.today())
                           if row.id == task.id), None)
        if latest is None:
            changed = "it is no longer there"
        else:
            changed = "; ".join(what_changed(task, latest))
            if latest.updated_by:
                changed = f"{latest.updated_by} changed it: {changed}"
        self.notify(f"{task.title} ({task.person_name}) was changed while you were looking "
                    f"({changed}). Nothing was saved; the list now shows the latest. Check it "
                    "and make your change again.", title="Changed by someone else",
                    severity="warning")
        self._changed(task.id)

    # -- making the tasks (as transition tasks generate does) ------------------------------

    def action_generate(self) -> None:
        """Ask, then make or bring up to date every handover's tasks from the accepted plan;
        with no plan accepted yet, say how to accept one instead of asking."""
        if self.making is not None:
            return
        accepted = False

        def read() -> None:
            nonlocal accepted
            self.transition.rules  # noqa: B018 (loads them now: a bad rules file is said here)
            with self.database.session() as session:
                accepted = plan_accepted(session)

        if not self.safely(read):
            return
        if not accepted:
            self.notify("Tasks are made from the accepted plan, and no plan has been accepted "
                        "yet. Accept one on the plan screen (p, then A), then press G here.",
                        title="No accepted plan", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.making = "Making the handover tasks…"
                self._show_summary()
                self.refresh_bindings()
                self._make_tasks()

        self.app.push_screen(ConfirmScreen(
            "Make the handover tasks from the accepted plan?",
            detail="As transition tasks generate does: tasks now needed are added, tasks that "
                   "no longer apply are marked not needed, owners and due dates move with the "
                   "plan; done work is never touched. Every change is audited as "
                   f"{self.settings.actor}.",
            yes="Make tasks", no="Not now",
        ), answered)

    @work(thread=True, exclusive=True, group="tasks-generate", exit_on_error=False)
    def _make_tasks(self) -> tuple[GenerateSummary, date]:
        today = self.today()
        with self.database.transaction() as session:
            summary = generate_tasks(
                session, self.transition.rules.tasks, as_of=today, actor=self.settings.actor,
                transfer_date=programme_transfer_date(session),
                progress=lambda done, total: self.app.call_from_thread(
                    self._making_progress, done, total),
            )
        return summary, today

    def _making_progress(self, done: int, total: int) -> None:
        self.making = (f"Making the handover tasks… {count(done)} of "
                       f"{plural(total, 'person', 'people')} done")
        self._show_summary()

    def on_worker_state_changed(self, event: Worker[Any].StateChanged) -> None:
        if event.worker.group != "tasks-generate" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.making = None
        self._show_summary()
        self.refresh_bindings()
        if event.state == WorkerState.SUCCESS:
            summary, today = event.worker.result  # type: ignore[misc]
            self._made(summary, today)
        elif event.state == WorkerState.ERROR:
            self._not_made(event.worker.error)

    def _made(self, summary: GenerateSummary, today: date) -> None:
        message = summary.describe(today)
        if summary.without_handover_date:
            message += (f"\n{plural(summary.without_handover_date, 'person', 'people')} "
                        "need a handover but have no handover date, so they have no tasks "
                        "yet. Set the programme's date with: transition programme set "
                        "--transfer-date DATE")
        self.notify(message, title="Tasks made",
                    severity="warning" if summary.without_handover_date else "information")
        self.transition.data_changed()
        self._shown_version = self.transition.data_version
        self.page_start = 0
        self.safely(self.reload)

    def _not_made(self, error: BaseException | None) -> None:
        if isinstance(error, TransitionError):
            message = f"{error.message} {error.hint or ''}".strip()
        else:
            # The driver's text may quote data (a person's name), so only the kind of failure,
            # unless it is one the database's words know.
            message = database_words(self.database, error) or (
                f"{type(error).__name__} on {self.database.describe()}: no task was made or "
                "changed. Check the database is reachable and try again.")
        self.notify(message, title="Tasks not made", severity="error")
