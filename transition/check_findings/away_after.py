"""A finding about a worker's planned absence just after people move to them
(``away_after_handover``): the worker is there on the handover date, so the planner gives them
the person and the other absence findings say nothing, but a long absence (maternity leave, an
operation) starting soon after means a second change of worker, the disruption the transition
is meant to spare people.

The people are those ``absent_at_handover`` counts, moving to the worker on a handover date
(their own, else the transfer date) from the check's day on: a current assignment of a role
their pathway needs, to someone other than the trust's coordinator carrying on
(:func:`~transition.allocation.coordinator_continues_sql`). What differs is the day: before
the absence's first day (``absent_from``), by at most ``[checks]
away_after_handover_working_days`` working days (England and Wales bank holidays skipped, as
:func:`~transition.working_days.working_days_between` counts them).

Only an absence that will be long-term on its first day counts (``long_term_absence_days`` from
``absent_from`` to ``absent_until``, or no return date): the one ``worker_unavailable`` will
then say to move their people for. A week's leave soon after the transfer date is no second
handover, and flagging it would bury the ones that are. An absence under way is the other
findings' (``worker_unavailable``, ``absent_at_handover``); so is a worker leaving.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from transition.absence import absence_words, long_absence_after
from transition.allocation import coordinator_continues_sql
from transition.allocation_status import role_needed
from transition.check_findings.workers import absence_reason, leaving_reason
from transition.check_findings.world import (
    WARNING,
    Finding,
    _as_date,
    _current,
    _in_export,
    _World,
)
from transition.matching import ROLE_WORDS, Worker
from transition.models import Assignment, Person, RiskBand
from transition.working_days import add_working_days, working_days_between


def away_after_handover(world: _World) -> list[Finding]:
    """A person moving to a worker whose long-term planned absence starts within ``[checks]
    away_after_handover_working_days`` working days after the handover: one finding per
    person and worker, a warning (the worker is there on the day; nothing is urgent yet)."""
    window = world.rules.checks.away_after_handover_working_days
    long_term = world.rules.checks.long_term_absence_days
    starts = {staff_id: worker.absent_from for staff_id, worker in world.workers.items()
              if worker.absent_from is not None and _long_absence_ahead(world, worker)}
    findings = []
    for staff_id, person_id, number, role, day, band in _moving_to(world, starts, window):
        start, until = starts[staff_id], world.workers[staff_id].absent_until
        apart = long_absence_after(day, start, until, long_term_days=long_term)
        if apart is None or apart > window:
            continue  # handed over on or after the absence's first day, or long before it
        words = ROLE_WORDS.get(role, role.replace("_", " "))
        after = ("before the first working day after the handover" if apart == 0 else
                 f"{apart} working day{'s' if apart != 1 else ''} after the handover")
        message = (
            f"Moves to {staff_id} as their {words} on {day.isoformat()} "
            f"({_soon(world.as_of, day)}), and {staff_id} is {absence_words(start, until)}: "
            f"the absence's first day, {start.isoformat()}, is {after} (bank holidays "
            f"skipped; [checks] away_after_handover_working_days is {window}), so they would "
            "change worker a second time soon after the first."
            + (" Red handover risk." if band == RiskBand.RED else "")
            + " `transition check --apply` does not move them: plans judge a worker by the "
            "handover date, and this one is there then. Choose a worker who stays "
            f"(`transition plan candidates NHS_NUMBER --role {role}`, then `transition assign "
            f"NHS_NUMBER STAFF_ID --role {role} --reason ...`); or, if they stay with "
            f"{staff_id}, name the worker who covers the absence now and bring them to the "
            "joint visit, so the second change is to someone they have met.")
        findings.append(Finding("away_after_handover", WARNING, message, person_id=person_id,
                                nhs_number=number, staff_id=staff_id))
    return findings


def _long_absence_ahead(world: _World, worker: Worker) -> bool:
    """The worker has a planned absence not begun by the check's day that will be long-term
    when it begins, and no other worker finding speaks for them (leaving, or away now)."""
    return (worker.on_staff_list
            and long_absence_after(world.as_of, worker.absent_from, worker.absent_until,
                                   long_term_days=world.rules.checks.long_term_absence_days)
            is not None
            and leaving_reason(world, worker) is None and absence_reason(world, worker) is None)


def _moving_to(world: _World, starts: dict[str, date],
               window: int) -> list[tuple[str, int, str, str, date, str | None]]:
    """(staff id, person id, NHS number, role, handover date, risk band) of the people moving
    to the workers of ``starts`` (staff id: the absence's first day) on a handover date from
    the check's day on, and not so long before the absence that more than ``window`` working
    days lie between (the caller counts exactly; this only keeps the rows few). People missing
    from the latest export are left out."""
    transfer = world.transfer
    handover = (Person.handover_date if transfer is None
                else func.coalesce(Person.handover_date, transfer))
    ids = sorted(starts)
    found = []
    for first in range(0, len(ids), 500):  # within any database's limit on parameters
        batch = ids[first:first + 500]
        # Before the (window + 1)th working day before the absence, more than window lie between.
        earliest = max(world.as_of, min(add_working_days(starts[staff_id], -window - 1)
                                        for staff_id in batch))
        statement = (
            select(Assignment.staff_id, Person.id, Person.nhs_number, Assignment.role,
                   handover, Person.risk_band)
            .join(Person, Person.id == Assignment.person_id)
            .where(_current, _in_export, role_needed(), Assignment.staff_id.in_(batch),  # type: ignore[attr-defined]
                   ~coordinator_continues_sql(Assignment.staff_id, transfer),
                   handover >= earliest)
            .order_by(Person.id, Assignment.role)
        )
        found.extend((staff_id, person_id, number, role, _as_date(day), band)
                     for staff_id, person_id, number, role, day, band
                     in world.connection.execute(statement))
    return found


def _soon(as_of: date, day: date) -> str:
    """How far off the handover is: 'today', 'in 3 working days'."""
    if day == as_of:
        return "today"
    left = working_days_between(as_of, day)
    return ("no working day before it" if left == 0 else
            f"in {left} working day{'s' if left != 1 else ''}")
