"""A manager's pathway override from the person screen: choose a pathway, say why, save.

The modal only asks; the person screen saves through :mod:`transition.overrides` (which checks
the version the manager read, refuses a statutory duty being dropped, and audits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from transition.db import Database
from transition.errors import NotFoundError
from transition.models import Person
from transition.overrides import MAX_REASON_LENGTH, clear_pathway_override, set_pathway_override
from transition.widgets.pathway import PATHWAY_MEANING, PATHWAYS, pathway_text


@dataclass(frozen=True)
class OverrideChoice:
    pathway: str
    reason: str


class PathwayOverrideScreen(ModalScreen[OverrideChoice | None]):
    """Pick a pathway (up/down) and write the reason; ctrl+s saves, escape cancels."""

    DEFAULT_CSS = """
    PathwayOverrideScreen { align: center middle; }
    PathwayOverrideScreen > #dialog {
        width: 84; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    PathwayOverrideScreen #pathways { height: auto; max-height: 7; margin: 1 0; }
    PathwayOverrideScreen #problem { color: $text-error; height: auto; }
    PathwayOverrideScreen #answers { height: auto; margin-top: 1; align-horizontal: right; }
    PathwayOverrideScreen Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="override.save"),
        Binding("escape", "cancel", "Cancel", id="override.cancel"),
    ]

    def __init__(self, person_label: str, current: str | None) -> None:
        super().__init__()
        self.person_label = person_label
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Override the pathway for {self.person_label}", id="question")
            yield OptionList(
                *(Option(pathway_text(pathway) + f"{' ' * (10 - len(pathway))}"
                         f"{PATHWAY_MEANING[pathway]}", id=pathway)
                  for pathway in PATHWAYS),
                id="pathways",
            )
            yield Label("Why (kept in the audit trail):")
            yield Input(placeholder="e.g. Agreed at the transition panel on 12 Jan",
                        max_length=MAX_REASON_LENGTH, id="reason")
            yield Static("", id="problem")
            with Horizontal(id="answers"):
                yield Button("Save (ctrl+s)", id="save", variant="warning")
                yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        options = self.query_one("#pathways", OptionList)
        options.highlighted = PATHWAYS.index(self.current) if self.current in PATHWAYS else 0
        options.focus()

    @on(OptionList.OptionSelected, "#pathways")
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
        options = self.query_one("#pathways", OptionList)
        reason = self.query_one("#reason", Input).value.strip()
        if options.highlighted is None:
            self.query_one("#problem", Static).update("Choose a pathway first (up/down).")
            return
        if not reason:
            self.query_one("#problem", Static).update(
                "Say why: an override needs a written reason.")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(OverrideChoice(PATHWAYS[options.highlighted], reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- saving (called by the person screen) --------------------------------------------------------

IGNORED_WHEN_COMPARING = frozenset({"version", "warnings", "import", "letters", "tasks"})


def save_override(
    database: Database, person_id: int, choice: OverrideChoice, *, actor: str,
    expected_version: int,
) -> None:
    """Set the override in its own transaction; ConflictError if the record moved on."""
    with database.transaction() as session:
        person = _person(session, person_id)
        set_pathway_override(session, person, choice.pathway, reason=choice.reason, actor=actor,
                             expected_version=expected_version)


def clear_override(
    database: Database, person_id: int, *, actor: str, expected_version: int
) -> None:
    with database.transaction() as session:
        person = _person(session, person_id)
        clear_pathway_override(session, person, actor=actor, expected_version=expected_version)


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("This person is no longer on the caseload. Nothing was changed.")
    return person


def what_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """'pathway (council → joint), risk band' : the fields someone else changed meanwhile."""
    parts = []
    for key in sorted(set(before) | set(after)):
        if key in IGNORED_WHEN_COMPARING or before.get(key) == after.get(key):
            continue
        old, new = before.get(key), after.get(key)
        label = key.replace("_", " ")
        if isinstance(old, str | int | None) and isinstance(new, str | int | None) and \
                key in ("pathway", "risk_band", "risk_score", "team", "care_coordinator_id"):
            parts.append(f"{label} ({old if old is not None else 'none'} → "
                         f"{new if new is not None else 'none'})")
        else:
            parts.append(label)
    return ", ".join(parts) if parts else "nothing visible on this screen"
