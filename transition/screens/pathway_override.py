"""A manager's pathway override from the person screen: choose a pathway, say why, save.

The modal only asks; the person screen saves through :mod:`transition.overrides` (which checks
the version the manager read, refuses a statutory duty being dropped, and audits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.widgets.option_list import Option

from transition.db import Database
from transition.errors import NotFoundError
from transition.models import Person
from transition.overrides import MAX_REASON_LENGTH, clear_pathway_override, set_pathway_override
from transition.screens.choice_dialog import ChoiceWithReasonScreen
from transition.widgets.pathway import PATHWAY_MEANING, PATHWAY_STYLES, PATHWAYS


@dataclass(frozen=True)
class OverrideChoice:
    pathway: str
    reason: str


class PathwayOverrideScreen(ChoiceWithReasonScreen[OverrideChoice]):
    """Pick a pathway (up/down) and write the reason; ctrl+s saves, escape cancels."""

    DEFAULT_CSS = """
    PathwayOverrideScreen #pathways { max-height: 7; }
    """

    LIST_ID = "pathways"
    REASON_PLACEHOLDER = "e.g. Agreed at the transition panel on 12 Jan"
    REASON_MAX_LENGTH = MAX_REASON_LENGTH
    NO_CHOICE = "Choose a pathway first (up/down)."
    NO_REASON = "Say why: an override needs a written reason."

    def __init__(self, person_label: str, current: str | None,
                 save: Callable[[OverrideChoice], str | None] | None = None) -> None:
        """``save``: saves a choice (through :func:`save_override`, whose domain function
        refuses a statutory duty being dropped), returning why it was refused, if it was:
        the dialog then stays open with the reason typed, and says why."""
        super().__init__(f"Override the pathway for {person_label}", save)
        self.person_label = person_label
        self.current = current

    def choices(self) -> list[Option]:
        # The pathway's colour on a bullet, its name in the text colour: a name in blue
        # (joint) could not be read on the highlight's blue.
        return [Option(Text.assemble(("● ", PATHWAY_STYLES.get(pathway, "")), (pathway, "bold"),
                                     " " * (10 - len(pathway)), PATHWAY_MEANING[pathway],
                                     ("  (now)" if pathway == self.current else "", "dim")),
                       id=pathway) for pathway in PATHWAYS]

    def first_highlighted(self) -> int:
        return PATHWAYS.index(self.current) if self.current in PATHWAYS else 0

    def answer(self, index: int, reason: str) -> OverrideChoice:
        return OverrideChoice(PATHWAYS[index], reason)


# -- saving (called by the person screen) --------------------------------------------------------

IGNORED_WHEN_COMPARING = frozenset({"version", "warnings", "import", "letters", "tasks"})


def save_override(
    database: Database, person_id: int, choice: OverrideChoice, *, actor: str,
    expected_version: int,
) -> None:
    """Set the override in its own transaction; ConflictError if the record moved on."""
    with database.transaction() as session:
        person = person_for_change(session, person_id)
        set_pathway_override(session, person, choice.pathway, reason=choice.reason, actor=actor,
                             expected_version=expected_version)


def clear_override(
    database: Database, person_id: int, *, actor: str, expected_version: int
) -> None:
    with database.transaction() as session:
        person = person_for_change(session, person_id)
        clear_pathway_override(session, person, actor=actor, expected_version=expected_version)


def person_for_change(session: Session, person_id: int) -> Person:
    """The person being changed from a dialog; NotFoundError if they are gone meanwhile."""
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
