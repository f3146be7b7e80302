"""Where each person's handover stands, for the at-risk list (the screen and
``transition at-risk``): does their worker change, to whom, and is the joint handover visit
done? A high score matters most when the worker changes and the visit is not done.

States, in the words the nightly check uses (:mod:`transition.check_findings`):

- ``keeps``: every role their pathway needs is held by the trust's care coordinator they have
  now: no handover;
- ``changes``: a role is held by a new worker (the accepted plan's or a manager's choice),
  or by their coordinator returning after the export says their allocation ended before the
  handover date (:func:`~transition.allocation.coordinator_continues`);
- ``no_worker``: a role their pathway needs is held by no one (after a plan or a manager
  decided their roles; or before one, when the export names no coordinator on the staff list,
  or says their coordinator's allocation ended before the day asked about);
- ``no_plan``: no accepted plan covers them yet: the trust's coordinator holds them;
- ``signpost``: no worker is needed (a letter); ``not_assessed``: no pathway yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.allocation import continuing_coordinator
from transition.matching import PATHWAY_ROLES, ROLE_WORDS
from transition.models import Assignment, Person, Staff, Task, TaskStatus
from transition.overview import staff_names
from transition.programme import transfer_date
from transition.upsert import chunks
from transition.widgets.format import task_status, uk_date

_FINISHED = (TaskStatus.DONE, TaskStatus.NOT_NEEDED)
SHORT_WIDTH = 21  # HandoverStatus.short(): the at-risk screen's Handover column is this wide


@dataclass(frozen=True)
class IncomingWorker:
    role: str
    staff_id: str
    name: str
    # The trust's coordinator given the role again after their allocation ended (its last day).
    returning_after: date | None = None

    def words(self) -> str:
        said = f"{ROLE_WORDS.get(self.role, self.role)} {self.name} ({self.staff_id})"
        if self.returning_after is not None:
            said += f" again, after their allocation ended on {uk_date(self.returning_after)}"
        return said


@dataclass(frozen=True)
class HandoverStatus:
    """One person's handover, as the at-risk list shows it."""

    state: str
    handover_date: date | None
    coordinator: str | None  # the trust's care coordinator's name (or id), if any
    incoming: list[IncomingWorker] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)  # roles needed that no one holds
    kept: list[str] = field(default_factory=list)  # roles the coordinator goes on holding
    visit_status: str | None = None  # the joint handover visit task's status, if there is one
    visit_due: date | None = None
    has_tasks: bool = False  # any handover task at all (the rules plan a visit for some only)
    coordinator_ended: date | None = None  # no plan yet, and the export says this allocation ended

    @property
    def visit_open(self) -> bool:
        """The worker changes and the joint visit is not done (or there is no visit task)."""
        return self.state == "changes" and self.visit_status not in _FINISHED

    @property
    def all_returning(self) -> bool:
        """Every incoming worker is their coordinator given the role again after their
        allocation ended: a change of worker, but no one new to them."""
        return bool(self.incoming) and all(item.returning_after is not None
                                           for item in self.incoming)

    def short(self) -> str:
        """A few words for a table column (at most SHORT_WIDTH characters): "new · ..." when
        a worker is new to them, "back · ..." when every incoming worker is returning."""
        if self.state != "changes":
            return _SHORT[self.state]
        who = "back" if self.all_returning else "new"
        if self.visit_status is None:
            return f"{who} · no visit" if self.has_tasks else f"{who} · no tasks yet"
        if self.visit_status == TaskStatus.NOT_NEEDED:
            return f"{who} · needs no visit"
        if self.visit_status in _FINISHED:
            return f"{who} · visit {_status_words(self.visit_status)}"
        if self.visit_due is None:
            return f"{who} · visit"
        said = f"{who} · visit by {self.visit_due.day} {self.visit_due:%b}"
        # "back · visit by 25 Mar" is one too many: the date alone still reads as the due day.
        return said if len(said) <= SHORT_WIDTH else said.replace(" by ", " ")

    def sentence(self) -> str:
        """What happens at the handover, in a sentence or two."""
        when = f" on {uk_date(self.handover_date)}" if self.handover_date else ""
        if self.state == "keeps":
            return f"No handover: {self.coordinator or 'their worker'} keeps them."
        if self.state == "no_plan":
            return (f"No plan accepted for them yet: {self.coordinator or 'the trust'} holds "
                    "them until one is.")
        if self.state == "signpost":
            return "Signposted: no worker is needed; they get a letter."
        if self.state == "not_assessed":
            return "Not assessed yet: run transition assess."
        said = []
        if self.incoming:
            takers = "; ".join(item.words() for item in self.incoming)
            # "from X" says who hands over; a coordinator returning hands over to no one.
            returning = any(item.returning_after is not None for item in self.incoming)
            if self.kept:
                stays = " and ".join(ROLE_WORDS.get(role, role) for role in self.kept)
                said.append(f"Handover{when}: {takers}. {self.coordinator} stays as their "
                            f"{stays}.")
            else:
                said.append(f"Handover{when}: {takers}"
                            + (f", from {self.coordinator}." if self.coordinator
                               and not returning else "."))
        if self.unfilled:
            roles = " and ".join(ROLE_WORDS.get(role, role) for role in self.unfilled)
            why = (f": {self.coordinator}'s allocation ended on "
                   f"{uk_date(self.coordinator_ended)}" if self.coordinator_ended else "")
            said.append(f"No one holds the {roles} "
                        f"{'role' if len(self.unfilled) == 1 else 'roles'} they need{why}.")
        if self.incoming:
            if self.visit_status is None and self.has_tasks:
                said.append("No joint handover visit among their tasks.")
            elif self.visit_status is None:
                said.append("No handover tasks yet: make them with transition tasks generate (in "
                            "the app, t then G).")
            else:
                due = f", due {uk_date(self.visit_due)}" if self.visit_due else ""
                said.append(f"Joint handover visit: {_status_words(self.visit_status)}{due}.")
        return " ".join(said)

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "handover_date": self.handover_date.isoformat() if self.handover_date else None,
            "incoming": [{"role": item.role, "staff_id": item.staff_id, "name": item.name,
                          "returning_after": (item.returning_after.isoformat()
                                              if item.returning_after else None)}
                         for item in self.incoming],
            "unfilled_roles": list(self.unfilled),
            "kept_roles": list(self.kept),
            "visit": None if self.visit_status is None else {
                "status": self.visit_status,
                "due": self.visit_due.isoformat() if self.visit_due else None},
        }


_SHORT = {
    "keeps": "keeps their worker",
    "no_worker": "needs a worker",
    "no_plan": "no plan yet",
    "signpost": "signposted",
    "not_assessed": "not assessed yet",
}


def _status_words(status: str) -> str:
    return task_status(status).lower()


def handover_statuses(
    session: Session, person_ids: Iterable[int], *, visit_task: str, as_of: date
) -> dict[int, HandoverStatus]:
    """Each person's handover on ``as_of`` (today; ``visit_task``: the joint visit's task
    key, from the rules' ``[checks] handover_visit_task``). A few queries, whatever the
    number of people."""
    wanted = sorted(set(person_ids))
    people: list[Any] = []
    visits: dict[int, tuple[str, date]] = {}
    with_tasks: set[int] = set()
    on_list: set[str] = set()
    for batch in chunks(wanted, 5000):
        people += session.execute(
            select(Person.id, Person.pathway, Person.care_coordinator_id,
                   Person.allocated_plan_id, Person.handover_date, Person.coordinator_until)
            .where(Person.id.in_(batch))  # type: ignore[union-attr]
        ).all()
        for person_id, status, due in session.execute(
            select(Task.person_id, Task.status, Task.due)
            .where(Task.key == visit_task, Task.person_id.in_(batch))  # type: ignore[attr-defined]
            .order_by(Task.id)
        ):
            visits[person_id] = (status, due)
        with_tasks.update(session.scalars(
            select(Task.person_id).where(Task.person_id.in_(batch)).distinct()))  # type: ignore[attr-defined]
    held: dict[int, dict[str, str]] = {}  # person -> role -> the worker holding it now
    for batch in chunks(wanted, 5000):
        for person_id, role, staff_id in session.execute(
            select(Assignment.person_id, Assignment.role, Assignment.staff_id)
            .where(Assignment.person_id.in_(batch),  # type: ignore[attr-defined]
                   Assignment.ended_at.is_(None))  # type: ignore[union-attr]
        ):
            held.setdefault(person_id, {})[role] = staff_id
    coordinators = {row[2] for row in people if row[2]}
    for batch in chunks(sorted(coordinators), 5000):
        on_list.update(session.scalars(
            select(Staff.staff_id).where(Staff.staff_id.in_(batch),  # type: ignore[attr-defined]
                                         Staff.missing_since_batch_id.is_(None))))  # type: ignore[union-attr]
    names = staff_names(session, [*coordinators, *(
        staff_id for roles in held.values() for staff_id in roles.values())])
    programme = transfer_date(session)
    result = {}
    for person_id, pathway, coordinator, plan_id, own_date, until in people:
        roles = held.get(person_id, {})
        needed = PATHWAY_ROLES.get(pathway or "", ())
        change_date = own_date or programme
        continuing = continuing_coordinator(coordinator, until, change_date)
        incoming = [IncomingWorker(role, roles[role], names.get(roles[role], roles[role]),
                                   until if roles[role] == coordinator else None)
                    for role in needed if role in roles and roles[role] != continuing]
        unfilled = [role for role in needed if role not in roles]
        kept = [role for role in needed
                if role in roles and continuing and roles[role] == continuing]
        allocated = plan_id is not None or bool(roles)
        ended = until if not allocated and until is not None and until < as_of else None
        if pathway is None:
            state = "not_assessed"
        elif not needed:
            state = "signpost"
        elif not allocated:
            state = "no_plan" if coordinator in on_list and ended is None else "no_worker"
            unfilled = list(needed) if state == "no_worker" else []
        elif unfilled:
            state = "no_worker"  # a role with no one is the first thing to put right
        else:
            state = "changes" if incoming else "keeps"
        visit = visits.get(person_id)
        result[person_id] = HandoverStatus(
            state=state,
            handover_date=change_date,
            coordinator=names.get(coordinator, coordinator) if coordinator else None,
            incoming=incoming,
            unfilled=unfilled,
            kept=kept,
            visit_status=str(visit[0]) if visit else None,
            visit_due=visit[1] if visit else None,
            has_tasks=person_id in with_tasks,
            coordinator_ended=ended if state == "no_worker" and coordinator else None,
        )
    return result
