"""Dashboard boxes for pathway and risk: people per pathway, and the risk chart by band."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Static

from transition.assessment import band_counts, pathway_counts, scores_as_of, unassessed_count
from transition.models import RiskBand
from transition.risk import BAND_MEANING
from transition.widgets.dashboard_panel import DashboardPanel
from transition.widgets.format import plural, uk_date
from transition.widgets.pathway import BAND_BAR_STYLES, PATHWAY_STYLES, count_bars

# "A" reassesses from the dashboard (transition.screens.reassess.REASSESS_KEY).
NOT_ASSESSED_HINT = "A (or transition assess) decides them"


def _unassessed_line(unassessed: int) -> Text:
    if not unassessed:
        return Text("Everyone has been assessed.", style="dim")
    return Text.assemble((plural(unassessed, "person", "people"), "bold yellow"),
                         f" not assessed yet: {NOT_ASSESSED_HINT}")


class PathwayCounts(DashboardPanel):
    """People per effective pathway (a manager's override counts as the pathway)."""

    def __init__(self) -> None:
        super().__init__(id="pathway-counts")
        self.border_title = "By pathway"
        self.border_subtitle = "c then f: filter the caseload"

    def compose(self) -> ComposeResult:
        yield Static(id="pathway-bars")

    def refresh_from(self, session: Session, today: date) -> None:
        counts = pathway_counts(session)
        self.query_one("#pathway-bars", Static).update(Group(
            count_bars(counts, PATHWAY_STYLES, width=20),
            _unassessed_line(unassessed_count(session)),
        ))


class RiskChart(DashboardPanel):
    """People per handover-risk band, as bars."""

    stale = False
    """The scores are not of today, or someone is not assessed: the dashboard shows A."""

    def __init__(self) -> None:
        super().__init__(id="risk-chart")
        self.border_title = "Handover risk"
        self.border_subtitle = "a: who is most at risk"

    def compose(self) -> ComposeResult:
        yield Static(id="risk-bars")

    def refresh_from(self, session: Session, today: date) -> None:
        counts = band_counts(session)
        lines = [count_bars(counts, BAND_BAR_STYLES, width=20),
                 Text(f"red: {BAND_MEANING[RiskBand.RED]}. Bands rank handovers; they do not "
                      "predict harm.", style="dim")]
        measured = scores_as_of(session)
        self.stale = measured != (today, today) or bool(unassessed_count(session))
        if measured is not None and measured != (today, today):
            # A discharge or a last contact may have crossed a window since.
            earliest, latest = measured
            when = uk_date(latest) if earliest == latest else (
                f"{uk_date(earliest)} to {uk_date(latest)}")
            lines.append(Text(f"Scores as of {when}, not today: A reassesses everyone.",
                              style="yellow"))
        self.query_one("#risk-bars", Static).update(Group(*lines))
