"""A what-if's answer in a box over the workers screen: who loses their worker, what can be
placed, and the capacity gap, as ``transition plan --withdraw`` prints it. Nothing is stored."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from transition.whatif import WhatIf
from transition.whatif_view import what_if_report


class WhatIfScreen(ModalScreen[None]):
    """The result of a what-if; escape (or enter) closes it."""

    DEFAULT_CSS = """
    WhatIfScreen { align: center middle; }
    WhatIfScreen #what-if {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    WhatIfScreen #what-if-body { height: auto; max-height: 100%; }
    WhatIfScreen #what-if-close { dock: bottom; color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close", id="what_if.close")]

    def __init__(self, result: WhatIf) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        # What it is and how to close it stay under the report, which scrolls above them when
        # it is longer than the terminal (a large caseload's teams at 80x24).
        with Vertical(id="what-if"):
            yield Static("Nothing was stored. The people behind each count: "
                         "transition plan --withdraw ID ... --json. Escape closes.",
                         id="what-if-close")
            with VerticalScroll(id="what-if-body"):
                yield Static(Group(*what_if_report(self.result, in_json=False)),
                             id="what-if-report")

    def on_mount(self) -> None:
        self.query_one("#what-if").border_title = "What if they go"

    def action_close(self) -> None:
        self.dismiss(None)
