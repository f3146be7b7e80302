"""A manager's handover-risk band from the person screen: choose a band (or the rules' band
back), say why, save.

The modal only asks; the person screen saves through :mod:`transition.risk_overrides` (which
checks the version the manager read, audits, and brings the person's tasks up to date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.widgets.option_list import Option

from transition.db import Database
from transition.models import RiskBand
from transition.risk import BAND_MEANING
from transition.risk_overrides import MAX_REASON_LENGTH, BandChange, clear_risk_band, set_risk_band
from transition.ruleset import Rules
from transition.screens.choice_dialog import ChoiceWithReasonScreen
from transition.screens.pathway_override import person_for_change
from transition.widgets.pathway import BAND_STYLES

CLEAR = "clear"


@dataclass(frozen=True)
class BandChoice:
    band: str  # red, amber, green, or CLEAR: the rules' band back
    reason: str


class RiskBandScreen(ChoiceWithReasonScreen[BandChoice]):
    """Pick a band (up/down) and write the reason; ctrl+s saves, escape cancels. With a
    manager's band set, a last choice gives the rules' band back."""

    DEFAULT_CSS = """
    RiskBandScreen #bands { max-height: 8; }
    """

    LIST_ID = "bands"
    REASON_PLACEHOLDER = "e.g. Seen by the crisis team on 2 Mar; carer has moved away"
    REASON_MAX_LENGTH = MAX_REASON_LENGTH
    NO_CHOICE = "Choose a band first (up/down)."
    NO_REASON = "Say why: a manager's band needs a written reason."

    def __init__(self, person_label: str, current: str | None, rules_band: str | None,
                 overridden: bool, save: Callable[[BandChoice], str | None] | None = None) -> None:
        super().__init__(f"Set the handover-risk band for {person_label}", save)
        self.current = current
        self.rules_band = rules_band
        self.overridden = overridden
        self.values = [band.value for band in RiskBand] + ([CLEAR] if overridden else [])

    def choices(self) -> list[Option]:
        options = []
        for value in self.values:
            if value == CLEAR:
                label = Text.assemble(("↺ ", "bold"), ("the rules' band", "bold"),
                                      f": clear the manager's band ({self.rules_band or 'none'})")
            else:
                notes = [note for note, applies in (("now", value == self.current),
                                                    ("the rules'", value == self.rules_band))
                         if applies]
                label = Text.assemble(("● ", BAND_STYLES.get(value, "")), (value, "bold"),
                                      " " * (7 - len(value)), BAND_MEANING[RiskBand(value)],
                                      (f"  ({', '.join(notes)})" if notes else "", "dim"))
            options.append(Option(label, id=value))
        return options

    def first_highlighted(self) -> int:
        return self.values.index(self.current) if self.current in self.values else 0

    def answer(self, index: int, reason: str) -> BandChoice:
        return BandChoice(self.values[index], reason)


def save_band(
    database: Database, rules: Rules, person_id: int, choice: BandChoice, *, actor: str,
    today: date, expected_version: int,
) -> BandChange:
    """Set or clear the band in its own transaction; ConflictError if the record moved on."""
    with database.transaction() as session:
        person = person_for_change(session, person_id)
        if choice.band == CLEAR:
            return clear_risk_band(session, rules, person, actor=actor, today=today,
                                   reason=choice.reason, expected_version=expected_version)
        return set_risk_band(session, rules, person, choice.band, reason=choice.reason,
                             actor=actor, today=today,
                             expected_version=expected_version)
