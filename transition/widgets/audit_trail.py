"""The person screen's audit trail: each recorded change in a manager's words, readable at 80
columns.

One line of text per change, in four columns: when, who, what, and the change itself ("Care Act
assessment booked, status: To do → Done"). Tasks are named by their titles (as the rules'
task templates gave them when they were made), not by their keys or ids; only a task the
person no longer has is named by its id ("task 2145", for ``transition tasks``). The
change column takes the room the others leave and wraps at word boundaries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from transition.models import AuditEvent
from transition.widgets.format import recorded_value, task_status, uk_time, words

# On a narrow box, the columns but the change: "26 Nov 2026" over "10:33", the actor, and the
# action's words over at most two lines ("Changed by an" / "import"); the change has the rest
# (at 80 columns about 40 cells, where six columns of a few cells each split words in two).
WHEN_WIDTH = 11
WHAT_WIDTH = 14
NARROW = 100  # cells: from this wide, when and what keep one line each


def task_titles(tasks: list[dict[str, Any]]) -> tuple[dict[int, str], dict[str, str]]:
    """(id -> title, key -> title) of a person's tasks (``person_detail``'s "tasks")."""
    by_id: dict[int, str] = {}
    by_key: dict[str, str] = {}
    for task in tasks:
        title = str(task.get("title") or "")
        if not title:
            continue
        if isinstance(task.get("id"), int):
            by_id[task["id"]] = title
        if task.get("key"):
            by_key[str(task["key"])] = title
    return by_id, by_key


class AuditTable:
    """The trail of ``events``, newest first as given; ``tasks`` names their tasks. Laid out
    for the width it is drawn at: narrower than :data:`NARROW`, when and what take two lines
    each, so the change keeps room for whole words."""

    def __init__(self, events: list[AuditEvent], *, action_words: Callable[[str], str],
                 tasks: list[dict[str, Any]]) -> None:
        self.events = events
        self.action_words = action_words
        self.tasks = tasks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(narrow=options.max_width < NARROW)

    def table(self, *, narrow: bool) -> Table:
        by_id, by_key = task_titles(self.tasks)
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", expand=True)
        table.add_column("When", width=WHEN_WIDTH if narrow else None, no_wrap=not narrow)
        table.add_column("Who", overflow="fold")
        table.add_column("What", max_width=WHAT_WIDTH if narrow else None, no_wrap=not narrow)
        table.add_column("Change", ratio=1)
        for event in self.events:
            when = event.at if isinstance(event.at, datetime) else None
            table.add_row(uk_time(when), event.actor, self.action_words(event.action),
                          change_words(event, by_id, by_key))
        return table


def audit_table(events: list[AuditEvent], *, action_words: Callable[[str], str],
                tasks: list[dict[str, Any]]) -> AuditTable:
    """The trail of ``events`` (:class:`AuditTable`)."""
    return AuditTable(events, action_words=action_words, tasks=tasks)


def change_words(event: AuditEvent, by_id: Mapping[int, str],
                 by_key: Mapping[str, str]) -> Text:
    """What changed, in words: 'pathway: council → joint'; for a task, its title first ('Letter
    to the GP, status: To do → Done'); for the tasks made, their titles."""
    if event.action == "task.create" and isinstance(event.after, dict):
        return Text("; ".join(by_key.get(str(key)) or words(str(key)) for key in event.after))
    field = event.field.replace("_", " ") if event.field else ""
    said = task_status if event.entity == "task" and event.field == "status" else recorded_value
    change = said(event.after)
    if event.before is not None:
        change = f"{said(event.before)} → {change}"
    if event.entity == "task" and event.entity_key:
        task = by_id.get(int(event.entity_key)) if event.entity_key.isdigit() else None
        # A task the person no longer has: its id, to look it up (transition tasks history).
        task = task or f"task {event.entity_key}"
        field = f"{task}, {field}" if field else task
    if event.field is None and event.before is None and event.after is None:
        return Text("")
    return Text(f"{field}: {change}" if field else change)
