"""The at-risk list's Risk column for a person whose band a manager set and whose score has two
digits: '● amber ✎ 19' was cut to '● amber ✎' at 80 columns (and at 120), losing the score. It
reads '✎ amber 19' (the ✎ in the dot's place), whole, with the legend under the table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, text_of
from tests.tui.test_pathway_screens import open_at_risk
from transition.models import Person
from transition.risk_overrides import set_risk_band
from transition.ruleset import load_rules
from transition.screens.at_risk import MANAGERS_BAND, risk_text
from transition.widgets.fitted_table import FittedTable


def managers_bands(database: Any, bands: dict[str, str]) -> dict[str, int]:
    """Set a manager's band on each family name's person; their (two-digit) scores."""
    rules = load_rules(None)
    scores = {}
    with database.transaction() as session:
        for family_name, band in bands.items():
            person = session.scalars(select(Person).where(
                Person.family_name == family_name)).one()
            set_risk_band(session, rules, person, band, reason="Seen at the risk panel",
                          actor=ACTOR, today=TODAY)
            scores[family_name] = person.risk_score
    return scores


def shown(table: FittedTable) -> list[str]:
    """The table's lines as they are on screen."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [line.text for line in lines]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_a_managers_band_shows_whole_with_its_score(plan_world, app_on, size) -> None:
    scores = managers_bands(plan_world, {"Ashworth": "amber", "Hollins": "green"})
    assert all(score >= 10 for score in scores.values())  # two digits: the widest cells
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        table = screen.query_one("#at-risk-table", FittedTable)
        lines = shown(table)
        for family_name, band in (("Ashworth", "amber"), ("Hollins", "green")):
            [line] = [line for line in lines if f"{family_name}," in line]
            assert f"✎ {band} {scores[family_name]}" in line
        # No risk cell cut ("…" is only the Main factors saying some are left out).
        risks = [risk_text(person.risk_band, person.risk_score,
                           overridden=person.band_overridden).plain
                 for person in screen.people[:len(lines) - 1]]
        assert all(any(f" {risk} " in line for line in lines) for risk in risks)
        factors_start = lines[0].index("Main factors")
        assert not any("…" in line[:factors_start] for line in lines)
        # Every risk cell fits the column (none cut), the others' too.
        [column] = [column for column in table.columns.values() if column.key.value == "risk"]
        width = column.get_render_width(table)
        widest = max(risk_text(person.risk_band, person.risk_score,
                               overridden=person.band_overridden).cell_len
                     for person in screen.people)
        assert widest <= width - 2 * table.cell_padding
        assert MANAGERS_BAND in " ".join(
            text_of(screen.query_one("#at-risk-status", Static)).split())

    drive(app, scenario, size=size)


def test_the_legend_is_there_only_with_a_managers_band(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        assert "✎" not in text_of(screen.query_one("#at-risk-status", Static))

    drive(app, scenario, size=(80, 24))


def test_the_cell_keeps_the_bands_colour_with_the_mark_in_bold() -> None:
    cell = risk_text("amber", 19, overridden=True)
    assert cell.plain == "✎ amber 19" and cell.style == "bold yellow"
    assert risk_text("amber", 7, overridden=False).plain == "● amber 7"
    assert risk_text(None, None, overridden=False).plain == "not yet"
