"""Stored plans: reading one back, filtering its rows, caseloads per worker and team, and
accepting a draft as the current allocation.

A screen gets, with one call each: a plan with its reasons (:func:`load_plan`, or a filtered
page with :func:`plan_rows`), caseloads per worker and per team with current, proposed and
capacity (:func:`caseloads`); feasible workers for one person are in
:mod:`transition.worker_overrides`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlmodel import Session

from transition.allocation import (
    NewAssignment,
    coordinator_allocation_current,
    coordinator_place_open,
    coordinator_place_open_sql,
    current_assignments,
    end_assignment,
    set_assignments,
)
from transition.audit import Change, record
from transition.bulk import collector_paused
from transition.db import json_value
from transition.errors import ConflictError, NotFoundError, TransitionError
from transition.late_start import LateStarts, fresh_start, start_later, workers_held
from transition.locks import IMPORT_LOCK, advisory_lock, lock_tables
from transition.matching import PATHWAY_ROLES
from transition.models import (
    Assignment,
    AuditEvent,
    Person,
    Plan,
    PlanAssignment,
    PlanStatus,
    Staff,
    Task,
    Team,
    utcnow,
)
from transition.plan_inputs import Inputs, read_inputs, read_workers
from transition.plan_rows import NO_ROLE
from transition.planning import PlanResult, PlanRow
from transition.programme import transfer_date
from transition.ruleset import Rules
from transition.upsert import chunks

_FINGERPRINT_WORDS = {
    "people": "people's details, pathways or risk bands changed",
    "staff": "the staff list changed",
    "allocation": "who holds a case changed (a plan was accepted, or a manager assigned, "
                  "locked or unlocked someone)",
    "rules": "the rules changed",
    "transfer_date": "the transfer date changed",
    "held": "the people this re-plan left as they are, and who holds them, changed (someone "
            "imported, or a coordinator's caseload moved)",
}


def changed_words(changed: list[str]) -> list[str]:
    """The fingerprints ``changed`` in words. Who holds a case feeds the roles a plan leaves
    as they are ("held": locked roles, and people outside a re-plan), so when it changed too
    (a manager locked or assigned someone) that is the one said: "held" alone is the part a
    re-plan's other people moved."""
    if "allocation" in changed:
        changed = [key for key in changed if key != "held"]
    return [_FINGERPRINT_WORDS.get(key, key) for key in changed]


# ---------------------------------------------------------------------------------------------
# Finding and reading plans
# ---------------------------------------------------------------------------------------------


def find_plan(session: Session, plan_id: int | None = None) -> Plan:
    """Plan ``plan_id``, or the newest draft or accepted plan."""
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFoundError(f"There is no plan {plan_id}.",
                                hint="See the latest plan with: transition plan show")
        return plan
    plan = session.scalars(
        select(Plan)
        .where(Plan.status.in_([PlanStatus.DRAFT, PlanStatus.ACCEPTED]))  # type: ignore[attr-defined]
        .order_by(Plan.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if plan is None:
        raise NotFoundError("There is no plan yet.", hint="Make one with: transition plan")
    return plan


def allocation_changed_since(session: Session, plan_id: int) -> bool:
    """Whether anyone changed who holds a case (a plan accepted, a manager's choice, a lock or
    an unlock, from any screen or the CLI) after this plan was made: a draft made before then
    would be refused on accept, so a screen says to plan again first. A manager's lock that
    confirmed the draft's own proposal (:func:`confirm_lock`) is not such a change."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        return False
    made = plan.created_at
    locks, replaced = _confirmed_ids(plan)
    if not locks:
        return bool(session.scalar(select(exists().where(or_(
            Assignment.created_at > made, Assignment.ended_at > made)))))  # type: ignore[operator]
    # Any row made since that is not a confirming lock, or ended since that is not the row
    # one replaced. One more row than there are such rows is enough to find one.
    for column, own in ((Assignment.created_at, locks), (Assignment.ended_at, replaced)):
        found = session.scalars(select(Assignment.id).where(column > made)  # type: ignore[operator]
                                .limit(len(own) + 1))
        if any(row_id not in own for row_id in found):
            return True
    return False


# What the audit trail records that a plan is made from, by family of action, in words.
_INPUT_FAMILIES = {"person": "people's details", "pathway": "pathways",
                   "staff": "the staff list", "assignment": "who holds a case",
                   "programme": "the transfer date"}

# The audited actions that make or end an assignment row: with a draft's confirming locks
# about, the rows themselves (allocation_changed_since) say whether who holds a case changed.
_ROW_ACTIONS = frozenset({"assignment.manager", "assignment.accept", "assignment.end"})


def changed_since(session: Session, plan_id: int) -> list[str]:
    """What the audit trail says changed among a plan's inputs after it was made, in words
    (people's details, pathways, the staff list, who holds a case, the transfer date): a
    quick look (one indexed query) for the dashboard and the plan's summary that a draft may
    be out of date. Accept's own test (:func:`plan_out_of_date`, reading everything again)
    also sees what is not audited: a risk band that moved without its pathway, the rules.
    A manager's lock that confirmed the draft's own proposal is no change (audited all the
    same)."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        return []
    confirmed = bool(_confirmed_ids(plan)[0])
    actions = session.scalars(select(AuditEvent.action)
                              .where(AuditEvent.at > plan.created_at).distinct())
    families = {action.partition(".")[0] for action in actions
                if not (confirmed and action in _ROW_ACTIONS)}
    if "assignment" not in families and allocation_changed_since(session, plan_id):
        families.add("assignment")
    return [words for family, words in _INPUT_FAMILIES.items() if family in families]


def _inputs_now(session: Session, rules: Rules, plan: Plan) -> tuple[Inputs, list[str]]:
    """What ``plan`` was made from, read again now, and the keys of the fingerprints that no
    longer match the ones stored with it (accept refuses it then). A manager's lock that
    confirmed the plan's own proposal, still in force, is read as the row it replaced: it
    changes nothing the plan did not already say, and any other change still shows."""
    summary = plan.summary or {}
    inputs = read_inputs(session, rules, as_of=plan.as_of or date.today(),
                         person_ids=summary.get("person_ids"),
                         as_before=_confirmed_locks(session, plan))
    return inputs, [key for key, value in (summary.get("inputs") or {}).items()
                    if inputs.fingerprints.get(key) != value]


def plan_out_of_date(session: Session, rules: Rules, plan_id: int) -> list[str]:
    """Why accepting draft ``plan_id`` would be refused as out of date, in words (people's
    details, pathways or risk bands; the staff list; who holds a case; the rules; the transfer
    date), by the very test accept makes; empty when it is up to date, or not a draft.

    Unlike :func:`allocation_changed_since` (a quick look at who holds a case only), this
    reads everything the plan was made from, as a plan does: a screen runs it in a worker."""
    plan = find_plan(session, plan_id)
    if plan.status != PlanStatus.DRAFT:
        return []
    _inputs, changed = _inputs_now(session, rules, plan)
    return changed_words(changed)


def latest_draft(session: Session) -> Plan | None:
    return session.scalars(
        select(Plan).where(Plan.status == PlanStatus.DRAFT)
        .order_by(Plan.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()


# ---------------------------------------------------------------------------------------------
# A manager's lock that confirms a draft's own proposal
# ---------------------------------------------------------------------------------------------

LOCKED_REASON = "locked by a manager: kept as it is"
"""A locked role's one reason in a plan (as a plan stores a lock it keeps)."""

_CONFIRMED = "confirmed_locks"  # the plan summary's key: [[lock's row id, replaced row id], ...]


def drafts_proposing(session: Session, person_id: int, role: str, staff_id: str) -> list[int]:
    """The drafts that give this person's role to ``staff_id`` without a lock: a manager's
    lock of that worker confirms what each already proposes (:func:`confirm_lock`)."""
    return list(session.scalars(
        select(PlanAssignment.plan_id)
        .join(Plan, Plan.id == PlanAssignment.plan_id)
        .where(Plan.status == PlanStatus.DRAFT, PlanAssignment.person_id == person_id,
               PlanAssignment.role == role, PlanAssignment.staff_id == staff_id,
               PlanAssignment.locked.is_(False))  # type: ignore[attr-defined]
        .order_by(PlanAssignment.plan_id)))


def confirm_lock(session: Session, plan_ids: list[int], *, person_id: int, role: str,
                 kept: bool, lock_id: int, replaced_id: int | None) -> None:
    """Record in each of these drafts that a manager locked the worker it proposes for this
    person's role (assignment ``lock_id``, which ended ``replaced_id``, if any), in the lock's
    own transaction: the role's row becomes locked, as a new plan would store it (``kept``:
    with the trust's coordinator carrying them on), its counts follow, and the lock is kept in
    the summary, so the draft's test of its inputs reads it as the row it replaced
    (:func:`_inputs_now`). A draft up to date before the lock so stays up to date; one out of
    date for anything else stays out of date. An unlock, or any other change of the role
    later, is a change like any other."""
    for plan_id in plan_ids:
        plan = _locked_plan(session, plan_id)
        if plan.status != PlanStatus.DRAFT:
            continue
        row = session.scalars(
            select(PlanAssignment).where(PlanAssignment.plan_id == plan_id,
                                         PlanAssignment.person_id == person_id,
                                         PlanAssignment.role == role)
            .with_for_update()).one()
        summary = dict(plan.summary or {})
        was = "kept_with_current" if row.kept else "changed"
        summary[was] = int(summary.get(was, 0)) - 1
        summary["locked"] = int(summary.get("locked", 0)) + 1
        summary[_CONFIRMED] = [*(summary.get(_CONFIRMED) or []), [lock_id, replaced_id]]
        plan.summary = summary
        row.kept, row.locked, row.cost = kept, True, None
        row.reasons, row.alternatives, row.unassigned_reasons = [LOCKED_REASON], None, None
    session.flush()


def _confirmed_ids(plan: Plan) -> tuple[set[int], set[int]]:
    """The ids of the managers' locks that confirmed this plan's proposals, and of the rows
    they replaced."""
    pairs = (plan.summary or {}).get(_CONFIRMED) or []
    return ({int(lock) for lock, _replaced in pairs},
            {int(replaced) for _lock, replaced in pairs if replaced is not None})


def _confirmed_locks(session: Session,
                     plan: Plan) -> dict[tuple[int, str], tuple[str, bool] | None]:
    """(person, role) -> the worker, and lock, of the row that each manager's lock confirming
    this plan's proposal replaced (None: no row), for each such lock still in force."""
    pairs = (plan.summary or {}).get(_CONFIRMED) or []
    if not pairs:
        return {}
    replaced_by = {int(lock): None if replaced is None else int(replaced)
                   for lock, replaced in pairs}
    in_force: dict[int, tuple[int, str]] = {}
    for chunk in chunks(sorted(replaced_by), _IDS_PER_STATEMENT):
        in_force.update((row_id, (person_id, role)) for row_id, person_id, role in session.execute(
            select(Assignment.id, Assignment.person_id, Assignment.role)
            .where(Assignment.id.in_(chunk), Assignment.ended_at.is_(None))))  # type: ignore[union-attr,attr-defined]
    wanted = sorted(replaced for lock in in_force
                    if (replaced := replaced_by[lock]) is not None)
    before: dict[int, tuple[str, bool]] = {}
    for chunk in chunks(wanted, _IDS_PER_STATEMENT):
        before.update((row_id, (staff_id, bool(locked))) for row_id, staff_id, locked in session.execute(
            select(Assignment.id, Assignment.staff_id, Assignment.locked)
            .where(Assignment.id.in_(chunk))))  # type: ignore[union-attr]
    found: dict[tuple[int, str], tuple[str, bool] | None] = {}
    for lock, key in in_force.items():
        replaced = replaced_by[lock]
        found[key] = None if replaced is None else before[replaced]
    return found


@dataclass(frozen=True)
class PlanQuery:
    """A filter over a plan's rows (the plan screen's filters)."""

    # One team, or each spelling of it the caseload has (handover.match_place).
    team: str | tuple[str, ...] | None = None
    staff_id: str | None = None  # the worker the plan gives the role to
    # The people this worker coordinates now (the trust's export): where each of their roles
    # goes, for the worker's handover list.
    coordinator: str | None = None
    risk_band: str | None = None
    unassigned_only: bool = False
    changed_only: bool = False
    sort: str = "person"  # a key of PLAN_SORTS
    offset: int = 0
    limit: int | None = None


PLAN_SORTS: dict[str, str] = {
    "person": "the export's order",
    "name": "name",
    "risk": "risk (red first, highest score first)",
    "change": "change (unassigned first, then a new worker, then locked, then kept)",
    "worker": "worker's name (unassigned first)",
}
"""How a plan's rows can be ordered (the plan screen's ``s``, ``plan show --sort``), in words."""

_BAND_ORDER = case({"red": 0, "amber": 1, "green": 2}, value=PlanAssignment.risk_band, else_=3)
_CHANGE_ORDER = case(
    (PlanAssignment.staff_id.is_(None), 0),  # type: ignore[union-attr]
    (and_(PlanAssignment.kept.is_(False), PlanAssignment.locked.is_(False)), 1),  # type: ignore[attr-defined]
    (PlanAssignment.locked.is_(True), 2),  # type: ignore[attr-defined]
    else_=3,
)


def _plan_order(sort: str) -> list[Any]:
    """The ORDER BY for a sort key; every order ends in person and role, so paging is stable."""
    if sort not in PLAN_SORTS:
        raise ValueError(f"cannot sort a plan by {sort!r}; choose one of {', '.join(PLAN_SORTS)}")
    risk = [_BAND_ORDER, Person.risk_score.desc().nulls_last()]  # type: ignore[union-attr]
    lead: list[Any] = {
        "person": [],
        "name": [Person.family_name, Person.given_name],
        "risk": risk,
        "change": [_CHANGE_ORDER, *risk],
        "worker": [PlanAssignment.staff_id.is_not(None), Staff.family_name,  # type: ignore[union-attr]
                   Staff.given_name, PlanAssignment.staff_id],
    }[sort]
    return [*lead, PlanAssignment.person_id, PlanAssignment.role]


def plan_rows(session: Session, plan_id: int, query: PlanQuery = PlanQuery()) -> tuple[list[PlanRow], int]:
    """One page of a plan's rows matching ``query``, and how many match in all."""
    conditions = [PlanAssignment.plan_id == plan_id]
    if isinstance(query.team, tuple):
        conditions.append(Person.team.in_(query.team))  # type: ignore[union-attr]
    elif query.team:
        conditions.append(Person.team == query.team)
    if query.staff_id:
        conditions.append(PlanAssignment.staff_id == query.staff_id)
    if query.coordinator:
        conditions.append(Person.care_coordinator_id == query.coordinator)
    if query.risk_band:
        conditions.append(PlanAssignment.risk_band == query.risk_band)
    if query.unassigned_only:
        conditions.append(PlanAssignment.staff_id.is_(None))  # type: ignore[union-attr]
    if query.changed_only:
        conditions += [PlanAssignment.staff_id.is_not(None),  # type: ignore[union-attr]
                       PlanAssignment.kept.is_(False), PlanAssignment.locked.is_(False)]  # type: ignore[attr-defined]
    joined = select(PlanAssignment, Person.nhs_number).join(
        Person, Person.id == PlanAssignment.person_id)
    total = session.scalar(
        select(func.count()).select_from(PlanAssignment)
        .join(Person, Person.id == PlanAssignment.person_id).where(*conditions)
    ) or 0
    if query.sort == "worker":
        joined = joined.outerjoin(Staff, Staff.staff_id == PlanAssignment.staff_id)
    statement = joined.where(*conditions).order_by(*_plan_order(query.sort))
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    rows = [_stored_row(item, nhs_number) for item, nhs_number in session.execute(statement)]
    return rows, total


def _stored_row(item: PlanAssignment, nhs_number: str) -> PlanRow:
    return PlanRow(
        person_id=item.person_id,
        nhs_number=nhs_number,
        role=None if item.role == NO_ROLE else item.role,
        staff_id=item.staff_id,
        kept=item.kept,
        locked=item.locked,
        cost=None if item.cost is None else int(item.cost),
        reasons=list(item.reasons or item.unassigned_reasons or []),
        alternatives=list(item.alternatives or []),
        pathway=item.pathway,
        risk_band=item.risk_band,
    )


def unassigned_holders(session: Session, plan_id: int) -> dict[tuple[int, str], str]:
    """The plan's unassigned roles that someone holds now: (person id, role) -> their staff
    id. Accepting a plan never takes a role from whoever holds it for a role it left
    unassigned, so each stays with them until a manager decides (``transition assign``, or o
    on the plan screen): "unassigned" does not mean the person has no worker."""
    return {(person_id, role): staff_id for person_id, role, staff_id in session.execute(
        select(PlanAssignment.person_id, PlanAssignment.role, Assignment.staff_id)
        .join(Assignment, and_(Assignment.person_id == PlanAssignment.person_id,
                               Assignment.role == PlanAssignment.role,
                               Assignment.ended_at.is_(None)))  # type: ignore[union-attr]
        .where(PlanAssignment.plan_id == plan_id,
               PlanAssignment.staff_id.is_(None)))}  # type: ignore[union-attr]


def unassigned_staying_note(unassigned: int, staying: int) -> str:
    """' (2 stay with who holds them now until a manager decides)', or '' when none does: the
    one wording of a plan's unassigned roles someone holds, for the CLI and the screens."""
    if not staying:
        return ""
    many = "all" if staying == unassigned and staying > 1 else f"{staying:,}"
    return (f" ({many} {'stays' if staying == 1 else 'stay'} with who holds "
            f"{'it' if staying == 1 else 'them'} now until a manager decides)")


def unassigned_in_words(unassigned: int, staying: int) -> str:
    """'8 unassigned (2 stay with who holds them now until a manager decides)'."""
    return f"{unassigned:,} unassigned{unassigned_staying_note(unassigned, staying)}"


@dataclass(frozen=True)
class ManagerChanges:
    """An accepted plan's roles a manager has changed since: who holds each now differs from
    the plan's row (another worker, or the plan's worker locked or unlocked)."""

    chosen: int = 0  # held by another worker than the plan's (locked or not)
    relocked: int = 0  # held by the plan's own worker, locked or unlocked since
    locked: int = 0  # of both, locked now

    @property
    def total(self) -> int:
        return self.chosen + self.relocked

    def in_words(self) -> str | None:
        """'since it was accepted, managers changed 2 roles (1 to another worker, 1 locked)'
        (None: none)."""
        if not self.total:
            return None
        parts = [f"{self.chosen:,} to another worker"] if self.chosen else []
        if self.locked:
            parts.append(f"{self.locked:,} locked")
        elif not self.chosen:
            parts.append("unlocked")
        return (f"since it was accepted, managers changed {self.total:,} "
                f"role{'s' if self.total != 1 else ''} ({', '.join(parts)})")


def manager_changes(session: Session, plan_id: int) -> ManagerChanges:
    """How many of an accepted plan's roles a manager has changed since: held now (a
    manager's choice) by another worker than the plan's, or by the plan's worker with the
    lock changed. Counted over the whole plan (the screen shows a page)."""
    rows = session.execute(
        select(PlanAssignment.staff_id, PlanAssignment.locked, Assignment.staff_id,
               Assignment.locked)
        .join(Assignment, and_(Assignment.person_id == PlanAssignment.person_id,
                               Assignment.role == PlanAssignment.role,
                               Assignment.ended_at.is_(None)))  # type: ignore[union-attr]
        .where(PlanAssignment.plan_id == plan_id, Assignment.source == "manager",
               or_(PlanAssignment.staff_id.is_(None),  # type: ignore[union-attr]
                   Assignment.staff_id != PlanAssignment.staff_id,
                   Assignment.locked != PlanAssignment.locked))).all()
    chosen = sum(1 for planned, _was, staff_id, _locked in rows if planned != staff_id)
    return ManagerChanges(chosen=chosen, locked=sum(1 for *_rest, locked in rows if locked),
                          relocked=len(rows) - chosen)


def coordinated_count(session: Session, staff_id: str) -> int:
    """How many people the trust's export names this worker as care coordinator of."""
    return session.scalar(select(func.count()).select_from(Person)
                          .where(Person.care_coordinator_id == staff_id)) or 0


def load_plan(session: Session, plan_id: int | None = None, query: PlanQuery = PlanQuery()) -> PlanResult:
    """A stored plan as ``transition plan show`` prints it (rows filtered by ``query``)."""
    plan = find_plan(session, plan_id)
    assert plan.id is not None
    rows, _total = plan_rows(session, plan.id, query)
    summary = plan.summary or {}
    return PlanResult(
        plan_id=plan.id,
        kind=plan.kind,
        status=plan.status,
        optimal=plan.optimal,
        solver_status=plan.solver_status or "",
        objective=int(plan.objective or 0),
        rows=rows,
        not_planned=summary.get("not_planned", {}),
        ending=summary.get("roles_ending", []),
        warnings=summary.get("warnings", []),
        seconds=summary.get("seconds", {}),
        rules_version=plan.rules_version,
        as_of=plan.as_of,
        transfer_date=plan.transfer_date,
        created_by=plan.created_by,
        totals={key: summary[key] for key in ("people", "assigned", "unassigned",
                                               "kept_with_current", "changed", "locked")
                if key in summary},
        filtered=replace(query, sort=PlanQuery.sort) != PlanQuery(),
        unassigned_staying=len(unassigned_holders(session, plan.id)),
    )


# ---------------------------------------------------------------------------------------------
# Accepting a plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptResult:
    plan_id: int
    changed: int  # roles given to a new worker (or first recorded) by this accept
    ended: int  # roles the pathway no longer needs, ended
    unassigned: int  # roles the plan could not fill: still need a decision
    superseded: list[int]
    # Handover tasks were generated before this accept changed who holds a case: they need
    # bringing up to date (`transition tasks generate`); not done here, being the whole
    # programme's work.
    tasks_out_of_date: bool = False
    # People whose handover date had passed given a new worker: the worker starts later
    # (transition.late_start), their handover date moved to that day.
    late_starts: LateStarts = field(default_factory=lambda: LateStarts(0))
    # Of ``unassigned``, the roles someone holds: they stay with them until a manager decides.
    unassigned_staying: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "status": PlanStatus.ACCEPTED, "changed": self.changed,
                "ended": self.ended, "unassigned": self.unassigned,
                "unassigned_staying": self.unassigned_staying,
                "superseded": self.superseded, "tasks_out_of_date": self.tasks_out_of_date,
                "late_starts": self.late_starts.people,
                "letters_out_of_date": self.late_starts.letters_out_of_date}

    def late_starts_in_words(self) -> str | None:
        """What a manager must hear about the new workers starting after a handover date that
        had passed (None: there were none)."""
        people = self.late_starts.people
        if not people:
            return None
        if people == 1:
            said = ("1 person's handover date had already passed: their new worker starts "
                    "later, and their handover date moved to that day")
        else:
            said = (f"{people:,} people's handover dates had already passed: their new workers "
                    "start later, and each one's handover date moved to that day")
        said += " (transition person NHS shows it)."
        if stale := self.late_starts.letters_out_of_date:
            said += (f" {stale:,} letter{'s' if stale != 1 else ''} already written for them "
                     f"{'is' if stale == 1 else 'are'} out of date: write "
                     f"{'it' if stale == 1 else 'them'} again with transition letters generate.")
        return said


def accept_plan(
    session: Session, rules: Rules, *, plan_id: int | None = None, actor: str,
    today: date | None = None,
) -> AcceptResult:
    """Make a draft the current allocation (audited). Refused, with what changed, if the
    data the plan was made from has changed since. ``today`` (default: the day the plan was
    made for) decides whose handover date has passed: their new workers start later
    (:mod:`transition.late_start`)."""
    with collector_paused():  # 100,000 roles' rows and audit entries: see transition.bulk
        return _accept(session, rules, plan_id=plan_id, actor=actor, today=today)


def _accept(session: Session, rules: Rules, *, plan_id: int | None, actor: str,
            today: date | None) -> AcceptResult:
    _lock_for_accept(session)
    plan = latest_draft(session) if plan_id is None else find_plan(session, plan_id)
    if plan is None:
        raise NotFoundError("There is no draft plan to accept.",
                            hint="Make one with: transition plan")
    assert plan.id is not None
    plan = _locked_plan(session, plan.id)
    from_check = plan.kind == "check_apply"
    if plan.status != PlanStatus.DRAFT:
        if from_check and plan.status == PlanStatus.DISCARDED:
            raise TransitionError(
                f"Plan {plan.id}, from `transition check --apply`, was discarded by a later "
                "check (one that found no one to re-plan, or made a newer draft): nothing was "
                "accepted.",
                hint="See `transition check history` and the latest check's report; run "
                     "`transition check --apply` for a draft of what needs re-planning now.")
        raise TransitionError(f"Plan {plan.id} is {plan.status}, not a draft: only a draft can "
                              "be accepted.", hint="Make a new one with: transition plan")
    summary = plan.summary or {}
    inputs, changed_parts = _inputs_now(session, rules, plan)
    if changed_parts:
        what = "; ".join(changed_words(changed_parts))
        raise ConflictError(
            f"Plan {plan.id} is out of date: {what} since it was made. Nothing was accepted.",
            hint=("Run `transition check --apply` again: it replaces this draft with one for "
                  "the people who need re-planning now (locks and accepted choices are kept)."
                  if from_check else
                  "Make a new plan with: transition plan (locks and accepted choices are kept)."),
        )
    # Core rows: a whole plan is 100,000 of them.
    rows = session.connection().execute(
        select(PlanAssignment.person_id, PlanAssignment.role, PlanAssignment.staff_id,
               PlanAssignment.locked, PlanAssignment.reasons)
        .where(PlanAssignment.plan_id == plan.id)
        .order_by(PlanAssignment.person_id, PlanAssignment.role)
    ).all()
    new = []
    unassigned = 0
    today = today or plan.as_of
    notice = rules.tasks.new_worker_notice_working_days
    # Whose handover date has passed: a worker new to them starts later (transition.late_start).
    passed = {person_id for person_id, _role, staff_id, locked, _reasons in rows
              if staff_id is not None and not locked and today is not None
              and inputs.people[person_id].handover_date < today}
    held = workers_held(session, passed)
    starts: dict[int, date] = {}
    for person_id, role, staff_id, locked, reasons in rows:
        if staff_id is None:
            unassigned += 1
            continue
        if locked:
            continue
        info = inputs.people[person_id]
        # A coordinator carrying on has held them since the export says; anyone else,
        # a coordinator returning after their allocation ended included, from the handover,
        # or, when that has passed and they are new to the person, from a fresh start.
        if info.continues_with(staff_id):
            since = info.coordinator_since or info.handover_date
        elif (person_id in passed and staff_id not in held.get(person_id, ())
              and today is not None
              and (start := fresh_start(info.handover_date, today, notice)) is not None):
            since = starts[person_id] = start
        else:
            since = info.handover_date
        reason = f"plan {plan.id}: " + "; ".join(reasons or [])
        new.append(NewAssignment(person_id, role, staff_id, since, source="plan",
                                 plan_id=plan.id, reason=reason[:1000]))
    # Before anything changes: a role the plan leaves unassigned stays with who holds it.
    staying = len(unassigned_holders(session, plan.id))
    changed = set_assignments(session, new, actor=actor)
    late = LateStarts(0)
    if starts:
        assert today is not None
        late = start_later(session, starts, today=today, actor=actor,
                           reason=f"plan {plan.id}: a new worker after the handover date had "
                                  "passed")
    holding = current_assignments(session, [item.person_id for item in inputs.ending])
    ended = 0
    for item in inputs.ending:
        assignment = holding.get(item.person_id, {}).get(item.role)
        if assignment is not None:
            end_assignment(session, assignment, actor=actor, reason=f"plan {plan.id}: {item.reason}")
            ended += 1
    _mark_allocated(session, plan.id, summary.get("person_ids"))
    superseded = list(session.scalars(
        select(Plan.id).where(Plan.id != plan.id, Plan.status.in_(  # type: ignore[attr-defined]
            [PlanStatus.DRAFT, PlanStatus.ACCEPTED])).order_by(Plan.id)))
    if superseded:
        session.execute(update(Plan).where(Plan.id.in_(superseded))  # type: ignore[union-attr]
                        .values(status=PlanStatus.SUPERSEDED))
    plan.status = PlanStatus.ACCEPTED
    plan.accepted_at = utcnow()
    plan.accepted_by = actor
    record(session, Change(
        action="plan.accept", entity="plan", entity_key=str(plan.id), field="status",
        before=PlanStatus.DRAFT, after=PlanStatus.ACCEPTED,
        reason=f"{changed} roles changed, {ended} ended, {unassigned} still unassigned",
    ), actor=actor)
    session.flush()
    tasks_made = bool(session.scalar(select(exists().where(Task.id.is_not(None)))))  # type: ignore[union-attr]
    return AcceptResult(plan.id, changed, ended, unassigned, [int(item) for item in superseded],
                        tasks_out_of_date=tasks_made and bool(changed or ended),
                        late_starts=late, unassigned_staying=staying)


# What a plan's fingerprints are read from (``plan_inputs.read_inputs``) and what accepting it
# writes: people, the staff list, who holds each role, the transfer date.
_ACCEPT_INPUTS = ("person", "staff", "assignment", "programme")


def _lock_for_accept(session: Session) -> None:
    """Hold off, until this accept commits, everything that could change what it checks.

    The plan's inputs are checked and then written from in one transaction. On SQLite its
    write lock (``BEGIN IMMEDIATE``) keeps every other writer out from the start; PostgreSQL
    would let an import, another accept or a manager's assignment commit between the check
    and the writes (a plan accepted onto a worker just dropped from the staff list, or two
    drafts both accepted). So, before reading anything: the import lock (one import or accept
    at a time, an import started first finishing first), then the input tables in a mode
    that lets everyone read but makes other writers wait (and waits for those already
    writing). The import lock comes first, as an import takes it before writing, so the two
    never wait for each other. No-ops on SQLite.
    """
    advisory_lock(session, IMPORT_LOCK)
    lock_tables(session, _ACCEPT_INPUTS, "SHARE ROW EXCLUSIVE")


def _locked_plan(session: Session, plan_id: int) -> Plan:
    """The plan row read afresh under a row lock (PostgreSQL): another session discarding or
    superseding it commits first, and its status as committed is what is checked."""
    return session.scalars(
        select(Plan).where(Plan.id == plan_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _mark_allocated(session: Session, plan_id: int, person_ids: list[int] | None) -> None:
    """Record ``plan_id`` on each person whose roles it is the first accepted plan to decide:
    the people it covered (all, or ``person_ids`` for a re-plan) who are in the latest export
    and have a pathway it plans for (signposted included; a person with no pathway yet is still
    the trust's). From now on only their current assignments hold them
    (:func:`current_caseloads`). People marked already are left alone: rewriting 100,000
    person rows on every accept cost 0.3 s."""
    statement = (
        update(Person)
        .where(Person.allocated_plan_id.is_(None),  # type: ignore[union-attr]
               Person.missing_since_batch_id.is_(None),  # type: ignore[union-attr]
               Person.pathway.in_(list(PATHWAY_ROLES)))  # type: ignore[union-attr]
        .values(allocated_plan_id=plan_id)
        .execution_options(synchronize_session=False)
    )
    if person_ids is None:
        session.execute(statement)
        return
    for start in range(0, len(person_ids), _IDS_PER_STATEMENT):
        chunk = person_ids[start:start + _IDS_PER_STATEMENT]
        session.execute(statement.where(Person.id.in_(chunk)))  # type: ignore[union-attr]


_IDS_PER_STATEMENT = 900  # under SQLite's limit on bound values


# ---------------------------------------------------------------------------------------------
# Caseloads
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerCaseload:
    staff_id: str
    name: str
    employer: str
    role: str
    team: str | None  # after the transfer
    locality: str | None
    capacity: int
    current: int  # roles they hold now (accepted allocation, else the trust's export)
    proposed: int | None  # after the plan (None: no plan)
    unavailable: str | None  # why they are not active on the transfer date
    # With a plan: of the roles they hold now, how many the plan does not leave with them
    # (moved to someone else, signposted, ended, or not placed), and how many roles the plan
    # gives them that they do not hold now. For a plan of everyone, current - leaving +
    # joining = proposed.
    leaving: int | None = None
    joining: int | None = None

    @property
    def capacity_after(self) -> int:
        """The places they bring after the transfer: none if they are not available on the
        transfer date (leaving, long-term absence, not on the latest staff list)."""
        return 0 if self.unavailable else self.capacity

    @property
    def spare(self) -> int:
        """Places free: now (no plan), else after the transfer, when a worker who is not
        available then has none."""
        if self.proposed is None:
            return self.capacity - self.current
        return self.capacity_after - self.proposed


@dataclass(frozen=True)
class TeamCaseload:
    team: str
    workers: int
    capacity: int
    current: int
    proposed: int | None
    leaving: int | None = None
    joining: int | None = None
    # The places of the team's workers who are available on the transfer date.
    capacity_after: int = 0


@dataclass
class Caseloads:
    plan_id: int | None
    workers: list[WorkerCaseload]
    teams: list[TeamCaseload]

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "workers": [{**vars(worker), "capacity_after": worker.capacity_after,
                         "spare": worker.spare} for worker in self.workers],
            "teams": [vars(team) for team in self.teams],
        }


NO_TEAM = "(no team)"  # the team line of workers with no team after the transfer yet


def current_caseloads(session: Session, as_of: date) -> dict[str, int]:
    """Roles each worker holds on ``as_of``: current assignments, plus people no accepted plan
    has decided yet, with no assignment, whose care coordinator (in the trust's export) they
    are, while they are on the latest staff list, unless the export says that allocation
    ended before ``as_of``."""
    counts: dict[str, int] = defaultdict(int)
    for staff_id, count in session.execute(
        select(Assignment.staff_id, func.count())
        .where(Assignment.ended_at.is_(None)).group_by(Assignment.staff_id)  # type: ignore[union-attr]
    ):
        counts[staff_id] += count
    for staff_id, count in session.execute(
        select(Person.care_coordinator_id, func.count())
        .where(*held_by_coordinator(as_of)).group_by(Person.care_coordinator_id)
    ):
        counts[staff_id] += count
    return dict(counts)


def held_by_coordinator(as_of: date) -> tuple[Any, ...]:
    """Conditions for a person counted against their trust care coordinator on ``as_of``
    (:func:`current_caseloads`): in the latest export, with a coordinator who is on the latest
    staff list, their place open (no current assignment, or a role still open and none held by
    the coordinator: :func:`~transition.allocation.coordinator_place_open`), no accepted plan that decided their roles (after one, a
    role it could not fill is unassigned, and signposted is no one's), and an allocation the
    export does not say ended before ``as_of`` (MHSDS EndDateAssCareCoord,
    ``coordinator_until``: the last day they held it). Without the last two conditions, a
    worker gone from the staff list, or whose allocation had ended, would still be counted as
    holding the person (on the workers screen, in team totals, `over_capacity` and
    `worker_unavailable`) while the check's `unassigned` finding says no one holds them
    (:func:`transition.allocation_status.coordinator_holds` is the same reading)."""
    return (
        Person.care_coordinator_id.is_not(None),  # type: ignore[union-attr]
        exists().where(Staff.staff_id == Person.care_coordinator_id,
                       Staff.missing_since_batch_id.is_(None)),  # type: ignore[union-attr]
        Person.allocated_plan_id.is_(None),  # type: ignore[union-attr]
        # No current assignment, or (a manager's choice for one role of a joint person) a
        # role still open and none held by the coordinator: allocation.coordinator_place_open.
        coordinator_place_open_sql(PATHWAY_ROLES),
        Person.missing_since_batch_id.is_(None),  # type: ignore[union-attr]
        coordinator_allocation_current(as_of),
    )


def plan_movement(session: Session, plan: Plan, as_of: date,
                  holders: dict[tuple[int, str], str] | None = None,
                  ) -> tuple[Counter[str], Counter[str]]:
    """Per worker, how many roles they hold on ``as_of`` that ``plan`` does not leave with
    them, and how many it gives them that they do not hold then, counted as
    :func:`current_caseloads` counts (a person held through their care coordinator is one role).

    Only the plan's own people count: everyone, for a plan of everyone (less people missing
    from the latest export, whose roles the plan keeps as they are), or the people a re-plan
    covered. A person the plan signposts leaves their worker; a role it cannot place stays
    with whoever holds it (:func:`unassigned_holders`; ``holders``, when the caller has read
    them already)."""
    summary = plan.summary or {}
    only = summary.get("person_ids")
    in_plan: Any = (Person.id.in_(only) if only is not None  # type: ignore[union-attr]
                    else Person.missing_since_batch_id.is_(None))  # type: ignore[union-attr]
    now: Counter[tuple[int, str]] = Counter()
    for person_id, staff_id in session.execute(
        select(Assignment.person_id, Assignment.staff_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.ended_at.is_(None), in_plan)  # type: ignore[union-attr]
    ):
        now[person_id, staff_id] += 1
    for person_id, staff_id in session.execute(
        select(Person.id, Person.care_coordinator_id).where(*held_by_coordinator(as_of), in_plan)
    ):
        now[person_id, staff_id] += 1
    planned: Counter[tuple[int, str]] = Counter()
    for person_id, staff_id in session.execute(
        select(PlanAssignment.person_id, PlanAssignment.staff_id)
        .where(PlanAssignment.plan_id == plan.id,
               PlanAssignment.staff_id.is_not(None))  # type: ignore[union-attr]
    ):
        planned[person_id, staff_id] += 1
    # A role the plan leaves unassigned stays with who holds it (accepting never takes it).
    if holders is None:
        holders = unassigned_holders(session, plan.id)
    for (person_id, _role), staff_id in holders.items():
        planned[person_id, staff_id] += 1
    leaving: Counter[str] = Counter()
    joining: Counter[str] = Counter()
    for (_person_id, staff_id), count in (now - planned).items():
        leaving[staff_id] += count
    for (_person_id, staff_id), count in (planned - now).items():
        joining[staff_id] += count
    return leaving, joining


def caseloads(session: Session, rules: Rules, *, as_of: date,
              plan_id: int | None = None) -> Caseloads:
    """Per worker and per team: capacity, caseload on ``as_of`` and the plan's proposed one
    (the given plan, else the newest draft or accepted plan, if any)."""
    plan: Plan | None
    try:
        plan = find_plan(session, plan_id)
    except NotFoundError:
        if plan_id is not None:
            raise
        plan = None
    loads = ((plan.summary or {}).get("loads") or {}) if plan else {}
    team_locality = dict(session.execute(select(Team.name, Team.locality)).all())
    workers, rows = read_workers(session, rules.matching, team_locality, [])
    names = {row[0]: f"{row[1]} {row[2]}" for row in rows}
    day = transfer_date(session)
    current = current_caseloads(session, as_of)
    # The plan's loads leave out the roles it could not place; those someone holds stay
    # with them, so they count on their proposed caseload (current - leaving + joining).
    holders = unassigned_holders(session, plan.id) if plan else {}
    leaving, joining = plan_movement(session, plan, as_of, holders) if plan else (None, None)
    staying = Counter(holders.values())
    result = []
    for worker in workers:
        load = loads.get(worker.staff_id)
        result.append(WorkerCaseload(
            staff_id=worker.staff_id,
            name=names[worker.staff_id],
            employer=worker.employer,
            role=worker.role,
            team=worker.team,
            locality=worker.locality,
            capacity=worker.capacity,
            current=current.get(worker.staff_id, 0),
            proposed=None if plan is None else
            (load[1] + load[2] if load else 0) + staying[worker.staff_id],
            unavailable=worker.unavailable(day, rules.matching) if day else None,
            leaving=None if leaving is None else leaving[worker.staff_id],
            joining=None if joining is None else joining[worker.staff_id],
        ))
    teams: dict[str, list[WorkerCaseload]] = defaultdict(list)
    for item in result:
        teams[item.team or NO_TEAM].append(item)
    return Caseloads(
        plan_id=plan.id if plan else None,
        workers=result,
        teams=[
            TeamCaseload(
                team=team,
                workers=len(members),
                capacity=sum(member.capacity for member in members),
                current=sum(member.current for member in members),
                proposed=None if plan is None else sum(member.proposed or 0 for member in members),
                leaving=None if plan is None else sum(member.leaving or 0 for member in members),
                joining=None if plan is None else sum(member.joining or 0 for member in members),
                capacity_after=sum(member.capacity_after for member in members),
            )
            for team, members in sorted(teams.items())
        ],
    )


# ---------------------------------------------------------------------------------------------
# One person's workers
# ---------------------------------------------------------------------------------------------


def person_workers(session: Session, person_id: int) -> list[dict[str, Any]]:
    """Who holds each of a person's roles now: ``transition person NHS --json``'s ``workers``."""
    statement = (
        select(Assignment.role, Assignment.staff_id, Staff.given_name, Staff.family_name,
               Assignment.since, Assignment.locked, Assignment.source)
        .join(Staff, Staff.staff_id == Assignment.staff_id)
        .where(Assignment.person_id == person_id, Assignment.ended_at.is_(None))  # type: ignore[union-attr]
        .order_by(Assignment.role)
    )
    return [
        {"role": role, "staff_id": staff_id, "name": f"{given} {family}", "since": since,
         "locked": locked, "source": source}
        for role, staff_id, given, family, since, locked, source in session.execute(statement)
    ]


def unfilled_reasons(session: Session, role: str, person_ids: list[int]) -> dict[int, list[str]]:
    """For each person whose latest accepted plan row for ``role`` left it unfilled, that
    row's reasons (why no worker fitted). A person whose latest row named a worker (the role
    has been ended since), or who was never in an accepted plan, is not in the result."""
    found: dict[int, list[str]] = {}
    decided = Plan.status.in_((PlanStatus.ACCEPTED, PlanStatus.SUPERSEDED))  # type: ignore[attr-defined]
    for chunk in chunks(person_ids, 5_000):
        statement = (
            select(PlanAssignment.person_id, PlanAssignment.staff_id,
                   PlanAssignment.unassigned_reasons)
            .join(Plan, Plan.id == PlanAssignment.plan_id)
            .where(decided, PlanAssignment.role == role,
                   PlanAssignment.person_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(PlanAssignment.person_id, PlanAssignment.plan_id)
        )
        latest = {person_id: (staff_id, reasons)  # the last row read is the newest plan's
                  for person_id, staff_id, reasons in session.execute(statement)}
        found.update({person_id: list(json_value(reasons) or [])
                      for person_id, (staff_id, reasons) in latest.items()
                      if staff_id is None and reasons})
    return found


def person_roles(session: Session, person: Person,
                 workers: list[dict[str, Any]] | None = None, *,
                 as_of: date | None = None) -> list[dict[str, Any]]:
    """Each role this person's pathway needs (and any role held that it no longer needs):
    who holds it on ``as_of`` (default today), or why no one does, and what the newest draft
    plan proposes.

    ``state`` is ``held``; ``unfilled`` (the latest accepted plan for them could not fill
    it: ``reasons``); ``with_coordinator`` (no plan accepted for them yet: the trust's care
    coordinator, on the staff list, holds them until one is; ``holder`` is that worker, with
    no ``assignment_id``); ``coordinator_ended`` (the same, but the export says that
    worker's allocation ended on ``ended``, before ``as_of``: no one holds it, and the worker
    is ``coordinator``, not ``holder``); or ``none`` (no one holds it: the role was ended, or
    the export names no coordinator on the staff list). ``workers``: :func:`person_workers`'
    answer, when the caller has it already."""
    assert person.id is not None
    if workers is None:
        workers = person_workers(session, person.id)
    holders = {worker["role"]: worker for worker in workers}
    roles = [*PATHWAY_ROLES.get(person.pathway or "", ()),
             *sorted(role for role in holders if role not in PATHWAY_ROLES.get(
                 person.pathway or "", ()))]
    ids = dict(session.execute(
        select(Assignment.role, Assignment.id)
        .where(Assignment.person_id == person.id, Assignment.ended_at.is_(None))  # type: ignore[union-attr]
    ).all())
    drafts = _draft_rows(session, person.id)
    result = []
    for role in roles:
        needed = role in PATHWAY_ROLES.get(person.pathway or "", ())
        entry: dict[str, Any] = {"role": role, "needed": needed, "holder": holders.get(role),
                                 "assignment_id": ids.get(role), "reasons": [],
                                 "draft": drafts.get(role)}
        if role in holders:
            entry["state"] = "held"
        elif (person.allocated_plan_id is None
              and coordinator_place_open({held: worker["staff_id"] for held, worker
                                          in holders.items()}, person.care_coordinator_id,
                                         PATHWAY_ROLES.get(person.pathway or "", ()))
              and person.care_coordinator_id is not None
              and (coordinator := session.get(Staff, person.care_coordinator_id)) is not None
              and coordinator.missing_since_batch_id is None):  # on the latest staff list
            named = {"staff_id": coordinator.staff_id,
                     "name": f"{coordinator.given_name} {coordinator.family_name}"}
            until = person.coordinator_until
            if until is not None and until < (as_of or date.today()):
                entry.update(state="coordinator_ended", coordinator=named, ended=until)
            else:
                entry.update(state="with_coordinator", holder=named)
        else:
            entry["reasons"] = unfilled_reasons(session, role, [person.id]).get(person.id, [])
            entry["state"] = "unfilled" if entry["reasons"] else "none"
        result.append(entry)
    return result


def _draft_rows(session: Session, person_id: int) -> dict[str, dict[str, Any]]:
    """What the newest draft plan with a row for this person proposes for each role."""
    statement = (
        select(PlanAssignment.role, PlanAssignment.plan_id, PlanAssignment.staff_id,
               Staff.given_name, Staff.family_name, PlanAssignment.kept,
               PlanAssignment.unassigned_reasons)
        .join(Plan, Plan.id == PlanAssignment.plan_id)
        .outerjoin(Staff, Staff.staff_id == PlanAssignment.staff_id)
        .where(Plan.status == PlanStatus.DRAFT, PlanAssignment.person_id == person_id,
               PlanAssignment.role != NO_ROLE)
        .order_by(PlanAssignment.plan_id)
    )
    return {
        role: {"plan_id": plan_id, "staff_id": staff_id,
               "name": f"{given} {family}" if staff_id else None, "kept": kept,
               "reasons": list(json_value(reasons) or [])}
        for role, plan_id, staff_id, given, family, kept, reasons in session.execute(statement)
    }


def describe_role(entry: dict[str, Any], today: date) -> tuple[str, str]:
    """One of :func:`person_roles`' entries in words: (who holds it, what to know), as the
    person screen and ``transition person`` show them."""
    holder = entry["holder"]
    state = entry["state"]
    if state == "held":
        who = f"{holder['name']} ({holder['staff_id']})"
        since = holder["since"]
        notes = [f"{'from' if since > today else 'since'} {since.day} {since:%b %Y}"
                 if isinstance(since, date) else f"since {since}"]
        if holder.get("source") == "manager":
            notes.append("a manager's choice")
        if holder.get("locked"):
            notes.append("locked")
        if not entry["needed"]:
            notes.append("the pathway no longer needs this role: the next plan ends it")
    elif state == "unfilled":
        who = "none"
        notes = ["the accepted plan could not fill it: " + "; ".join(entry["reasons"])]
    elif state == "with_coordinator":
        who = f"{holder['name']} ({holder['staff_id']})"
        notes = ["the trust's care coordinator, until a plan is accepted for them"]
    elif state == "coordinator_ended":
        who, ended, named = "none", entry["ended"], entry["coordinator"]
        notes = [(f"the export says {named['name']} ({named['staff_id']}) stopped being their "
                  f"care coordinator on {ended.day} {ended:%b %Y}: choose a worker, or accept a "
                  "plan that places them")]
    else:
        who = "none"
        notes = ["no one holds it: choose a worker, or plan again"]
    draft = entry.get("draft")
    if draft is not None and draft["staff_id"] != (holder or {}).get("staff_id"):
        if draft["staff_id"] is None:
            notes.append(f"draft plan {draft['plan_id']} cannot fill it either"
                         if state == "unfilled" else
                         f"draft plan {draft['plan_id']} cannot fill it: "
                         + "; ".join(draft["reasons"]))
        else:
            notes.append(f"draft plan {draft['plan_id']} proposes {draft['name']} "
                         f"({draft['staff_id']})")
    return who, "; ".join(notes)
