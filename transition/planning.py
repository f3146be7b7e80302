"""Planning: read the caseload, staff and current allocation, build the matching problem,
solve it, and store the result as a draft plan (``Plan`` + ``PlanAssignment``).

``propose_plan`` plans everyone; ``replan`` only some people, leaving everyone else as they
are (the nightly check's ``--apply``). Reading the inputs is :mod:`transition.plan_inputs`;
what-if runs, which store nothing, are :mod:`transition.whatif`; reading and accepting stored
plans is :mod:`transition.plan_review`; a manager's own choices and locks are
:mod:`transition.worker_overrides`. Bulk reads and writes use SQLAlchemy Core: 100,000 people is the
design size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Text, bindparam, cast, insert, select, update
from sqlmodel import Session

from transition.assessment import refresh_assessments
from transition.bulk import Memo, collector_paused
from transition.matching import PATHWAY_ROLES, Held, Placement, Solution, solve
from transition.models import Plan, PlanAssignment, PlanStatus
from transition.plan_inputs import Inputs, PersonInfo, read_inputs
from transition.ruleset import Rules

Progress = Callable[[int, int], None]

NO_ROLE = "none"
"""The role stored for a person whose pathway is not decided (JSON shows ``role: null``)."""

NO_PATHWAY_REASON = "no pathway decided yet: run transition assess"

_JSON_COLUMNS = frozenset({"reasons", "alternatives", "unassigned_reasons"})


# ---------------------------------------------------------------------------------------------
# What a plan shows
# ---------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    """One role for one person in a plan: filled, locked or unassigned, with reasons.

    Rows made by :func:`assemble` for placements alike share one ``reasons`` list and one
    ``alternatives`` list (100,000 rows, a few tens of thousands of distinct lists): read
    them, do not change them in place."""

    person_id: int
    nhs_number: str
    role: str | None
    staff_id: str | None
    kept: bool
    locked: bool
    cost: int | None
    reasons: list[str]
    alternatives: list[dict[str, Any]]
    pathway: str | None
    risk_band: str | None
    # The reasons and runner-ups as the plan stores them (JSON text; None: no runner-ups),
    # when ``assemble`` has already encoded them: not part of the row's value.
    stored: tuple[str, str | None] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"nhs_number": self.nhs_number, "role": self.role}
        if self.staff_id is not None:
            data.update(staff_id=self.staff_id, kept=self.kept, locked=self.locked,
                        reasons=self.reasons, cost=self.cost, alternatives=self.alternatives)
        else:
            data["reasons"] = self.reasons
        data.update(pathway=self.pathway, risk_band=self.risk_band)
        return data


@dataclass
class PlanResult:
    """A plan as the CLI prints it and a screen shows it."""

    plan_id: int | None
    kind: str
    status: str
    optimal: bool
    solver_status: str
    objective: int
    rows: list[PlanRow]
    not_planned: dict[str, int] = field(default_factory=dict)
    ending: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    rules_version: str | None = None
    as_of: date | None = None
    transfer_date: date | None = None
    created_by: str | None = None

    # Counts are over the whole plan. A plan read back with a filter keeps only some rows,
    # so it carries the whole plan's counts in ``totals``.
    totals: dict[str, int] | None = None
    filtered: bool = False

    def _count(self, name: str, rows: int) -> int:
        return self.totals[name] if self.totals and name in self.totals else rows

    @property
    def assigned(self) -> int:
        return self._count("assigned", sum(1 for row in self.rows if row.staff_id is not None))

    @property
    def unassigned(self) -> int:
        return self._count("unassigned", sum(1 for row in self.rows if row.staff_id is None))

    @property
    def kept_with_current(self) -> int:
        return self._count("kept_with_current", sum(1 for row in self.rows if row.kept))

    @property
    def locked(self) -> int:
        return self._count("locked", sum(1 for row in self.rows if row.locked))

    @property
    def changed(self) -> int:
        return self._count("changed", sum(1 for row in self.rows if row.staff_id is not None
                                           and not row.kept and not row.locked))

    @property
    def people(self) -> int:
        return self._count("people", len({row.person_id for row in self.rows}))

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


def assemble(
    inputs: Inputs, solution: Solution, *, kind: str, status: str, rules: Rules, as_of: date
) -> PlanResult:
    """The plan's rows: every placement, every locked role, and every undecided person."""
    rows = _placed_rows(inputs, solution.placements)
    for (person_id, role), lock in sorted(inputs.locks.items()):
        rows.append(_locked_row(inputs.people[person_id], role, lock))
    for person_id in inputs.undecided:
        info = inputs.people[person_id]
        reason = (NO_PATHWAY_REASON if info.pathway is None
                  else f"pathway {info.pathway!r} is not one of "
                       f"{', '.join(PATHWAY_ROLES)}: correct it and run transition assess")
        rows.append(PlanRow(person_id, info.nhs_number, None, None, False, False, None,
                            [reason], [], info.pathway, info.risk_band))
    rows.sort(key=lambda row: (row.person_id, row.role or ""))
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
    )


def _placed_rows(inputs: Inputs, placements: list[Placement]) -> list[PlanRow]:
    """A row for each placement, with its reasons and runner-ups already encoded as stored.

    Placements alike share their terms and runner-up tuples (the explainer words each case
    once: about 58,000 distinct terms and 13,000 runner-up lists for 105,000 placements at
    100,000 people), so each shared tuple is turned into a list of words and into JSON once,
    found by its ``id``, and rows alike share those lists (read-only: see :class:`PlanRow`).
    The placements keep every tuple alive while this runs, so an id cannot come back for
    another tuple; a tuple equal to another but not shared is simply worked out again."""
    text = StoredJson()
    # What a row's reasons are made from: a placed need's cost terms, or why it is not.
    sources = [placement.terms if placement.staff_id is not None
               else placement.unassigned_reasons for placement in placements]
    said: dict[int, tuple[list[str], str]] = {}
    for key, placement in {id(source): placement
                           for placement, source in zip(placements, sources, strict=True)}.items():
        reasons = list(placement.reasons)
        said[key] = (reasons, text.phrases(reasons))
    # Runner-ups: each list once, and each runner-up in it once (the explainer shares them
    # too), as the dict a row shows and its JSON.
    runner_ups = list(map(attrgetter("alternatives"), placements))
    listed: dict[int, tuple[list[dict[str, Any]], str | None]] = {}
    one: dict[int, tuple[dict[str, Any], str]] = {}
    for key, items in {id(items): items for items in runner_ups}.items():
        for item in items:
            if id(item) not in one:
                shown = {"staff_id": item.staff_id, "cost": item.cost,
                         "why_not": list(item.why_not)}
                one[id(item)] = (shown, text.runner_up(shown))
        entries = [one[id(item)] for item in items]
        listed[key] = ([entry[0] for entry in entries],
                       "[" + ",".join([entry[1] for entry in entries]) + "]" if entries else None)
    rows = []
    for placement, source, alternatives in zip(placements, sources, runner_ups, strict=True):
        info = inputs.people[placement.need.person_id]
        reasons, reasons_text = said[id(source)]
        shown, shown_text = listed[id(alternatives)]
        rows.append(PlanRow(
            info.person_id, info.nhs_number, placement.need.role, placement.staff_id,
            placement.kept, False, placement.cost if placement.staff_id is not None else None,
            reasons, shown, info.pathway, info.risk_band, (reasons_text, shown_text)))
    return rows


def _locked_row(info: PersonInfo, role: str, lock: Held) -> PlanRow:
    return PlanRow(info.person_id, info.nhs_number, role, lock.staff_id,
                   kept=lock.staff_id == info.coordinator_id, locked=True, cost=None,
                   reasons=["locked by a manager: kept as it is"], alternatives=[],
                   pathway=info.pathway, risk_band=info.risk_band)


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
    text = StoredJson()
    names = ("plan_id", "person_id", "role", "staff_id", "kept", "locked", "cost", "pathway",
             "risk_band", "reasons", "alternatives", "unassigned_reasons")
    plan_id = plan.id
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    # SQLite stores a bool as the integer 0 or 1 either way, but its driver binds a bool
    # through a slower path than an int (bool is not exactly int): ints save about 0.06 s
    # at 100,000 rows. PostgreSQL's boolean columns want bools.
    flag = bool if postgres else int
    rows = []
    for row in result.rows:
        reasons, runner_ups = row.stored or (
            text.phrases(row.reasons),
            text.runner_ups(row.alternatives) if row.alternatives else None)
        placed = row.staff_id is not None
        rows.append((plan_id, row.person_id, row.role or NO_ROLE, row.staff_id, flag(row.kept),
                     flag(row.locked), row.cost, row.pathway, row.risk_band,
                     reasons if placed else None, runner_ups, None if placed else reasons))
    # Core executemany on the connection, with the JSON columns written as the text encoded
    # above: at 100,000 rows the ORM's bulk insert, and encoding value by value through the
    # column type, cost more than the rows themselves.
    table = PlanAssignment.__table__  # type: ignore[attr-defined]

    def value(name: str) -> Any:
        if name not in _JSON_COLUMNS:
            return bindparam(name, type_=table.c[name].type)
        text = bindparam(name, type_=Text)
        # PostgreSQL wants json, not text; SQLite stores JSON as text already (and a CAST
        # there would give the text numeric affinity).
        return cast(text, table.c[name].type) if postgres else text

    if rows:
        statement = insert(table).values({name: value(name) for name in names})
        # Compiled once and handed to the driver: SQLAlchemy's per-row parameter handling
        # would cost as much as the insert (every value here is a plain str, int or bool).
        compiled = statement.compile(dialect=connection.dialect)
        keys = compiled.positiontup
        parameters: list[Any]
        if not keys:  # named parameters (psycopg)
            parameters = [dict(zip(names, row, strict=True)) for row in rows]
        elif tuple(keys) == names:
            parameters = rows
        else:
            in_order = itemgetter(*(names.index(key) for key in keys))
            parameters = [in_order(row) for row in rows]
        for start in range(0, len(parameters), 10_000):
            connection.exec_driver_sql(str(compiled), parameters[start:start + 10_000])
    return plan.id


class StoredJson:
    """The plan's JSON columns as stored: the text ``json.dumps`` gives with
    ``ensure_ascii=False`` and compact separators, each distinct phrase and runner-up encoded
    once.

    A 100,000-person plan stores 480,000 reasons but only about 8,000 distinct phrases, and
    170,000 runner-ups with about 13,000 distinct; a JSON list of already-encoded items is
    ``[`` + the items joined by ``,`` + ``]``, exactly as the encoder writes it (a test
    compares the two on arbitrary rows).
    """

    def __init__(self) -> None:
        self.encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.encoded: dict[Any, str] = {}
        self.phrase = Memo(self.encode).__getitem__  # each phrase's JSON, encoded once

    def phrases(self, texts: Sequence[str]) -> str:
        """A list of reasons."""
        return "[" + ",".join(map(self.phrase, texts)) + "]"

    def runner_ups(self, items: Sequence[dict[str, Any]]) -> str:
        """A list of runner-ups, ``{"staff_id", "cost", "why_not"}`` as ``assemble`` makes them."""
        return "[" + ",".join([self.runner_up(item) for item in items]) + "]"

    def runner_up(self, item: dict[str, Any]) -> str:
        """One runner-up."""
        if tuple(item) != _RUNNER_UP_KEYS:  # not as assemble makes them: encode as it is
            return self.encode(item)
        key = (item["staff_id"], item["cost"], *item["why_not"])
        text = self.encoded.get(key)
        if text is None:
            text = self.encoded[key] = self.encode(item)
        return text


_RUNNER_UP_KEYS = ("staff_id", "cost", "why_not")

