"""Accepting a plan, and a what-if, at 100,000 people and 5,000 workers (no target; measured).

On a copy of the plan benchmark's database (``bench_plan``'s ``plan.db``, built on first use):
a plan is made (not timed), then timed: the first ``accept`` (about 105,000 roles given, each
audited), where the allocation stands then (``plan status``, the dashboard's Allocation box,
and the caseload's "needs a worker" filter), a what-if losing a tenth of capacity (two plans solved, nothing stored), a re-plan
with everyone now held by an accepted worker, and accepting that (few roles change, but every
current role is read and compared).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TypeVar

from benchmarks.bench_plan import AS_OF, DATA, build
from transition.allocation_status import allocation_status
from transition.db import Database
from transition.people import PeopleQuery, list_people
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.ruleset import load_rules
from transition.whatif import what_if

T = TypeVar("T")


def _timed(label: str, work: Callable[[], T]) -> T:
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"{label}: {time.perf_counter() - started:.2f} s wall, "
          f"{time.process_time() - cpu:.2f} s CPU", flush=True)
    return result


def main() -> None:
    DATA.mkdir(exist_ok=True)
    source = DATA / "plan.db"
    if not source.exists():
        build(source)
    Database(f"sqlite:///{source}").migrate()  # brought to this code's schema first
    path = DATA / "accept.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, path)
    database = Database(f"sqlite:///{path}")
    rules = load_rules()
    try:
        with database.transaction() as session:
            propose_plan(session, rules, as_of=AS_OF, actor="bench", refresh=False)

        def accept() -> str:
            with database.transaction() as session:
                result = accept_plan(session, rules, actor="bench")
            return f"{result.changed:,} roles changed, {result.ended:,} ended"

        print(f"  {_timed('accept (first: every role given)', accept)}")

        def status() -> str:
            with database.session() as session:
                result = allocation_status(session)
                needing = list_people(session, PeopleQuery(needs_worker=True)).total
            return (f"{result.roles_held:,} roles held, {result.needs_a_worker:,} need a "
                    f"worker (the caseload filter lists {needing:,})")

        print(f"  {_timed('plan status + the needs-a-worker filter (the dashboard)', status)}")

        def scenario() -> str:
            with database.session() as session:
                result = what_if(session, rules, as_of=AS_OF, capacity_scale=0.9)
            return f"{result.assigned:,} placed, {result.unassigned:,} not"

        print(f"  {_timed('what-if, capacity x 0.9', scenario)}")

        def replan() -> str:
            with database.transaction() as session:
                result = propose_plan(session, rules, as_of=AS_OF, actor="bench", refresh=False)
            return f"{result.kept_with_current:,} kept, {result.changed:,} changed"

        print(f"  {_timed('plan again (everyone held by an accepted worker)', replan)}")
        print(f"  {_timed('accept again', accept)}")
    finally:
        database.dispose()
        for done in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
            done.unlink(missing_ok=True)
