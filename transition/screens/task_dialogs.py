"""The two small boxes the tasks screen opens: change a task's status, and write its note."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from transition.models import TaskStatus
from transition.tasks import MAX_NOTE, MAX_REASON, TaskRow
from transition.widgets.format import task_status, uk_date

# status, label, key: the order a task usually moves through
STATUS_OPTIONS: tuple[tuple[TaskStatus, str, str], ...] = (
    (TaskStatus.TODO, "To do", "t"),
    (TaskStatus.IN_PROGRESS, "In progress", "i"),
    (TaskStatus.DONE, "Done", "d"),
    (TaskStatus.NOT_NEEDED, "Not needed (say why)", "n"),
    (TaskStatus.BLOCKED, "Blocked (say what it waits for)", "b"),
)
WITH_REASON = (TaskStatus.BLOCKED, TaskStatus.NOT_NEEDED)


# What the columns hold (the domain refuses more): a blocked or not-needed reason is kept in
# the task and in the audit trail's reason, a note in the task.
REASON_LIMIT = MAX_REASON
NOTE_LIMIT = MAX_NOTE


@dataclass(frozen=True)
class StatusChoice:
    status: str
    reason: str | None = None


def task_heading(task: TaskRow) -> Text:
    return Text.assemble((task.title, "bold"), "\n",
                         (f"{task.person_name} · due {uk_date(task.due)} · task {task.id}", "dim"))


class StatusScreen(ModalScreen[StatusChoice | None]):
    """Choose a task's new status; blocked and not needed need a reason (the domain refuses
    either without one: :func:`~transition.tasks.set_task_status`)."""

    CSS_PATH = "task_dialogs.tcss"

    BINDINGS = [
        *(Binding(key, f"choose('{status.value}')", label, show=False)
          for status, label, key in STATUS_OPTIONS),
        Binding("escape", "cancel", "Cancel", id="task-status.cancel"),
    ]

    def __init__(self, task: TaskRow) -> None:
        super().__init__()
        self.task_row = task
        self.chosen: TaskStatus | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(task_heading(self.task_row), id="task-heading")
            yield OptionList(
                *(Option(Text.assemble((f"{key}  ", "bold"), label,
                                       ("  (now)", "dim") if status == self.task_row.status else ""),
                         id=status.value)
                  for status, label, key in STATUS_OPTIONS),
                id="statuses",
            )
            yield Input(placeholder="Reason", id="reason", max_length=REASON_LIMIT)
            yield Static("", id="status-hint")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).display = False
        options = self.query_one("#statuses", OptionList)
        options.highlighted = next(index for index, (status, _, _) in enumerate(STATUS_OPTIONS)
                                   if status == self.task_row.status)
        options.focus()
        self._hint("Choose the new status: enter, or its key.")

    def _hint(self, text: str, *, error: bool = False) -> None:
        hint = self.query_one("#status-hint", Static)
        hint.update(text)
        hint.set_class(error, "-error")

    @on(OptionList.OptionSelected, "#statuses")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.action_choose(event.option.id)

    def action_choose(self, status: str) -> None:
        chosen = TaskStatus(status)
        if chosen not in WITH_REASON:
            self.dismiss(StatusChoice(chosen.value))
            return
        self.chosen = chosen
        reason = self.query_one("#reason", Input)
        reason.display = True
        reason.placeholder = ("What is it waiting for? (needed)" if chosen is TaskStatus.BLOCKED
                              else "Why is it not needed? (required)")
        if self.task_row.status == chosen.value and self.task_row.blocked_reason:
            reason.value = self.task_row.blocked_reason
        reason.focus()
        self._hint(f"{task_status(chosen.value)}: type the reason, then enter. "
                   "escape cancels.")

    @on(Input.Submitted, "#reason")
    def _reason_given(self, event: Input.Submitted) -> None:
        assert self.chosen is not None
        reason = event.value.strip()
        if self.chosen is TaskStatus.BLOCKED and not reason:
            self._hint("A blocked task needs a reason: say what it is waiting for.", error=True)
            return
        if self.chosen is TaskStatus.NOT_NEEDED and not reason:
            self._hint("A task set aside as not needed needs a reason: say why it is not "
                       "needed.", error=True)
            return
        self.dismiss(StatusChoice(self.chosen.value, reason or None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(ModalScreen[str | None]):
    """Write (or clear) a task's note; enter saves, escape cancels."""

    CSS_PATH = "task_dialogs.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="task-note.cancel")]

    def __init__(self, task: TaskRow) -> None:
        super().__init__()
        self.task_row = task

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(task_heading(self.task_row), id="task-heading")
            yield Input(self.task_row.note or "", placeholder="Note (blank clears it)",
                        id="note", max_length=NOTE_LIMIT)
            yield Static("enter saves · escape cancels · the audit trail keeps earlier notes",
                         id="status-hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _saved(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
