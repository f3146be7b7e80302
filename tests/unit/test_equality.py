"""The equality report: each group's people and measures, small counts withheld (with the
next smallest, so none can be worked out from the totals), and which groups' shares are higher
than everyone's, and whether clearly so."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.check_world import TRANSFER, assign, caseload_import, with_transfer
from tests.conftest import TODAY
from tests.factories import make_person, make_staff
from transition.db import Database
from transition.equality import (
    DIMENSIONS,
    MEASURES,
    PEOPLE,
    SMALL,
    WITHHELD,
    EqualityReport,
    GroupRow,
    Notable,
    equality_report,
    wilson,
    withheld_cells,
)
from transition.equality_files import csv_report, markdown_report

BORN_30 = date(TODAY.year - 30, 1, 1)
BORN_80 = date(TODAY.year - 80, 1, 1)
from transition.widgets.equality_tables import SHARE_WITHHELD_NOTE, small_counts_note


def people(session, count: int, **fields) -> list:  # type: ignore[no-untyped-def]
    values = {"pathway": "council", "risk_band": "green", "gender": "female",
              "date_of_birth": BORN_30, "care_coordinator_id": "SW1"}
    values.update(fields)
    return [make_person(session, **values) for _ in range(count)]


def test_each_group_is_counted_and_a_clearly_higher_share_is_named(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=500)
        make_staff(session, "SW2", capacity=5)
        # White British: 200, 10 signposted (5%). Indian: 40, 20 signposted (50%): clearly more.
        people(session, 190, ethnic_category="A")
        people(session, 10, ethnic_category="A", pathway="signpost")
        people(session, 20, ethnic_category="H", gender="male", date_of_birth=BORN_80)
        people(session, 20, ethnic_category="H", pathway="signpost", gender="male")
        # Caribbean: 3 people, one red: withheld.
        people(session, 2, ethnic_category="M")
        red = people(session, 1, ethnic_category="M", risk_band="red")
        assign(session, red[0], "social_worker", "SW2")  # a new worker: a handover ahead
        people(session, 6, ethnic_category=None)  # not known
        gone = people(session, 1, ethnic_category="A")[0]
        # Not in the latest export: not counted.
        gone.missing_since_batch_id = caseload_import(session, TODAY).id
        session.add(gone)
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.everyone.people == 249
    groups = {row.group: row for row in report.by_dimension("ethnic group")}
    assert list(groups) == ["White", "Asian or Asian British", "Black or Black British",
                            "Not known"]
    assert (groups["White"].people, groups["White"].counts["signposted"]) == (200, 10)
    assert groups["Black or Black British"].counts == {
        "signposted": 0, "to_assess": 0, "changing": 1, "red": 1}
    ages = {row.group: row.people for row in report.by_dimension("age band")}
    assert ages == {"25-34": 229, "75+": 20}
    assert {row.group: row.people for row in report.by_dimension("gender")} == {
        "Male": 40, "Female": 209}

    [signposted] = [item for item in report.notable
                    if item.group == "Asian or Asian British" and item.measure == "signposted"]
    assert signposted.clear and signposted.share == 0.5
    assert signposted.sentence() == (
        "Signposted: 50% of the Asian or Asian British group (ethnic group) against 12% of "
        "everyone (4.2x; 95% interval 35% to 65%: clearly higher).")
    # Groups under 20 people, and the not-known group, are listed but never judged.
    assert not any(item.group in ("Black or Black British", "Not known")
                   for item in report.notable)

    data = report.to_json()
    black = next(row for row in data["ethnic group"] if row["group"] == "Black or Black British")
    assert black["people"] == WITHHELD and black["red"] == {"count": WITHHELD, "share": None}
    # A 0 beside a withheld number of people is withheld too: it says something of each.
    assert black["signposted"] == {"count": WITHHELD, "share": None}
    # 249 people less the other groups would give the 3 away: the next smallest group (not
    # the Asian group, whose finding is reported) is withheld too.
    by_group = {row["group"]: row for row in data["ethnic group"]}
    assert by_group["Not known"]["people"] == WITHHELD
    assert [by_group[name]["people"] for name in ("White", "Asian or Asian British")] == [200, 40]
    assert by_group["Not known"]["signposted"] == {"count": WITHHELD, "share": None}
    assert by_group["White"]["changing"]["count"] == 0  # people shown: a 0 is shown
    assert data["withheld_mark"] == WITHHELD
    exact = report.to_json(exact=True)
    black = next(row for row in exact["ethnic group"] if row["group"] == "Black or Black British")
    assert black["people"] == 3 and black["red"] == {"count": 1, "share": 0.3333}
    assert data["notable"][0]["clear"] is True and data["as_of"] == TODAY.isoformat()


def test_a_gender_not_stated_is_its_own_group_and_never_judged(database: Database) -> None:
    """MHSDS keeps Z (not stated: the person was asked) apart from X (not known), as it does
    for ethnic category: so does the report, and neither group is named as notable."""
    with database.transaction() as session:
        with_transfer(session)
        people(session, 40, gender="female")
        people(session, 25, gender="not_stated", pathway="signpost")
        people(session, 6, gender="not_known")
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert {row.group: row.people for row in report.by_dimension("gender")} == {
        "Female": 40, "Not stated": 25, "Not known": 6}
    # 25 of 71 signposted, all of them not stated: a group a share would otherwise name.
    assert not [item for item in report.notable
                if item.group in ("Not stated", "Not known")]
    assert [item.group for item in report.notable if item.measure == "changing"] == ["Female"]


def test_an_empty_caseload_gives_an_empty_report(database: Database) -> None:
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.everyone.people == 0 and report.rows == [] and report.notable == []
    assert TRANSFER > TODAY


@pytest.mark.parametrize(("count", "total", "low", "high"), [
    (9, 45, 0.1090, 0.3382), (0, 10, 0.0, 0.2775), (50, 100, 0.4038, 0.5962)])
def test_the_wilson_interval(count: int, total: int, low: float, high: float) -> None:
    found = wilson(count, total)
    assert found == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def row(dimension: str, group: str, people: int, **counts: int) -> GroupRow:
    return GroupRow(dimension, group, people,
                    {measure: counts.get(measure, 0) for measure in MEASURES})


def test_a_lone_small_count_is_withheld_with_the_next_smallest() -> None:
    everyone = row("everyone", "everyone", 120, red=12)
    rows = [row("gender", "Female", 70, red=9), row("gender", "Male", 47, red=3),
            row("gender", "Not known", 3)]
    withheld = withheld_cells(everyone, rows, [])
    # People: 3 is small; the next smallest, 47, goes too. Red: 3 is small; so does 9.
    # And the zeros of the two groups whose people are withheld: "none of these few is
    # signposted" says something of each of them.
    assert withheld == {("gender", "Not known", PEOPLE), ("gender", "Male", PEOPLE),
                        ("gender", "Male", "red"), ("gender", "Female", "red"),
                        *(("gender", group, measure) for group in ("Male", "Not known")
                          for measure in MEASURES if measure != "red"),
                        ("gender", "Not known", "red")}


def test_two_small_counts_still_take_one_more() -> None:
    # Withheld 1 and 1 alone: the total less the rest is 2, so each must be 1.
    everyone = row("everyone", "everyone", 60)
    rows = [row("age band", "18-24", 1), row("age band", "25-34", 1),
            row("age band", "35-44", 30), row("age band", "45-54", 28)]
    withheld = withheld_cells(everyone, rows, [])
    assert withheld == {("age band", group, column) for group in ("18-24", "25-34", "45-54")
                        for column in (PEOPLE, *MEASURES)}  # their zeros too


def test_a_notable_finding_is_withheld_last_and_then_without_its_numbers() -> None:
    everyone = row("everyone", "everyone", 100, signposted=19)
    rows = [row("gender", "Female", 50, signposted=5), row("gender", "Male", 48, signposted=12),
            row("gender", "Not known", 2, signposted=2)]
    male = Notable("gender", "Male", "signposted", 0.25, 0.19, 0.15, 0.39)
    withheld = withheld_cells(everyone, rows, [male])
    # Signposted: the Female 5 goes rather than the Male 12 the finding is about.
    assert ("gender", "Female", "signposted") in withheld
    assert ("gender", "Male", "signposted") not in withheld
    # People: the only count of 5 or more besides Male's is Female's 50, not Male's 48.
    assert ("gender", "Female", PEOPLE) in withheld

    # Only the finding's own group is left to withhold: then its numbers go from the sentence.
    rows = [row("gender", "Male", 90, signposted=19), row("gender", "Not known", 2)]
    everyone = row("everyone", "everyone", 92, signposted=19)
    male = Notable("gender", "Male", "signposted", 0.21, 0.2, 0.13, 0.3)
    report = EqualityReport(TODAY, everyone, rows, [male], withheld_cells(everyone, rows, [male]))
    assert report.numbers_withheld(male, exact=False)
    assert not report.numbers_withheld(male, exact=True)
    data = report.to_json()
    assert data["notable"][0]["share"] is None and data["notable"][0]["withheld"] is True
    assert "%" not in data["notable"][0]["sentence"] and data["notable"][0]["overall"] is None
    assert report.to_json(exact=True)["notable"][0]["share"] == 0.21


def test_a_count_shown_with_no_share_is_explained_under_the_tables() -> None:
    # Male's 47 people are withheld (the next smallest after Not known's 3); their 12 red,
    # shown, has no share beside it: the note says why. Not known's zeros are withheld.
    everyone = row("everyone", "everyone", 120, red=21)
    rows = [row("gender", "Female", 70, red=9), row("gender", "Male", 47, red=12),
            row("gender", "Not known", 3)]
    report = EqualityReport(TODAY, everyone, rows, [], withheld_cells(everyone, rows, []))
    assert report.cell_text(rows[1], "red", exact=False) == "12"
    assert report.cell_text(rows[2], "red", exact=False) == WITHHELD
    note = small_counts_note(report, exact=False)
    assert note is not None and SHARE_WITHHELD_NOTE in note.plain
    # With only zeros beside the withheld people, there is no such count to explain.
    rows = [row("gender", "Female", 70, red=21), row("gender", "Male", 47),
            row("gender", "Not known", 3)]
    report = EqualityReport(TODAY, everyone, rows, [], withheld_cells(everyone, rows, []))
    note = small_counts_note(report, exact=False)
    assert note is not None and SHARE_WITHHELD_NOTE not in note.plain


@st.composite
def tables(draw: st.DrawFn) -> tuple[GroupRow, list[GroupRow]]:
    """A report's groups, small counts likely: every dimension partitions the same people."""
    people = draw(st.integers(1, 40))
    band = draw(st.lists(st.booleans(), min_size=people, max_size=people))
    rows: list[GroupRow] = []
    for dimension in DIMENSIONS:
        groups = draw(st.lists(st.integers(0, 4), min_size=people, max_size=people))
        for group in sorted(set(groups)):
            members = [index for index, item in enumerate(groups) if item == group]
            rows.append(row(dimension, str(group), len(members),
                            red=sum(band[index] for index in members)))
    return row("everyone", "everyone", people, red=sum(band)), rows


@settings(max_examples=500, deadline=None)
@given(tables())
def test_no_withheld_count_can_be_worked_out_by_subtraction(
        table: tuple[GroupRow, list[GroupRow]]) -> None:
    everyone, rows = table
    withheld = withheld_cells(everyone, rows, [])
    for column in (PEOPLE, *MEASURES):
        total = everyone.people if column == PEOPLE else everyone.counts[column]
        total_shown = ("everyone", "everyone", column) not in withheld
        # A 0 is withheld only beside a withheld number of people.
        assert total_shown or total > 0 or ("everyone", "everyone", PEOPLE) in withheld
        for dimension in DIMENSIONS:
            cells = {(item.group, item.people if column == PEOPLE else item.counts[column])
                     for item in rows if item.dimension == dimension}
            hidden = [value for group, value in cells if (dimension, group, column) in withheld]
            small = [group for group, value in cells if 0 < value < SMALL]
            # Every count from 1 to 4 is withheld ...
            assert all((dimension, group, column) in withheld for group in small)
            # ... and so is a 0 in a group whose people are withheld, and only there.
            assert all(((dimension, group, column) in withheld)
                       == ((dimension, group, PEOPLE) in withheld)
                       for group, value in cells if value == 0 and column != PEOPLE)
            if not total_shown:
                # ... and when everyone's is too, no table gives it back by adding up.
                assert hidden or total == 0
            elif small:
                # ... and what the shown counts leave (everyone's less them) is shared by two
                # or more withheld counts, one of them 5 or more, so it pins none of them:
                # the small ones could each be anything from 1 to 4.
                assert len(hidden) >= 2 and max(hidden) >= SMALL


def test_a_table_of_small_groups_alone_withholds_everyones_count_too() -> None:
    # Five people, each of a different gender group: 5 less four ones is one.
    everyone = row("everyone", "everyone", 5)
    rows = [row("ethnic group", "White", 5), row("age band", "25-34", 5),
            *(row("gender", str(number), 1) for number in range(5))]
    withheld = withheld_cells(everyone, rows, [])
    assert ("everyone", "everyone", PEOPLE) in withheld
    # ... and the White 5, which alone would give the total back.
    assert {("ethnic group", "White", PEOPLE), ("age band", "25-34", PEOPLE)} <= withheld
    report = EqualityReport(TODAY, everyone, rows, [], withheld)
    assert report.count(everyone, PEOPLE, exact=False) == WITHHELD
    assert report.to_json()["everyone"]["people"] == WITHHELD
    assert report.to_json(exact=True)["everyone"]["people"] == 5


def test_a_role_the_pathway_no_longer_needs_is_not_a_change_of_worker(
    database: Database,
) -> None:
    """A person overridden to signpost keeps the row of the new worker a plan gave them (an
    assignment does not end with a change of pathway): they lose the service, and are not
    also counted as changing worker."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        [moving, signposted] = people(session, 2)
        assign(session, moving, "social_worker", "SW2")
        assign(session, signposted, "social_worker", "SW2")
        signposted.pathway = "signpost"
        session.add(signposted)
    with database.session() as session:
        everyone = equality_report(session, as_of=TODAY).everyone
    assert everyone.counts["signposted"] == 1 and everyone.counts["changing"] == 1


def test_a_withheld_count_is_not_given_away_by_the_counts_shown_beside_it() -> None:
    # People by age band: 1 (withheld) and the next smallest, 6 (withheld), leave 48 less the
    # rest = 7 between them. But all 6 of the second group are changing worker, shown: it has
    # at least 6 people, so the first has 1, and its signposted count (at most its people) is
    # 1 too. Another group must go before the two can be anything else.
    everyone = row("everyone", "everyone", 48, signposted=9, to_assess=5, changing=39)
    rows = [row("age band", "18-24", 16, signposted=4, to_assess=1, changing=12),
            row("age band", "25-34", 18, signposted=4, to_assess=3, changing=14),
            row("age band", "35-44", 1, signposted=1),
            row("age band", "45-54", 7, changing=7),
            row("age band", "55-64", 6, to_assess=1, changing=6)]
    withheld = withheld_cells(everyone, rows, [])
    hidden = {group for dimension, group, column in withheld if column == PEOPLE}
    assert {"35-44", "55-64"} < hidden
    # What the shown counts leave, against the least each withheld group can be.
    shown = sum(item.people for item in rows if item.group not in hidden)
    least = {item.group: max(1, item.counts["signposted"] + item.counts["to_assess"],
                             *(value for measure, value in item.counts.items()
                               if ("age band", item.group, measure) not in withheld))
             for item in rows if item.group in hidden}
    assert everyone.people - shown > sum(least.values())


def test_people_with_no_pathway_yet_are_counted_and_said(database: Database) -> None:
    """Before `transition assess`, no one is signposted or to be assessed: every form of the
    report says how many people that leaves out, and what to run."""
    with database.transaction() as session:
        people(session, 20, ethnic_category="A", pathway=None)
        people(session, 6, ethnic_category="A", pathway="signpost")
        people(session, 6, ethnic_category="A")
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.no_pathway == 20
    note = report.no_pathway_note(exact=False)
    assert note is not None and note.startswith("20 of the 32 people have no pathway yet")
    assert "neither as signposted nor as to be assessed" in note
    assert "Run transition assess" in note
    data = report.to_json()
    assert (data["no_pathway"], data["no_pathway_note"]) == (20, note)

    markdown = markdown_report(report, exact=False)
    assert f"**{note}**" in markdown
    assert markdown.index(note) < markdown.index("## By ethnic group")
    rows = list(csv.reader(csv_report(report, exact=False).lstrip("\ufeff").splitlines()))
    assert ["note", note] in rows


def test_no_one_assessed_yet_is_said_plainly(database: Database) -> None:
    with database.transaction() as session:
        people(session, 12, pathway=None)
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.everyone.counts["signposted"] == report.everyone.counts["to_assess"] == 0
    note = report.no_pathway_note(exact=False)
    assert note is not None and note.startswith("No one has a pathway yet")


def test_everyone_assessed_says_nothing_about_pathways(database: Database) -> None:
    with database.transaction() as session:
        people(session, 12)
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.no_pathway == 0 and report.no_pathway_note(exact=False) is None
    assert report.to_json()["no_pathway"] == 0
    assert "no pathway" not in markdown_report(report, exact=False)
    assert "no pathway" not in csv_report(report, exact=False)


@pytest.mark.parametrize(("no_pathway", "withheld", "shown"), [
    (3, frozenset(), WITHHELD),  # 1 to 4: withheld, as every small count of everyone is
    (30, frozenset(), 30),
    # Everyone's signposted withheld: 31 with none, 0 to be assessed, of 32 would pin it to 1.
    (31, frozenset({("everyone", "everyone", "signposted")}), WITHHELD),
])
def test_the_no_pathway_count_is_withheld_where_it_could_give_a_count_away(
        no_pathway: int, withheld: frozenset[tuple[str, str, str]],
        shown: int | str) -> None:
    everyone = row("everyone", "everyone", 32, signposted=1)
    report = EqualityReport(TODAY, everyone, [], [], withheld, no_pathway)
    assert report.no_pathway_count(exact=False) == shown
    assert report.no_pathway_count(exact=True) == no_pathway
    note = report.no_pathway_note(exact=False)
    assert note is not None
    if shown == WITHHELD:
        assert note.startswith("Some people (how many is withheld")
        assert str(no_pathway) not in note
    assert report.to_json()["no_pathway"] == shown


def test_a_draft_plans_moves_are_said_to_be_left_out_until_it_is_accepted(
        database: Database) -> None:
    """'Changing worker' counts the allocation accepted so far: a draft's moves are not in
    the report, and the report says so (s149 asks for a plan's effect before the decision)."""
    from transition.plan_review import accept_plan
    from transition.planning import propose_plan
    from transition.ruleset import load_rules

    rules = load_rules(None)
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=10)
        make_staff(session, "SW2", capacity=10)
        people(session, 6, care_coordinator_id="KW1")  # council pathway: a new worker each
        draft = propose_plan(session, rules, as_of=TODAY, actor="t", refresh=False)
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    note = report.draft_note(exact=False)
    assert note is not None and note.startswith(
        f"Draft plan {draft.plan_id}, not accepted yet, would give 6 roles a new worker")
    assert report.to_json()["draft_plan_note"] == note
    assert note in markdown_report(report, exact=False) and note in csv_report(report, exact=False)
    with database.transaction() as session:
        accept_plan(session, rules, plan_id=draft.plan_id, actor="t")
    with database.session() as session:
        report = equality_report(session, as_of=TODAY)
    assert report.draft_note(exact=False) is None and report.notes(exact=False) == []
    assert report.everyone.counts["changing"] == 6
