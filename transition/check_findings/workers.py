"""Findings about workers: one gone, going or away who still holds people or owns outgoing
tasks, one away (however briefly) on the day people move to them, one over capacity, and the
programme's AMHP cover on the transfer date.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from transition import programme
from transition.absence import absence_words, away_on_sql, not_over
from transition.allocation import coordinator_continues_sql
from transition.allocation_status import role_needed
from transition.amhp import amhp_cover as amhp_cover_on
from transition.amhp import describe_shortfall
from transition.check_findings.world import (
    CRITICAL,
    WARNING,
    Finding,
    _as_date,
    _current,
    _in_export,
    _when,
    _World,
)
from transition.matching import Worker
from transition.models import Assignment, Person, RiskBand, Staff, Task, TaskOwner
from transition.plan_inputs import settled_unavailable
from transition.plan_review import held_by_coordinator
from transition.tasks import OPEN_STATUSES
from transition.tasks.generate import OutgoingOwners
from transition.working_days import next_working_day, working_days_in


def settled_reason(world: _World, worker: Worker,
                   last_handover: date | None = None) -> str | None:
    """Why a worker should not be holding people, in the check's words, or None: the
    planner's own test of a worker keeping someone settled with them (their handover passed:
    :func:`~transition.plan_inputs.settled_unavailable`), so a re-plan moves exactly the
    people this finds. Gone or going (:func:`leaving_reason`'s words), not on the latest staff
    list, or away long-term (:func:`absence_reason`'s); a short absence is not a reason."""
    why = settled_unavailable(worker, world.rules, as_of=world.as_of, transfer=world.transfer,
                              last_handover=last_handover)
    if why is None:
        return None
    return (leaving_reason(world, worker, last_handover) or absence_reason(world, worker)
            or f"is {why}")


def leaving_reason(world: _World, worker: Worker,
                   last_handover: date | None = None) -> str | None:
    """Why a worker should not be holding people because they are gone or going, or None:
    the words for the leaving half of :func:`settled_reason`. ``last_handover``: the latest
    own handover date (a phased move) of the people they hold, when one comes after the
    transfer date: leaving on or before it, they are not there for that person's handover."""
    rules = world.rules.checks
    leaving = worker.leaving_date
    if not worker.on_staff_list:
        return "is not on the latest staff list"
    if leaving is not None:
        if leaving <= world.as_of:
            return f"left on {leaving.isoformat()}"
        if leaving <= world.as_of + timedelta(days=rules.leaving_within_days):
            return f"leaves on {leaving.isoformat()}, within {rules.leaving_within_days} days"
        if world.transfer is not None and leaving <= world.transfer:
            return f"leaves on {leaving.isoformat()}, on or before the transfer date"
        if last_handover is not None and leaving <= last_handover:
            return (f"leaves on {leaving.isoformat()}, on or before the handover date of "
                    f"someone they hold ({last_handover.isoformat()})")
    return None


def absence_reason(world: _World, worker: Worker) -> str | None:
    """Why a worker should not be holding people because of a long-term absence that has
    begun (:meth:`~transition.matching.Worker.absence`, as the planner tests a worker keeping
    someone settled with them), or None. One with no return date is long-term. A planned
    absence still to come is not a reason: they are at work until it starts, and
    ``absent_at_handover`` names the people whose handover falls in it."""
    away = worker.absence(world.as_of, world.rules.matching,
                          long_term_days=world.rules.checks.long_term_absence_days)
    return None if away is None else f"is {away}"


def worker_unavailable(world: _World) -> list[Finding]:
    """A worker who is going or away and still holds people, or still owns outgoing tasks
    due when they will be gone (tasks generated before the staff list said so)."""
    stranded = _stranded_outgoing_tasks(world)
    # Roles held for people missing from the latest export are not counted: those people get
    # only their own finding, and --apply cannot move them (a plan leaves them out).
    not_in_export = dict(world.connection.execute(
        select(Assignment.staff_id, func.count())
        .join(Person, Person.id == Assignment.person_id)
        .where(_current, ~_in_export).group_by(Assignment.staff_id)).all())
    holding = {staff_id: held - not_in_export.get(staff_id, 0)
               for staff_id, held in world.holding.items()}
    # Only a worker leaving after the transfer date can be gone before someone's own, later
    # handover (an earlier leaver is flagged already): their people's dates, read for them.
    own_dates = _latest_own_handovers(world, sorted(
        staff_id for staff_id, held in holding.items()
        if held and (worker := world.workers.get(staff_id)) is not None
        and worker.leaving_date is not None and leaving_reason(world, worker) is None))
    # A worker away long-term now but back for the transfer date keeps the people moving then
    # in a plan, not those whose own handover date comes while they are away, nor those whose
    # handover has passed (settled: a plan moves them from a worker away long-term). So once
    # the transfer date has passed no one is kept with a worker away long-term now.
    def back_for_transfer(worker: Worker) -> bool:
        return (world.transfer is not None and world.transfer >= world.as_of
                and worker.unavailable(world.transfer, world.rules.matching) is None)

    while_away = _own_handovers_while_away(world, sorted(
        staff_id for staff_id, held in holding.items()
        if held and (worker := world.workers.get(staff_id)) is not None
        and absence_reason(world, worker) is not None and back_for_transfer(worker)))
    findings = []
    for staff_id in sorted({key for key, held in holding.items() if held} | set(stranded)):
        worker = world.workers.get(staff_id)
        if worker is None:
            continue  # an id not on the staff list at all: those people show as unassigned
        held, tasks = holding.get(staff_id, 0), stranded.get(staff_id, 0)
        # The planner's rule for a worker keeping a settled person (settled_unavailable).
        last = own_dates.get(staff_id) if held else None
        reason = settled_reason(world, worker, last)
        if reason is None and not tasks:
            continue
        absence = None if reason is None or leaving_reason(world, worker, last) else reason
        said, advice = [], []
        if held and reason:
            said.append(f"still holds {held} {'person' if held == 1 else 'people'}")
            early = while_away.get(staff_id)
            if absence is not None and world.transfer is not None and back_for_transfer(worker):
                if early is None:
                    # Back in time for everyone's handover: a re-plan keeps their people.
                    advice.append(f"They are back before the transfer date "
                                  f"({world.transfer.isoformat()}), so plans keep their people "
                                  "with them: arrange cover until then, or move someone with "
                                  "`transition assign`.")
                else:
                    count, first = early
                    advice.append(
                        f"They are back before the transfer date ({world.transfer.isoformat()}) "
                        f"but not before the own handover date of {count} "
                        f"{'person' if count == 1 else 'people'} they hold (the first on "
                        f"{first.isoformat()}): `transition check --apply` proposes new "
                        f"workers for {'that person' if count == 1 else 'them'} as a draft "
                        "plan (plans keep the rest with them), or move them with `transition "
                        "assign`; arrange cover for the others until they are back.")
            else:
                advice.append("Move them: `transition check --apply` proposes new workers as a "
                              "draft plan.")
        if tasks:
            said.append(f"owns {tasks} open outgoing handover task{'s' if tasks != 1 else ''} "
                        "of people whose handover comes when they will be gone or away")
            advice.append("Run `transition tasks generate`: it gives those tasks to the team "
                          "manager.")
        reason = reason or "leaves or is away before some of their people's handovers"
        findings.append(Finding(
            "worker_unavailable", CRITICAL,
            f"Worker {reason}, and {' and '.join(said)}. {' '.join(advice)}",
            staff_id=staff_id))
    return findings


def absent_at_handover(world: _World) -> list[Finding]:
    """A worker with an absence not over (under way, ``absent_until`` today or later, or
    planned, from ``absent_from``) that covers the handover date of people moving to them:
    however short, they are not there on the day. People whose handover comes before a
    planned absence starts are not counted. A long-term absence under way, or a worker
    leaving, is ``worker_unavailable`` instead (which already says to move their people), so
    those workers are left out here."""
    away = [staff_id for staff_id, worker in world.workers.items()
            if worker.on_staff_list
            and not_over(world.as_of, worker.absent_from, worker.absent_until)
            and leaving_reason(world, worker) is None
            and absence_reason(world, worker) is None]
    arriving = arriving_while_away(world.session, away, as_of=world.as_of)
    findings = []
    for staff_id, people in sorted(arriving.items()):
        worker = world.workers[staff_id]
        start, until = worker.absent_from, worker.absent_until
        days = sorted({day for _person, day, _band in people})
        first, last = days[0], days[-1]
        moving = len({person for person, _day, _band in people})
        red = len({person for person, _day, band in people if band == RiskBand.RED})
        when = _when(world.as_of, first)
        dates = (f"their handover is {when}" if first == last else
                 f"the first handover is {when}, the last on {last.isoformat()}")
        kept = all(worker.unavailable(day, world.rules.matching) is None for day in days)
        # Where a handover date can move to: past the return, or (a planned absence) before
        # the absence starts.
        past = ("before the absence starts" if until is None
                else "past the return" if start is None or start <= world.as_of
                else "before the absence starts or past the return")
        # A finding about the worker: NHS_NUMBER stands for each of their people (in the app,
        # enter on the finding lists them).
        each = "`transition handover-date NHS_NUMBER DATE` for each of them"
        fix = ("Plans keep them with this worker (the rules' [matching] back_within_days lets "
               f"a worker back that soon count as there): arrange cover, move their handover "
               f"date {past} ({each}), or choose "
               "another worker with `transition assign`." if kept else
               "Arrange cover (the joint visit before the handover, the first contact after "
               f"it), move their handover date {past} ({each}), or give them another worker: "
               "`transition check --apply` proposes one as a draft plan.")
        if until is None:
            away_for = f"and they are away from {'it' if first == last else 'the first'} on"
            back = ""
        else:
            missed = len(working_days_in(first, until))
            away_for = (f"and they are away for {missed} working day{'s' if missed != 1 else ''} "
                        f"from {'it' if first == last else 'the first'}")
            back = f" (back {next_working_day(until + timedelta(days=1)).isoformat()})"
        findings.append(Finding(
            "absent_at_handover", CRITICAL if red else WARNING,
            f"Worker is {absence_words(start, until)}{back}, so is away when {moving} "
            f"{'person moves' if moving == 1 else 'people move'} to them: {dates}, {away_for}."
            + (f" {red} of them {'is' if red == 1 else 'are'} red handover risk." if red else "")
            + f" {fix}",
            staff_id=staff_id))
    return findings


def arriving_while_away(session: Session, staff_ids: list[str], *,
                        as_of: date) -> dict[str, list[tuple[int, date, str | None]]]:
    """Per worker of ``staff_ids`` away now, the people moving to them (a current assignment
    of a role their pathway needs, not the trust's coordinator carrying on: see
    :func:`~transition.allocation.coordinator_continues_sql`) whose handover date, their own
    or the transfer date, is on or after ``as_of`` and in the worker's absence (from
    ``absent_from``, if given, to ``absent_until``, if given: :func:`~transition.absence.away_on_sql`):
    (person id, handover date, risk band). People missing from the latest export are left
    out. Workers with none are left out. Shared by the finding and ``--apply``."""
    transfer = programme.transfer_date(session)
    handover = (Person.handover_date if transfer is None
                else func.coalesce(Person.handover_date, transfer))
    connection = session.connection()
    arriving: dict[str, list[tuple[int, date, str | None]]] = {}
    for start in range(0, len(staff_ids), 500):  # within any database's limit on parameters
        ids = staff_ids[start:start + 500]
        statement = (
            select(Assignment.staff_id, Person.id, handover, Person.risk_band)
            .join(Person, Person.id == Assignment.person_id)
            .join(Staff, Staff.staff_id == Assignment.staff_id)
            .where(_current, _in_export, role_needed(), Assignment.staff_id.in_(ids),  # type: ignore[attr-defined]
                   ~coordinator_continues_sql(Assignment.staff_id, transfer),
                   handover >= as_of, away_on_sql(handover))
            .order_by(Assignment.staff_id, Person.id)
        )
        for staff_id, person_id, day, band in connection.execute(statement):
            arriving.setdefault(staff_id, []).append((person_id, _as_date(day), band))
    return arriving


def _latest_own_handovers(world: _World, staff_ids: list[str]) -> dict[str, date]:
    """Per worker of ``staff_ids``, the latest own handover date (``Person.handover_date``) of
    the people they hold, as ``world.holding`` counts them: their current assignments, and
    before a plan the people whose care coordinator they are. People missing from the latest
    export are left out, as there."""
    latest: dict[str, date] = {}
    own = Person.handover_date.is_not(None)  # type: ignore[union-attr]
    for start in range(0, len(staff_ids), 500):  # within any database's limit on parameters
        ids = staff_ids[start:start + 500]
        for statement in (
            select(Assignment.staff_id, func.max(Person.handover_date))
            .join(Person, Person.id == Assignment.person_id)
            .where(_current, _in_export, own, Assignment.staff_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(Assignment.staff_id),
            select(Person.care_coordinator_id, func.max(Person.handover_date))
            .where(*held_by_coordinator(world.as_of), own,
                   Person.care_coordinator_id.in_(ids))  # type: ignore[union-attr]
            .group_by(Person.care_coordinator_id),
        ):
            for staff_id, day in world.connection.execute(statement):
                day = _as_date(day)
                if staff_id not in latest or day > latest[staff_id]:
                    latest[staff_id] = day
    return latest


def _own_handovers_while_away(world: _World, staff_ids: list[str]) -> dict[str, tuple[int, date]]:
    """Per worker of ``staff_ids`` (away now), how many of the people they hold (as
    :func:`_latest_own_handovers` counts them) have an own handover date on which the planner
    would not give them that worker (one gone by: would not keep them, :func:`settled_reason`),
    and the first such date (a date gone by said as today). Workers with none are left out."""
    counts: dict[str, dict[date, int]] = {}
    own = Person.handover_date.is_not(None)  # type: ignore[union-attr]
    for start in range(0, len(staff_ids), 500):  # within any database's limit on parameters
        ids = staff_ids[start:start + 500]
        for statement in (
            select(Assignment.staff_id, Person.handover_date, func.count())
            .join(Person, Person.id == Assignment.person_id)
            .where(_current, _in_export, own, Assignment.staff_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(Assignment.staff_id, Person.handover_date),
            select(Person.care_coordinator_id, Person.handover_date, func.count())
            .where(*held_by_coordinator(world.as_of), own,
                   Person.care_coordinator_id.in_(ids))  # type: ignore[union-attr]
            .group_by(Person.care_coordinator_id, Person.handover_date),
        ):
            for staff_id, day, people in world.connection.execute(statement):
                by_day = counts.setdefault(staff_id, {})
                by_day[_as_date(day)] = by_day.get(_as_date(day), 0) + people
    away: dict[str, tuple[int, date]] = {}
    for staff_id, by_day in counts.items():
        worker = world.workers[staff_id]
        # A handover date gone by: the person is settled with them, and a plan moves them only
        # as settled_reason says (here: away long-term); one to come is tested on its day.
        days = sorted(day for day in by_day
                      if (settled_reason(world, worker) if day < world.as_of
                          else worker.unavailable(day, world.rules.matching)) is not None)
        if days:
            # Said as the plan's day for a date gone by: when the plan moves them.
            away[staff_id] = (sum(by_day[day] for day in days), max(days[0], world.as_of))
    return away


def _stranded_outgoing_tasks(world: _World) -> dict[str, int]:
    """Per worker, open outgoing tasks they own for a handover they will not be there for
    (the rule ``transition tasks generate`` owns them by: see ``OutgoingOwners``)."""
    statement = (
        select(Task.owner_staff_id, Task.handover_date, func.count())
        .where(Task.owner_kind == TaskOwner.OUTGOING, Task.owner_staff_id.is_not(None),  # type: ignore[union-attr]
               Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
        .group_by(Task.owner_staff_id, Task.handover_date)
    )
    rows = world.connection.execute(statement).all()
    if not rows:
        return {}
    can_own = OutgoingOwners(world.session)
    stranded: dict[str, int] = {}
    for staff_id, handover_date, count in rows:
        if not can_own(staff_id, _as_date(handover_date)):
            stranded[staff_id] = stranded.get(staff_id, 0) + count
    return stranded


def over_capacity(world: _World) -> list[Finding]:
    findings = []
    for staff_id, held in sorted(world.holding.items()):
        worker = world.workers.get(staff_id)
        if worker is None or held <= worker.capacity:
            continue
        findings.append(Finding(
            "over_capacity", WARNING,
            f"Holds {held} with capacity for {worker.capacity} ({held - worker.capacity} over). "
            "`transition check --rebalance` (R on the dashboard) proposes moving the overflow as "
            "a draft plan; or move some with `transition assign`, or correct the capacity on the "
            "staff list.",
            staff_id=staff_id))
    return findings


def amhp_cover(world: _World) -> list[Finding]:
    """The council's own AMHPs on the transfer date fall short of today's rota (or of the FTE
    the rules file says the AMHP service needs). One finding for the programme."""
    rules = world.rules.checks
    cover = amhp_cover_on(world.session, today=world.as_of, transfer=world.transfer,
                          roles=rules.amhp_roles, needed_fte=rules.amhp_cover_fte)
    if not cover.listed or cover.short_fte <= 0:
        return []
    return [Finding("amhp_cover", WARNING, describe_shortfall(cover))]
