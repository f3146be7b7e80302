"""Deadlines in working days or calendar days, and how `tasks templates` describes them."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from transition.commands.tasks import _conditions_text, _deadline_text
from transition.errors import RulesError
from transition.ruleset import load_rules
from transition.tasks.rules import Deadline, PersonFacts
from transition.working_days import is_working_day, working_days_in


def facts(handover: date, **overrides: object) -> PersonFacts:
    values: dict[str, object] = {
        "pathway": "trust", "risk_band": "green", "flags": frozenset(),
        "accessible_format": None, "last_discharge": None, "handover_date": handover,
    }
    values.update(overrides)
    return PersonFacts(**values)  # type: ignore[arg-type]


# (template, facts, the calendar interval the deadline stands for, in days)
INTERVALS = [
    ("care_act_review", {"pathway": "council"}, 8 * 7),  # "6 to 8 weeks after the change"
    ("cluster_review", {"cluster": 14}, 4 * 7),  # clusters 14 and 15: every 4 weeks
    ("cluster_review", {"cluster": 1}, 12 * 7),
    ("cluster_review", {"cluster": 2}, 15 * 7),
    ("first_contact", {}, 7),  # NICE NG53: within 7 days
    ("first_contact", {"recently_discharged": True}, 2),  # 48 hours
]


@pytest.mark.parametrize(("key", "overrides", "days"), INTERVALS)
def test_a_deadline_for_a_calendar_interval_never_slips_past_it(
        key: str, overrides: dict[str, object], days: int) -> None:
    template = load_rules().tasks.templates[key]
    late = []
    for handover in working_days_in(date(2026, 1, 1), date(2028, 12, 31)):
        values = dict(overrides)
        if values.pop("recently_discharged", False):
            values["last_discharge"] = handover - timedelta(days=10)
        person = facts(handover, **values)
        assert template.holds(person)
        due = template.deadline_for(person).due(handover)
        assert is_working_day(due) and due >= handover
        if due > handover + timedelta(days=days):
            late.append(handover)
    assert late == []


def test_the_care_act_review_of_a_1_april_2027_handover_is_8_weeks_on() -> None:
    review = load_rules().tasks.templates["care_act_review"]
    handover = date(2027, 4, 1)
    # Not Friday 28 May (40 working days, 57 days on): Thursday 27 May, 56 days on.
    assert review.deadline_for(facts(handover, pathway="council")).due(handover) == date(
        2027, 5, 27)


def write(tmp_path: Path, text: str) -> Path:
    council = tmp_path / "council.toml"
    council.write_text('version = "x"\n' + text)
    return council


NEW = '[tasks.templates.new_one]\ntitle = "x"\nowner = "manager"\n'
RED_DEADLINE = '[[tasks.templates.letter_gp.deadlines]]\nrisk_bands = ["red"]\n'


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        (NEW, 2,
         ("tasks.templates.new_one: has no deadline: give offset_working_days (working days) "
          "or offset_calendar_days")),
        (NEW + "offset_working_days = 5\noffset_calendar_days = 7\n", 2,
         "tasks.templates.new_one: gives both offset_working_days and offset_calendar_days"),
        (RED_DEADLINE + "offset_working_days = -12\noffset_calendar_days = -14\n", 2,
         "tasks.templates.letter_gp.deadlines.0: gives both"),
        (RED_DEADLINE, 2, "tasks.templates.letter_gp.deadlines.0: has no deadline"),
        (NEW + "offset_calendar_days = 400\n", 5,
         "tasks.templates.new_one.offset_calendar_days: must be at most 366"),
    ],
)
def test_a_template_gives_its_deadline_one_way(tmp_path: Path, toml: str, line: int,
                                               message: str) -> None:
    council = write(tmp_path, toml)
    with pytest.raises(RulesError) as caught:
        load_rules(council)
    assert f"{council}, line {line}: {message}" in caught.value.message


def test_the_shipped_templates_count_working_or_calendar_days() -> None:
    rules = load_rules().tasks
    assert rules.templates["letter_gp"].deadline == Deadline(-10)
    assert rules.templates["care_act_review"].deadline == Deadline(56, calendar=True)
    assert rules.templates["care_act_review"].offset_working_days is None


def test_a_council_file_can_count_a_shipped_calendar_deadline_in_working_days(
        tmp_path: Path) -> None:
    """Giving one deadline key replaces the shipped template's other one (ruleset.deep_merge),
    rather than merging into a template that gives both, which is refused."""
    council = write(tmp_path, "[tasks.templates.first_contact]\noffset_working_days = 5\n")
    assert load_rules(council).tasks.templates["first_contact"].deadline == Deadline(5)
    back = write(tmp_path, "[tasks.templates.letter_gp]\noffset_calendar_days = -14\n")
    assert load_rules(back).tasks.templates["letter_gp"].deadline == Deadline(-14, calendar=True)


@pytest.mark.parametrize(
    ("deadline", "text"),
    [
        (Deadline(-10), "10 working days before"),
        (Deadline(1), "1 working day after"),
        (Deadline(0), "on the handover date"),
        (Deadline(0, calendar=True), "on the handover date"),
        (Deadline(2, calendar=True), "2 calendar days after"),
        (Deadline(7, calendar=True), "7 calendar days after"),
        (Deadline(56, calendar=True), "56 calendar days (8 weeks) after"),
        (Deadline(-14, calendar=True), "14 calendar days (2 weeks) before"),
    ],
)
def test_a_deadline_says_which_days_it_counts(deadline: Deadline, text: str) -> None:
    assert deadline.describe() == text


def test_tasks_templates_describes_calendar_deadlines() -> None:
    described = {item["key"]: item for item in load_rules().tasks.describe()}
    review = described["cluster_review"]
    assert _deadline_text(review) == "28 calendar days (4 weeks) after"
    assert [_deadline_text(v) for v in review["deadlines"]] == [
        "84 calendar days (12 weeks) after", "105 calendar days (15 weeks) after"]
    assert _deadline_text(described["care_act_review"]) == "56 calendar days (8 weeks) after"
    assert _deadline_text(described["first_contact"]) == "7 calendar days after"
    assert _deadline_text(described["letter_gp"]) == "10 working days before"


def test_tasks_templates_shows_the_clusters_condition() -> None:
    review = {item["key"]: item for item in load_rules().tasks.describe()}["cluster_review"]
    # The clusters condition is shown: the review is not for every trust or joint person.
    assert _conditions_text(review) == "pathways: trust, joint; clusters: 1, 2, 14, 15"
    # A deadlines entry with only clusters (and no reason) says which.
    assert _conditions_text({**review["deadlines"][0], "reason": ""}) == "clusters: 1"
