"""A DataTable whose columns use the width the terminal gives it.

Textual's DataTable takes a fixed width per column. Ours were chosen for a terminal about 120
columns wide, so on a 160-column screen a team name or a risk factor was cut to a few letters
with a third of the row empty, and on a narrow one the last columns went off the right edge.

:func:`fit_widths` shares the width out, like a browser lays out a table: every column gets
its least width; what is left goes to the columns that can grow, a cell at a time in turn, up
to each one's most; when even the least widths do not fit, the columns marked with a ``drop``
order are left out, 1 first, until the rest fit, so the important ones stay on screen (on an
80-column terminal the at-risk list keeps the name, the band, the handover and the factors, and
leaves out the rank, NHS number, team and pathway, which the person screen shows); if they
still do not fit, the columns that may be ``squeeze`` d narrow, a cell at a time in turn, so no
column goes off the right edge (the tasks' titles, so the status shows at 80 columns). :class:`FittedTable`
applies that whenever the table changes size, keeping its rows and its cursor.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

FILL = 1_000
"""A ``most`` for a column that may take all the spare width (the last, wordy one)."""


@dataclass(frozen=True)
class FitColumn:
    """A column: its key and heading, and how wide it may be."""

    key: str
    label: str
    least: int
    most: int | None = None  # None: always ``least`` wide
    drop: int = 0  # 0: always shown; else left out, 1 first, when the least widths do not fit
    # When the least widths do not fit even with the droppable columns left out: the width
    # it may narrow to (None: never narrower than ``least``), so the columns after it stay on
    # screen rather than going off the right edge.
    squeeze: int | None = None

    @property
    def widest(self) -> int:
        return max(self.least, self.most or self.least)


def fit_widths(columns: Sequence[FitColumn], available: int, *, padding: int = 2) -> dict[str, int]:
    """The width of each column shown in ``available`` cells (``padding`` cells per column
    besides its width), keyed by column key in the columns' order; the columns left out to
    make room are missing from it. The same input always gives the same widths."""
    shown = list(columns)

    def needed() -> int:
        return sum(column.least + padding for column in shown)

    for column in sorted((column for column in columns if column.drop), key=lambda c: c.drop):
        if needed() <= available:
            break
        shown.remove(column)
    widths = {column.key: column.least for column in shown}
    over = needed() - available
    squeezable = [column for column in shown
                  if column.squeeze is not None and column.squeeze < column.least]
    while over > 0 and squeezable:  # a cell at a time from each in turn, as spare is shared
        for column in list(squeezable):
            widths[column.key] -= 1
            over -= 1
            if widths[column.key] <= (column.squeeze or 0):
                squeezable.remove(column)
            if over == 0:
                break
    spare = available - sum(widths[column.key] + padding for column in shown)
    growing = [column for column in shown if column.widest > column.least]
    while spare > 0 and growing:
        share = max(1, spare // len(growing))
        for column in list(growing):
            give = min(share, column.widest - widths[column.key], spare)
            widths[column.key] += give
            spare -= give
            if widths[column.key] >= column.widest:
                growing.remove(column)
            if spare == 0:
                break
    return widths


def cut_with_ellipsis(cell: RenderableType) -> RenderableType:
    """A one-line cell as DataTable shows it, except that a text too long for its column ends
    in "…": DataTable cuts it short with no mark, so "Brackenford Mental Healt" read as a whole
    name. A str is read as markup, as DataTable reads it; a Text that says how it overflows,
    and any other renderable, is left as it is."""
    if isinstance(cell, str):
        return Text.from_markup(cell, end="", overflow="ellipsis")
    if isinstance(cell, Text) and cell.overflow is None:
        cut = cell.copy()
        cut.overflow = "ellipsis"
        return cut
    return cell


@dataclass(frozen=True)
class WholeItems:
    """A cell listing a few items ("discharged recently, no follow-up, self-harm history"),
    cut only between them: as many as its column has room for whole, then "…" when some are
    left out and there is room to say so. A first item too long for the column is cut with
    "…". ``str()`` is every item."""

    items: tuple[str, ...]
    separator: str = ", "

    def __str__(self) -> str:
        return self.separator.join(self.items)

    def fitted(self, width: int) -> str:
        """The items that fit ``width`` cells whole, and the mark that more were left out."""
        shown = ""
        for item in self.items:
            more = f"{shown}{self.separator}{item}" if shown else item
            if cell_len(more) > width:
                break
            shown = more
        else:
            return shown
        if not shown:
            return str(self)  # cut with "…" by the caller
        for mark in (f"{self.separator}…", "…"):
            if cell_len(shown + mark) <= width:
                return shown + mark
        return shown

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.fitted(options.max_width), no_wrap=True, overflow="ellipsis", end="")


class FittedTable(DataTable[RenderableType]):
    """A DataTable laid out by :func:`fit_widths`: give it :class:`FitColumn` s, not
    ``add_column``, and a cell for every column in ``add_row`` (a left-out column's cells are
    kept, and shown again when the table widens). A one-line row's text cut short by its
    column ends in "…" (:func:`cut_with_ellipsis`)."""

    def __init__(self, columns: Sequence[FitColumn] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fit_columns: tuple[FitColumn, ...] = tuple(columns)
        self._widths: dict[str, int] | None = None
        self._full_rows: dict[RowKey, tuple[tuple[RenderableType, ...], dict[str, Any]]] = {}

    @property
    def shown_keys(self) -> tuple[str, ...]:
        """The keys of the columns on screen now, left to right."""
        return tuple(self._widths or ())

    def set_columns(self, columns: Sequence[FitColumn]) -> None:
        """Replace the columns (e.g. a heading's sort arrow changed); the rows are kept."""
        self._fit_columns = tuple(columns)
        self._fit(force=True)

    def on_mount(self) -> None:
        if self._widths is None:
            self._fit(force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _available(self) -> int:
        # The vertical scrollbar's room is always kept, so its coming and going does not
        # change the layout.
        width = self.size.width - self.styles.scrollbar_size_vertical
        if width <= 0:  # not laid out yet: every column at its least
            return sum(column.least + 2 * self.cell_padding for column in self._fit_columns)
        return width

    def _fit(self, *, force: bool = False) -> None:
        widths = fit_widths(self._fit_columns, self._available(), padding=2 * self.cell_padding)
        if not force and widths == self._widths:
            return
        self._widths = widths
        cursor = self.cursor_row
        rows = list(self._full_rows.items())
        self._full_rows.clear()
        super().clear(columns=True)
        for column in self._fit_columns:
            if column.key in widths:
                super().add_column(column.label, key=column.key, width=widths[column.key])
        for row_key, (cells, options) in rows:
            self.add_row(*cells, key=row_key.value, **options)
        if rows:
            self.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

    def add_row(  # type: ignore[override]
        self, *cells: RenderableType, key: str | None = None, height: int | None = 1,
        label: RenderableType | None = None,
    ) -> RowKey:
        """Add a row with a cell for every column (shown or not)."""
        if self._widths is None:
            self._fit(force=True)
        if len(cells) != len(self._fit_columns):
            raise ValueError(f"{len(cells)} cells for {len(self._fit_columns)} columns")
        options: dict[str, Any] = {"height": height, "label": label}
        shown = [cut_with_ellipsis(cell) if height == 1 else cell
                 for column, cell in zip(self._fit_columns, cells, strict=True)
                 if column.key in (self._widths or {})]
        row_key = super().add_row(*shown, key=key, **options)
        self._full_rows[row_key] = (cells, options)
        return row_key

    def remove_row(self, row_key: RowKey | str) -> None:
        key = row_key if isinstance(row_key, RowKey) else RowKey(row_key)
        self._full_rows.pop(key, None)
        super().remove_row(key)

    def clear(self, columns: bool = False) -> FittedTable:
        """Remove the rows; the columns stay (use :meth:`set_columns` to change them)."""
        self._full_rows.clear()
        super().clear(columns=False)
        return self

    def row_cells(self, row_key: Hashable) -> tuple[RenderableType, ...]:
        """Every cell of a row, the left-out columns' too."""
        key = row_key if isinstance(row_key, RowKey) else RowKey(row_key)
        return self._full_rows[key][0]
