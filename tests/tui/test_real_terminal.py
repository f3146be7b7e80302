"""The real app in a real terminal: ``transition`` runs in tmux, keys go in with send-keys and
the screen comes back with capture-pane.

Pilot tests drive the app inside the test process; these check what Pilot cannot: that the
installed command starts on a real terminal, draws the screens a manager sees at 120x40,
answers keys, and exits 0 on ``q``. Skipped where tmux is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import TODAY
from transition.config import Settings
from transition.db import Database

WIDTH, HEIGHT = 120, 40
TIMEOUT = 15.0  # seconds for one screen to appear (the first start imports Textual)
POLL = 0.1
EXITED = "transition exited with status"


class Terminal:
    """One tmux server of our own (its own socket), running the app in one pane."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                                text=True, timeout=10, check=True)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "app", "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def wait_until(self, check: Callable[[str], bool], what: str,
                   timeout: float = TIMEOUT) -> str:
        """Poll the screen until ``check`` holds; fail with the last screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen after {timeout:.0f}s: {what}\n{screen}")
            time.sleep(POLL)

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        return self.wait_until(lambda screen: all(text in screen for text in texts),
                               " and ".join(repr(text) for text in texts), timeout)


@pytest.fixture
def terminal(populated: Database, sqlite_settings: Settings, tmp_path: Path) -> Iterator[Terminal]:
    """The app on the small caseload of tests/tui/data.py, in a 120x40 tmux pane."""
    if sys.platform == "win32" or shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    populated.dispose()  # the app opens the file itself
    database_file = sqlite_settings.resolved_database_url.removeprefix("sqlite:///")
    (tmp_path / "no-settings.toml").touch()  # empty: a named settings file must exist
    env = {
        **{key: value for key, value in os.environ.items()
           if not key.startswith("TRANSITION_")},
        "TRANSITION_AS_OF": TODAY.isoformat(),
        "TRANSITION_ACTOR": "test-manager",
        "TRANSITION_OUTPUT_DIR": str(tmp_path / "output"),
        "TRANSITION_SETTINGS_FILE": str(tmp_path / "no-settings.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    command = (f"{sys.executable} -m transition --db {database_file}; "
               f"echo \"{EXITED} $?\"; sleep 60")
    terminal = Terminal(f"transition-test-{uuid.uuid4().hex[:12]}")
    subprocess.run(["tmux", "-L", terminal.socket, "-f", os.devnull, "new-session", "-d",
                    "-s", "app", "-x", str(WIDTH), "-y", str(HEIGHT), command],
                   env=env, check=True, timeout=10)
    try:
        yield terminal
    finally:
        subprocess.run(["tmux", "-L", terminal.socket, "kill-server"], capture_output=True,
                       timeout=10, check=False)


def test_dashboard_caseload_search_person_and_quit(terminal: Terminal) -> None:
    dashboard = terminal.wait_for("Dashboard", "Latest imports", "Allocation", "By locality")
    # The cards at the top are on screen (the dashboard is not scrolled to the tables), and
    # under them the last check and where the allocation stands.
    assert "24 people on the caseload" in dashboard
    assert "people whose pathway needs a worker" in dashboard
    assert "Traceback" not in dashboard

    # Typed ahead in one burst: the caseload opens (for the first time) and the search box
    # gets every letter typed while it was appearing.
    terminal.type("c/ashw")
    typed_ahead = terminal.wait_until(
        lambda screen: "of 1 person" in screen and "Baines" not in screen,
        "the typed-ahead search narrowing the caseload to Ashworth")
    assert "Ashworth, Alice" in typed_ahead

    terminal.keys("Escape")  # clears the search, back to the table
    caseload = terminal.wait_for("Caseload", "Showing 1-24 of 24 people")
    assert "Ashworth, Alice" in caseload and "Baines, Bilal" in caseload

    # r reverses the order, then back: the table answers keys before we type a search.
    terminal.keys("r")
    terminal.wait_until(lambda screen: "(reversed)" in screen, "the order reversed")
    terminal.keys("r")
    terminal.wait_until(lambda screen: "(reversed)" not in screen, "the order back")
    terminal.keys("/")
    terminal.type("ashw")
    narrowed = terminal.wait_until(
        lambda screen: "of 1 person" in screen and "Baines" not in screen,
        "the search narrowing the caseload to Ashworth")
    assert "Ashworth, Alice" in narrowed
    assert "999 000 0018" in narrowed

    # Enter goes back to the table and a second opens the one person found: sent together,
    # the second reaches the search box before the focus has moved, and still opens them.
    terminal.keys("Enter", "Enter")
    person = terminal.wait_until(
        lambda screen: "Person — Ashworth, Alice" in screen and "Identity" in screen,
        "the person screen for Ashworth")
    assert "999 000 0018" in person
    terminal.keys("Escape")
    terminal.wait_until(lambda screen: "Person —" not in screen and "of 1 person" in screen,
                        "back on the caseload, still searching")

    terminal.keys("q")
    exited = terminal.wait_for(EXITED)
    assert f"{EXITED} 0" in exited
