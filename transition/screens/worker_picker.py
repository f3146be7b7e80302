"""Choosing a worker for one person's role: only workers who meet every hard constraint and
have a place free, best match first, each with their remaining capacity and why they fit.

The list comes from :func:`transition.worker_overrides.feasible_workers`; the modal only asks,
the plan screen saves through :func:`transition.worker_overrides.assign_worker`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from transition.worker_overrides import WorkerOption


@dataclass(frozen=True)
class WorkerPick:
    staff_id: str
    reason: str
    lock: bool


def option_label(option: WorkerOption, planned: str | None) -> Text:
    """'Jo Worker (SW2) · North Council · 1 of 3, 2 free · new worker, speaks Polish'."""
    spare_style = "bold green" if option.spare > 1 else "bold yellow"
    text = Text.assemble(
        (option.name, "bold"), f" ({option.staff_id})",
        (" · planned" if option.staff_id == planned else "", "bold cyan"),
        f" · {option.team or 'no council team yet'} · {option.load} of {option.capacity}, ",
        (f"{option.spare} free", spare_style),
    )
    if option.reasons:
        text.append("\n   " + "; ".join(option.reasons), style="dim")
    return text


class WorkerPickerScreen(ModalScreen[WorkerPick | None]):
    """Pick a feasible worker (up/down), say why, lock or not; ctrl+s saves, escape cancels."""

    DEFAULT_CSS = """
    WorkerPickerScreen { align: center middle; }
    WorkerPickerScreen > #dialog {
        width: 100; height: auto; max-height: 90%; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    WorkerPickerScreen #workers { height: auto; max-height: 14; margin: 1 0; }
    WorkerPickerScreen #problem { color: $text-error; height: auto; }
    WorkerPickerScreen #answers { height: auto; margin-top: 1; align-horizontal: right; }
    WorkerPickerScreen Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="picker.save"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, question: str, options: list[WorkerOption], *, planned: str | None) -> None:
        super().__init__()
        self.question = question
        self.options = options
        self.planned = planned

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            yield Static(Text("Only workers who meet every hard constraint and have a place "
                              "free are listed, best match first.", style="dim"))
            yield OptionList(*(Option(option_label(option, self.planned), id=option.staff_id)
                               for option in self.options), id="workers")
            yield Label("Why (kept in the audit trail):")
            yield Input(placeholder="e.g. Knows the family from a previous episode",
                        max_length=1000, id="reason")
            yield Checkbox("Lock: keep this worker in every later plan", value=True, id="lock")
            yield Static("", id="problem")
            with Horizontal(id="answers"):
                yield Button("Assign (ctrl+s)", id="save", variant="warning")
                yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        workers = self.query_one("#workers", OptionList)
        workers.highlighted = 0
        workers.focus()

    @on(OptionList.OptionSelected, "#workers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        highlighted = self.query_one("#workers", OptionList).highlighted
        reason = self.query_one("#reason", Input).value.strip()
        if highlighted is None:
            self.query_one("#problem", Static).update("Choose a worker first (up/down).")
            return
        if not reason:
            self.query_one("#problem", Static).update("Say why: it goes into the audit trail.")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(WorkerPick(self.options[highlighted].staff_id, reason,
                                self.query_one("#lock", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
