"""A titled box, the building block of the person screen (its label/value lines are
:func:`transition.widgets.person_record.fields_table`)."""

from __future__ import annotations

from rich.console import RenderableType
from textual.widgets import Static


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
