"""Generating and listing handover tasks for 100,000 people (SQLite). Target: under 10 s.

The caseload is built directly with Core inserts (people with pathways, risk bands and flags;
5,000 staff; current Assignment rows, 85% of them a change of worker), so this benchmark does not
depend on the importer, generator or planner. The database is rebuilt on every run under
benchmarks/data/ so each run starts from no tasks.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, insert, select, update

from transition.bulk import collector_paused
from transition.commands.common import print_json
from transition.db import Database
from transition.models import Assignment, Locality, Person, Programme, Staff, Task, Team, utcnow
from transition.ruleset import load_rules
from transition.tasks import (
    TaskQuery,
    TaskRow,
    burndown,
    generate_tasks,
    group_tasks,
    list_tasks,
    task_progress,
)
from transition.tasks.views import group_totals

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
STAFF = 5_000
TRANSFER = date(2027, 4, 1)
AS_OF = date(2027, 3, 22)
DATA = Path(__file__).parent / "data"
T = TypeVar("T")
ROLES = {"council": ["social_worker"], "assess": ["social_worker"], "trust": ["key_worker"],
         "joint": ["social_worker", "key_worker"]}


def timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    """Run ``action``; print wall time and this process's CPU time (telling on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<52} {seconds:6.2f} s  (cpu {time.process_time() - cpu:5.2f} s)", flush=True)
    return result, seconds


def json_document(rows: list[TaskRow]) -> str:
    """The document `tasks list --json` writes: the command's own print_json, into a string."""
    written = io.StringIO()
    with contextlib.redirect_stdout(written), collector_paused():
        print_json([row.as_json() for row in rows])
    return written.getvalue()


def build(database: Database, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = utcnow()
    with database.transaction() as session:
        session.execute(insert(Locality), [{"name": "North", "created_at": now}])
        session.execute(insert(Team), [
            {"name": "North CMHT", "locality": "North", "employer": "trust", "created_at": now},
            {"name": "North Council", "locality": "North", "employer": "council",
             "created_at": now},
        ])
        staff = []
        for index in range(STAFF):
            council = index < STAFF * 3 // 5
            staff.append({
                "staff_id": f"S{index:05d}", "given_name": "Jo", "family_name": f"Worker{index}",
                "employer": "council" if council else "trust",
                "role": "social_worker" if council else "key_worker",
                "team": "North Council" if council else "North CMHT", "locality": "North",
                "capacity": 30, "seconded": council and index % 3 == 0, "content_hash": "x",
                "created_at": now, "updated_at": now, "version": 1,
            })
        session.execute(insert(Staff), staff)
        council_ids = [row["staff_id"] for row in staff if row["employer"] == "council"]
        trust_ids = [row["staff_id"] for row in staff if row["employer"] == "trust"]
        people = []
        pathways = rng.choices(["council", "trust", "joint", "assess", "signpost"],
                               weights=[35, 30, 10, 10, 15], k=PEOPLE)
        for index, pathway in enumerate(pathways):
            recent = rng.random() < 0.08
            people.append({
                "nhs_number": f"{index:010d}", "given_name": "Sam",
                "family_name": f"Person{index}", "date_of_birth": date(1980, 1, 1),
                "team": "North CMHT", "locality": "North",
                "care_coordinator_id": rng.choice(council_ids),
                "pathway": pathway,
                "risk_band": rng.choices(["red", "amber", "green"], weights=[10, 30, 60])[0],
                "carer": rng.random() < 0.3, "personal_budget": rng.random() < 0.15,
                "s117": rng.random() < 0.15, "cto": rng.random() < 0.04,
                "accessible_format": rng.choice(["bsl", "braille", "large_print"])
                if rng.random() < 0.02 else None,
                "last_discharge": TRANSFER - timedelta(days=rng.randint(5, 80)) if recent else None,
                "handover_date": TRANSFER + timedelta(days=28) if index % 20 == 0 else None,
                # Every cluster (no random draw: the rest of the data is as it was), so that
                # the clusters the rules name (cluster_review) split people's facts.
                "cluster": index % 22,
                "content_hash": "x", "created_at": now, "updated_at": now, "version": 1,
            })
        session.execute(insert(Person), people)
        ids = session.execute(select(Person.id, Person.pathway, Person.care_coordinator_id)).all()
        assignments = []
        for person_id, pathway, coordinator in ids:
            roles = ROLES.get(pathway, [])
            for role in roles:
                keep = role == "social_worker" and rng.random() < 0.15
                staff_id = coordinator if keep else rng.choice(
                    council_ids if role == "social_worker" else trust_ids)
                assignments.append({
                    "person_id": person_id, "role": role, "staff_id": staff_id, "since": TRANSFER,
                    "locked": False, "source": "plan", "created_at": now, "created_by": "bench",
                    "version": 1,
                })
        session.execute(insert(Assignment), assignments)
        session.execute(insert(Programme), [{"id": 1, "transfer_date": TRANSFER,
                                             "updated_at": now, "updated_by": "bench"}])


def replan(database: Database, share: float = 0.1, seed: int = 8) -> int:
    """Give a share of the current assignments to other workers (as a re-plan would)."""
    rng = random.Random(seed)
    with database.transaction() as session:
        rows = session.execute(
            select(Assignment.id, Assignment.role).where(Assignment.ended_at.is_(None))  # type: ignore[union-attr]
        ).all()
        chosen = rng.sample(rows, int(len(rows) * share))
        staff = session.scalars(select(Staff.staff_id)).all()
        session.execute(update(Assignment), [
            {"id": assignment_id, "staff_id": rng.choice(staff)} for assignment_id, _ in chosen
        ])
    return len(chosen)


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "bench_tasks.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    database.migrate()
    rules = load_rules()
    print(f"Tasks for {PEOPLE:,} people, {STAFF:,} staff (SQLite, {path.name})")
    timed("build caseload + allocation (Core inserts)", lambda: build(database))

    def generate() -> object:
        with database.transaction() as session:
            return generate_tasks(session, rules, as_of=AS_OF, actor="bench",
                                  transfer_date=TRANSFER)

    first, generate_seconds = timed("tasks generate (first run: create all)", generate)
    print(f"    {first}")
    again, _ = timed("tasks generate again (no changes)", generate)
    assert again.created == again.not_needed == again.owner_moved == 0  # type: ignore[attr-defined]
    moved = replan(database)
    third, _ = timed(f"tasks generate after re-planning {moved:,} roles", generate)
    print(f"    owner moved {third.owner_moved:,}, not needed {third.not_needed:,}, "  # type: ignore[attr-defined]
          f"created {third.created:,}")

    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(Task)) or 0
        # What `tasks list --json` reads (no limit); printing it is timed below, not in the
        # target. The table and the tasks screen read pages (limits), timed further down.
        everything, list_seconds = timed(
            f"tasks list: all {total:,} tasks (overdue first)",
            lambda: list_tasks(session, as_of=AS_OF))
        assert len(everything.rows) == total
        timed("  and as --json prints them (not in the target)",
              lambda: json_document(everything.rows))
        overdue, _ = timed("tasks list --overdue",
                           lambda: list_tasks(session, TaskQuery(overdue_only=True), as_of=AS_OF))
        owner, _ = timed("tasks list --owner S00010",
                         lambda: list_tasks(session, TaskQuery(owner_staff_id="S00010"),
                                            as_of=AS_OF))
        _first_page, _ = timed("tasks list (the table's first 200)",
                              lambda: list_tasks(session, TaskQuery(limit=200), as_of=AS_OF))
        timed("the tasks screen's first page (500 open tasks)",
              lambda: list_tasks(session, TaskQuery(open_only=True, limit=500), as_of=AS_OF))
        for by in ("owner", "person"):
            # Grouped, the screen's page is in group order, and its headings count each group
            # over the whole list.
            query = TaskQuery(open_only=True, grouped_by=by, limit=500)
            def page(query: TaskQuery = query, by: str = by) -> object:
                rows = list_tasks(session, query, as_of=AS_OF).rows
                keys = [group.key for group in group_tasks(rows, by, in_order=True)]
                return group_totals(session, query, by, as_of=AS_OF, only=keys)

            timed(f"the tasks screen's first page grouped by {by}, with its groups' totals",
                  page)
        progress, _ = timed("progress (done / due / overdue)",
                            lambda: task_progress(session, as_of=AS_OF))
        timed("burndown to the transfer date",
              lambda: burndown(session, as_of=AS_OF, transfer_date=TRANSFER))
    print(f"    overdue {overdue.total:,}; S00010 owns {owner.total:,}; progress {progress}")
    print(f"  generate (first run) + list all: {generate_seconds + list_seconds:.2f} s "
          f"(target under 10 s)")
    database.dispose()
