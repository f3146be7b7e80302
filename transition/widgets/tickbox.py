"""A checkbox and a radio button that show whether they are on without colour."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    """Textual's Checkbox draws ``▐X▌`` ticked or not and tells the two apart only by the X's
    colour, so on a monochrome terminal (or to someone who does not see the colour) an
    unticked box looked ticked. This one is empty, ``▐ ▌``, until it is ticked. (The
    character is the widget's, not a style, so the app's stylesheet cannot set it.)"""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual's name for the character
        return "X" if self.value else " "


class RadioChoice(RadioButton):
    """A RadioButton whose dot, ``▐●▌``, shows only on the one chosen (``▐ ▌`` on the others):
    Textual's draws the dot on every one and marks the chosen by colour alone."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # Textual's name for the character
        return "●" if self.value else " "
