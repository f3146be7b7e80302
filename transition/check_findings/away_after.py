"""A finding about a worker gone soon after people move to them (``away_after_handover``): a
long planned absence (maternity leave, an operation) starting, or a leaving date, soon after
the handover. The worker is there on the handover date, so the planner gives them the person
and the other worker findings say nothing, but the person would change worker a second time,
the disruption the transition is meant to spare people. One kind for both: the same people, the
same harm and the same remedy, with the evidence saying which ("absent from", "leaves on").

The people are those ``absent_at_handover`` counts, moving to the worker on a handover date
(their own, else the transfer date) from the check's day on: a current assignment of a role
their pathway needs, to someone other than the trust's coordinator carrying on
(:func:`~transition.allocation.coordinator_continues_sql`). What differs is the day: before
the absence's first day (``absent_from``) or the leaving date, by at most ``[checks]
away_after_handover_working_days`` working days (England and Wales bank holidays skipped, as
:func:`~transition.working_days.working_days_between` counts them). When both come in the
window, the sooner is said.

Only an absence that will be long-term on its first day counts (``long_term_absence_days`` from
``absent_from`` to ``absent_until``, or no return date): the one ``worker_unavailable`` will
then say to move their people for. A week's leave soon after the transfer date is no second
handover, and flagging it would bury the ones that are. An absence under way is the other
findings' (``worker_unavailable``, ``absent_at_handover``); so is a worker whom
``worker_unavailable`` already names as leaving (gone, leaving within ``leaving_within_days``,
or on or before the transfer date: it says to move all their people), a leaving date on or
before a person's handover (the planner does not give them that worker), and a worker away,
however briefly, on the handover date (``absent_at_handover``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from transition.absence import absence_words, away_on, leaving_after, long_absence_after
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
    """A person moving to a worker who leaves, or whose long-term planned absence starts,
    within ``[checks] away_after_handover_working_days`` working days after the handover: one
    finding per person and worker, a warning (the worker is there on the day; nothing is
    urgent yet)."""
    window = world.rules.checks.away_after_handover_working_days
    long_term = world.rules.checks.long_term_absence_days
    # Per worker, their absence's first day and their leaving date, where each may count.
    ahead: dict[str, tuple[date | None, date | None]] = {}
    for staff_id, worker in world.workers.items():
        if ((worker.absent_from is None and worker.leaving_date is None)
                or _spoken_for_elsewhere(world, worker)):
            continue
        start = worker.absent_from if _long_absence_ahead(world, worker) else None
        if start is not None or worker.leaving_date is not None:
            ahead[staff_id] = (start, worker.leaving_date)
    findings = []
    for staff_id, person_id, number, role, day, band in _moving_to(world, ahead, window):
        worker = world.workers[staff_id]
        start, leaving = ahead[staff_id]
        away = (None if start is None else
                long_absence_after(day, start, worker.absent_until, long_term_days=long_term))
        # Away (however briefly) on the handover date: absent_at_handover's.
        leaves = (None if away_on(day, worker.absent_from, worker.absent_until)
                  else leaving_after(day, leaving))
        if leaving is not None and leaves is not None and leaves <= window and (
                away is None or leaves <= away):
            apart = leaves
            gone = f"leaves on {leaving.isoformat()}, "
            cover = f"takes over when {staff_id} leaves"
        elif start is not None and away is not None and away <= window:
            apart = away
            gone = (f"is {absence_words(start, worker.absent_until)}: the absence's first day, "
                    f"{start.isoformat()}, is ")
            cover = "covers the absence"
        else:
            continue  # handed over on or after the day they go, or long before it
        words = ROLE_WORDS.get(role, role.replace("_", " "))
        after = ("before the first working day after the handover" if apart == 0 else
                 f"{apart} working day{'s' if apart != 1 else ''} after the handover")
        message = (
            f"Moves to {staff_id} as their {words} on {day.isoformat()} "
            f"({_soon(world.as_of, day)}), and {staff_id} {gone}{after} (bank holidays "
            f"skipped; [checks] away_after_handover_working_days is {window}), so they would "
            "change worker a second time soon after the first."
            + (" Red handover risk." if band == RiskBand.RED else "")
            + " `transition check --apply` does not move them: plans judge a worker by the "
            "handover date, and this one is there then. Choose a worker who stays "
            f"(`transition plan candidates NHS_NUMBER --role {role}`, then `transition assign "
            f"NHS_NUMBER STAFF_ID --role {role} --reason ...`); or, if they stay with "
            f"{staff_id}, name the worker who {cover} now and bring them to the "
            "joint visit, so the second change is to someone they have met.")
        findings.append(Finding("away_after_handover", WARNING, message, person_id=person_id,
                                nhs_number=number, staff_id=staff_id))
    return findings


def _spoken_for_elsewhere(world: _World, worker: Worker) -> bool:
    """Not on the latest staff list, or ``worker_unavailable`` names them as leaving or away
    long-term now (and says to move their people)."""
    return (not worker.on_staff_list or leaving_reason(world, worker) is not None
            or absence_reason(world, worker) is not None)


def _long_absence_ahead(world: _World, worker: Worker) -> bool:
    """The worker has a planned absence not begun by the check's day that will be long-term
    when it begins."""
    return long_absence_after(world.as_of, worker.absent_from, worker.absent_until,
                              long_term_days=world.rules.checks.long_term_absence_days
                              ) is not None


def _moving_to(world: _World, ahead: dict[str, tuple[date | None, date | None]],
               window: int) -> list[tuple[str, int, str, str, date, str | None]]:
    """(staff id, person id, NHS number, role, handover date, risk band) of the people moving
    to the workers of ``ahead`` (staff id: the absence's first day, the leaving date) on a
    handover date from the check's day on, and not so long before the sooner of the two that
    more than ``window`` working days lie between (the caller counts exactly; this only keeps
    the rows few). People missing from the latest export are left out."""
    transfer = world.transfer
    handover = (Person.handover_date if transfer is None
                else func.coalesce(Person.handover_date, transfer))
    gone = {staff_id: min(day for day in days if day is not None)
            for staff_id, days in ahead.items()}
    # By that day, so each batch's earliest handover is near all of its workers' own.
    ids = sorted(gone, key=lambda staff_id: (gone[staff_id], staff_id))
    found = []
    for first in range(0, len(ids), 500):  # within any database's limit on parameters
        batch = ids[first:first + 500]
        # Before the (window + 1)th working day before they go, more than window lie between.
        earliest = max(world.as_of, min(add_working_days(gone[staff_id], -window - 1)
                                        for staff_id in batch))
        latest = max(gone[staff_id] for staff_id in batch)  # on or after it, they are gone
        statement = (
            select(Assignment.staff_id, Person.id, Person.nhs_number, Assignment.role,
                   handover, Person.risk_band)
            .join(Person, Person.id == Assignment.person_id)
            .where(_current, _in_export, role_needed(), Assignment.staff_id.in_(batch),  # type: ignore[attr-defined]
                   ~coordinator_continues_sql(Assignment.staff_id, transfer),
                   handover >= earliest, handover < latest)
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
