"""The ``[tasks]`` section of the rules file: task templates and when each applies.

A template says what must be done (``title``), who owns it (the ``outgoing`` worker, the
``incoming`` worker, or the team ``manager``), its deadline relative to the person's handover
date, which tasks must be done first (``after``), and the conditions under which a person needs
it (pathway, risk band, flags, accessible-information need, a recent discharge, a mental health
cluster). ``deadlines`` can bring a deadline forward for some people (NICE NG53: first contact
within 2 days, not 7, for people discharged in the last 3 months), or set it by cluster (a
cluster's review interval).

A deadline is either ``offset_working_days`` (signed working days) or ``offset_calendar_days``
(signed calendar days, brought back to the working day before when it falls on a weekend or bank
holiday): a deadline that stands for a calendar interval ("within 7 days of discharge", "6 to 8
weeks after the change", "every 4 weeks") counts calendar days, so it never slips past it.

The model validates the whole section: template keys, owners, conditions, ``after`` naming only
known templates, and no dependency cycles. A bad file is refused with a RulesError naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from graphlib import CycleError, TopologicalSorter
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from transition.models import AccessibleFormat, Pathway, RiskBand, Role, TaskOwner
from transition.working_days import add_calendar_days, add_working_days

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_OFFSET = 260  # about a year of working days either way
MAX_CALENDAR_OFFSET = 366  # a year of calendar days either way


class Flag(StrEnum):
    """Yes/no facts about a person a template can require (``flags = ["s117"]``)."""

    S117 = "s117"
    CTO = "cto"
    PERSONAL_BUDGET = "personal_budget"
    CARER = "carer"
    SAFEGUARDING_OPEN = "safeguarding_open"
    LIVES_ALONE = "lives_alone"
    SELF_HARM_HISTORY = "self_harm_history"
    SUBSTANCE_MISUSE = "substance_misuse"
    CPA = "cpa"
    INTERPRETER = "interpreter"  # an interpreter language is recorded
    # A carer is recorded (as the letters read it: the carer column, else a carer's name or
    # address) and the person has not said no to them being told (carer_consent).
    CARER_MAY_BE_TOLD = "carer_may_be_told"
    # The handover letter cannot reach them as written in English on paper (Accessible
    # Information Standard): braille, BSL or audio, or an interpreter needed (as the letters
    # read it: a language, or only that one is needed). Task accessible_communication.
    NEEDS_OTHER_FORMAT = "needs_other_format"
    # The Care Act assessment comes first: the assess pathway, or a joint case (s117, CTO or
    # health-led care) whose pathway reasons say the assessment is pending.
    ASSESSMENT_NEEDED = "assessment_needed"


DERIVED_FLAGS = frozenset({Flag.INTERPRETER, Flag.ASSESSMENT_NEEDED, Flag.CARER_MAY_BE_TOLD,
                           Flag.NEEDS_OTHER_FORMAT})

# Flags read straight from a Person column of the same name (the rest are derived).
COLUMN_FLAGS: tuple[str, ...] = tuple(flag.value for flag in Flag if flag not in DERIVED_FLAGS)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a template's conditions look at, for one person."""

    pathway: str | None
    risk_band: str | None
    flags: frozenset[str]
    accessible_format: str | None
    last_discharge: date | None
    handover_date: date
    # The mental health cluster, when a template names it (others read as None, so that
    # people who differ only in a cluster no template looks at share their facts).
    cluster: int | None = None
    # No change of worker: an ``assess`` person whose social worker carries on. Their handover
    # is only what a template marked ``also_when_worker_stays`` asks (the Care Act assessment).
    worker_stays: bool = False


class Conditions(BaseModel):
    """When something applies: every condition given must hold (an empty list means any)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pathways: tuple[Pathway, ...] = Field((), description="Only people on these pathways.")
    risk_bands: tuple[RiskBand, ...] = Field((), description="Only people in these risk bands.")
    flags: tuple[Flag, ...] = Field((), description="Only people with every one of these flags.")
    accessible_formats: tuple[AccessibleFormat, ...] = Field(
        (), description="Only people whose recorded accessible format is one of these."
    )
    discharged_within_days: int | None = Field(
        None, ge=0, le=3660,
        description="Only people discharged from hospital in the N calendar days up to their "
        "handover date.",
    )
    clusters: tuple[Annotated[int, Field(ge=0, le=21)], ...] = Field(
        (), description="Only people in these mental health clusters (0-21).")
    unless: Conditions | None = Field(
        None, description="Does not apply to people for whom these conditions all hold."
    )

    @field_validator("unless", mode="before")
    @classmethod
    def _no_exception(cls, value: Any) -> Any:
        """``unless = {}`` (a council removing a shipped ``unless``): no exception. Read as
        conditions, nothing would always hold, and the template would apply to no one."""
        return None if value == {} else value

    def holds(self, facts: PersonFacts) -> bool:
        if self.pathways and facts.pathway not in self.pathways:
            return False
        if self.risk_bands and facts.risk_band not in self.risk_bands:
            return False
        if self.flags and not facts.flags.issuperset(self.flags):
            return False
        if self.accessible_formats and facts.accessible_format not in self.accessible_formats:
            return False
        if self.clusters and facts.cluster not in self.clusters:
            return False
        if self.discharged_within_days is not None:
            if facts.last_discharge is None:
                return False
            days = (facts.handover_date - facts.last_discharge).days
            if not 0 <= days <= self.discharged_within_days:
                return False
        return not (self.unless is not None and self.unless.holds(facts))


def _cluster_lists(conditions: Conditions | None) -> list[tuple[int, ...]]:
    """Every ``clusters`` list in these conditions and their ``unless``."""
    if conditions is None:
        return []
    return ([conditions.clusters] if conditions.clusters else []) + _cluster_lists(
        conditions.unless)


def _clusters_of(conditions: Conditions | None) -> frozenset[int]:
    return frozenset().union(*_cluster_lists(conditions))


class Deadline(NamedTuple):
    """A deadline relative to the handover date: ``days`` working days, or calendar days."""

    days: int
    calendar: bool = False

    def due(self, handover_date: date) -> date:
        """The due date for a handover on ``handover_date``."""
        if self.calendar:
            return add_calendar_days(handover_date, self.days)
        return add_working_days(handover_date, self.days)

    def describe(self) -> str:
        """'10 working days before', '56 calendar days (8 weeks) after', 'on the handover
        date'."""
        if self.days == 0:
            return "on the handover date"
        count = abs(self.days)
        kind = "calendar" if self.calendar else "working"
        amount = f"{count} {kind} day{'s' if count != 1 else ''}"
        if self.calendar and count % 7 == 0 and count > 7:
            amount += f" ({count // 7} weeks)"
        return f"{amount} {'before' if self.days < 0 else 'after'}"


def _working_days_field() -> Any:
    return Field(
        None, ge=-MAX_OFFSET, le=MAX_OFFSET,
        description="Deadline in working days relative to the handover date: negative before, "
        "positive after, 0 on the day.",
    )


def _calendar_days_field() -> Any:
    return Field(
        None, ge=-MAX_CALENDAR_OFFSET, le=MAX_CALENDAR_OFFSET,
        description="Deadline in calendar days relative to the handover date (for a calendar "
        "interval: 7 days, 8 weeks), brought back to the working day before when it is not one.",
    )


def _one_deadline(working_days: int | None, calendar_days: int | None) -> None:
    if working_days is not None and calendar_days is not None:
        raise ValueError(
            "gives both offset_working_days and offset_calendar_days; give one (a council file "
            "changing a shipped template's deadline uses the kind the shipped template uses)"
        )
    if working_days is None and calendar_days is None:
        raise ValueError(
            "has no deadline: give offset_working_days (working days) or offset_calendar_days "
            "(calendar days, brought back to a working day)"
        )


def _deadline(working_days: int | None, calendar_days: int | None) -> Deadline:
    if calendar_days is not None:
        return Deadline(calendar_days, calendar=True)
    assert working_days is not None  # _one_deadline checked
    return Deadline(working_days)


class DeadlineVariant(Conditions):
    """A different deadline for the people these conditions pick out (the first match wins)."""

    offset_working_days: int | None = _working_days_field()
    offset_calendar_days: int | None = _calendar_days_field()
    reason: str = Field("", max_length=300, description="Why, shown with the task's deadline.")

    @model_validator(mode="after")
    def _check_deadline(self) -> DeadlineVariant:
        _one_deadline(self.offset_working_days, self.offset_calendar_days)
        return self

    @property
    def deadline(self) -> Deadline:
        return _deadline(self.offset_working_days, self.offset_calendar_days)


class TaskTemplate(Conditions):
    """One kind of task, made for every person in the handover the conditions pick out."""

    title: str = Field(min_length=1, max_length=200)
    owner: TaskOwner
    offset_working_days: int | None = _working_days_field()
    offset_calendar_days: int | None = _calendar_days_field()
    after: tuple[str, ...] = Field((), description="Keys of tasks that must be done first.")
    enabled: bool = True
    incoming_role: Role | None = Field(
        None,
        description="For an incoming task, whose worker owns it when the person has workers in "
        "two roles (joint pathway). Default: the role that changed, else [tasks] lead_role.",
    )
    deadlines: tuple[DeadlineVariant, ...] = ()
    description: str = Field("", max_length=1000, description="Why the task exists.")
    also_when_worker_stays: bool = Field(
        False,
        description="Also for a person who keeps their worker (the assess pathway: the Care "
        "Act assessment is booked even with the same worker). Otherwise the task is only for "
        "a change of worker (or signposting), as letters, records and first contact are.",
    )

    @field_validator("incoming_role", mode="before")
    @classmethod
    def _default_role(cls, value: Any) -> Any:
        """``incoming_role = ""``: back to the default (a council undoing a shipped one)."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check_deadline(self) -> TaskTemplate:
        _one_deadline(self.offset_working_days, self.offset_calendar_days)
        return self

    def holds(self, facts: PersonFacts) -> bool:
        """Whether this person needs the task: the conditions hold and, when they keep their
        worker, the template is one for that too (``also_when_worker_stays``)."""
        if facts.worker_stays and not self.also_when_worker_stays:
            return False
        return super().holds(facts)

    @property
    def deadline(self) -> Deadline:
        """The deadline for everyone no ``deadlines`` entry picks out."""
        return _deadline(self.offset_working_days, self.offset_calendar_days)

    def named_clusters(self) -> frozenset[int]:
        """Every cluster this template's conditions (and its deadlines') name."""
        return frozenset().union(*(_clusters_of(part) for part in (self, *self.deadlines)))

    def deadline_for(self, facts: PersonFacts) -> Deadline:
        """The deadline that applies to this person."""
        for variant in self.deadlines:
            if variant.holds(facts):
                return variant.deadline
        return self.deadline


class TaskRules(BaseModel):
    """The ``[tasks]`` section of the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lead_role: Role = Field(
        Role.SOCIAL_WORKER,
        description="Whose worker owns incoming tasks when both roles of a joint person changed.",
    )
    new_worker_notice_working_days: int = Field(
        10, ge=1, le=60,
        description="A new worker chosen for someone whose handover date has passed starts this "
                    "many working days after the day they are chosen (transition.late_start).",
    )
    templates: dict[str, TaskTemplate] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_templates(self) -> TaskRules:
        for key, template in self.templates.items():
            if not KEY_PATTERN.match(key):
                raise ValueError(
                    f"tasks.templates.{key}: a template key must be lower case letters, digits "
                    "and underscores, starting with a letter, at most 60 characters"
                )
            for needed in template.after:
                if needed == key:
                    raise ValueError(f"tasks.templates.{key}.after names the task itself")
                if needed not in self.templates:
                    known = ", ".join(sorted(self.templates))
                    raise ValueError(
                        f"tasks.templates.{key}.after names {needed!r}, which is not a task "
                        f"template (known: {known})"
                    )
        graph = {key: template.after for key, template in self.templates.items()}
        try:
            tuple(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            cycle = " -> ".join(str(key) for key in exc.args[1])
            raise ValueError(
                f"tasks.templates: the 'after' lists go round in a circle ({cycle}), so none of "
                "these tasks could ever be done; remove one of the links"
            ) from None
        return self

    @property
    def named_clusters(self) -> frozenset[int]:
        """The clusters any template in use looks at."""
        return frozenset().union(*(template.named_clusters()
                                   for template in self.enabled.values()))

    def cluster_classes(self) -> dict[int, int]:
        """Each named cluster -> the smallest cluster that every ``clusters`` list in use
        names exactly when it names this one (14 and 15 always together: 14 for both). Any
        condition treats the clusters of one class alike."""
        lists = [found for template in self.enabled.values()
                 for part in (template, *template.deadlines) for found in _cluster_lists(part)]
        first: dict[tuple[bool, ...], int] = {}
        for cluster in sorted(self.named_clusters):
            first.setdefault(tuple(cluster in found for found in lists), cluster)
        return {cluster: first[tuple(cluster in found for found in lists)]
                for cluster in self.named_clusters}

    @property
    def enabled(self) -> dict[str, TaskTemplate]:
        """The templates in use, in file order."""
        return {key: template for key, template in self.templates.items() if template.enabled}

    def describe(self) -> list[dict[str, Any]]:
        """The templates as plain data (for ``transition tasks templates --json``)."""
        return [
            {"key": key, **template.model_dump(mode="json", exclude_defaults=False)}
            for key, template in self.templates.items()
        ]
