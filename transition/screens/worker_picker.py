"""Choosing a worker for one person's role: only workers who meet every hard constraint and
have a place free, best match first, each with their remaining capacity and why they fit. When
no worker does, the workers of the right employer and job, each with why not, for a choice
made anyway (recorded with what it breaks, as ``transition assign --force`` is).

The list comes from :func:`transition.worker_overrides.feasible_workers`; the modal only asks,
the plan screen saves through :func:`transition.worker_overrides.assign_worker`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from transition import nhs
from transition.matching import ROLE_WORDS
from transition.screens.choice_dialog import ChoiceWithReasonScreen, ExplanationBox
from transition.worker_overrides import WorkerOption


@dataclass(frozen=True)
class WorkerPick:
    staff_id: str
    reason: str
    lock: bool


def option_label(option: WorkerOption, planned: str | None, marker: str = "planned") -> Text:
    """'Jo Worker (SW2) · North Council · 1 of 3, 2 free · new worker, speaks Polish'."""
    spare_style = "bold green" if option.spare > 1 else "bold yellow"
    text = Text.assemble(
        (option.name, "bold"), f" ({option.staff_id})",
        (f" · {marker}" if option.staff_id == planned else "", "bold cyan"),
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

    # The explanation (which workers are listed, or why none fits and what choosing one anyway
    # does) stays in view above the list (ChoiceWithReasonScreen), in a box of a few lines
    # that scrolls when a long "why none" needs more. At 80x24 the list and the buttons give
    # up their blank lines to it (the empty problem line still keeps the buttons apart).
    DEFAULT_CSS = """
    WorkerPickerScreen > #dialog { width: 100; }
    WorkerPickerScreen #explanation { height: auto; max-height: 8; }
    WorkerPickerScreen.-short #explanation { max-height: 5; }
    WorkerPickerScreen #workers { max-height: 14; }
    WorkerPickerScreen.-short #workers { max-height: 8; margin: 0; }
    WorkerPickerScreen.-short #answers { margin-top: 0; }
    """

    LIST_ID = "workers"
    SAVE_LABEL = "Assign (ctrl+s)"
    REASON_PLACEHOLDER = "e.g. Knows the family from a previous episode"
    NO_CHOICE = "Choose a worker first (up/down)."

    def __init__(self, question: str, options: list[WorkerOption], *, planned: str | None,
                 anyway: str | None = None, marker: str = "planned",
                 save: Callable[[WorkerPick], str | None] | None = None) -> None:
        """``anyway``: why no worker meets every hard constraint, when none does; the options
        are then the workers ruled out, and saving records the choice anyway. ``save``: saves
        the pick, returning why it was refused, if it was (the dialog then stays open with the
        choice and the reason typed, and says why)."""
        super().__init__(question, save)
        self.options = options
        self.planned = planned
        self.marker = marker  # what the list says of ``planned``: "planned", "holds it now"
        self.anyway = anyway
        if anyway is not None:
            self.SAVE_LABEL = "Assign anyway (ctrl+s)"

    def intro(self) -> list[Widget]:
        if self.anyway is None:
            said = Text("Only workers who meet every hard constraint and have a place free "
                        "are listed, best match first.", style="dim")
        else:
            said = Text.assemble(
                ("No worker meets every hard constraint with a place free", "bold"),
                f": {self.anyway}.\n",
                "These workers fit the role but are ruled out, fewest problems first. "
                "Choosing one records it anyway, with what it breaks, in the audit trail.",
                style="yellow")
        return [ExplanationBox(Static(said, id="explanation-text"), id="explanation")]

    def choices(self) -> list[Option]:
        return [Option(option_label(option, self.planned, self.marker), id=option.staff_id)
                for option in self.options]

    def extra(self) -> list[Widget]:
        return [Checkbox("Lock: keep this worker in every later plan", value=True, id="lock")]

    def answer(self, index: int, reason: str) -> WorkerPick:
        return WorkerPick(self.options[index].staff_id, reason,
                          self.query_one("#lock", Checkbox).value)


def ask_for_worker(
    screen: Screen[Any], *, name: str, nhs_number: str, role: str, options: list[WorkerOption],
    planned: str | None, why_none: Sequence[str],
    chosen: Callable[[WorkerPick, bool], str | None], marker: str = "planned",
) -> None:
    """Offer ``options`` (from :func:`transition.worker_overrides.worker_choices`) for one
    person's role; ``chosen(pick, force)`` saves the manager's pick, ``force`` when no option
    fits every hard constraint (the choice is then recorded with what it breaks, as
    ``transition assign --force`` is), and returns why it was refused, if it was: the dialog
    stays open with what was typed. ``why_none``: why the plan could not fill the role."""
    role_words = ROLE_WORDS.get(role, role)
    if not options:
        screen.notify(f"No {role_words} on the staff list works on {name}'s handover date"
                      + (": " + "; ".join(why_none) if why_none else "."),
                      title="No one can take this role", severity="warning")
        return
    anyway = not any(option.feasible for option in options)
    question = f"Choose the {role_words} for {name} ({nhs.format_334(nhs_number)})"

    reason = (("; ".join(why_none) or f"every {role_words} on the staff list is ruled out")
              if anyway else None)
    screen.app.push_screen(WorkerPickerScreen(question, options, planned=planned, anyway=reason,
                                              marker=marker,
                                              save=lambda pick: chosen(pick, anyway)))


class RoleChoiceScreen(ModalScreen[str | None]):
    """Which of a person's roles to choose a worker for: up/down, enter; escape cancels."""

    DEFAULT_CSS = """
    RoleChoiceScreen { align: center middle; }
    RoleChoiceScreen > #dialog {
        width: 72; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    RoleChoiceScreen #roles { height: auto; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, roles: list[tuple[str, str]]) -> None:
        """``roles``: (role, what the list says of it)."""
        super().__init__()
        self.question = question
        self.roles = roles

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question, style="bold"))
            yield OptionList(*(Option(label, id=role) for role, label in self.roles), id="roles")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
