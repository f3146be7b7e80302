"""The tasks section's burndown words when no working day is on the chart: a transfer date on
a weekend or bank holiday seen from just before it is still ahead, not passed."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from transition.screens.task_panels import burndown_lines
from transition.tasks.views import Burndown


def said(chart: Burndown) -> str:
    console = Console(width=200, record=True)
    console.print(burndown_lines(chart, {}, any_tasks=True))
    return console.export_text()


def chart(as_of: date, end: date) -> Burndown:
    return Burndown(as_of=as_of, end=end, open_now=3, overdue_now=0, after_end=0, points=[])


def test_a_weekend_transfer_date_seen_from_the_weekend_is_still_ahead() -> None:
    # Saturday 27 March 2027, the transfer on Sunday 28 March: no working day between.
    words = said(chart(date(2027, 3, 27), date(2027, 3, 28)))
    assert "has passed" not in words
    assert "3 open tasks; no working day is left before the transfer date (28 Mar 2027)" in words


def test_a_transfer_date_on_the_day_itself_is_not_passed() -> None:
    assert "has passed" not in said(chart(date(2027, 3, 28), date(2027, 3, 28)))


def test_after_the_transfer_date_it_has_passed() -> None:
    assert "the transfer date has passed" in said(chart(date(2027, 3, 29), date(2027, 3, 28)))
