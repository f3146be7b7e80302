"""The matching problem and its answer, as plain frozen dataclasses (a need, made for every
role of every person, as a named tuple: see :class:`Need`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from transition.absence import absence_words, away_on
from transition.matching.rules import MatchingRules
from transition.models import RiskBand


@dataclass(frozen=True, slots=True)
class Worker:
    """A worker as the planner sees them after the transfer (a seconded worker in their
    council team)."""

    staff_id: str
    employer: str
    role: str
    team: str | None  # after the transfer: a seconded worker's council team
    locality: str | None
    capacity: int
    former_team: str | None = None  # a seconded worker's trust team before the transfer
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    gender: str | None = None
    leaving_date: date | None = None
    absent_until: date | None = None
    on_staff_list: bool = True
    keep_only: bool = False  # seconded, council team not yet decided: keeps current people only
    withdrawn: bool = False  # what-if: treat as gone
    absent_from: date | None = None  # a planned absence's first day (transition.absence)

    def fits(self, role: str, rules: MatchingRules) -> bool:
        fit = rules.roles[role]
        return self.employer in fit.employers and self.role in fit.staff_roles

    def unavailable(self, day: date, rules: MatchingRules, through: date | None = None, *,
                    long_term_days: int | None = None) -> str | None:
        """Why this worker is not active on ``day``, or None when they are. With ``through``
        (a later day), one leaving on or before it is not active either: they would leave
        while holding the person (:attr:`Need.stays_through`). ``long_term_days``: only a
        long-term absence counts (:meth:`absence`), for a person settled with them."""
        if self.withdrawn:
            return "withdrawn in this what-if"
        if not self.on_staff_list:
            return "not on the latest staff list"
        if self.leaving_date is not None and self.leaving_date <= day:
            return f"leaving on {self.leaving_date.isoformat()}"
        if away := self.absence(day, rules, long_term_days=long_term_days):
            return away
        if (through is not None and self.leaving_date is not None
                and self.leaving_date <= through):
            return (f"leaving on {self.leaving_date.isoformat()}, by {through.isoformat()}: "
                    "they would leave while holding the person")
        return None

    def absence(self, day: date, rules: MatchingRules, *,
                long_term_days: int | None = None) -> str | None:
        """The staff list's absence, in words, when it makes this worker away on ``day``, else
        None. Any absence over ``day`` (a worker back within ``[matching] back_within_days``
        counts as there); with ``long_term_days`` (a person settled with them: their handover
        has passed), only a long-term one: begun by ``day`` and lasting at least that many
        more days, or with no return date, as the nightly check's ``worker_unavailable``
        (``[checks] long_term_absence_days``) tests it. A short absence (annual leave, a
        week's sickness) does not move a settled person."""
        if long_term_days is None:
            if away_on(day, self.absent_from, self.absent_until,
                       back_within_days=rules.back_within_days):
                return absence_words(self.absent_from, self.absent_until)
            return None
        if away_on(day, self.absent_from, self.absent_until, back_within_days=long_term_days):
            return f"{absence_words(self.absent_from, self.absent_until)} (long-term absence)"
        return None

    def unavailable_for(self, need: Need, rules: MatchingRules) -> str | None:
        """Why this worker cannot take or keep ``need``, as the planner tests it: not active
        on its handover date, or leaving by its ``stays_through``; keeping a person settled
        with them (:attr:`Need.long_term_days`), only a long-term absence counts."""
        return self.unavailable(need.handover_date, rules, need.stays_through,
                                long_term_days=need.long_term_for(self.staff_id))


class Need(NamedTuple):
    """One role to fill for one person.

    A named tuple rather than a frozen dataclass, though as immutable: a plan of 100,000
    people makes 105,000, and a frozen dataclass's ``__init__`` (which sets each field through
    ``object.__setattr__``) took five times as long, 0.08 s of the read."""

    person_id: int
    role: str
    handover_date: date
    band: str | None = None
    team: str | None = None
    locality: str | None = None
    required: tuple[tuple[str, str], ...] = ()  # (skill, because)
    language: str | None = None  # needs an interpreter in this language (lower case)
    preferred_gender: str | None = None
    current_staff_id: str | None = None  # who holds the role now and could keep it by role
    coordinator_id: str | None = None  # the trust's care coordinator (the handover baseline)
    accepted_staff_id: str | None = None  # the accepted allocation's worker, if any
    known: frozenset[str] = frozenset()  # workers the person has had before
    # The coordinator's allocation ends before the handover (its last day, from the export):
    # they are someone the person knows, not the handover baseline.
    coordinator_ended: date | None = None
    # ``language`` is only the person's preferred language (MHSDS LanguageCodePreferred), not
    # one an interpreter is needed for: the same cost, other words.
    language_preferred: bool = False
    # A worker leaving on or before this day cannot take or keep the role: they would leave
    # while holding the person. The later of the handover date, the transfer date and the
    # nightly check's notice of a leaver (``[checks] leaving_within_days`` from the plan's
    # day): see plan_inputs. None: the handover date only.
    stays_through: date | None = None
    # Set when the handover date has passed (the person is settled with their worker, and
    # ``handover_date`` is the plan's day): their current worker keeps them unless gone,
    # going (``stays_through``), off the staff list or away long-term, at least this many more
    # days (``[checks] long_term_absence_days``), as the check's ``worker_unavailable`` tests;
    # a short absence today does not move them. A new worker is tested as on any handover
    # day. None: any absence over the handover date counts (``back_within_days`` aside).
    long_term_days: int | None = None

    def long_term_for(self, staff_id: str | None) -> int | None:
        """:attr:`long_term_days` when ``staff_id`` is the worker keeping the person, else None
        (a new worker takes them on the plan's day, and must be there)."""
        if self.long_term_days is None or staff_id != self.current_staff_id:
            return None
        return self.long_term_days

    @property
    def red(self) -> bool:
        return self.band == RiskBand.RED

    @property
    def key(self) -> tuple[int, str]:
        return (self.person_id, self.role)


@dataclass(frozen=True, slots=True)
class Held:
    """A role that is not being planned but uses a worker's capacity: a lock, or (when only
    some people are re-planned) someone else's current allocation."""

    person_id: int
    role: str
    staff_id: str
    red_handover: bool = False
    locked: bool = False


@dataclass(frozen=True)
class Problem:
    needs: tuple[Need, ...]
    workers: tuple[Worker, ...]
    held: tuple[Held, ...] = ()

    @cached_property
    def need_columns(self) -> dict[str, tuple[Any, ...]]:
        """The needs a field at a time (``need_columns["role"]``: every need's role, in the
        needs' order), for the network build and the explainer. One transpose of the named
        tuples (``zip(*needs)``) takes half the time of reading each field with its own pass
        over 100,000 needs (measured: 17 ms against 35 ms for the fields the build reads)."""
        if not self.needs:
            return {name: () for name in Need._fields}
        return dict(zip(Need._fields, zip(*self.needs, strict=True), strict=True))


# ---------------------------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostTerm:
    key: str
    cost: int
    text: str


@dataclass(frozen=True, slots=True)
class Alternative:
    staff_id: str
    cost: int | None
    why_not: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    need: Need
    staff_id: str | None
    cost: int = 0
    terms: tuple[CostTerm, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    unassigned_reasons: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        return self.staff_id is not None and self.staff_id == self.need.current_staff_id

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple([term.text for term in self.terms]) if self.staff_id else self.unassigned_reasons


@dataclass(frozen=True, slots=True)
class WorkerLoad:
    staff_id: str
    capacity: int
    held: int  # locks and roles outside this plan
    planned: int  # needs placed with them by this plan
    red_cap: int
    red_handovers: int

    @property
    def total(self) -> int:
        return self.held + self.planned

    @property
    def spare(self) -> int:
        return max(0, self.capacity - self.total)


@dataclass(frozen=True)
class PlacementColumns:
    """Every need's placement, a column at a time: what the explainer hands over.

    At 100,000 people there are 105,000 placements but only tens of thousands of distinct
    term tuples and runner-up tuples (the explainer words each once), so a placement is held
    as numbers: its worker, its cost, and a number into each list of distinct tuples. The
    plan is stored straight from these columns (:func:`transition.planning.assemble`);
    :meth:`placements` makes the :class:`Placement` objects for code that reads them one at a
    time. Number 0 of each list of tuples is the empty tuple (no terms, no runner-ups, no
    reasons unassigned)."""

    needs: tuple[Need, ...]
    staff_ids: tuple[str, ...]  # each worker's, by position
    worker: np.ndarray  # each need's worker, by position (-1: unassigned)
    cost: np.ndarray  # the chosen pair's cost terms summed (0: unassigned)
    kept: np.ndarray  # placed with the current worker (bool; as Placement.kept)
    terms: np.ndarray  # each need's cost terms: a number into ``term_lists``
    alternatives: np.ndarray  # its runner-ups: a number into ``alternative_lists``
    unassigned: np.ndarray  # why it is unassigned: a number into ``unassigned_lists``
    term_lists: list[tuple[CostTerm, ...]]
    alternative_lists: list[tuple[Alternative, ...]]
    unassigned_lists: list[tuple[str, ...]]

    @property
    def placed(self) -> np.ndarray:
        return self.worker >= 0

    def staff_id_column(self) -> list[str | None]:
        """Each need's worker's staff id (None: unassigned)."""
        staff_ids = np.array([*self.staff_ids, None], dtype=object)  # -1 reads the None
        return staff_ids[self.worker].tolist()

    def placements(self) -> list[Placement]:
        """One placement per need, in the problem's order."""
        terms, runner_ups, why_not_placed = (self.term_lists, self.alternative_lists,
                                             self.unassigned_lists)
        return [
            Placement(need, staff_id, cost, terms[term], runner_ups[alternatives],
                      why_not_placed[unassigned])
            for need, staff_id, cost, term, alternatives, unassigned in zip(
                self.needs, self.staff_id_column(), self.cost.tolist(), self.terms.tolist(),
                self.alternatives.tolist(), self.unassigned.tolist(), strict=True)
        ]


@dataclass
class Solution:
    columns: PlacementColumns
    loads: dict[str, WorkerLoad]
    objective: int
    optimal: bool
    status: str
    nodes: int
    arcs: int
    seconds: dict[str, float] = field(default_factory=dict)

    @cached_property
    def placements(self) -> list[Placement]:
        """One placement per need, made from ``columns`` when first read (storing a plan
        does not need them)."""
        return self.columns.placements()

    @property
    def assigned(self) -> int:
        return int(self.columns.placed.sum())

    @property
    def unassigned(self) -> int:
        return len(self.columns.needs) - self.assigned
