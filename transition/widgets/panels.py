"""A titled box of label/value lines, the building block of the person screen."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

Field = tuple[str, RenderableType]


def fields_table(fields: Iterable[Field]) -> Table:
    """Labels in a dim column on the left, values on the right."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in fields:
        grid.add_row(label, value)
    return grid


def emphasise_yes(value: bool | None, style: str = "bold yellow") -> RenderableType:
    """Yes in a colour that catches the eye (for facts a handover must not miss)."""
    if value is None:
        return Text("—", style="dim")
    return Text("Yes", style=style) if value else Text("No")


class Panel(Static):
    """A bordered box with a title; ``show(None)`` hides it."""

    DEFAULT_CSS = """
    Panel {
        height: auto;
        border: round $primary;
        border-title-color: $text-primary;
        border-title-style: bold;
        padding: 0 1;
    }
    """

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.border_title = title

    def show(self, content: RenderableType | None) -> None:
        self.display = content is not None
        if content is not None:
            self.update(content)
