"""Every command the README and the docs show is one the CLI has, with options it accepts."""

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from transition.cli import app

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
STOP = {"|", ">", ">>", "&&", "||", ";", "#", "2>&1", "\\", "<"}
GLOBAL_WITH_VALUE = {"--db", "--rules", "--actor"}


def shown_commands(page: Path) -> list[tuple[str, list[str]]]:
    """(page, words) for each `transition ...` command in the page's code (blocks or `spans`)."""
    text = page.read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
             for line in block.splitlines()]
    lines += re.findall(r"`(transition [^`]+)`", text)
    found = []
    for line in lines:
        words = line.split()
        for index, word in enumerate(words):
            if not re.fullmatch(r"(\S*/)?transition", word):
                continue
            before = words[index - 1] if index else ""
            if before and before not in STOP | {"$", "time"} and "=" not in before:
                continue  # an argument of another program, e.g. `createdb ... transition`
            command: list[str] = []
            for following in words[index + 1:]:
                if following in STOP or following.startswith(("#", ">", "|", "2>")):
                    break
                command.append(following)
            if command and re.fullmatch(r"-{0,2}[a-z][\w-]*", command[0]):
                found.append((page.name, command))
    return found


def takes_value(command: Any, option: str) -> bool:
    for param in command.params:
        if option in getattr(param, "opts", []):
            return not (getattr(param, "is_flag", False) or getattr(param, "count", False))
    return option in GLOBAL_WITH_VALUE


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """Follow the words through the command groups; returns the command and its option words.

    Placeholders (`KIND`, `[--json]`) end the walk; `set|clear|show` must all exist.
    """
    command: Any = typer.main.get_command(app)
    words = [word.strip("[]") for word in words]
    options: list[str] = []
    while words:
        word = words.pop(0)
        if word.startswith("-"):
            name = word.split("=")[0]
            options.append(name)
            if "=" not in word and takes_value(command, name) and words:
                words.pop(0)
            continue
        if not hasattr(command, "commands"):  # a command: the rest are its arguments/options
            break
        alternatives = word.split("|")
        if not all(re.fullmatch(r"[a-z][\w-]*", name) for name in alternatives):
            return command, []  # a placeholder such as KIND: nothing more to check
        for name in alternatives:
            assert name in command.commands, f"no command {name!r}"
        command = command.commands[alternatives[0]]
        options = [option for option in options if option not in GLOBAL_WITH_VALUE]
    options += [word.split("=")[0] for word in words if word.startswith("--")]
    return command, options


CASES = [case for page in PAGES for case in shown_commands(page)]


def test_the_pages_show_commands() -> None:
    assert sum(1 for page, _ in CASES if page == "README.md") >= 20


@pytest.mark.parametrize(("page", "words"), CASES, ids=[f"{p}:{' '.join(w)[:50]}" for p, w in CASES])
def test_shown_command_exists_with_its_options(page: str, words: list[str]) -> None:
    command, options = resolve(words)
    known = {name for param in command.params for name in getattr(param, "opts", [])}
    known |= {name for param in command.params for name in getattr(param, "secondary_opts", [])}
    known |= GLOBAL_WITH_VALUE | {"--help"}
    unknown = [option for option in options if option not in known]
    assert unknown == [], f"{page}: `transition {' '.join(words)}` uses unknown options"
