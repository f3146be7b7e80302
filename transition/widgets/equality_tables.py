"""The equality report as Rich renderables, for `transition equality` and the app's screen."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from transition.equality import (
    DIMENSIONS,
    EXACT_NOTE,
    MEASURES,
    MIN_GROUP,
    NOTABLE_RATIO,
    PEOPLE,
    WITHHELD_NOTE,
    EqualityReport,
)
from transition.widgets.format import uk_date


def group_table(report: EqualityReport, dimension: str, *, exact: bool) -> Table:
    """One dimension's groups, then everyone, with each measure's count and share."""
    table = Table(title=f"By {dimension}, {uk_date(report.as_of)}", title_justify="left",
                  title_style="bold")
    table.add_column(dimension.capitalize())
    table.add_column("People", justify="right")
    for words in MEASURES.values():
        table.add_column(words.capitalize(), justify="right")
    for row in [*report.by_dimension(dimension), report.everyone]:
        table.add_row(row.group if row is not report.everyone else "Everyone",
                      *(report.cell_text(row, column, exact=exact)
                        for column in (PEOPLE, *MEASURES)),
                      style="bold" if row is report.everyone else None)
    return table


def notable_lines(report: EqualityReport, *, exact: bool) -> list[Text]:
    """The groups whose shares are higher than everyone's: clearly so in red."""
    clear = [item for item in report.notable if item.clear]
    lines = [Text(f"Shares at least {NOTABLE_RATIO:g} times everyone's (groups of {MIN_GROUP} "
                  f"or more): {len(report.notable)}, of which clearly more than chance: "
                  f"{len(clear)}.", style="bold red" if clear else "bold")]
    lines += [Text(f"  {item.sentence(withheld=report.numbers_withheld(item, exact=exact))}",
                   style="red" if item.clear else "")
              for item in report.notable]
    return lines


SHARE_WITHHELD_NOTE = ("A count with no share beside it is in a group whose number of people "
                       "is withheld: its share would give that number away.")


def small_counts_note(report: EqualityReport, exact: bool) -> Text | None:
    """What ``*`` means, when the report withholds anything; and, when a group's people are
    withheld but a count of theirs is shown, why it has no share."""
    if exact or not report.withheld:
        return None
    note = WITHHELD_NOTE
    if any((row.dimension, row.group, PEOPLE) in report.withheld
           and any((row.dimension, row.group, measure) not in report.withheld
                   for measure in MEASURES)
           for row in (report.everyone, *report.rows)):
        note += " " + SHARE_WITHHELD_NOTE
    return Text(note, style="dim")


def report_renderable(report: EqualityReport, *, exact: bool = False,
                      lead: RenderableType | None = None) -> RenderableType:
    """Everything the report says, in order: that the counts are exact (not for sharing),
    when they are; ``lead`` (a note that changes how the tables read); one table per
    dimension; then the groups."""
    parts: list[RenderableType] = [group_table(report, dimension, exact=exact)
                                   for dimension in DIMENSIONS]
    if report.everyone.people == 0:
        return Text("No one is on the caseload yet: import the trust's export first.")
    parts += notable_lines(report, exact=exact)
    note = small_counts_note(report, exact)
    if note is not None:
        parts.append(note)
    if lead is not None:
        parts.insert(0, lead)
    if exact:  # first: a screen shared or a table copied must not pass for the shared report
        parts.insert(0, Text(EXACT_NOTE, style="bold yellow"))
    return Group(*parts)
