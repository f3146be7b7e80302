"""Planning: read the caseload, staff and current allocation, build the matching problem,
solve it, and store the result as a draft plan (``Plan`` + ``PlanAssignment``).

``propose_plan`` plans everyone; ``replan`` only some people, leaving everyone else as they
are (the nightly check's ``--apply``). Reading the inputs is :mod:`transition.plan_inputs`;
what-if runs, which store nothing, are :mod:`transition.whatif`; reading and accepting stored
plans is :mod:`transition.plan_review`; a manager's own choices and locks are
:mod:`transition.worker_overrides`; the plan's rows, and the text they are stored as, are
:mod:`transition.plan_rows`. Bulk reads and writes use SQLAlchemy Core: 100,000 people is the
design size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import Text, bindparam, cast, insert, select, update
from sqlmodel import Session

from transition.assessment import refresh_assessments
from transition.bulk import collector_paused, copy_rows
from transition.matching import PATHWAY_ROLES, Solution, solve
from transition.models import Plan, PlanAssignment, PlanStatus
from transition.plan_inputs import Inputs, PersonInfo, read_inputs
from transition.plan_rows import (
    STORED_COLUMNS,
    PlanRow,
    PlanRows,
    StoredJson,
    StoredRow,
    stored_row,
)
from transition.ruleset import Rules

Progress = Callable[[int, int], None]

NO_PATHWAY_REASON = "no pathway decided yet: run transition assess"

_JSON_COLUMNS = frozenset({"reasons", "alternatives", "unassigned_reasons"})


# ---------------------------------------------------------------------------------------------
# What a plan shows
# ---------------------------------------------------------------------------------------------


@dataclass
class PlanResult:
    """A plan as the CLI prints it and a screen shows it."""

    plan_id: int | None
    kind: str
    status: str
    optimal: bool
    solver_status: str
    objective: int
    rows: Sequence[PlanRow]  # a plan just assembled: PlanRows, made when first read
    not_planned: dict[str, int] = field(default_factory=dict)
    ending: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    rules_version: str | None = None
    as_of: date | None = None
    transfer_date: date | None = None
    created_by: str | None = None

    # Counts are over the whole plan. A plan read back with a filter keeps only some rows,
    # so it carries the whole plan's counts in ``totals``; so does a plan just assembled,
    # counted from its columns (PlanRows.counts), so that storing it makes no row objects.
    totals: dict[str, int] | None = None
    filtered: bool = False
    # Of the unassigned roles, those someone holds now (read back by load_plan): accepting
    # leaves each with them until a manager decides (plan_review.unassigned_holders).
    unassigned_staying: int = 0

    def _count(self, name: str, count: Callable[[Sequence[PlanRow]], int]) -> int:
        return self.totals[name] if self.totals and name in self.totals else count(self.rows)

    @property
    def assigned(self) -> int:
        return self._count("assigned",
                           lambda rows: sum(1 for row in rows if row.staff_id is not None))

    @property
    def unassigned(self) -> int:
        return self._count("unassigned", lambda rows: sum(1 for row in rows if row.staff_id is None))

    @property
    def kept_with_current(self) -> int:
        # A locked role counts as locked only, whoever holds it (a row locked with the worker
        # who holds it now is still stored kept), so kept, changed and locked add up to
        # assigned.
        return self._count("kept_with_current",
                           lambda rows: sum(1 for row in rows if row.kept and not row.locked))

    @property
    def locked(self) -> int:
        return self._count("locked", lambda rows: sum(1 for row in rows if row.locked))

    @property
    def changed(self) -> int:
        return self._count("changed", lambda rows: sum(
            1 for row in rows if row.staff_id is not None and not row.kept and not row.locked))

    @property
    def people(self) -> int:
        return self._count("people", lambda rows: len({row.person_id for row in rows}))

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "kind": self.kind,
            "status": self.status,
            "optimal": self.optimal,
            "solver_status": self.solver_status,
            "objective": self.objective,
            "people": self.people,
            "assigned": self.assigned,
            "unassigned": self.unassigned,
            "unassigned_staying": self.unassigned_staying,
            "kept_with_current": self.kept_with_current,
            "changed": self.changed,
            "locked": self.locked,
            "rules_version": self.rules_version,
            "as_of": self.as_of,
            "transfer_date": self.transfer_date,
            "not_planned": self.not_planned,
            "roles_ending": self.ending,
            "warnings": self.warnings,
            "seconds": self.seconds,
            "filtered": self.filtered,
            "assignments": [row.to_json() for row in self.rows if row.staff_id is not None],
            "unassigned_people": [row.to_json() for row in self.rows if row.staff_id is None],
        }


# ---------------------------------------------------------------------------------------------
# Planning runs
# ---------------------------------------------------------------------------------------------


def bring_assessments_up_to_date(
    session: Session, rules: Rules, *, as_of: date, actor: str, progress: Progress | None
) -> None:
    """Pathway and risk decisions for people whose data or rules changed since last assessed."""
    refresh_assessments(session, rules, as_of=as_of, actor=actor, only_changed=True,
                        progress=progress)


def propose_plan(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    actor: str,
    progress: Progress | None = None,
    refresh: bool = True,
) -> PlanResult:
    """Plan everyone who needs a role filled and store it as a draft.

    First brings pathway and risk decisions up to date for people whose data or rules changed
    (``refresh=False`` plans on the decisions as stored: for tests that set them directly).
    """
    return _plan_and_store(session, rules, as_of=as_of, actor=actor, person_ids=None,
                           kind="plan", progress=progress, refresh=refresh)


def replan(
    session: Session,
    rules: Rules,
    *,
    person_ids: Iterable[int],
    as_of: date,
    actor: str,
    kind: str = "check_apply",
    progress: Progress | None = None,
    refresh: bool = True,
) -> PlanResult:
    """Plan only ``person_ids`` with minimal disruption: everyone else keeps their current
    allocation (counting against capacity) and is not in the plan. Stored as a draft of
    ``kind`` for a manager to accept."""
    return _plan_and_store(session, rules, as_of=as_of, actor=actor,
                           person_ids=sorted(set(person_ids)), kind=kind, progress=progress,
                           refresh=refresh)


def _plan_and_store(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    actor: str,
    person_ids: list[int] | None,
    kind: str,
    progress: Progress | None,
    refresh: bool = True,
) -> PlanResult:
    with collector_paused():
        steps = 4
        report = progress or (lambda _done, _total: None)
        started = time.perf_counter()
        if refresh:
            bring_assessments_up_to_date(session, rules, as_of=as_of, actor=actor, progress=None)
        report(1, steps)
        inputs = read_inputs(session, rules, as_of=as_of, person_ids=person_ids)
        read = time.perf_counter()
        report(2, steps)
        solution = solve(inputs.problem, rules.matching)
        solved = time.perf_counter()
        report(3, steps)
        result = assemble(inputs, solution, kind=kind, status=PlanStatus.DRAFT, rules=rules,
                          as_of=as_of)
        result.seconds = {"read": round(read - started, 3), **solution.seconds}
        store_plan(session, result, inputs, solution, actor=actor)
        result.seconds["write"] = round(time.perf_counter() - solved, 3)
        result.seconds["total"] = round(time.perf_counter() - started, 3)
        report(4, steps)
        return result


def undecided_reason(info: PersonInfo) -> str:
    """Why a person with no usable pathway is unassigned."""
    if info.pathway is None:
        return NO_PATHWAY_REASON
    return (f"pathway {info.pathway!r} is not one of {', '.join(PATHWAY_ROLES)}: correct it "
            "and run transition assess")


def assemble(
    inputs: Inputs, solution: Solution, *, kind: str, status: str, rules: Rules, as_of: date
) -> PlanResult:
    """The plan's rows: every placement, every locked role, and every undecided person."""
    rows = PlanRows()
    rows.add_placements(inputs.people, solution.columns)
    for (person_id, role), lock in sorted(inputs.locks.items()):
        info = inputs.people[person_id]
        rows.add(info, role, lock.staff_id, kept=info.continues_with(lock.staff_id),
                 locked=True, reasons=("locked by a manager: kept as it is",))
    for person_id in inputs.undecided:
        info = inputs.people[person_id]
        rows.add(info, None, None, kept=False, locked=False, reasons=(undecided_reason(info),))
    return PlanResult(
        plan_id=None,
        kind=kind,
        status=status,
        optimal=solution.optimal,
        solver_status=solution.status,
        objective=solution.objective,
        rows=rows,
        not_planned=dict(inputs.not_planned),
        ending=[{"nhs_number": inputs.people[item.person_id].nhs_number
                 if item.person_id in inputs.people else None,
                 "person_id": item.person_id, "role": item.role, "staff_id": item.staff_id,
                 "reason": item.reason} for item in inputs.ending],
        warnings=list(inputs.warnings),
        rules_version=rules.version_label,
        as_of=as_of,
        transfer_date=inputs.transfer_date,
        totals=rows.counts(),
    )


def store_plan(
    session: Session, result: PlanResult, inputs: Inputs, solution: Solution, *, actor: str
) -> int:
    """Write the plan and its rows; older drafts of the same kind are discarded."""
    accepted = session.scalar(
        select(Plan.id).where(Plan.status == PlanStatus.ACCEPTED).order_by(Plan.id.desc())  # type: ignore[union-attr]
    )
    session.execute(
        update(Plan)
        .where(Plan.status == PlanStatus.DRAFT, Plan.kind == result.kind)
        .values(status=PlanStatus.DISCARDED)
    )
    summary = {
        "people": result.people,
        "assigned": result.assigned,
        "unassigned": result.unassigned,
        "kept_with_current": result.kept_with_current,
        "changed": result.changed,
        "locked": result.locked,
        "not_planned": result.not_planned,
        "roles_ending": result.ending,
        "warnings": result.warnings,
        "seconds": result.seconds,
        "inputs": inputs.fingerprints,
        "person_ids": inputs.person_ids,
        # Who the plan signposted: they get no row, and the nightly check's pathway_changed
        # compares them with it all the same (check_findings.planned_pathways).
        "signposted": inputs.signposted,
        "network": {"nodes": solution.nodes, "arcs": solution.arcs},
        "loads": {load.staff_id: [load.capacity, load.held, load.planned, load.red_handovers]
                  for load in solution.loads.values()},
    }
    plan = Plan(
        status=PlanStatus.DRAFT, kind=result.kind, base_plan_id=accepted,
        rules_version=result.rules_version, as_of=result.as_of,
        transfer_date=result.transfer_date, objective=float(result.objective),
        optimal=result.optimal, solver_status=result.solver_status, summary=summary,
        created_by=actor,
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None
    result.plan_id = plan.id
    result.created_by = actor
    names = STORED_COLUMNS
    plan_id = plan.id
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    # SQLite stores a bool as the integer 0 or 1 either way, but its driver binds a bool
    # through a slower path than an int (bool is not exactly int): ints save about 0.06 s
    # at 100,000 rows. PostgreSQL's boolean columns want bools.
    flag = bool if postgres else int
    rows: list[StoredRow]
    if isinstance(result.rows, PlanRows):  # as assemble made them: from the columns
        rows = result.rows.stored(plan_id, flag)
    else:
        text = StoredJson()
        rows = [stored_row(row, plan_id, flag, text) for row in result.rows]
    # The JSON columns go in as the text encoded above: at 100,000 rows the ORM's bulk
    # insert, and encoding value by value through the column type, cost more than the rows
    # themselves. PostgreSQL: one COPY. Elsewhere: a Core executemany on the connection.
    table = PlanAssignment.__table__  # type: ignore[attr-defined]
    if not rows or copy_rows(connection, table.name, names, rows):
        return plan.id

    def value(name: str) -> Any:
        if name not in _JSON_COLUMNS:
            return bindparam(name, type_=table.c[name].type)
        text = bindparam(name, type_=Text)
        # PostgreSQL wants json, not text; SQLite stores JSON as text already (and a CAST
        # there would give the text numeric affinity).
        return cast(text, table.c[name].type) if postgres else text

    statement = insert(table).values({name: value(name) for name in names})
    # Compiled once and handed to the driver: SQLAlchemy's per-row parameter handling would
    # cost as much as the insert (every value here is a plain str, int or bool).
    compiled = statement.compile(dialect=connection.dialect)
    keys = compiled.positiontup
    parameters: list[Any]
    if not keys:  # named parameters (a PostgreSQL driver without COPY)
        parameters = [dict(zip(names, row, strict=True)) for row in rows]
    elif tuple(keys) == names:
        parameters = rows
    else:
        in_order = itemgetter(*(names.index(key) for key in keys))
        parameters = [in_order(row) for row in rows]
    for start in range(0, len(parameters), 10_000):
        connection.exec_driver_sql(str(compiled), parameters[start:start + 10_000])
    return plan.id
