"""The pathway's reasons in words on the person screen (the rules file's words, the rule's id
dim in brackets after them), and the override dialog saying what the rules decided and why,
and the override in place, before a manager chooses another pathway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_short_terminal import SHORT, on_screen
from transition.assessment import refresh_assessments
from transition.models import Person
from transition.overrides import set_pathway_override
from transition.ruleset import load_rules
from transition.screens.pathway_override import PathwayOverrideScreen
from transition.widgets.pathway import reason_words, rules_reasons

ELIGIBLE_NEEDS = ("Has eligible Care Act needs and does not need health-led care, so the "
                  "council holds the case.")


def person_id(database, family_name: str) -> int:
    with database.session() as session:
        return session.scalars(select(Person.id).where(Person.family_name == family_name)).one()


def override(database, family_name: str, pathway: str, reason: str = "Needs a review") -> None:
    with database.transaction() as session:
        person = session.scalars(select(Person).where(Person.family_name == family_name)).one()
        set_pathway_override(session, person, pathway, reason=reason, actor="another-manager")


def pathway_box(app, database, family_name: str, size: tuple[int, int] = (120, 60)) -> str:
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(database, family_name))
        await settle(pilot)
        shown.append(text_of(app.screen.query_one("#pathway")))

    drive(app, scenario, size=size)
    return shown[0]


def lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


# -- the person screen ------------------------------------------------------------------------


def test_each_reason_reads_as_words_with_its_rule_id_after_them(plan_world, app_on) -> None:
    shown = pathway_box(app_on(plan_world), plan_world, "Ashworth")
    lines = lines_of(shown)
    # No column of rule ids ahead of the words: the deciding reason opens its line.
    assert "Reason Basis" in lines and not any(line.startswith("Rule ") for line in lines)
    deciding = next(line for line in lines if line.startswith("• "))
    assert deciding.startswith("• Has eligible Care Act needs"), deciding
    # The id follows the words, in brackets: the table a council rewords it in.
    assert f"{ELIGIBLE_NEEDS} (eligible_needs)" in " ".join(shown.split())
    assert "(condition_a)" in shown and "Care Act 2014, s18" in shown


def test_the_words_are_the_councils_own_rules_file(plan_world, app_on,
                                                       tmp_path: Path) -> None:
    """A council's rules file that rewords a reason: the screen shows its words, not a table
    of the app's own."""
    rules_file = tmp_path / "westshire.toml"
    rules_file.write_text('version = "westshire-1"\n\n[eligibility.reasons.eligible_needs]\n'
                          'reason = "Westshire: eligible needs, no health-led care; the council '
                          'holds it."\n', encoding="utf-8")
    with plan_world.transaction() as session:
        refresh_assessments(session, load_rules(rules_file), as_of=TODAY, actor=ACTOR)
    shown = " ".join(pathway_box(app_on(plan_world), plan_world, "Ashworth").split())
    assert ("Westshire: eligible needs, no health-led care; the council holds it. "
            "(eligible_needs)") in shown
    assert ELIGIBLE_NEEDS not in shown


def test_under_an_override_the_reasons_are_the_rules_and_say_so(plan_world,
                                                                    app_on) -> None:
    override(plan_world, "Dalton", "assess")  # section 117: the rules say joint
    shown = pathway_box(app_on(plan_world), plan_world, "Dalton")
    lines = lines_of(shown)
    assert "Rules would say joint council and trust together (both workers)" in lines
    assert any(line.startswith("The rules' reasons") for line in lines), lines
    # The manager's own entry is the "Set by" line, not a reason among the rules'.
    assert "manager_override" not in shown and "A manager (another-manager)" not in shown
    deciding = next(line for line in lines if line.startswith("• "))
    assert deciding.startswith("• Entitled to section 117 aftercare"), deciding


def test_the_reasons_fit_80_columns_with_the_words_first(plan_world, app_on) -> None:
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.open_person(person_id(plan_world, "Ashworth"))
        await settle(pilot)
        box = app.screen.query_one("#pathway")
        # What the box shows at its own width (text_of renders 200 wide).
        console = Console(width=box.content_region.width, color_system=None)
        with console.capture() as capture:
            console.print(box.content)  # type: ignore[attr-defined]
        shown.append(capture.get())

    drive(app_on(plan_world), scenario, size=SHORT)
    lines = lines_of(shown[0])
    # Before, a column of ids took 17 of the 72 cells ahead of every reason.
    assert any(line.startswith("• Has eligible Care Act needs and does not")
               for line in lines), lines
    assert "(eligible_needs)" in shown[0]


def test_a_reason_stored_without_words_shows_its_id() -> None:
    assert str(reason_words({"rule": "s117_aftercare", "reason": "", "basis": ""})) == \
        "s117_aftercare"
    assert str(reason_words({"rule": "cpa_not_recorded", "reason": "Not on record."},
                            with_rule=False)) == "Not on record."
    stored = [{"rule": "manager_override", "reason": "A manager ..."},
              {"rule": "eligible_needs", "reason": "Eligible."}]
    assert [reason["rule"] for reason in rules_reasons(stored)] == ["eligible_needs"]


# -- the override dialog ----------------------------------------------------------------------


def open_dialog(app, database, family_name: str, size: tuple[int, int],
                check) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(database, family_name))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        check(dialog)

    drive(app, scenario, size=size)


def option_text(dialog: PathwayOverrideScreen, pathway: str) -> str:
    return str(dialog.query_one("#pathways", OptionList).get_option(pathway).prompt)


def test_the_dialog_says_what_the_rules_decided_and_why(plan_world, app_on) -> None:
    def check(dialog: PathwayOverrideScreen) -> None:
        decision = lines_of(text_of(dialog.query_one("#rules-decision")))
        assert decision[0] == "The rules decided council, because:", decision
        reasons = " ".join(text_of(dialog.query_one("#rules-reasons Static")).split())
        assert reasons.startswith(f"• {ELIGIBLE_NEEDS}"), reasons
        assert "• Unable to achieve 2 of the ten outcomes" in reasons
        assert "eligible_needs" not in reasons  # no ids in the dialog: words only
        assert option_text(dialog, "council").endswith("(now)")

    open_dialog(app_on(plan_world), plan_world, "Baines", (120, 40), check)


def test_with_an_override_the_dialog_shows_it_and_the_rules_decision(plan_world,
                                                                         app_on) -> None:
    override(plan_world, "Dalton", "assess", reason="Agreed at panel")

    def check(dialog: PathwayOverrideScreen) -> None:
        decision = lines_of(text_of(dialog.query_one("#rules-decision")))
        assert decision[0].startswith("Now assess ✎ another-manager on "), decision
        assert decision[0].endswith(": Agreed at panel"), decision
        assert decision[1] == "The rules decided joint, because:", decision
        reasons = text_of(dialog.query_one("#rules-reasons Static"))
        assert reasons.startswith("• Entitled to section 117 aftercare")
        assert "A manager" not in reasons  # the override is the "Now" line, not a reason
        assert option_text(dialog, "assess").endswith("(now)")
        assert option_text(dialog, "joint").endswith("(the rules')")
        assert option_text(dialog, "council").endswith("(a social worker)")

    open_dialog(app_on(plan_world), plan_world, "Dalton", (120, 40), check)


def test_the_dialog_before_any_assessment_says_the_rules_have_not_decided(
        populated, app_on) -> None:
    def check(dialog: PathwayOverrideScreen) -> None:
        decision = text_of(dialog.query_one("#rules-decision"))
        assert "The rules decided  not yet: run transition assess (or plan)" in decision, decision
        assert not dialog.query("#rules-reasons")

    open_dialog(app_on(populated), populated, "Ashworth", (120, 40), check)


@pytest.mark.parametrize("family, overridden", [("Ashworth", False), ("Dalton", True)])
def test_at_80x24_the_decision_choices_reason_and_buttons_all_show(
        plan_world, app_on, family: str, overridden: bool) -> None:
    """The rules' decision, a few lines of reasons, every choice, the reason box and the
    buttons at once; with an override in place too (the longest case)."""
    if overridden:
        override(plan_world, family, "assess")

    def check(dialog: PathwayOverrideScreen) -> None:
        for selector in ("#rules-decision", "#pathways", "#reason", "#save", "#cancel",
                         "#problem"):
            assert on_screen(dialog.query_one(selector)), f"{selector} hidden at 80x24"
        assert dialog.query_one("#rules-reasons").region.height >= 3
        assert len(text_of(dialog.query_one("#rules-decision")).splitlines()) == \
            (2 if overridden else 1)

    open_dialog(app_on(plan_world), plan_world, family, SHORT, check)


def test_reasons_longer_than_their_box_can_be_reached_with_tab(plan_world,
                                                                   app_on) -> None:
    """At 80x24 the reasons scroll in their box: tab (shift+tab from the choices) reaches it
    when there is more to read, and down scrolls it."""
    seen: list[int] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.open_person(person_id(plan_world, "Ashworth"))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        box = app.screen.query_one("#rules-reasons")
        assert box.max_scroll_y > 0
        await pilot.press("shift+tab")
        assert app.screen.focused is box
        await pilot.press("down", "down")
        await settle(pilot)
        seen.append(round(box.scroll_y))

    drive(app_on(plan_world), scenario, size=SHORT)
    assert seen[0] > 0
