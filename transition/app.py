"""The Textual app (a shell until the TUI is built)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from transition.config import Settings


class TransitionApp(App[None]):
    TITLE = "transition"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("transition")
        yield Footer()


def make_app(settings: Settings) -> TransitionApp:
    return TransitionApp(settings)
