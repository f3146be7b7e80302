"""Every command the CLI has is shown in the README or docs/, with every option it takes.

tests/unit/test_readme.py checks the other way round (every command the pages show is one the
CLI has, with options it accepts); together a command or option added without docs, or docs
left behind by a rename, fail the suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import product
from typing import Any

import pytest
import typer

from tests.unit.test_readme import GLOBAL_WITH_VALUE, PAGES, shown_commands
from transition.cli import app

COMMAND_WORD = re.compile(r"[a-z][\w-]*(\|[a-z][\w-]*)*")


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command a user can run: the leaves, and a group that runs on its own with options
    of its own (`plan`, `check`)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None or (path and command.params):
        yield path, command
    for name, sub in (subcommands or {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _command_path(words: list[str]) -> list[list[str]]:
    """The command words of one shown command line, each a list of alternatives
    (`pathway set|clear|show`): global options and their values skipped, stopping at the
    first option, placeholder (`NHS`, `[--json]`) or argument."""
    words = list(words)
    while words and words[0].split("=")[0] in GLOBAL_WITH_VALUE:
        words = words[1:] if "=" in words[0] else words[2:]
    path = []
    for word in words:
        if not COMMAND_WORD.fullmatch(word):
            break
        path.append(word.split("|"))
    return path


@cache
def shown() -> dict[tuple[str, ...], set[str]]:
    """Each command path the pages show (and each shorter path it starts with), and the pages
    that show it."""
    pages: dict[tuple[str, ...], set[str]] = {}
    for page in PAGES:
        for name, words in shown_commands(page):
            alternatives = _command_path(words)
            for length in range(1, len(alternatives) + 1):
                for path in product(*alternatives[:length]):
                    pages.setdefault(path, set()).add(name)
    return pages


def _options(command: Any) -> list[str]:
    return [option for param in command.params
            for option in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ()))
            if option.startswith("--")]


def test_docs6_every_command_is_shown_in_the_docs() -> None:
    """A new command (or a renamed one) needs a line in the README or docs/*.md showing it as
    `transition GROUP COMMAND ...`, in a code block or a `code span`."""
    assert len(COMMANDS) > 40  # the walk found the tree
    missing = [" ".join(path) for path in COMMANDS if path not in shown()]
    assert missing == [], (
        f"these commands are shown nowhere in README.md or docs/*.md: {missing}; add them "
        "(as `transition ...`) to the page for their stage")


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_docs6_every_option_is_on_a_page_that_shows_its_command(path: tuple[str, ...]) -> None:
    """Each option a command takes is named on a page that shows the command, so a manager
    reading about the command finds every option (--help explains each too)."""
    pages = shown().get(path, set())
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES if page.name in pages)
    missing = [option for option in _options(COMMANDS[path])
               if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)]
    assert missing == [], (f"transition {' '.join(path)}: {missing} named on none of the "
                           f"pages that show it ({sorted(pages) or 'none'})")


def test_docs6_the_walk_reads_alternatives_and_global_options() -> None:
    """The parsing the two tests above rely on: `set|clear|show`, `--db FILE` before the
    command, placeholders and options ending the command words."""
    assert _command_path(["pathway", "set|clear|show"]) == [["pathway"], ["set", "clear", "show"]]
    assert _command_path(["--db", "team.db", "import", "caseload", "FILE"]) == [
        ["import"], ["caseload"]]
    assert _command_path(["--db=team.db", "plan", "show", "--unassigned"]) == [["plan"], ["show"]]
    assert _command_path(["person", "NHS", "--json"]) == [["person"]]
    assert _command_path(["tasks", "[--json]"]) == [["tasks"]]
