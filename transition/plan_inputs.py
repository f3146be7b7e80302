"""Reading what a plan is made of: the caseload, the staff list and the current allocation,
turned into a matching problem (SQLAlchemy Core reads; nothing is written).

Who is planned: everyone on the latest export whose pathway needs a role (council, trust,
joint, assess). Signposted people need none; their current roles end when a plan is accepted,
as do roles a changed pathway no longer needs. People with no pathway yet are listed as
unassigned with the reason. Locked roles are kept as they are and count against capacity.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Text, select, type_coerce
from sqlmodel import Session

from transition import nhs, programme
from transition.allocation import (
    continuing_coordinator,
    coordinator_continues,
    coordinator_place_open,
)
from transition.bulk import Memo, read_rows
from transition.columns import FALSE_WORDS, GENDER_CODES, TRUE_WORDS, header_key
from transition.conditions import PERSON_FACTS, extra_fact
from transition.errors import TransitionError
from transition.matching import (
    PATHWAY_ROLES,
    Held,
    MatchingRules,
    Need,
    Problem,
    Worker,
    staff_word,
)
from transition.models import Assignment, Locality, Person, Role, Staff, Team
from transition.ruleset import Rules, load_rules


class PersonInfo(NamedTuple):
    """What the plan shows about a person besides their roles (a named tuple, made for
    every person read: see :class:`~transition.matching.Need`)."""

    person_id: int
    nhs_number: str
    pathway: str | None
    risk_band: str | None
    team: str | None
    locality: str | None
    handover_date: date
    coordinator_id: str | None
    coordinator_since: date | None
    coordinator_until: date | None = None  # the export's last day of that allocation

    def continues_with(self, staff_id: str | None) -> bool:
        """Whether ``staff_id`` is their coordinator carrying them through the handover
        (:func:`~transition.allocation.coordinator_continues`)."""
        return coordinator_continues(staff_id, self.coordinator_id, self.coordinator_until,
                                     self.handover_date)


@dataclass(frozen=True, slots=True)
class EndingRole:
    """A current assignment the person's pathway no longer needs: accepting the plan ends it."""

    person_id: int
    role: str
    staff_id: str
    reason: str


@dataclass
class Inputs:
    """Everything read from the database for one planning run."""

    problem: Problem
    people: dict[int, PersonInfo]
    undecided: list[int]  # people with no usable pathway
    signposted: list[int]  # people planned whose pathway needs no role (they get no row)
    locks: dict[tuple[int, str], Held]  # locked roles of the people being planned
    ending: list[EndingRole]
    not_planned: dict[str, int]
    warnings: list[str]
    fingerprints: dict[str, str]
    transfer_date: date
    worker_names: dict[str, str]
    worker_teams: dict[str, str | None]
    person_ids: list[int] | None  # None: everyone


def stays_until(rules: Rules, *, as_of: date, transfer: date | None) -> date:
    """The day a worker must stay past to keep or take anyone on ``as_of``: the later of the
    transfer date and the nightly check's notice of a leaver (``[checks]
    leaving_within_days``). One leaving on or before it would leave while holding them."""
    notice = as_of + timedelta(days=rules.checks.leaving_within_days)
    return notice if transfer is None else max(transfer, notice)


def settled_unavailable(worker: Worker, rules: Rules, *, as_of: date, transfer: date | None,
                        last_handover: date | None = None) -> str | None:
    """Why ``worker`` may not keep a person settled with them (their handover has passed), as
    of ``as_of``, or None when they may: gone or going (leaving on or before
    :func:`stays_until`, or ``last_handover``, a later own handover of someone they hold), not
    on the latest staff list, or away long-term (``[checks] long_term_absence_days``); not a
    short absence. The one rule for both the planner (a :class:`Need` whose handover has
    passed, :meth:`Worker.unavailable_for`) and the nightly check's ``worker_unavailable``."""
    through = stays_until(rules, as_of=as_of, transfer=transfer)
    if last_handover is not None:
        through = max(through, last_handover)
    return worker.unavailable(as_of, rules.matching, max(as_of, through),
                              long_term_days=rules.checks.long_term_absence_days)


def read_inputs(
    session: Session,
    rules: Rules,
    *,
    as_of: date,
    person_ids: Sequence[int] | None = None,
    honour_locks: bool = True,
    extra_roles: tuple[str, ...] = (),
    as_before: Mapping[tuple[int, str], tuple[str, bool] | None] | None = None,
) -> Inputs:
    """Build the matching problem from the database (Core reads; nothing is written).

    With ``person_ids``, only those people are planned; everyone else's current allocation
    is held fixed, counting against their workers' capacity. ``honour_locks=False`` and
    ``extra_roles`` let a manager's override be checked like any other choice: the planned
    people's locked roles become needs, and ``extra_roles`` are needed whatever the pathway.

    ``as_before``: (person, role) -> (staff id, locked) of the assignment to read in place of
    the current one (None: none), for a draft's test of its inputs with the managers' locks
    that confirmed its own proposals read as what they replaced
    (:func:`transition.plan_review.confirm_lock`).
    """
    transfer = programme.transfer_date(session)
    if transfer is None:
        raise TransitionError(
            "No transfer date is set, so staff availability cannot be checked. Nothing was "
            "planned.",
            hint="Set it with: transition programme set --transfer-date DATE",
        )
    matching = rules.matching
    warnings: list[str] = []
    team_locality = dict(session.execute(select(Team.name, Team.locality)).all())
    workers, worker_rows = read_workers(session, matching, team_locality, warnings)
    by_id = {worker.staff_id: worker for worker in workers}

    wanted = None if person_ids is None else set(person_ids)
    current: dict[int, dict[str, Any]] = defaultdict(dict)
    known: dict[int, set[str]] = defaultdict(set)
    allocation_rows = []
    # Plain tuples straight from the driver (bulk.read_rows): at this size a Core result's
    # row handling costs more than the query.
    connection = session.connection()
    for person_id, role, staff_id, locked, ended_at in read_rows(connection, select(
        Assignment.person_id, Assignment.role, Assignment.staff_id, Assignment.locked,
        Assignment.ended_at).order_by(Assignment.id)
    ):
        known[person_id].add(staff_id)
        if ended_at is None:
            current[person_id][role] = (staff_id, bool(locked))
            allocation_rows.append((person_id, role, staff_id, bool(locked)))
    if as_before:
        for (person_id, role), before in as_before.items():
            roles_held = current[person_id]
            if before is None:
                roles_held.pop(role, None)
                if not roles_held:
                    del current[person_id]
            else:
                roles_held[role] = before
        allocation_rows = [(person_id, role, staff_id, locked)
                           for person_id, roles_held in current.items()
                           for role, (staff_id, locked) in roles_held.items()]

    facts_used = {name for rule in matching.required_skills for name in rule.condition.facts}
    fact_columns = sorted(name for name in facts_used if name in PERSON_FACTS and name != "age")
    uses_extra = any(rule.condition.uses_extra for rule in matching.required_skills)
    columns = list(_PERSON_COLUMNS)
    columns += [getattr(Person, name) for name in fact_columns
                if getattr(Person, name) not in columns]
    if uses_extra:
        # As stored (SQLite: the JSON text), decoded only for a combination of facts not yet
        # seen (below).
        columns.append(type_coerce(Person.extra, Text).label("extra"))
    names = [column.key for column in columns]  # type: ignore[attr-defined]
    skills_needed = _SkillsNeeded(matching, sorted(facts_used), names,
                                  _Remembered(Person.extra, connection.dialect))
    # Role -> {coordinator's staff id: whether they fit it}, worked out once per coordinator.
    fits = Memo(lambda role: Memo(lambda staff_id: bool(
        (worker := by_id.get(staff_id or "")) and worker.fits(role, matching))))
    # Worked out once per distinct value: a few genders and languages among 100,000 people.
    genders = Memo(_gender)
    interpreters = Memo(_interpreter)
    spoken_languages = Memo(_spoken)
    # A person's known workers when they have had no one but their coordinator (most people):
    # one shared frozenset per coordinator.
    only_coordinator = Memo(lambda coordinator: frozenset({coordinator} if coordinator else ()))

    people: dict[int, PersonInfo] = {}
    needs: list[Need] = []
    held: list[Held] = []
    locks: dict[tuple[int, str], Held] = {}
    undecided: list[int] = []
    signposted: list[int] = []
    ending: list[EndingRole] = []
    not_planned = {"signpost": 0, "missing_from_export": 0}
    person_digest = hashlib.sha256()
    person_lines: list[str] = []  # for the people's fingerprint, hashed 10,000 at a time
    interpreter_unknown = 0
    no_roles: dict[str, Any] = {}
    # A worker holds a person from their handover on; one leaving before the programme is over
    # for them (the transfer date, or their own later handover), or within the nightly check's
    # notice of a leaver, would leave while holding them: the check calls them unavailable
    # (worker_unavailable), so a plan neither keeps nor gives anyone to them.
    # (settled_unavailable: the same rule, for the check.)
    leaves_after = stays_until(rules, as_of=as_of, transfer=transfer)
    long_term = rules.checks.long_term_absence_days
    for row in read_rows(connection, select(*columns).order_by(Person.id)):
        (person_id, nhs_number, pathway, band, team, locality, coordinator, coordinator_since,
         handover_date, _born, interpreter, preferred, content_hash, assessed_hash,
         missing, coordinator_until, preferred_language, allocated) = row[:_FIXED_COLUMNS]
        roles_now = current.get(person_id, no_roles)
        handover = handover_date or transfer
        # The coordinator as the handover baseline: None when the export says their allocation
        # ends before the handover (they are someone the person knows, not their worker).
        continuing = continuing_coordinator(coordinator, coordinator_until, handover)
        planned = wanted is None or person_id in wanted
        if not planned or missing is not None:
            if planned:
                not_planned["missing_from_export"] += 1
            # Not in this plan: their current allocation still uses capacity.
            for role, (staff_id, locked) in sorted(roles_now.items()):
                held.append(Held(person_id, role, staff_id,
                                 red_handover=band == "red" and staff_id != continuing,
                                 locked=locked))
            # Before a plan decides their roles, the trust's care coordinator holds them (one
            # role, as plan_review.current_caseloads counts it): a re-plan of others must not
            # fill that place.
            if (missing is None and allocated is None
                    and coordinator_place_open({role: staff for role, (staff, _locked)
                                                in roles_now.items()}, coordinator,
                                               PATHWAY_ROLES.get(pathway or "", ()))
                    and (holder := by_id.get(coordinator or "")) is not None
                    and holder.on_staff_list
                    and continuing_coordinator(coordinator, coordinator_until, as_of)):
                held.append(Held(person_id, _role_of(holder, matching), holder.staff_id))
            continue
        # A handover date already past: a worker given them now takes them on the plan's day,
        # so they must be there then (not on a day gone by). The worker they are settled with
        # keeps them unless gone, going or away long-term (Need.long_term_days): the check's
        # worker_unavailable test, not a short absence today.
        day = max(handover, as_of)
        through = max(day, leaves_after)
        settled = long_term if handover < as_of else None
        # The imported data is in content_hash; the rest is what was decided since.
        person_lines.append(f"{person_id}|{content_hash}|{pathway}|{band}|{assessed_hash}|"
                            f"{handover_date}\n")
        if len(person_lines) == 10_000:
            person_digest.update("".join(person_lines).encode())
            person_lines.clear()
        locality = locality or team_locality.get(team)
        people[person_id] = PersonInfo(person_id, nhs_number, pathway, band, team, locality,
                                       handover, coordinator, coordinator_since,
                                       coordinator_until)
        roles = PATHWAY_ROLES.get(pathway) if pathway is not None else None
        if roles_now:
            for role, (staff_id, locked) in sorted(roles_now.items()):
                if locked and honour_locks:
                    lock = Held(person_id, role, staff_id,
                                red_handover=band == "red" and staff_id != continuing,
                                locked=True)
                    locks[person_id, role] = lock
                    held.append(lock)
                    if roles is not None and role not in roles:
                        warnings.append(f"a locked {role.replace('_', ' ')} is kept for person "
                                        f"{nhs.mask(nhs_number)} though pathway {pathway} "
                                        "does not need one")
                    holder = by_id.get(staff_id)
                    why = ("not on the staff list" if holder is None
                           else holder.unavailable(day, matching, through,
                                                   long_term_days=settled))
                    if why is not None:
                        warnings.append(
                            f"a locked {role.replace('_', ' ')} is kept for person "
                            f"{nhs.mask(nhs_number)} with {staff_id}, who is {why} at the "
                            f"handover ({day.isoformat()}): unlock it (transition unlock) "
                            "or choose another worker")
                elif roles is not None and role not in roles:
                    ending.append(EndingRole(person_id, role, staff_id,
                                             f"pathway {pathway} does not need a "
                                             f"{role.replace('_', ' ')}"))
        if extra_roles:
            roles = tuple(dict.fromkeys((*(roles or ()), *extra_roles)))
        if roles is None:
            undecided.append(person_id)
            # Nothing ends while the pathway is undecided: their workers stay busy.
            held.extend(Held(person_id, role, staff_id,
                             red_handover=band == "red" and staff_id != continuing)
                        for role, (staff_id, locked) in sorted(roles_now.items()) if not locked)
            continue
        if not roles:
            not_planned["signpost"] += 1
            signposted.append(person_id)
            continue
        language, unknown_language = interpreters[interpreter]
        spoken = spoken_languages[preferred_language]
        # An interpreter needed in a language not recorded: most likely the one they prefer.
        if unknown_language and spoken is not None:
            language, unknown_language = spoken, 0
        interpreter_unknown += unknown_language
        # No interpreter needed, but a language they prefer to English: the same cost.
        preference_only = language is None and spoken is not None
        if preference_only:
            language = spoken
        required = skills_needed(row, handover)
        preferred_gender = genders[preferred]
        known_before = known.get(person_id)
        known_workers = (only_coordinator[coordinator] if known_before is None else
                         frozenset(known_before | ({coordinator} if coordinator else set())))
        for role in roles:
            holder = roles_now.get(role)
            if holder is not None:
                if (person_id, role) in locks:
                    continue
                current_staff, accepted_staff = holder[0], holder[0]
            else:
                # A coordinator whose allocation ends before the handover (the export's
                # EndDateAssCareCoord) does not carry the person through it: someone they
                # know, not their current worker (allocation.coordinator_continues).
                accepted_staff = None
                current_staff = continuing if fits[role][continuing] else None
            needs.append(Need(person_id, role, day, band, team, locality, required,
                              language, preferred_gender, current_staff, coordinator,
                              accepted_staff, known_workers,
                              None if continuing or not coordinator else coordinator_until,
                              preference_only, through, settled))
    person_digest.update("".join(person_lines).encode())
    if interpreter_unknown:
        warnings.append(f"people who need an interpreter in a language not recorded: "
                        f"{interpreter_unknown} (record it so the plan can match a worker who "
                        "speaks it)")
    if undecided:
        warnings.append(f"people with no pathway yet: {len(undecided)} (run transition assess)")
    if person_ids is None and needs:
        warnings.extend(_extra_columns_unseen(matching, skills_needed.extra_keys))
    warnings.extend(_distances_unknown(matching, session.scalars(select(Locality.name))))
    held_count: dict[str, int] = defaultdict(int)
    for item in held:
        held_count[item.staff_id] += 1
    over = [f"{worker.staff_id} ({held_count[worker.staff_id]} of {worker.capacity})"
            for worker in workers if held_count[worker.staff_id] > worker.capacity]
    if over:
        warnings.append("workers already over capacity with roles this plan cannot move "
                        f"(locked, or outside it): {', '.join(over)}")
    allocation_digest = hashlib.sha256(repr(sorted(allocation_rows)).encode()).hexdigest()
    # What a re-plan of some people counted against capacity for everyone else (their roles,
    # and their coordinators' places before a plan): people imported since, or a caseload
    # moved, make its places wrong, so a draft made before is out of date.
    held_digest = hashlib.sha256(repr(sorted(
        (item.person_id, item.role, item.staff_id, item.locked) for item in held)).encode()
    ).hexdigest()
    fingerprints = {
        "people": person_digest.hexdigest(),
        "staff": hashlib.sha256(repr(worker_rows).encode()).hexdigest(),
        "allocation": allocation_digest,
        "held": held_digest,
        "rules": rules.version_label,
        "transfer_date": transfer.isoformat(),
        "as_of": as_of.isoformat(),
    }
    return Inputs(
        problem=Problem(tuple(needs), tuple(workers), tuple(held)),
        people=people,
        undecided=undecided,
        signposted=signposted,
        locks=locks,
        ending=ending,
        not_planned=not_planned,
        warnings=warnings,
        fingerprints=fingerprints,
        transfer_date=transfer,
        worker_names={row[0]: f"{row[1]} {row[2]}" for row in worker_rows},
        worker_teams={worker.staff_id: worker.team for worker in workers},
        person_ids=None if person_ids is None else sorted(set(person_ids)),
    )


def _extra_columns_unseen(matching: MatchingRules, seen: set[str]) -> list[str]:
    """A warning naming the export columns the skill rules read (``extra.KEY``) that no
    planned person has a value in: most often a key misspelt in the rules (or a column the
    export lost), and then nobody is found to need that skill. The columns the shipped rules
    read are left to the import's notes, which name each one a file lacks (and the nightly
    check repeats them): a council's own key may be misspelt, or added after the import."""
    present = {header_key(key) for key in seen}
    shipped = load_rules().matching.extra_columns_read()
    unseen = [f"extra.{key} ({skill}" + (f"; did you mean extra.{close[0]}?)" if (
                  close := get_close_matches(key, sorted(present), n=1)) else ")")
              for key, skill in matching.extra_columns_read().items()
              if key not in present and key not in shipped]
    if not unseen:
        return []
    return [(f"the rules' [[matching.required_skills]] read export columns no one planned has a "
             f"value in, so nobody is found to need their skill: {'; '.join(unseen)}. Check "
             "the spelling against the export's headers (transition import history), or ask "
             "the trust to add the column")]


def _distances_unknown(matching: MatchingRules, localities: Iterable[str]) -> list[str]:
    """A warning naming the localities in ``[[matching.distances]]`` that no person, team or
    worker is in (most often a misspelling): a pair naming one is never used, so those places
    are out of each other's reach. The shipped table (the demo county's) naming none of them
    is what default.toml says it does until a council gives its own: no warning."""
    known = {name.casefold() for name in localities}
    named = dict.fromkeys(name for distance in matching.distances for name in distance.between)
    unknown = [name for name in named if name.casefold() not in known]
    if not known or not unknown:
        return []
    if len(unknown) == len(named):
        if matching.distances == load_rules().matching.distances:
            return []
        return [(f"none of the localities in the rules' [[matching.distances]] ("
                 f"{', '.join(unknown)}) is one a person or worker is in, so no distance is "
                 "used and \"nearby\" reaches only each person's own locality: give the "
                 "distances between your localities in your rules file")]
    return [(f"the rules' [[matching.distances]] name localities no person, team or worker is "
             f"in: {', '.join(unknown)}. A pair naming one is never used, so those places are "
             "out of each other's reach: check the spelling against the exports")]


def _role_of(worker: Worker, matching: MatchingRules) -> str:
    """The role a coordinator holds someone in before a plan: the first they could fill."""
    return next((role.value for role in Role if worker.fits(role, matching)),
                Role.SOCIAL_WORKER.value)


def read_workers(
    session: Session, matching_rules: MatchingRules, team_locality: dict[str, str | None],
    warnings: list[str],
) -> tuple[list[Worker], list[tuple[Any, ...]]]:
    """Every worker as the planner sees them after the transfer, and the rows read (for the
    fingerprint and names; values may be shared between rows, so read-only). Problems worth a
    manager's attention go into ``warnings``."""
    columns = (Staff.staff_id, Staff.given_name, Staff.family_name, Staff.employer, Staff.role,
               Staff.team, Staff.locality, Staff.capacity, Staff.fte, Staff.skills,
               Staff.languages, Staff.gender, Staff.seconded, Staff.council_team,
               Staff.leaving_date, Staff.absent_until, Staff.missing_since_batch_id,
               Staff.content_hash)
    # Plain tuples from the driver (bulk.read_rows), as the ORM's result gives them (the staff
    # fingerprint is their text): that result took 0.02 s more of a 100,000-person read.
    rows = list(read_rows(session.connection(), select(*columns).order_by(Staff.staff_id)))
    # A planned absence's first day, read apart: the rows stay as before it existed (so a
    # draft made then is not out of date), and their content hash already says when a staff
    # list's Absent From changes (the import is its only writer).
    starts = dict(session.execute(select(Staff.staff_id, Staff.absent_from)
                                  .where(Staff.absent_from.is_not(None))).all())  # type: ignore[union-attr]
    workers = []
    no_capacity = undecided_team = 0
    for (staff_id, _given, _family, employer, role, team, locality, capacity, fte, skills,
         languages, gender, seconded, council_team, leaving, absent, missing, _hash) in rows:
        if capacity is None:
            capacity = math.floor((fte or 0) * matching_rules.caseload_per_fte)
            no_capacity += fte is None
        keep_only = False
        former_team = None
        if seconded:
            former_team = team
            if council_team:
                team = council_team
                locality = team_locality.get(council_team) or locality
            else:
                team = None
                undecided_team += 1
                keep_only = matching_rules.seconded_without_council_team == "keep_only"
        workers.append(Worker(
            staff_id=staff_id,
            employer=staff_word(employer or ""),
            role=staff_word(role or ""),
            team=team,
            locality=locality or team_locality.get(team or ""),
            capacity=max(0, int(capacity)),
            former_team=former_team,
            skills=frozenset(staff_word(skill) for skill in skills or ()),
            languages=frozenset(str(language).strip().lower() for language in languages or ()),
            gender=_gender(gender),
            leaving_date=leaving,
            absent_until=absent,
            absent_from=starts.get(staff_id),
            on_staff_list=missing is None,
            keep_only=keep_only,
        ))
    if no_capacity:
        warnings.append(f"workers with neither a capacity nor an FTE on the staff list, who "
                        f"take no one: {no_capacity} (add one and import the staff list again)")
    # A worker whose employer and job role fit no role the plan fills is never given anyone:
    # right for a psychiatrist or a manager, wrong for a "Social Wroker" (a typo on the staff
    # list). One line, with the combinations, so the team can tell which it is.
    fits_nothing = matching_rules.fitting_no_role(
        (worker.employer, worker.role) for worker in workers if worker.on_staff_list)
    if fits_nothing:
        warnings.append(
            f"workers whose employer and role fit no role a plan fills, so it gives them no "
            f"one: {fits_nothing}. Right for staff who are not care coordinators; else check "
            "the staff list's spelling, or the rules' [matching.roles]")
    if undecided_team and matching_rules.seconded_without_council_team == "keep_only":
        warnings.append(f"seconded workers with no council team yet: {undecided_team} (they "
                        "keep their current people but take no new ones)")
    return workers, rows


class _Remembered:
    """A column's conversion from what the driver returns (SQLite: the JSON text) to the
    Python value, done once per distinct stored value: 97% of a caseload's ``extra`` is the
    text ``null``, and decoding it 100,000 times was a tenth of reading. The values are only
    read here, so people with the same text may share one."""

    def __init__(self, column: Any, dialect: Any):
        self.process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        self.seen: dict[Any, Any] = {}

    def __call__(self, stored: Any) -> Any:
        if self.process is None:  # the driver has converted it already (psycopg)
            return stored
        try:
            return self.seen[stored]
        except KeyError:
            self.seen[stored] = self.process(stored)
            return self.seen[stored]


_PERSON_COLUMNS = (
    Person.id, Person.nhs_number, Person.pathway, Person.risk_band, Person.team,
    Person.locality, Person.care_coordinator_id, Person.coordinator_since, Person.handover_date,
    Person.date_of_birth, Person.interpreter_language, Person.preferred_worker_gender,
    Person.content_hash, Person.assessed_hash, Person.missing_since_batch_id,
    Person.coordinator_until, Person.preferred_language, Person.allocated_plan_id,
)
"""The person columns every plan reads, in the order ``read_inputs`` unpacks them; the facts'
own columns (and ``extra``) may follow."""

_FIXED_COLUMNS = len(_PERSON_COLUMNS)
_BORN = [column.key for column in _PERSON_COLUMNS].index("date_of_birth")


class _SkillsNeeded:
    """The skills a person's facts require, remembered by what the facts are made from (age,
    the facts' columns and ``extra`` as stored): at 100,000 people, a few thousand distinct
    combinations are evaluated instead of every person."""

    def __init__(self, matching: MatchingRules, used: list[str], names: list[str],
                 decode_extra: _Remembered):
        self.tests = [(rule.skill, rule.because, rule.condition) for rule in matching.required_skills]
        self.used = used
        self.names = names
        self.decode_extra = decode_extra
        self.uses_age = "age" in used
        # The values the facts are made of, besides age: the facts' columns and extra.
        made_of = [names.index(name) for name in used if name in names]
        made_of += [names.index("extra")] if "extra" in names else []
        self.made_of = itemgetter(*made_of) if made_of else (lambda _row: ())
        self.ages: dict[tuple[date, date], int] = {}
        self.seen: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}
        # The extra columns (as stored) some person evaluated has a value in: one update per
        # distinct combination of facts, so the warning about a key no one has costs nothing.
        self.extra_keys: set[str] = set()

    def __call__(self, row: tuple[Any, ...], handover: date) -> tuple[tuple[str, str], ...]:
        """The skills for one person: ``row`` as read (in the order of ``names``)."""
        age = None
        if self.uses_age:
            born = row[_BORN]
            age = self.ages.get((born, handover), _NOT_SEEN) if born else None
            if age is _NOT_SEEN:
                age = self.ages[born, handover] = (handover.year - born.year - (
                    (handover.month, handover.day) < (born.month, born.day)))
        key = (age, self.made_of(row))
        try:
            return self.seen[key]
        except TypeError:  # an unhashable value (extra decoded by the driver): no memo
            return self.evaluate(self.facts(row, handover))
        except KeyError:
            self.seen[key] = self.evaluate(self.facts(row, handover))
            return self.seen[key]

    def facts(self, row: tuple[Any, ...], handover: date) -> tuple[Any, ...]:
        named = dict(zip(self.names, row, strict=True))
        if "extra" in named:
            named["extra"] = extra = self.decode_extra(named["extra"])
            if extra:
                self.extra_keys.update(key for key, value in extra.items()
                                       if extra_fact(value) is not None)
        return _facts(named, self.used, handover)

    def evaluate(self, values: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
        facts = dict(zip(self.used, values, strict=True))
        required: dict[str, str] = {}
        for skill, because, condition in self.tests:
            if skill not in required and condition(facts):
                required[skill] = because  # one reason per skill: the first rule that needs it
        return tuple(required.items())


_NOT_SEEN = object()


def _facts(row: dict[str, Any], used: list[str], handover: date) -> tuple[Any, ...]:
    """The values of the facts the rules' conditions use, for one person, in the order of
    ``used``."""
    raw_extra = row.get("extra")
    extra = ({f"extra.{header_key(key)}": value for key, value in raw_extra.items()}
             if raw_extra else {})
    facts: list[Any] = []
    for name in used:
        if name == "age":
            born = row["date_of_birth"]
            facts.append((handover.year - born.year - (
                (handover.month, handover.day) < (born.month, born.day))) if born else None)
        elif name in row:
            facts.append(row[name])
        else:
            facts.append(extra_fact(extra.get(name)))
    return tuple(facts)


def _interpreter(raw: str | None) -> tuple[str | None, int]:
    """The language an interpreter is needed for; (None, 1) when one is needed but the export
    says only 'yes' (stored by the importer as 'unspecified')."""
    if raw is None or not raw.strip():
        return None, 0
    word = raw.strip().lower()
    if word in FALSE_WORDS or word in {"none", "english"}:
        return None, 0
    if word in TRUE_WORDS or word == "unspecified":  # the importer's word for a bare "yes"
        return None, 1
    return word, 0


def _spoken(preferred: str | None) -> str | None:
    """The language a person prefers (as the importer stores MHSDS LanguageCodePreferred: its
    name, lower case), when a worker who speaks it would help: not English, not blank."""
    word = (preferred or "").strip().lower()
    return None if word in ("", "english", "unspecified") else word


def _gender(raw: str | None) -> str | None:
    if raw is None:
        return None
    gender = GENDER_CODES.get(raw.strip().lower(), raw.strip().lower())
    return None if gender in ("", "not_known", "not_stated") else gender
