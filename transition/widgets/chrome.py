"""The frame every screen shares: a bar of the app's sections under the header, and the footer.

The sections' keys (d Dashboard, c Caseload, ...) are the same everywhere, so they live in the
:class:`NavBar` at the top, with the section on screen highlighted. The footer is left for what
the screen itself does (its own keys) and ``q`` Quit, so it fits a 120-column terminal.
"""

from __future__ import annotations

from typing import Any, Protocol

from rich.markup import escape
from textual import events
from textual.binding import Binding
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

PAGES = Binding.Group("Page")
"""Next and previous page shown together in the footer: ``] [ Page``."""


class _Place(Protocol):
    name: str
    title: str
    key: str | None

    @property
    def screen(self) -> Any: ...


def nav_markup(places: list[_Place], current: type | None, *, gap: int = 2) -> str:
    """``d Dashboard  c Caseload  ...``: each section's key and title ``gap`` spaces apart, the
    current one shown reversed, the others clickable (``app.go``)."""
    parts = []
    for place in places:
        if place.key is None:
            continue
        label = f"[b]{escape(place.key)}[/b] {escape(place.title)}"
        if place.screen is current:
            parts.append(f"[reverse]{label}[/reverse]")
        else:
            parts.append(f"[@click=app.go('{place.name}')]{label}[/]")
    return " " + (" " * gap).join(parts)


def nav_width(places: list[_Place], *, gap: int) -> int:
    """How many columns :func:`nav_markup` takes with this ``gap``."""
    labels = [len(place.key) + 1 + len(place.title) for place in places if place.key is not None]
    return 1 + sum(labels) + gap * (len(labels) - 1)


class NavBar(Static):
    """The app's sections and their keys, under the header; the one on screen highlighted."""

    DEFAULT_CSS = """
    NavBar {
        height: auto;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self._show()

    def on_resize(self) -> None:
        self._show()

    def _show(self) -> None:
        places = list(getattr(self.app, "destinations", {}).values())
        # The widest spacing that fits on one line; at 80 columns, single spaces.
        gap = next((gap for gap in (3, 2) if nav_width(places, gap=gap) <= self.size.width), 1)
        self.update(nav_markup(places, type(self.screen), gap=gap))


PALETTE_KEY_MIN_WIDTH = 100
"""Narrower than this, the footer leaves out the command palette's key (``^p palette``) so the
screen's own keys fit; ctrl+p still opens it, and ``?`` Help (in the footer at 80 columns
too, when the screen's keys leave room) shows every key, as the palette's "Keys" does."""


class AppFooter(Footer):
    """The footer in its compact form: the screen's own keys, then Quit, ``?`` Help and, on a
    terminal wide enough, the palette. A key that does not fit whole is left out rather than
    cut ("? He"): at 80 columns the tasks screen's keys leave no room for Help, and neither
    does ``^n`` Dismiss while a notification shows."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= PALETTE_KEY_MIN_WIDTH
        if wide != self.show_command_palette:
            self.show_command_palette = wide
        if self.is_attached:  # every key again, then those that do not fit now left out
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._leave_out_cut_keys)

    def _leave_out_cut_keys(self) -> None:
        edge = self.region.right
        for key in self.query(FooterKey):
            if key.display and key.region.width and key.region.right > edge:
                key.display = False
