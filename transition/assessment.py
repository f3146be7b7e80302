"""Bringing pathway and handover-risk decisions up to date, and managers' overrides.

:func:`refresh_assessments` runs the pure rules (:mod:`transition.eligibility`,
:mod:`transition.risk`) over the whole caseload and writes the results in bulk (SQLAlchemy
Core), auditing every change of pathway. It is what ``transition assess`` runs and what
planning calls first.

The **effective pathway** (``Person.pathway``) is what everything downstream reads: the rules'
decision, or a manager's override when one is set. With an override, ``pathway_reasons``
starts with ``{"rule": "manager_override", ...}`` followed by the rules' own reasons, so the
rules' view is never lost. An override survives re-evaluation until it is cleared. Overrides
themselves live in :mod:`transition.overrides` and are re-exported here.

``only_changed``: every person's decision is recomputed in memory (it is cheap), but only
people whose *assessment hash* differs from ``Person.assessed_hash`` are written and audited.
The hash covers everything the result depends on: the rules version label (version and
content fingerprint), the person's assessment fields (of the postcode, only whether it is an
NHS pseudo-postcode for no fixed abode or no known address), their coordinator's staff-list entry
(leaving date, absence, secondment) and whether a staff list exists, the manager's override,
and the date-dependent state at ``as_of`` (which date windows each factor falls in). So moving
``as_of`` forward rewrites only people who crossed a window (a discharge passing 14 days, a
contact becoming stale). A person left alone has only ``risk_as_of`` moved to the new date:
their stored result is identical at it, so every score says the day it holds at.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from hashlib import blake2b
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    bindparam,
    case,
    cast,
    func,
    select,
    type_coerce,
    update,
)
from sqlmodel import Session

from transition import audit
from transition.audit import Change
from transition.bulk import collector_paused
from transition.db import json_dumps, json_value
from transition.eligibility import (
    PathwayDecision,
    PathwayFacts,
    Reason,
    decide_pathway,
    rules_pathway,
    split_outcomes,
)
from transition.errors import ConflictError
from transition.models import Person, RiskBand, Staff, utcnow
from transition.overrides import (  # re-exported: the assessment contract includes overrides
    MAX_REASON_LENGTH,
    PATHWAYS,
    STATUTORY_REFUSED,
    clear_pathway_override,
    override_reason,
    parse_pathway,
    set_pathway_override,
)
from transition.postcodes import no_address
from transition.risk import (
    BAND_MEANING,
    BulkScorer,
    CoordinatorFacts,
    RiskBands,
    dates_not_counted,
    homeless_code,
    seeking_work,
)
from transition.risk_overrides import override_detail
from transition.stored_reasons import reasons_hash, store_reasons

if TYPE_CHECKING:  # ruleset imports every domain module's rules; keep this module light
    from transition.ruleset import Rules

__all__ = [
    "BANDS", "PATHWAYS", "RANKING", "AssessmentSummary", "AtRisk", "assessment_detail", "at_risk",
    "band_counts", "clear_pathway_override", "parse_pathway", "pathway_counts",
    "refresh_assessments", "scores_as_of", "set_pathway_override", "unassessed_count",
]

BANDS: tuple[str, ...] = tuple(band.value for band in RiskBand)


# What a refresh reads about each person, in this order. Dates and the outcomes list are read
# raw (SQLite text) and converted once per distinct value: at 100,000 rows, SQLAlchemy's
# per-row conversion is most of the reading time.
_STATE_COLUMNS = (
    Person.id, Person.nhs_number, Person.version, Person.pathway, Person.assessed_hash,
    Person.missing_since_batch_id, Person.risk_band_override,
)
_FIRST_INPUT = len(_STATE_COLUMNS)
_INPUT_COLUMNS = (
    Person.pathway_override, Person.pathway_override_reason, Person.pathway_override_by,
    Person.pathway_override_at,
    type_coerce(Person.care_act_outcomes, String), Person.significant_impact, Person.s117,
    Person.cto, Person.cpa, Person.cluster,
    type_coerce(Person.last_discharge, String), Person.missed_appointments_6m,
    Person.self_harm_history, Person.substance_misuse, Person.lives_alone, Person.admissions_12m,
    Person.safeguarding_open, type_coerce(Person.coordinator_since, String),
    Person.care_coordinator_id, type_coerce(Person.coordinator_until, String),
    Person.personal_budget, Person.interpreter_language,
    Person.accessible_format, type_coerce(Person.last_contact, String),
    Person.accommodation_type, Person.settled_accommodation, Person.employment_status,
    Person.postcode,
)


@dataclass
class AssessmentSummary:
    """What a refresh did. ``people`` is everyone assessed; the counts by pathway and band
    cover the people in the latest export after the run, as the dashboard, ``status`` and
    ``at-risk`` count them (``missing_from_export`` more were assessed but are in no count)."""

    people: int
    evaluated: int
    unchanged: int
    changed_pathways: int
    pathways: dict[str, int]
    bands: dict[str, int]
    overrides: int = 0
    overrides_against_statutory_duty: int = 0
    risk_band_overrides: int = 0
    as_of: date | None = None
    rules_version: str = ""
    only_changed: bool = False
    missing_from_export: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressCallback = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------------
# Refreshing everyone
# ---------------------------------------------------------------------------------------------


def refresh_assessments(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    actor: str,
    only_changed: bool = False,
    progress: ProgressCallback | None = None,
) -> AssessmentSummary:
    """Decide pathway and handover risk for everyone (or only what changed) and store them."""
    with collector_paused():
        return _refresh(session, rules, as_of=as_of, actor=actor, only_changed=only_changed,
                        progress=progress)


def _refresh(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    actor: str,
    only_changed: bool,
    progress: ProgressCallback | None,
) -> AssessmentSummary:
    connection = session.connection()
    staff, staff_loaded = staff_facts(connection)
    staff_keys = {
        # A planned absence's first day joins only when there is one: every other person's
        # inputs hash as before it existed, so they are not assessed again for it.
        key: (c.staff_id, c.leaving_date, c.absent_until, c.seconded)
        + ((c.absent_from,) if c.absent_from is not None else ())
        for key, c in staff.items()
    }
    rows = connection.execute(
        select(*_STATE_COLUMNS, *_INPUT_COLUMNS).order_by(Person.id)  # type: ignore[call-overload]
    ).all()
    total = len(rows)
    old_reasons = _override_reasons(connection)
    label = rules.version_label
    now = utcnow()
    score = BulkScorer(rules.risk, as_of, staff, staff_list_loaded=staff_loaded,
                       read_date=_DateReader())
    # What is stored for each distinct score (the scorer shares one object between people).
    scored: dict[int, tuple[str, str, tuple[tuple[str, Any], ...]]] = {}
    factors_text = _ListWriter(",")
    reasons_text_of = _ListWriter(", ")
    read_outcomes = _OutcomesReader()
    health_led = rules.eligibility.health_led_clusters
    # Many people share the same pathway facts: decide (and serialise) each combination once.
    decisions: dict[tuple[Any, ...], _Decided] = {}  # by the facts as read
    decided: dict[tuple[Any, ...], _Decided] = {}  # by what they mean

    pathways: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    writes: list[tuple[Any, ...]] = []  # values in _WRITTEN order
    reasons_texts: dict[str, str] = {}  # by hash, the lists of reasons written
    changes: list[Change] = []
    overrides = conflicts = missing = band_overrides = 0
    for done, row in enumerate(rows, start=1):
        (person_id, number, version, stored, stored_hash, missing_since, band_override,
         override, override_why, override_by, override_at,
         outcomes, impact, s117, cto, cpa, cluster,
         discharge, missed, self_harm, substance, alone, admissions, safeguarding,
         since, coordinator_id, coordinator_until, budget, interpreter, fmt, contact, housing,
         settled, employment, postcode) = row
        # The outcomes as read (text on SQLite, a list on PostgreSQL) stand for what they say;
        # the cluster matters to the decision only when it is a health-led one.
        key = (tuple(outcomes) if outcomes.__class__ is list else outcomes, impact, s117, cto,
               cpa, cluster if cluster in health_led else None)
        entry = decisions.get(key)
        if entry is None:
            # Outcomes listed in another order, or spelt differently, say the same thing:
            # decide once per distinct meaning.
            unmet, unrecognised = read_outcomes(outcomes)
            meaning = (unmet, unrecognised, *key[1:])
            entry = decided.get(meaning)
            if entry is None:
                facts = PathwayFacts(unmet, impact, s117, cto, cpa, cluster, unrecognised)
                entry = decided[meaning] = _Decided.of(
                    decide_pathway(facts, rules.eligibility), label, reasons_text_of
                )
            decisions[key] = entry
        risk = score(discharge, since, contact, coordinator_id, coordinator_until, (
            missed, self_harm, substance, alone, admissions, safeguarding, s117, cto, budget,
            interpreter, fmt, homeless_code(housing), settled, seeking_work(employment),
            no_address(postcode),
        ))
        stored_risk = scored.get(id(risk))
        if stored_risk is None:
            stored_risk = scored[id(risk)] = (
                risk.band.value,
                factors_text(risk.factors),
                # The factors and their values stand for the date-dependent state at as_of.
                tuple(map(_FACTOR_AND_VALUE, risk.factors)),
            )
        band, risk_factors, windows = stored_risk
        if band_override is not None:  # a manager's band (risk_overrides.py) is the one in use
            band = band_override
            band_overrides += 1

        effective = entry.pathway
        reasons_text = entry.reasons_text
        reasons_key = entry.reasons_hash
        if override is not None:
            overrides += 1
            effective = override
            decision = entry.decision
            reasons_text = json_dumps([
                override_reason(override, override_why, override_by, override_at, decision.pathway),
                *entry.reasons,
            ])
            reasons_key = reasons_hash(reasons_text)
            if override in STATUTORY_REFUSED and (s117 or cto):
                conflicts += 1
        if missing_since is None:
            pathways[effective] += 1
            bands[band] += 1
        else:  # no longer in the trust's export: in no count, as on the dashboard
            missing += 1

        # Pickle is a fast, exact serialisation of these plain values (the hash is only ever
        # compared with itself); see the module's docstring for what it covers.
        digest = blake2b(pickle.dumps(
            # The postcode counts only as what the risk reads of it (no fixed abode or not),
            # so an ordinary change of address does not re-assess anyone.
            (label, (*row[_FIRST_INPUT:-1], no_address(postcode)), staff_keys.get(coordinator_id),
             staff_loaded, windows),
            protocol=5,
        ), digest_size=20).hexdigest()
        if not (only_changed and digest == stored_hash):
            moved = effective != stored
            writes.append((
                person_id, version, effective, reasons_key, risk.score, band, risk_factors,
                digest, version + 1 if moved else version,
            ))
            reasons_texts[reasons_key] = reasons_text
            if moved:
                changes.append(Change(
                    "pathway.decide", "person", number, person_id, "pathway", stored, effective,
                    entry.deciding,
                ))
            elif override is not None:
                before = rules_pathway(old_reasons.get(person_id))
                if before != entry.decision.pathway:
                    changes.append(Change(
                        "pathway.decide", "person", number, person_id, "rules_pathway", before,
                        entry.pathway, entry.deciding,
                    ))
        if progress is not None and (done % 5000 == 0 or done == total):
            progress(done, total)
    if progress is not None and total == 0:
        progress(0, 0)

    store_reasons(connection, reasons_texts)
    _write(connection, writes, label=label, decided_at=now, as_of=as_of)
    if len(writes) < total:
        _measured_at(connection, as_of)
    audit.record_many(session, changes, actor=actor, at=now)
    return AssessmentSummary(
        people=total,
        evaluated=len(writes),
        unchanged=total - len(writes),
        changed_pathways=sum(1 for change in changes if change.field == "pathway"),
        pathways={pathway: pathways[pathway] for pathway in PATHWAYS},
        bands={band: bands[band] for band in BANDS},
        overrides=overrides,
        overrides_against_statutory_duty=conflicts,
        risk_band_overrides=band_overrides,
        as_of=as_of,
        rules_version=label,
        only_changed=only_changed,
        missing_from_export=missing,
    )


def _measured_at(connection: Connection, as_of: date) -> None:
    """Everyone ``only_changed`` left alone: their stored result is what the rules give at
    ``as_of`` (their assessment hash covers every window a date falls in), so that is the
    day their score holds at. Without it an old ``risk_as_of`` could not tell a score
    checked today from one not measured for weeks. Nothing else of theirs is written."""
    table = Person.__table__  # type: ignore[attr-defined]
    connection.execute(
        update(table)
        .where(table.c.risk_score.is_not(None),
               table.c.risk_as_of.is_(None) | (table.c.risk_as_of != as_of))
        .values(risk_as_of=as_of)
    )


class _DateReader:
    """Dates as read raw: ``date`` objects (PostgreSQL) or ISO text (SQLite), parsed once each."""

    def __init__(self) -> None:
        self._seen: dict[str, date] = {}

    def __call__(self, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        parsed = self._seen.get(value)
        if parsed is None:
            parsed = self._seen[value] = date.fromisoformat(value[:10])
        return parsed


_FACTOR_AND_VALUE = attrgetter("factor", "value")


class _ListWriter(dict[Any, str]):
    """A list of items (hashable, with ``as_dict()``) as JSON text, each distinct item once.

    Decisions and scores are lists drawn from a few hundred distinct reasons and factors.
    ``separator`` goes between items: ", " gives exactly the text ``json_dumps`` gives (the
    reasons, whose key is the hash of that text); the factors have always been stored with ",".
    """

    def __init__(self, separator: str) -> None:
        super().__init__()
        self._separator = separator

    def __missing__(self, item: Any) -> str:
        text = self[item] = json_dumps(item.as_dict())
        return text

    def __call__(self, items: Sequence[Any]) -> str:
        return "[" + self._separator.join(map(self.__getitem__, items)) + "]"


class _OutcomesReader:
    """The outcomes as read raw: a list (PostgreSQL) or JSON text (SQLite), split once each."""

    def __init__(self) -> None:
        self._seen: dict[Any, tuple[frozenset[str] | None, tuple[str, ...]]] = {}

    def __call__(self, value: Any) -> tuple[frozenset[str] | None, tuple[str, ...]]:
        key = tuple(value) if isinstance(value, list) else value
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = split_outcomes(json_value(value))
        return found


def staff_facts(connection: Connection) -> tuple[dict[str, CoordinatorFacts], bool]:
    """The workers on the latest staff list, and whether a staff list was ever imported.

    A worker the latest list dropped is kept, marked missing: to the score, as to matching and
    tasks, they are not on the staff list (a gap in cover), not a coordinator still there."""
    statement = select(Staff.staff_id, Staff.leaving_date, Staff.absent_until, Staff.seconded,  # type: ignore[call-overload]
                       Staff.missing_since_batch_id, Staff.absent_from)
    rows = connection.execute(statement).all()
    return {
        staff_id: CoordinatorFacts(staff_id, leaving, absent, bool(seconded), starts)
        for staff_id, leaving, absent, seconded, missing, starts in rows if missing is None
    }, bool(rows)


def _override_reasons(connection: Connection) -> dict[int, list[dict[str, Any]]]:
    """Stored reasons of overridden people (to see whether the rules' view behind it moved)."""
    statement = select(Person.id, Person.pathway_reasons).where(  # type: ignore[call-overload]
        Person.pathway_override.is_not(None)  # type: ignore[union-attr]
    )
    return {person_id: reasons or [] for person_id, reasons in connection.execute(statement)}


@dataclass(frozen=True, slots=True)
class _Decided:
    """One distinct decision of the rules, with what is stored and audited for it."""

    decision: PathwayDecision
    pathway: str
    reasons: list[dict[str, str]]
    reasons_text: str
    reasons_hash: str  # the key of reasons_text in ``pathway_reasons``
    deciding: str  # the audit reason of a change it makes

    @classmethod
    def of(
        cls, decision: PathwayDecision, label: str, write: Callable[[list[Reason]], str]
    ) -> _Decided:
        """``write`` gives the reasons' JSON text as ``json_dumps`` would (see _ListWriter)."""
        deciding = f"{decision.reasons[0].rule} (rules {label})"
        text = write(decision.reasons)
        return cls(decision, decision.pathway.value, decision.reasons_as_dicts(), text,
                   reasons_hash(text), deciding[:MAX_REASON_LENGTH])


_WRITTEN = (
    "b_id", "b_version", "pathway", "pathway_reasons_hash", "risk_score", "risk_band",
    "risk_factors", "assessed_hash", "new_version",
)
"""What each tuple :func:`_write` takes holds, in order (the names of the UPDATE's values)."""


def _write(
    connection: Connection,
    writes: Sequence[tuple[Any, ...]],
    *,
    label: str,
    decided_at: datetime,
    as_of: date,
) -> None:
    """One executemany UPDATE; refuses the whole run if anyone was changed meanwhile."""
    if not writes:
        return
    table = Person.__table__  # type: ignore[attr-defined]
    sqlite = connection.dialect.name == "sqlite"

    def json_text(name: str) -> Any:
        # The JSON column arrives as text we serialised (once per score, which many people
        # share); PostgreSQL is told it is JSON, SQLite stores JSON as text anyway.
        param = bindparam(name, type_=String())
        return param if sqlite else cast(param, table.c.risk_factors.type)

    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(
            pathway=bindparam("pathway"),
            pathway_reasons_hash=bindparam("pathway_reasons_hash"),
            pathway_rules_version=bindparam("label", label),
            pathway_decided_at=bindparam(
                "decided_at", decided_at, type_=table.c.pathway_decided_at.type
            ),
            risk_score=bindparam("risk_score"),
            risk_band=bindparam("risk_band"),
            risk_factors=json_text("risk_factors"),
            risk_as_of=bindparam("as_of", as_of, type_=table.c.risk_as_of.type),
            assessed_hash=bindparam("assessed_hash"),
            version=bindparam("new_version"),
        )
    )
    if sqlite:
        rowcount = _executemany_sqlite(connection, statement, writes)
    else:
        rowcount = connection.execute(
            statement, [dict(zip(_WRITTEN, row, strict=True)) for row in writes]
        ).rowcount
    if rowcount not in (-1, len(writes)):
        raise ConflictError(
            f"{len(writes) - rowcount} people were changed by someone else while the "
            "assessment ran. Nothing was saved.",
            hint="Run transition assess again.",
        )


def _executemany_sqlite(
    connection: Connection, statement: Any, rows: Sequence[tuple[Any, ...]]
) -> int:
    """The compiled statement straight to the driver, every value already in stored form.

    SQLAlchemy's per-row parameter handling is a third of the write time at 100,000 rows;
    here the only values needing conversion are the constants, converted once, added to each
    row and the row put in the statement's parameter order in C (``itemgetter``).
    """
    compiled = statement.compile(dialect=connection.dialect)
    dialect = connection.dialect
    constants: dict[str, Any] = {}
    for name, bind in compiled.binds.items():
        if bind.value is not None:
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            constants[name] = processor(bind.value) if processor else bind.value
    names = _WRITTEN + tuple(constants)
    position = {name: index for index, name in enumerate(names)}
    order = itemgetter(*(position[name] for name in compiled.positiontup or ()))
    extra = tuple(constants.values())
    params = [order(row + extra) for row in rows]
    result = connection.exec_driver_sql(str(compiled), params)
    return result.rowcount


# ---------------------------------------------------------------------------------------------
# Reading: one person, the at-risk list, counts
# ---------------------------------------------------------------------------------------------


def assessment_detail(person: Person, bands: RiskBands | None = None) -> dict[str, Any]:
    """Pathway, override and risk of one person with every reason and factor (JSON-ready).

    This is the ``transition person --json`` section and all a screen needs to explain both.
    ``bands`` (the rules' thresholds) says which band the rules' score gives under a manager's
    band (``risk_band_override.rules_band``); without them that is left empty.
    """
    reasons = list(person.pathway_reasons or [])
    override = None
    if person.pathway_override is not None:
        override = {
            "pathway": person.pathway_override,
            "reason": person.pathway_override_reason,
            "by": person.pathway_override_by,
            "at": person.pathway_override_at,
        }
    decided = rules_pathway(reasons)
    band = RiskBand(person.risk_band) if person.risk_band else None
    return {
        "pathway": person.pathway,
        "pathway_reasons": reasons,
        "pathway_rules_decision": decided.value if decided is not None else None,
        "pathway_override": override,
        "pathway_rules_version": person.pathway_rules_version,
        "pathway_decided_at": person.pathway_decided_at,
        "risk_score": person.risk_score,
        "risk_band": person.risk_band,
        "risk_band_meaning": BAND_MEANING[band] if band is not None else None,
        "risk_band_override": override_detail(person, bands),
        "risk_factors": list(person.risk_factors or []),
        "risk_as_of": person.risk_as_of,
        # Dates after the day measured, which the score did not count: worth checking.
        "risk_dates_not_counted": (dates_not_counted(person, person.risk_as_of)
                                   if person.risk_score is not None else []),
        "version": person.version,
    }


@dataclass(frozen=True)
class AtRisk:
    """One line of the at-risk list."""

    person_id: int
    nhs_number: str
    given_name: str
    family_name: str
    team: str | None
    care_coordinator_id: str | None
    pathway: str | None
    risk_score: int
    risk_band: str
    risk_factors: list[dict[str, Any]] = field(default_factory=list)
    risk_as_of: date | None = None
    last_discharge: date | None = None
    band_overridden: bool = False  # the band is a manager's (risk_overrides.py)

    def as_json(self) -> dict[str, Any]:
        return {
            "nhs_number": self.nhs_number,
            "risk_score": self.risk_score,
            "risk_band": self.risk_band,
            "risk_band_overridden": self.band_overridden,
            "risk_factors": self.risk_factors,
            "risk_as_of": self.risk_as_of,
        }


RANKING = ("band (red first), then score (highest first), then most recent discharge (none "
           "last), then NHS number")
"""How people are ranked by handover risk; every tie is broken, so the order is stable.
The band is the one in use (a manager's, when set); without a manager's band it follows the
score, so this is the order of the score."""

_BAND_ORDER = case({band.value: rank for rank, band in enumerate(RiskBand)},
                   value=Person.risk_band, else_=len(RiskBand))


_IN_EXPORT = Person.missing_since_batch_id.is_(None)  # type: ignore[union-attr]


def at_risk(
    session: Session, top: int | None = None, *, band: str | None = None,
    team: str | Sequence[str] | None = None, only: ColumnElement[bool] | None = None,
) -> list[AtRisk]:
    """Assessed people in the latest export in :data:`RANKING` order, optionally the first
    ``top``, one band, one team (or any of a team's spellings, as
    :func:`transition.handover.match_place` finds them), or only those meeting ``only`` (e.g.
    :func:`transition.allocation_status.handover_ahead`). People the trust's export no longer
    lists are left out, as the band counts leave them out (the check's
    ``missing_from_export`` names them)."""
    statement = (
        select(  # type: ignore[call-overload,misc]
            Person.id, Person.nhs_number, Person.given_name, Person.family_name, Person.team,
            Person.care_coordinator_id, Person.pathway, Person.risk_score, Person.risk_band,
            Person.risk_factors, Person.risk_as_of, Person.last_discharge,
            Person.risk_band_override,
        )
        .where(Person.risk_score.is_not(None), _IN_EXPORT)  # type: ignore[union-attr]
        .order_by(
            _BAND_ORDER,
            Person.risk_score.desc(),  # type: ignore[union-attr]
            Person.last_discharge.desc().nulls_last(),  # type: ignore[union-attr]
            Person.nhs_number,
        )
    )
    if band is not None:
        statement = statement.where(Person.risk_band == band)
    if isinstance(team, str):
        statement = statement.where(Person.team == team)
    elif team is not None:
        statement = statement.where(Person.team.in_(team))  # type: ignore[union-attr]
    if only is not None:
        statement = statement.where(only)
    if top is not None:
        statement = statement.limit(top)
    return [
        AtRisk(
            person_id=values[0], nhs_number=values[1], given_name=values[2],
            family_name=values[3], team=values[4], care_coordinator_id=values[5],
            pathway=values[6], risk_score=values[7], risk_band=values[8],
            risk_factors=list(values[9] or []), risk_as_of=values[10], last_discharge=values[11],
            band_overridden=values[12] is not None,
        )
        for values in session.execute(statement)
    ]


def scores_as_of(session: Session) -> tuple[date, date] | None:
    """The earliest and latest day the stored handover-risk scores of the people in the
    latest export hold at (``risk_as_of``), or None before anyone is assessed. After any run
    both are that run's as-of date; a date before today means the scores have not been
    measured since, and a discharge or a last contact may have crossed a window."""
    statement = select(func.min(Person.risk_as_of), func.max(Person.risk_as_of)).where(
        _IN_EXPORT, Person.risk_score.is_not(None))  # type: ignore[union-attr]
    earliest, latest = session.execute(statement).one()
    return None if earliest is None or latest is None else (earliest, latest)


def pathway_counts(session: Session) -> dict[str, int]:
    """People in the latest export per effective pathway, all five keys (people not yet
    assessed are not counted). People the trust's export no longer lists are left out, as
    the allocation figures, the equality report and the check leave them out."""
    return _counts(session, Person.pathway, PATHWAYS)


def band_counts(session: Session) -> dict[str, int]:
    """People in the latest export per risk band: red, amber, green (people not yet assessed
    are not counted)."""
    return _counts(session, Person.risk_band, BANDS)


def unassessed_count(session: Session) -> int:
    """People in the latest export with no pathway or no risk score yet (assess has not run
    since they arrived)."""
    statement = select(func.count()).select_from(Person).where(
        _IN_EXPORT,
        (Person.pathway.is_(None)) | (Person.risk_score.is_(None)),  # type: ignore[union-attr]
    )
    return session.scalar(statement) or 0


def _counts(session: Session, column: Any, keys: tuple[str, ...]) -> dict[str, int]:
    statement = select(column, func.count()).where(_IN_EXPORT).group_by(column)
    found = dict(session.execute(statement).all())
    return {key: int(found.get(key, 0)) for key in keys}
