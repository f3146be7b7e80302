"""New tasks of people who have none yet, built by SQLite from one row per person (SQLite).

Everyone with the same facts gets the same tasks but for their owners: the same keys, titles,
due dates and dependencies. :class:`TaskSets` keeps each distinct set of facts' rows once (one
row per task, values as stored, the owner left as a kind of owner) and one row per person (their
first task id, their set, their owner for each kind); SQLite then builds every task row in one
``INSERT ... SELECT`` joining the two as temporary tables. At 460,000 tasks that is a third less
SQLite time than binding and inserting each row, and no Python tuple per task.

The rows written are those the row-by-row path writes: the same ids (given by generation, each
person's consecutive from their first), values and owners (``test_tasks_generate`` compares the
two paths).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

SetRow = tuple[str, int, str, Any, int, Any, Any]
"""A task of a set as stored: key, kind of owner (its number), title, due, offset, handover date,
dependencies."""

_SET_COLUMNS = ("key", "kind", "title", "due", "offset_working_days", "handover_date",
                "depends_on")


class TaskSets:
    """Sets of facts' task rows and the people given them, written in one statement."""

    def __init__(self, *, status: str, created_at: Any, actor: str) -> None:
        self._constants = (status, created_at, created_at, actor, 1)
        self._sets: list[Sequence[SetRow]] = []
        self._numbers: dict[tuple[SetRow, ...], int] = {}
        # By how many owner values they have: NULLs are left out, not bound (binding None
        # costs the driver a failed adapter lookup each time).
        self._people: dict[int, list[tuple[Any, ...]]] = defaultdict(list)

    def __bool__(self) -> bool:
        return bool(self._people)

    def add_set(self, rows: Sequence[SetRow]) -> int:
        """A set of facts' tasks, in order; returns the number people refer to it by (the
        same for the same rows: many sets of facts differ only where no template looks)."""
        number = self._numbers.setdefault(tuple(rows), len(self._sets))
        if number == len(self._sets):
            self._sets.append(rows)
        return number

    def add_person(self, person_id: int, first_id: int, set_number: int,
                   owners: Sequence[str | None]) -> None:
        """A person given the set's tasks, ids from ``first_id``; ``owners`` has each kind of
        owner's owner kind and staff id in turn."""
        self._people[len(owners)].append((first_id, person_id, set_number, *owners))

    def write(self, session: Session) -> None:
        kinds = max(self._people, default=0) // 2
        if not kinds:  # nobody's set has a task
            return
        connection = session.connection()
        quote = connection.dialect.identifier_preparer.quote
        owner_columns = [f"{name}_{kind}" for kind in range(kinds)
                         for name in ("owner_kind", "owner_staff_id")]
        connection.exec_driver_sql(
            "CREATE TEMP TABLE new_task_set (set_number, position, "
            f"{', '.join(quote(name) for name in _SET_COLUMNS)}, "
            "PRIMARY KEY (set_number, position)) WITHOUT ROWID"
        )
        # Keyed by first id, so that people are read in the order of their ids.
        connection.exec_driver_sql(
            "CREATE TEMP TABLE new_task_person (first_id INTEGER PRIMARY KEY, person_id, "
            f"set_number, {', '.join(owner_columns)})"
        )
        connection.exec_driver_sql(
            f"INSERT INTO temp.new_task_set VALUES ({', '.join(['?'] * (2 + len(_SET_COLUMNS)))})",
            [(number, position, *row) for number, rows in enumerate(self._sets)
             for position, row in enumerate(rows)],
        )
        for owner_values, people in self._people.items():
            columns = ["first_id", "person_id", "set_number", *owner_columns[:owner_values]]
            connection.exec_driver_sql(
                f"INSERT INTO temp.new_task_person ({', '.join(columns)}) "
                f"VALUES ({', '.join(['?'] * len(columns))})", people,
            )

        def owner(name: str) -> str:
            cases = " ".join(f"WHEN {kind} THEN p.{name}_{kind}" for kind in range(kinds))
            return f"CASE s.kind {cases} END"

        # People first (CROSS JOIN keeps that loop order in SQLite), so ids arrive in order.
        connection.exec_driver_sql(
            "INSERT INTO task (id, person_id, \"key\", title, owner_kind, owner_staff_id, due, "
            "offset_working_days, handover_date, status, depends_on, created_at, updated_at, "
            "updated_by, version) "
            f"SELECT p.first_id + s.position, p.person_id, s.\"key\", s.title, "
            f"{owner('owner_kind')}, {owner('owner_staff_id')}, s.due, s.offset_working_days, "
            "s.handover_date, ?, s.depends_on, ?, ?, ?, ? "
            "FROM temp.new_task_person AS p CROSS JOIN temp.new_task_set AS s "
            "WHERE s.set_number = p.set_number",
            self._constants,
        )
        connection.exec_driver_sql("DROP TABLE temp.new_task_set")
        connection.exec_driver_sql("DROP TABLE temp.new_task_person")
