"""Choosing a worker for one person's role: only workers who meet every hard constraint and
have a place free, best match first, each with their remaining capacity and why they fit. When
no worker does, the workers of the right employer and job, each with why not, for a choice
made anyway (recorded with what it breaks, as ``transition assign --force`` is).

The list comes from :func:`transition.worker_overrides.feasible_workers`; the modal only asks,
the plan screen saves through :func:`transition.worker_overrides.assign_worker`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Checkbox, Static
from textual.widgets.option_list import Option

from transition.screens.choice_dialog import ChoiceWithReasonScreen
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
    if option.why_not:
        text.append("\n   ✗ " + "; ".join(option.why_not), style="red")
    return text


class WorkerPickerScreen(ChoiceWithReasonScreen[WorkerPick]):
    """Pick a feasible worker (up/down), say why, lock or not; ctrl+s saves, escape cancels."""

    DEFAULT_CSS = """
    WorkerPickerScreen > #dialog { width: 100; }
    WorkerPickerScreen #workers { max-height: 14; }
    """

    LIST_ID = "workers"
    SAVE_LABEL = "Assign (ctrl+s)"
    REASON_PLACEHOLDER = "e.g. Knows the family from a previous episode"
    NO_CHOICE = "Choose a worker first (up/down)."

    def __init__(self, question: str, options: list[WorkerOption], *, planned: str | None,
                 anyway: str | None = None) -> None:
        """``anyway``: why no worker meets every hard constraint, when none does; the options
        are then the workers ruled out, and saving records the choice anyway."""
        super().__init__(question)
        self.options = options
        self.planned = planned
        self.anyway = anyway
        if anyway is not None:
            self.SAVE_LABEL = "Assign anyway (ctrl+s)"

    def intro(self) -> list[Widget]:
        if self.anyway is None:
            return [Static(Text("Only workers who meet every hard constraint and have a place "
                                "free are listed, best match first.", style="dim"))]
        return [Static(Text.assemble(
            ("No worker meets every hard constraint with a place free", "bold"),
            f": {self.anyway}.\n",
            "These workers fit the role but are ruled out, fewest problems first. Choosing "
            "one records it anyway, with what it breaks, in the audit trail.",
            style="yellow"))]

    def choices(self) -> list[Option]:
        return [Option(option_label(option, self.planned), id=option.staff_id)
                for option in self.options]

    def extra(self) -> list[Widget]:
        return [Checkbox("Lock: keep this worker in every later plan", value=True, id="lock")]

    def answer(self, index: int, reason: str) -> WorkerPick:
        return WorkerPick(self.options[index].staff_id, reason,
                          self.query_one("#lock", Checkbox).value)
