"""The people most at risk at handover, highest first, with the factors behind each score and
where each handover stands (does the worker change, and is the joint visit done?).

The ranking is :data:`transition.assessment.RANKING` (band, score, then most recent
discharge, then NHS number), the same as ``transition at-risk``.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from transition import nhs
from transition.allocation_status import handover_ahead
from transition.assessment import RANKING, AtRisk, at_risk, scores_as_of, unassessed_count
from transition.handover_status import HandoverStatus, handover_statuses
from transition.programme import transfer_date
from transition.screens.base import DataScreen
from transition.screens.reassess import (
    STALE_HINT,
    ReassessProgress,
    reassess_bindings,
    reassess_enabled,
)
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.fitted_table import FILL, FitColumn, FittedTable, WholeItems
from transition.widgets.format import plural, uk_date
from transition.widgets.pathway import (
    BAND_STYLES,
    BANDS,
    band_text,
    factors_table,
    handover_text,
    next_choice,
    pathway_text,
)

PAGE = 50
# The legend under the table while anyone listed has a manager's band (the Risk column
# shows it as '✎ amber 19'; the score stays the rules').
MANAGERS_BAND = "✎ a manager's band"

# Each factor in a few words a manager reads at a glance (the box under the table gives the
# rules' own label, points and why): at most FACTOR_LEAST cells, so the first is whole at 80
# columns, and none of the rules' ids ("s117 or cto", "long relationship").
FACTOR_WORDS = {
    "discharged_very_recently": "just discharged",
    "discharged_recently": "discharged recently",
    "no_follow_up_after_discharge": "no follow-up",
    "missed_appointments": "missed appointments",
    "self_harm_history": "self-harm history",
    "substance_misuse": "drink or drug misuse",
    "lives_alone": "lives alone",
    "repeat_admissions": "repeat admissions",
    "safeguarding_open": "open safeguarding",
    "s117_or_cto": "section 117 or CTO",
    "long_relationship": "one worker for years",
    "coordinator_leaving": "coordinator leaving",
    "no_known_coordinator": "no coordinator known",
    "personal_budget": "personal budget",
    "communication_needs": "communication needs",
    "no_recent_contact": "no recent contact",
    "no_fixed_address": "no fixed address",
    "unsettled_accommodation": "unsettled housing",
    "unemployed": "unemployed",
}
FACTOR_LEAST = 20


def factor_words(factor: str) -> str:
    """'section 117 or CTO': a factor in the Main factors column's words."""
    return FACTOR_WORDS.get(factor) or factor.replace("_", " ")


def main_factors(factors: list[dict[str, object]]) -> str:
    """The top three factors, in words: 'just discharged, self-harm history, lives alone'."""
    return ", ".join(main_factor_words(factors))


def main_factor_words(factors: list[dict[str, object]]) -> tuple[str, ...]:
    """The top three factors, each in words."""
    return tuple(factor_words(str(factor.get("factor", ""))) for factor in factors[:3])


def risk_text(band: str | None, score: int | None, *, overridden: bool) -> Text:
    """'● red 20' in the band's colour (:func:`band_text`); a manager's band '✎ amber 19', the
    ✎ in the dot's place (the legend under the table says what it means), so the band, the
    rules' score and the mark fit the Risk column's 10 cells at 80 columns, where
    '● amber ✎ 19' was cut to '● amber ✎'."""
    if not overridden or not band:
        return band_text(band, score)
    text = Text(f"✎ {band}", style=BAND_STYLES.get(band, ""))
    text.stylize("bold", 0, 1)
    if score is not None:
        text.append(f" {score}")
    return text


# On a narrow terminal the rank (the order says it), then the pathway, team and NHS number go
# first (the person screen has them): the name, the band, where the handover stands and the
# factors are what this list is for. At 80 columns the name has 18 cells (most names whole,
# where 14 cut "Richardson, Har"), the risk 10 (a manager's band and a two-digit score,
# '✎ amber 19', whole) and the factors room for a whole factor's words.
COLUMNS = (
    FitColumn("rank", "#", 3, drop=1), FitColumn("nhs", "NHS number", 12, drop=4),
    FitColumn("name", "Name", 18, most=28), FitColumn("team", "Team", 11, most=30, drop=3),
    FitColumn("pathway", "Pathway", 8, drop=2), FitColumn("risk", "Risk", 10, most=12),
    FitColumn("handover", "Handover", 21, most=23),
    FitColumn("factors", "Main factors", FACTOR_LEAST, most=FILL),
)


class AtRiskScreen(DataScreen):
    """The top people by handover risk; enter opens one, b shows one band only."""

    TITLE = "At risk"
    AUTO_FOCUS = "#at-risk-table"
    DEFAULT_CSS = """
    AtRiskScreen #at-risk { padding: 0 1; }
    AtRiskScreen #at-risk-table { height: 1fr; }
    AtRiskScreen #at-risk-status {
        height: auto; max-height: 3; background: $panel; color: $text-muted; padding: 0 1;
    }
    AtRiskScreen #at-risk-factors {
        height: auto; max-height: 14; border: round $primary; padding: 0 1;
        border-title-color: $text-primary; border-title-style: bold;
    }
    /* Under 30 rows (app.SHORT_TERMINAL) the factors scroll within 8 lines, leaving the
       ranking room for more than four people. */
    AtRiskScreen.-short #at-risk-factors { max-height: 8; }
    """

    BINDINGS = [
        Binding("b", "cycle_band", "Risk band", id="at_risk.band"),
        Binding("m", "changing", "Changing worker", id="at_risk.changing"),
        Binding("plus", "more", f"{PAGE} more", key_display="+", id="at_risk.more"),
        # A: reassess everyone (in the footer only while the scores are not of today).
        *reassess_bindings("at_risk"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.band: str | None = None
        self.changing = False  # only people with a handover ahead (handover_ahead)
        self.top = PAGE
        self.people: list[AtRisk] = []
        self.handovers: dict[int, HandoverStatus] = {}
        self._keep_place = True
        self.stale = False  # scores not of today, or someone not assessed: A in the footer

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="at-risk"):
            table = FittedTable(COLUMNS, id="at-risk-table", cursor_type="row",
                                zebra_stripes=True)
            yield table
            yield Static(id="at-risk-status")
            yield Static(id="at-risk-factors")
        yield ReassessProgress()
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#at-risk-factors", Static).border_title = "Why"

    def reload(self) -> None:
        table = self.query_one("#at-risk-table", FittedTable)
        # Keep the cursor on the person it was on ("+" and coming back reload the list); a
        # new filter starts a new list at the top.
        kept_row = table.cursor_row if self._keep_place else 0
        kept = (self.people[kept_row].person_id
                if self._keep_place and 0 <= kept_row < len(self.people) else None)
        self._keep_place = True
        with self.database.session() as session:
            self.people = at_risk(session, top=self.top, band=self.band,
                                  only=(handover_ahead(self.today(), transfer_date(session))
                                        if self.changing else None))
            unassessed = unassessed_count(session)
            measured = scores_as_of(session)
            self.handovers = handover_statuses(
                session, [person.person_id for person in self.people],
                visit_task=self.transition.rules.checks.handover_visit_task,
                as_of=self.today())
        table.clear()
        for rank, person in enumerate(self.people, start=1):
            # Cut between factors, never in one: the first shows whole at 80 columns.
            main = WholeItems(main_factor_words(person.risk_factors))
            table.add_row(str(rank), nhs.format_334(person.nhs_number),
                          f"{person.family_name}, {person.given_name}", person.team or "—",
                          pathway_text(person.pathway),
                          risk_text(person.risk_band, person.risk_score,
                                    overridden=person.band_overridden),
                          handover_text(self.handovers.get(person.person_id), person.risk_band),
                          main, key=str(person.person_id))
        parts = [f"Top {plural(len(self.people), 'person', 'people')}"
                 + (f" in the {self.band} band" if self.band else "")
                 + (" changing worker, or with none (m for everyone)" if self.changing else ""),
                 f"ranked by {RANKING}"]
        if unassessed:
            parts.append(f"{plural(unassessed, 'person', 'people')} not assessed yet")
        status = Text(" · ".join(parts))
        if measured is not None:
            status.append(" · ")
            status.append_text(self._measured(*measured))
        if any(person.band_overridden for person in self.people):
            status.append(f" · {MANAGERS_BAND}")  # last: never pushing off the day measured
        self.query_one("#at-risk-status", Static).update(status)
        stale = bool(unassessed) or measured != (self.today(), self.today())
        if stale != self.stale:
            self.stale = stale
            self.refresh_bindings()
        row = next((index for index, person in enumerate(self.people)
                    if person.person_id == kept), None)
        if row is None:  # gone from the list (re-scored into another band): the same place
            row = min(kept_row, len(self.people) - 1) if kept is not None else 0
        if self.people and row > 0:
            table.move_cursor(row=row, animate=False)
        self._show_factors(max(row, 0) if self.people else None)

    def _measured(self, earliest: date, latest: date) -> Text:
        """The day the scores hold at; in yellow when it is not today (dates may have
        crossed a window since: a discharge passing 14 days, a contact becoming stale)."""
        said = uk_date(latest) if earliest == latest else f"{uk_date(earliest)}-{uk_date(latest)}"
        if earliest == latest == self.today():
            return Text(f"scores as of {said}")
        return Text(f"scores as of {said}, not today: {STALE_HINT}", style="yellow")

    def _show_factors(self, row: int | None) -> None:
        box = self.query_one("#at-risk-factors", Static)
        if row is None or row >= len(self.people):
            if self.changing:
                said = "No one with a handover ahead" + (
                    f" in the {self.band} band." if self.band else
                    ": no accepted plan gives anyone a new worker, and no one needs one.")
            elif self.band:
                said = f"No one in the {self.band} band."
            else:
                said = f"No one assessed yet: {STALE_HINT} everyone (or propose a plan)."
            box.update(Text(said, style="dim"))
            return
        person = self.people[row]
        box.border_title = f"Why: {person.family_name}, {person.given_name}"
        factors: RenderableType = (factors_table(person.risk_factors) if person.risk_factors
                                   else Text("No risk factor applies.", style="dim"))
        if person.band_overridden:
            factors = Group(Text(f"✎ The {person.risk_band} band is a manager's; the rules' "
                                 "score is below. Why: open the person (enter).", style="bold"),
                            factors)
        handover = self.handovers.get(person.person_id)
        if handover is None:
            box.update(factors)
            return
        box.update(Group(handover_text(handover, person.risk_band, handover.sentence()),
                         factors))

    @on(DataTable.RowHighlighted, "#at-risk-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_factors(event.cursor_row)

    @on(DataTable.RowSelected, "#at-risk-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.transition.open_person(int(event.row_key.value))

    def action_cycle_band(self) -> None:
        """Only red, then amber, then green, then everyone again."""
        self.band = next_choice(BANDS, self.band)
        self.top = PAGE
        self._keep_place = False
        self.safely(self.reload)

    def action_changing(self) -> None:
        """Only the people with a handover ahead: a new worker, or none for a role."""
        self.changing = not self.changing
        self.top = PAGE
        self._keep_place = False
        self.safely(self.reload)

    def action_more(self) -> None:
        self.top += PAGE
        self.safely(self.reload)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reassess":
            return reassess_enabled(parameters, self.stale)
        return True

    def action_reassess(self, quietly: int = 0) -> None:
        """A: everyone's pathway and handover risk decided again as of today, as ``transition
        assess`` does (in a worker; the list refreshes when it ends)."""
        self.query_one(ReassessProgress).ask()
