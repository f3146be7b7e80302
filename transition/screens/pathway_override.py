"""A manager's pathway override from the person screen: choose a pathway (or, under an
override, the rules' pathway back), say why, save.

Above the choices it says what the rules decided and why, in the rules file's words, and the
override already in place if there is one, so a manager overrides knowingly. The modal only
asks; the person screen saves through :mod:`transition.overrides` (which checks the version
the manager read, refuses a statutory duty being dropped, and audits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from transition.db import Database
from transition.errors import NotFoundError
from transition.models import Person
from transition.overrides import MAX_REASON_LENGTH, clear_pathway_override, set_pathway_override
from transition.screens.choice_dialog import ChoiceWithReasonScreen, ExplanationBox
from transition.widgets.pathway import (
    PATHWAY_MEANING,
    PATHWAY_STYLES,
    PATHWAYS,
    pathway_text,
    reasons_list,
    rules_reasons,
    set_by,
)

CLEAR = "clear"


@dataclass(frozen=True)
class OverrideChoice:
    pathway: str  # a pathway, or CLEAR: the rules' decision back
    reason: str


# On the problem line while the rules' own pathway is chosen under an override: saving it sets
# an override again, one that stays when the rules change (the last choice gives the decision
# back). Kept within 76 columns, the dialog's width at 80.
STILL_AN_OVERRIDE = "Still a manager's override: it will not follow the rules if they change."
OVERRIDE_CLEARED = "Override cleared: the rules decide again."


LABEL_WIDTH = len("The rules decided  ")


class ReasonsBox(ExplanationBox):
    """The rules' reasons, scrolled within a few lines; reached with tab only when they do not
    all show (a box with nothing to scroll would be a dead stop between the keys)."""


class PathwayOverrideScreen(ChoiceWithReasonScreen[OverrideChoice]):
    """What the rules decided and why, then: pick a pathway (up/down) and write the reason;
    ctrl+s saves, escape cancels. With an override in place, a last choice gives the rules'
    decision back."""

    # The reasons scroll in their own box; at 80x24 the choices lose their margins and the
    # box shrinks to what is left, so the override in place, the rules' decision, the choices
    # and the reason all show at once (the decision and the reasons stay in view above the
    # rest: ChoiceWithReasonScreen). 96 wide: "(the rules')" after assess's meaning fits.
    # Under an override the list has a sixth line (the rules' pathway back): at 80x24 the
    # buttons give up the blank line above them for it (the problem line is still between).
    DEFAULT_CSS = """
    PathwayOverrideScreen > #dialog { width: 96; }
    PathwayOverrideScreen #pathways { max-height: 7; }
    PathwayOverrideScreen.-overridden #pathways { max-height: 8; }
    PathwayOverrideScreen #rules-decision { text-wrap: nowrap; text-overflow: ellipsis; }
    PathwayOverrideScreen #rules-reasons { height: auto; max-height: 10; }
    PathwayOverrideScreen.-short #rules-reasons { max-height: 4; }
    PathwayOverrideScreen.-short.-overridden #rules-reasons { max-height: 3; }
    PathwayOverrideScreen.-short #pathways { margin: 0; }
    PathwayOverrideScreen.-short.-overridden #answers { margin-top: 0; }
    PathwayOverrideScreen #problem.-hint { color: $text-warning; }
    """

    LIST_ID = "pathways"
    REASON_PLACEHOLDER = "e.g. Agreed at the transition panel on 12 Jan"
    REASON_MAX_LENGTH = MAX_REASON_LENGTH
    NO_CHOICE = "Choose a pathway first (up/down)."
    NO_REASON = "Say why: an override needs a written reason."

    def __init__(self, person_label: str, current: str | None,
                 save: Callable[[OverrideChoice], str | None] | None = None, *,
                 rules_decision: str | None = None,
                 reasons: Iterable[Mapping[str, Any]] = (),
                 override: Mapping[str, Any] | None = None) -> None:
        """``rules_decision``, ``reasons`` and ``override``: the person's
        ``pathway_rules_decision``, ``pathway_reasons`` and ``pathway_override`` (as
        :func:`transition.people.person_detail` gives them), shown above the choices.
        ``save``: saves a choice (through :func:`save_override`, whose domain function
        refuses a statutory duty being dropped), returning why it was refused, if it was:
        the dialog then stays open with the reason typed, and says why."""
        super().__init__(f"Override the pathway for {person_label}", save)
        self.person_label = person_label
        self.current = current
        self.rules_decision = rules_decision
        self.reasons = rules_reasons(reasons)
        self.override = override
        self.values = [*PATHWAYS, *([CLEAR] if override is not None else [])]
        self.set_class(override is not None, "-overridden")

    def intro(self) -> list[Widget]:
        widgets: list[Widget] = [Static(self.decision(), id="rules-decision")]
        if self.reasons:
            widgets.append(ReasonsBox(Static(reasons_list(self.reasons)), id="rules-reasons"))
        return widgets

    def decision(self) -> Text:
        """The override in place ('Now  assess ✎  j.smith on ...: why'), then 'The rules
        decided  joint, because:'; a line each, cut with "…" (the whole reason for the
        override is on the person screen behind)."""
        lines = []
        if self.override is not None:
            lines.append(Text.assemble(("Now".ljust(LABEL_WIDTH), "dim"),
                                       pathway_text(self.current, overridden=True),
                                       "  ", set_by(self.override)))
        # The pathway's meaning is in the choices below: its name alone keeps this to a line.
        decided = pathway_text(self.rules_decision)
        if self.rules_decision is None:  # as the pathway box says it
            decided.append(": run transition assess (or plan)", style="dim")
        elif self.reasons:
            decided.append(", because:", style="")
        lines.append(Text.assemble(("The rules decided".ljust(LABEL_WIDTH), "dim"), decided))
        return Text("\n").join(lines)

    def choices(self) -> list[Option]:
        # The pathway's colour on a bullet, its name in the text colour: a name in blue
        # (joint) could not be read on the highlight's blue.
        options = []
        for pathway in self.values:
            if pathway == CLEAR:  # worded as the risk-band dialog's "the rules' band"
                options.append(Option(Text.assemble(
                    ("↺ ", "bold"), ("the rules' pathway", "bold"),
                    f": clear the manager's override ({self.rules_decision or 'not decided yet'})"),
                    id=CLEAR))
                continue
            notes = [note for note, applies in (
                ("now", pathway == self.current),
                # Said only under an override: without one, "now" is the rules' decision.
                ("the rules'", self.override is not None and pathway == self.rules_decision))
                if applies]
            options.append(Option(Text.assemble(
                ("● ", PATHWAY_STYLES.get(pathway, "")), (pathway, "bold"),
                " " * (10 - len(pathway)), PATHWAY_MEANING[pathway],
                (f"  ({', '.join(notes)})" if notes else "", "dim")), id=pathway))
        return options

    def first_highlighted(self) -> int:
        return PATHWAYS.index(self.current) if self.current in PATHWAYS else 0

    def answer(self, index: int, reason: str) -> OverrideChoice:
        return OverrideChoice(self.values[index], reason)

    @on(OptionList.OptionHighlighted, "#pathways")
    def _hint(self, event: OptionList.OptionHighlighted) -> None:
        """Under an override, the rules' own pathway: say that saving it keeps a manager's
        decision. On the problem line (a line already kept for it, so nothing else moves),
        unless that says why a save was refused."""
        problem = self.query_one("#problem", Static)
        if str(problem.content) and not problem.has_class("-hint"):
            return
        still = (self.override is not None and self.rules_decision is not None
                 and event.option.id == self.rules_decision)
        problem.update(STILL_AN_OVERRIDE if still else "")
        problem.set_class(still, "-hint")

    def action_save(self) -> None:
        problem = self.query_one("#problem", Static)
        if problem.has_class("-hint"):  # a refusal, if any, is said instead
            problem.update("")
            problem.remove_class("-hint")
        super().action_save()


# -- saving (called by the person screen) --------------------------------------------------------

IGNORED_WHEN_COMPARING = frozenset({"version", "warnings", "import", "letters", "tasks"})


def save_override(
    database: Database, person_id: int, choice: OverrideChoice, *, actor: str,
    expected_version: int,
) -> None:
    """Set the override, or clear it (CLEAR: as ``u`` does, with the reason audited), in its
    own transaction; ConflictError if the record moved on."""
    if choice.pathway == CLEAR:
        clear_override(database, person_id, actor=actor, reason=choice.reason,
                       expected_version=expected_version)
        return
    with database.transaction() as session:
        person = person_for_change(session, person_id)
        set_pathway_override(session, person, choice.pathway, reason=choice.reason, actor=actor,
                             expected_version=expected_version)


def clear_override(
    database: Database, person_id: int, *, actor: str, expected_version: int,
    reason: str | None = None,
) -> None:
    """The rules' decision back, in its own transaction (``u``, or the dialog's last choice
    with its reason); ConflictError if the record moved on."""
    with database.transaction() as session:
        person = person_for_change(session, person_id)
        clear_pathway_override(session, person, actor=actor, reason=reason,
                               expected_version=expected_version)


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
