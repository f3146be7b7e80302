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
from transition.widgets.tickbox import TickBox
from transition.worker_overrides import WorkerOption


@dataclass(frozen=True)
class WorkerPick:
    staff_id: str
    reason: str
    lock: bool


# The matcher's words for the worker a need has now; the list says which kind of "now".
KEEPS_CURRENT = "keeps current worker"
CARRIES_ON = "keeps their current worker (the trust's care coordinator carries on)"
CASELOAD_WORDS = ("N of M with them: the worker's caseload after the plan with this person, as "
                  "the plan's \"caseload after plan\" counts it.")


def holds_now_words(source: str | None, plan_id: int | None = None) -> str:
    """How the list names the worker who holds the role now: 'holds the role now (since plan
    1 was accepted)', '(a manager's choice)', or plain."""
    if source == "plan" and plan_id is not None:
        return f"holds the role now (since plan {plan_id} was accepted)"
    if source == "manager":
        return "holds the role now (a manager's choice)"
    return "holds the role now"


def option_label(option: WorkerOption, planned: str | None, marker: str = "planned",
                 holds_now: tuple[str, str] | None = None) -> Text:
    """'Jo Worker (SW2) · North Council · 2 of 3 with them · new worker, speaks Polish'.

    The caseload counts this person with the worker (the plan's "caseload after plan").
    ``holds_now``: (staff id, words) of who holds the role now, said in place of the
    matcher's "keeps current worker", which otherwise means the trust's care coordinator
    carrying on."""
    with_them = option.load + 1
    style = ("bold green" if with_them < option.capacity
             else "bold yellow" if with_them == option.capacity else "bold red")
    text = Text.assemble(
        (option.name, "bold"), f" ({option.staff_id})",
        (f" · {marker}" if option.staff_id == planned else "", "bold cyan"),
        f" · {option.team or 'no council team yet'} · ",
        (f"{with_them} of {option.capacity} with them", style),
    )
    reasons = [reason if reason != KEEPS_CURRENT
               else holds_now[1] if holds_now is not None and holds_now[0] == option.staff_id
               else CARRIES_ON for reason in option.reasons]
    if reasons:
        text.append("\n   " + "; ".join(reasons), style="dim")
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
                 save: Callable[[WorkerPick], str | None] | None = None,
                 holds_now: tuple[str, str] | None = None) -> None:
        """``anyway``: why no worker meets every hard constraint, when none does; the options
        are then the workers ruled out, and saving records the choice anyway. ``save``: saves
        the pick, returning why it was refused, if it was (the dialog then stays open with the
        choice and the reason typed, and says why)."""
        super().__init__(question, save)
        self.options = options
        self.planned = planned
        self.marker = marker  # what the list says of ``planned``: "planned", "holds it now"
        self.anyway = anyway
        self.holds_now = holds_now  # (staff id, words): who holds the role now
        if anyway is not None:
            self.SAVE_LABEL = "Assign anyway (ctrl+s)"

    def intro(self) -> list[Widget]:
        if self.anyway is None:
            said = Text("Only workers who meet every hard constraint and have a place free "
                        f"are listed, best match first. {CASELOAD_WORDS}", style="dim")
        else:
            said = Text.assemble(
                ("No worker meets every hard constraint with a place free", "bold"),
                f": {self.anyway}.\n",
                "These workers fit the role but are ruled out, fewest problems first. "
                "Choosing one records it anyway, with what it breaks, in the audit trail. "
                f"{CASELOAD_WORDS}",
                style="yellow")
        return [ExplanationBox(Static(said, id="explanation-text"), id="explanation")]

    def choices(self) -> list[Option]:
        return [Option(option_label(option, self.planned, self.marker, self.holds_now),
                       id=option.staff_id)
                for option in self.options]

    def extra(self) -> list[Widget]:
        return [TickBox("Lock: keep this worker in every later plan", value=True, id="lock")]

    def answer(self, index: int, reason: str) -> WorkerPick:
        return WorkerPick(self.options[index].staff_id, reason,
                          self.query_one("#lock", Checkbox).value)


def ask_for_worker(
    screen: Screen[Any], *, name: str, nhs_number: str, role: str, options: list[WorkerOption],
    planned: str | None, why_none: Sequence[str],
    chosen: Callable[[WorkerPick, bool], str | None], marker: str = "planned",
    holds_now: tuple[str, str] | None = None,
) -> None:
    """Offer ``options`` (from :func:`transition.worker_overrides.worker_choices`) for one
    person's role; ``chosen(pick, force)`` saves the manager's pick, ``force`` when no option
    fits every hard constraint (the choice is then recorded with what it breaks, as
    ``transition assign --force`` is), and returns why it was refused, if it was: the dialog
    stays open with what was typed. ``why_none``: why the plan could not fill the role.
    ``holds_now``: (staff id, words, :func:`holds_now_words`) of who holds the role now."""
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
                                              marker=marker, holds_now=holds_now,
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
