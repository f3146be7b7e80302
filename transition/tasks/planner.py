"""Which tasks a person's handover needs: who owns each, and when it is due.

Pure decisions, no database: a person's facts and workers in, the tasks the rules give them out.

Who needs a handover (and so tasks):
- a person whose accepted allocation changes their worker (``allocation.worker_changes``: a
  current Assignment whose worker is not the trust's ``care_coordinator_id`` carrying on
  through the change, :func:`~transition.allocation.coordinator_continues`; a coordinator
  whose allocation ended before the handover date and who is given the role again is
  returning, and the person gets the tasks of a new worker);
- a person on the ``assess`` pathway with a social worker assigned (even the same worker:
  the Care Act assessment still has to be booked). One who keeps their worker gets only the
  templates marked ``also_when_worker_stays`` (``assessment_booked``): no letter, records or
  first contact about a new worker, which no one could close (no letter is written for them);
- a person on the ``signpost`` pathway: they have no worker afterwards, so every task for
  them is owned by the team manager.

Owners: ``outgoing`` is the trust's named coordinator (``care_coordinator_id``), ``incoming`` the
new worker. A joint person has two workers; an incoming task goes to the worker in the
template's ``incoming_role`` if the person has one, else to the worker whose role changed, else
(both changed) to the ``[tasks] lead_role`` worker. ``owner_staff_id`` is None for ``manager``
tasks and for outgoing tasks whose coordinator is not on the staff list, leaves on or before the
person's handover date, is away on it (an absence from ``absent_from``, if given, to
``absent_until`` covers it: ``transition.absence``), or whose allocation with the person the
export says ended before it (``coordinator_until``): the team manager holds those (they show
as unowned).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Text, and_, case, cast, exists, func, or_

from transition.allocation import continuing_coordinator
from transition.eligibility import ASSESSMENT_PENDING_RULES
from transition.languages import interpreter_needed, language_need
from transition.models import AccessibleFormat, Pathway, PathwayReasons, Person, Role, TaskOwner
from transition.tasks.rules import COLUMN_FLAGS, Flag, PersonFacts, TaskRules, TaskTemplate
from transition.tasks.stored import StoredValues, raw
from transition.working_days import working_days_between

_OUTGOING, _INCOMING, _MANAGER = (owner.value for owner in TaskOwner)
# Accessible formats a printed letter in English cannot meet (Flag.NEEDS_OTHER_FORMAT).
OTHER_FORMATS = frozenset({AccessibleFormat.BRAILLE.value, AccessibleFormat.BSL.value,
                           AccessibleFormat.AUDIO.value})

# Whether the pathway's reasons say a Care Act assessment is pending: one look-up of the
# person's stored list (a rule id is a quoted word of its own in its JSON, so a text search
# finds it on SQLite and PostgreSQL alike).
_ASSESSMENT_PENDING = exists().where(
    PathwayReasons.reasons_hash == Person.pathway_reasons_hash,
    or_(*(cast(PathwayReasons.reasons, Text).like(f'%"{rule}"%')
          for rule in ASSESSMENT_PENDING_RULES)))


def _recorded(column: Any) -> Any:
    return func.trim(func.coalesce(column, "")) != ""


# Flag.CARER_MAY_BE_TOLD, as the letters decide a carer letter: an explicit carer yes or no
# wins; with none, a carer's name or address means one; and the person has not said no.
CARER_MAY_BE_TOLD_SQL = case((and_(
    or_(Person.carer.is_(True),
        and_(Person.carer.is_(None),
             or_(_recorded(Person.carer_name), _recorded(Person.carer_address)))),
    or_(Person.carer_consent.is_(None), Person.carer_consent.is_(True)),
), 1), else_=0)

PERSON_COLUMNS = (
    Person.id, Person.care_coordinator_id, Person.pathway, Person.risk_band,
    raw(Person.handover_date), raw(Person.last_discharge), Person.accessible_format,
    Person.interpreter_language, Person.preferred_language, Person.cluster, _ASSESSMENT_PENDING,
    CARER_MAY_BE_TOLD_SQL,
    *(getattr(Person, name) for name in COLUMN_FLAGS),
    raw(Person.coordinator_until),
)
"""The person columns a handover is made from, in the order :func:`make_handover` reads.

Dates as stored (:func:`raw`) and flags as the driver gives them (1/0/None on SQLite): from
the pathway to the flags (:data:`FACT_COLUMNS`) are the person's facts, converted once per
distinct set of them; last, when the coordinator's allocation ended, if the export says."""

CARER_MAY_BE_TOLD_AT = next(position for position, column in enumerate(PERSON_COLUMNS)
                            if column is CARER_MAY_BE_TOLD_SQL)
"""Where :data:`CARER_MAY_BE_TOLD_SQL` is in a ``PERSON_COLUMNS`` row."""

FACT_COLUMNS = slice(2, len(PERSON_COLUMNS) - 1)
"""Where a person's facts are in a ``PERSON_COLUMNS`` row."""


class Handover(NamedTuple):
    """One person's change of worker, as far as tasks need to know it."""

    facts: PersonFacts
    outgoing_staff_id: str | None
    workers: dict[str, str]  # role -> staff id, current
    changed_roles: tuple[str, ...]
    signpost: bool

    def owner(self, template: TaskTemplate, lead_role: str) -> tuple[str, str | None]:
        """(owner kind, staff id or None) for this person's task from ``template``."""
        if template.owner is TaskOwner.MANAGER or self.signpost:
            return _MANAGER, None
        if template.owner is TaskOwner.OUTGOING:
            return _OUTGOING, self.outgoing_staff_id
        return _INCOMING, self.incoming(template.incoming_role, lead_role)

    def incoming(self, preferred: str | None, lead_role: str) -> str | None:
        if preferred is not None and preferred in self.workers:
            return self.workers[preferred]
        if len(self.changed_roles) == 1:
            return self.workers[self.changed_roles[0]]
        if lead_role in self.workers:
            return self.workers[lead_role]
        return self.workers[min(self.workers)] if self.workers else None


class Wanted(NamedTuple):
    """A task a person should have, as the rules say today."""

    title: str
    owner_kind: str
    owner_staff_id: str | None
    due: date
    offset_working_days: int
    handover_date: date
    depends_on: list[str]


def needs_handover(pathway: str | None, workers: dict[str, str], coordinator: str | None) -> bool:
    """Whether a person gets handover tasks (see the module docstring). ``coordinator`` is the
    trust's coordinator only if they carry on through the change (else None)."""
    if pathway == Pathway.SIGNPOST:
        return True
    for staff_id in workers.values():
        if staff_id != coordinator:
            return True
    return pathway == Pathway.ASSESS and Role.SOCIAL_WORKER in workers


def keeps_worker(pathway: str | None, workers: dict[str, str], coordinator: str | None) -> bool:
    """Whether a person who needs a handover (:func:`needs_handover`) keeps their worker: not
    signposted, and every current worker is the trust's coordinator carrying on (``coordinator``,
    as for :func:`needs_handover`). Only an ``assess`` person can be."""
    return pathway != Pathway.SIGNPOST and all(
        staff_id == coordinator for staff_id in workers.values())


@dataclass(frozen=True, slots=True)
class _Planned:
    """A template applied to one set of facts: everything but the owner."""

    key: str
    template: TaskTemplate
    offset_working_days: int
    due: date
    depends_on: list[str]


def _plan(key: str, template: TaskTemplate, facts: PersonFacts,
          applicable: dict[str, TaskTemplate]) -> _Planned:
    due = template.deadline_for(facts).due(facts.handover_date)
    return _Planned(
        key=key,
        template=template,
        # A calendar-day deadline is stored as the working days it comes to, so every list
        # and detail that shows the offset from the handover date stays true.
        offset_working_days=working_days_between(facts.handover_date, due),
        due=due,
        depends_on=[needed for needed in template.after if needed in applicable],
    )


class TaskPlanner:
    """Which templates apply to a person's facts, with deadlines; remembered per set of facts.

    Most people share their facts (pathway, band, flags, handover date) with many others, so at
    100,000 people the templates are evaluated a few hundred times, not a million.
    """

    def __init__(self, rules: TaskRules) -> None:
        self.rules = rules
        self._plans: dict[PersonFacts, tuple[_Planned, ...]] = {}

    def planned(self, facts: PersonFacts) -> tuple[_Planned, ...]:
        plan = self._plans.get(facts)
        if plan is None:
            applicable = {key: t for key, t in self.rules.enabled.items() if t.holds(facts)}
            plan = tuple(_plan(key, template, facts, applicable)
                         for key, template in applicable.items())
            self._plans[facts] = plan
        return plan

    def wanted(self, handover: Handover) -> dict[str, Wanted]:
        """The tasks the rules give this person, by key."""
        lead_role = self.rules.lead_role
        wanted: dict[str, Wanted] = {}
        for item in self.planned(handover.facts):
            owner_kind, owner_staff_id = handover.owner(item.template, lead_role)
            wanted[item.key] = Wanted(
                title=item.template.title,
                owner_kind=owner_kind,
                owner_staff_id=owner_staff_id,
                due=item.due,
                offset_working_days=item.offset_working_days,
                handover_date=handover.facts.handover_date,
                depends_on=item.depends_on,
            )
        return wanted


def wanted_tasks(handover: Handover, rules: TaskRules) -> dict[str, Wanted]:
    """The tasks the rules give this person, by key."""
    return TaskPlanner(rules).wanted(handover)


def make_handover(row: Sequence[Any], workers: dict[str, str],
                  can_own: Callable[[str, date], bool], facts: PersonFacts,
                  coordinator_until: date | None = None) -> Handover:
    """A person's handover from their row (``PERSON_COLUMNS`` order), facts and current workers.

    ``can_own(staff_id, handover_date)``: whether the trust's coordinator can own the outgoing
    tasks (on the staff list, and still there on the handover date); if not, or if the export
    says their allocation with this person ended before the handover date
    (``coordinator_until``, its last day), the team manager holds them."""
    coordinator = row[1]
    # A coordinator given the role again after their allocation ended is a change too.
    continuing = continuing_coordinator(coordinator, coordinator_until, facts.handover_date)
    changed = [role for role, staff in workers.items() if staff != continuing]
    outgoing = (continuing if continuing is not None
                and can_own(continuing, facts.handover_date) else None)
    return Handover(
        facts=facts,
        outgoing_staff_id=outgoing,
        workers=workers,
        changed_roles=tuple(sorted(changed)) if len(changed) > 1 else tuple(changed),
        signpost=facts.pathway == Pathway.SIGNPOST,
    )


class FactsSeen:
    """One PersonFacts object for each distinct set of facts among the people read.

    At 100,000 people there are a few thousand, and sharing one object among everyone with the
    same facts lets the planner and generation remember their work by the object's identity.
    A person's facts are read from their row (``PERSON_COLUMNS`` order) as stored:
    ``row[FACT_COLUMNS]`` with the handover date to count from decides them, so each distinct
    one is converted once.
    """

    def __init__(self, stored: StoredValues, rules: TaskRules | None = None) -> None:
        self._stored = stored
        # The clusters the rules look at (others read as None), by class (cluster_classes),
        # and the templates that look.
        self._classes = rules.cluster_classes() if rules is not None else {}
        self._by_cluster = [template for template in rules.enabled.values()
                            if template.named_clusters()] if rules is not None else []
        self._cluster_kept: dict[tuple[PersonFacts, int], int | None] = {}
        self._by_row: dict[tuple[Any, ...], PersonFacts] = {}
        self._by_value: dict[PersonFacts, PersonFacts] = {}

    def facts(self, row: Sequence[Any], handover_date: date,
              worker_stays: bool = False) -> PersonFacts:
        """The person's facts; ``worker_stays``: they keep their worker (:func:`keeps_worker`)."""
        key = (handover_date, worker_stays, *row[FACT_COLUMNS])
        found = self._by_row.get(key)
        if found is None:
            (pathway, risk_band, _, last_discharge, accessible_format, interpreter, preferred,
             cluster, pending, carer_may_be_told, *flag_values) = row[FACT_COLUMNS]
            # Braille or a sign language recorded only as the preferred language (MHSDS
            # LanguageCodePreferred q1-q4) is that communication need, as the letters read it.
            if not accessible_format and (need := language_need(preferred)) is not None:
                accessible_format = need[0]
            flags = [name for name, value in zip(COLUMN_FLAGS, flag_values, strict=True)
                     if value]
            if interpreter:
                flags.append(Flag.INTERPRETER.value)
            if pathway == Pathway.ASSESS or pending:
                flags.append(Flag.ASSESSMENT_NEEDED.value)
            if carer_may_be_told:
                flags.append(Flag.CARER_MAY_BE_TOLD.value)
            if accessible_format in OTHER_FORMATS or interpreter_needed(interpreter):
                flags.append(Flag.NEEDS_OTHER_FORMAT.value)
            value = PersonFacts(
                pathway=pathway,
                risk_band=risk_band,
                flags=frozenset(flags),
                accessible_format=accessible_format,
                last_discharge=None if last_discharge is None
                else self._stored.date(last_discharge),
                handover_date=handover_date,
                worker_stays=worker_stays,
            )
            if cluster in self._classes:
                value = replace(value, cluster=self._cluster(value, self._classes[cluster]))
            found = self._by_row[key] = self._by_value.setdefault(value, value)
        return found

    def _cluster(self, facts: PersonFacts, cluster: int) -> int | None:
        """``cluster`` (a class's own), or None when nothing the templates decide for these
        facts depends on it: then these people share their facts with everyone else's like
        them (a council-pathway person's cluster decides no key worker's review)."""
        key = (facts, cluster)
        if key not in self._cluster_kept:
            def decided(value: int | None) -> list[tuple[bool, int]]:
                with_cluster = replace(facts, cluster=value)
                return [(template.holds(with_cluster), template.deadline_for(with_cluster))
                        for template in self._by_cluster]

            self._cluster_kept[key] = cluster if decided(cluster) != decided(None) else None
        return self._cluster_kept[key]
