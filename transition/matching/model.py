"""The matching problem and its answer, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

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

    def fits(self, role: str, rules: MatchingRules) -> bool:
        fit = rules.roles[role]
        return self.employer in fit.employers and self.role in fit.staff_roles

    def unavailable(self, day: date, rules: MatchingRules) -> str | None:
        """Why this worker is not active on ``day``, or None when they are."""
        if self.withdrawn:
            return "withdrawn in this what-if"
        if not self.on_staff_list:
            return "not on the latest staff list"
        if self.leaving_date is not None and self.leaving_date <= day:
            return f"leaving on {self.leaving_date.isoformat()}"
        if self.absent_until is not None and self.absent_until >= day + timedelta(
            days=rules.back_within_days
        ):
            return f"absent until {self.absent_until.isoformat()}"
        return None


@dataclass(frozen=True, slots=True)
class Need:
    """One role to fill for one person."""

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


@dataclass
class Solution:
    placements: list[Placement]
    loads: dict[str, WorkerLoad]
    objective: int
    optimal: bool
    status: str
    nodes: int
    arcs: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(1 for placement in self.placements if placement.staff_id is not None)

    @property
    def unassigned(self) -> int:
        return len(self.placements) - self.assigned


