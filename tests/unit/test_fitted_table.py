"""Sharing a table's width out among its columns (transition.widgets.fitted_table.fit_widths)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transition.widgets.fitted_table import FILL, FitColumn, fit_widths

NHS = FitColumn("nhs", "NHS number", 12)
NAME = FitColumn("name", "Name", 18, most=26)
TEAM = FitColumn("team", "Team", 14, most=30)
PLACE = FitColumn("locality", "Locality", 8, most=12, drop=1)
WHY = FitColumn("why", "Main factors", 17, most=FILL)


def test_each_column_gets_its_least_when_there_is_no_more_room() -> None:
    least = sum(column.least + 2 for column in (NHS, NAME, TEAM))
    assert fit_widths((NHS, NAME, TEAM), least) == {"nhs": 12, "name": 18, "team": 14}


def test_spare_room_is_shared_in_turn_up_to_each_most() -> None:
    widths = fit_widths((NHS, NAME, TEAM), 12 + 18 + 14 + 6 + 10)
    assert widths == {"nhs": 12, "name": 23, "team": 19}  # 5 more each; NHS number is fixed
    widths = fit_widths((NHS, NAME, TEAM), 200)
    assert widths == {"nhs": 12, "name": 26, "team": 30}  # each at its most: the rest unused


def test_a_fill_column_takes_what_the_others_cannot() -> None:
    widths = fit_widths((NHS, NAME, WHY), 200)
    assert widths["name"] == 26
    assert sum(widths.values()) + 2 * len(widths) == 200


def test_a_droppable_column_is_left_out_before_the_others_scroll_away() -> None:
    columns = (NHS, NAME, PLACE, TEAM)
    roomy = fit_widths(columns, 100)
    assert list(roomy) == ["nhs", "name", "locality", "team"]  # the columns' order is kept
    tight = fit_widths(columns, 12 + 18 + 14 + 6 + 5)
    assert list(tight) == ["nhs", "name", "team"]
    assert tight["name"] > 18  # what the left-out column would have used goes to the others


def test_columns_are_left_out_in_their_drop_order_only_as_far_as_needed() -> None:
    first = FitColumn("a", "A", 10, drop=2)
    second = FitColumn("b", "B", 10, drop=1)
    columns = (NHS, first, second)
    assert list(fit_widths(columns, 14 + 12 + 12)) == ["nhs", "a", "b"]
    assert list(fit_widths(columns, 14 + 12 + 11)) == ["nhs", "a"]  # drop=1 goes first
    assert list(fit_widths(columns, 14 + 11)) == ["nhs"]


def test_too_narrow_for_the_required_columns_keeps_them_at_their_least() -> None:
    # The table then scrolls sideways: nothing is shrunk below what it needs to be read.
    assert fit_widths((NHS, NAME, PLACE), 20) == {"nhs": 12, "name": 18}


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[FitColumn], int]:
    count = draw(st.integers(1, 8))
    columns = []
    for index in range(count):
        least = draw(st.integers(1, 40))
        most = draw(st.one_of(st.none(), st.integers(least, least + 60), st.just(FILL)))
        columns.append(FitColumn(f"c{index}", f"C{index}", least, most=most,
                                 drop=draw(st.integers(0, 3))))
    return columns, draw(st.integers(0, 400))


@given(layouts())
def test_widths_are_within_bounds_use_the_room_and_never_overflow_it_needlessly(
    layout: tuple[list[FitColumn], int],
) -> None:
    columns, available = layout
    widths = fit_widths(columns, available)
    by_key = {column.key: column for column in columns}
    required = [column for column in columns if not column.drop]
    assert all(column.key in widths for column in required)
    assert list(widths) == [column.key for column in columns if column.key in widths]
    for key, width in widths.items():
        assert by_key[key].least <= width <= by_key[key].widest
    used = sum(width + 2 for width in widths.values())
    if sum(column.least + 2 for column in required) <= available:
        assert used <= available
        # Room is left over only when every shown column is as wide as it may be.
        if used < available:
            assert all(widths[key] == by_key[key].widest for key in widths)
    else:
        assert widths == {column.key: column.least for column in required}
    assert fit_widths(columns, available) == widths  # the same input, the same widths


def test_the_workers_table_at_160_columns_shows_a_long_team_and_every_note_whole() -> None:
    from transition.screens.workers import WORKER_COLUMNS

    widths = fit_widths(WORKER_COLUMNS, 154)  # a 160-column terminal, less the box's edges
    assert widths["team"] >= len("Tarrow Moor Mental Health Social Work Team")
    assert widths["note"] >= len("not on the latest staff list")


def test_squeezable_columns_narrow_before_a_column_goes_off_the_edge() -> None:
    """When the least widths do not fit even without the droppable columns, the columns that
    may be squeezed narrow, a cell at a time in turn, down to their squeeze width."""
    task = FitColumn("task", "Task", 44, most=56, squeeze=20)
    person = FitColumn("person", "Person", 18, squeeze=14)
    owner = FitColumn("owner", "Owner", 16, drop=1)
    status = FitColumn("status", "Status", 17)
    columns = (task, person, owner, status)
    assert fit_widths(columns, 44 + 18 + 16 + 17 + 8) == {"task": 44, "person": 18, "owner": 16,
                                                          "status": 17}
    assert fit_widths(columns, 74) == {"task": 37, "person": 14, "status": 17}
    assert fit_widths(columns, 40) == {"task": 20, "person": 14, "status": 17}  # no less
