"""What a handover letter states: the facts about one person's change of worker, in plain words.

Facts are gathered in bulk from the database (people, their current assignments, the workers
named, the programme's transfer date); :mod:`transition.letter_context` turns them into the
variables a letter template sees, each kind of letter only what it may state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from transition.allocation import coordinator_continues, current_assignments
from transition.columns import TRUE_WORDS, header_key
from transition.languages import NO_INTERPRETER_WORDS, language_need, spoken_preference
from transition.models import Assignment, Employer, Pathway, Person, Role, Staff
from transition.postcodes import pseudo_meaning
from transition.programme import transfer_date
from transition.risk import unsettled_home

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

# A worker's job (Staff.role) in words a person reading the letter understands.
JOB_WORDS = {
    "social_worker": "social worker",
    "senior_social_worker": "senior social worker",
    "amhp": "social worker",
    "nurse": "mental health nurse",
    "cpn": "mental health nurse",
    "rmn": "mental health nurse",
    "ot": "occupational therapist",
    "occupational_therapist": "occupational therapist",
    "psychologist": "psychologist",
    "psychiatrist": "psychiatrist (a doctor who specialises in mental health)",
    "doctor": "doctor",
    "support_worker": "support worker",
    "stw": "support, time and recovery worker",
    "peer_support_worker": "peer support worker",
    "team_manager": "team manager",
}

# The role a worker holds for the person (Assignment.role) in plain words.
ROLE_WORDS = {Role.SOCIAL_WORKER.value: "social worker", Role.KEY_WORKER.value: "key worker"}

# Abbreviations in team names spelled out for letters to people (whole words only).
TEAM_WORDS = {
    "CMHT": "Community Mental Health Team",
    "CMHTs": "Community Mental Health Teams",
    "CRHT": "Crisis Resolution and Home Treatment Team",
    "CRHTT": "Crisis Resolution and Home Treatment Team",
    "HTT": "Home Treatment Team",
    "EIP": "Early Intervention in Psychosis",
    "EIS": "Early Intervention Service",
    "AOT": "Assertive Outreach Team",
    "OPMH": "Older People's Mental Health",
    "OPMHT": "Older People's Mental Health Team",
    "MHSW": "Mental Health Social Work",
    "MH": "Mental Health",
    "ASC": "Adult Social Care",
    "SW": "Social Work",
    "AMHP": "Approved Mental Health Professional",
}
_TEAM_ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(TEAM_WORDS, key=len, reverse=True)) + r")\b")

# What a GP reads about the pathway (a GP letter may use the professional terms).
PATHWAY_SUMMARY = {
    Pathway.COUNCIL.value: "Social care from the council's mental health social work service "
    "(Care Act 2014): a council social worker now coordinates their care.",
    Pathway.TRUST.value: "Care from the NHS trust's community mental health team: an NHS key "
    "worker now coordinates their care; the council's seconded social worker is leaving the team.",
    Pathway.JOINT.value: "Joint care: an NHS key worker for their health care and a council "
    "social worker for their social care (Care Act 2014).",
    Pathway.ASSESS.value: "A council social worker will assess their social-care needs under "
    "the Care Act 2014 and agree any support with them.",
    Pathway.SIGNPOST.value: "Their social-care needs do not meet the Care Act 2014 eligibility "
    "criteria, so the council's mental health social work team is not continuing to support "
    "them. They have been given information about other support and can ask for a new "
    "assessment at any time.",
}


# What a letter says of a worker whose team is not known (no team recorded, or a seconded
# worker whose council team is not set yet): never a team they are not in.
TEAM_TO_BE_CONFIRMED = "to be confirmed"

# A staff list's extra column (kept in Staff.extra) giving the number of the worker's team:
# how a person reaches an NHS worker who has no direct line (the council cannot put them through).
TEAM_PHONE_COLUMNS = ("team_phone", "team_telephone", "team_phone_number", "team_tel",
                      "team_contact_number", "base_phone")

# An interpreter column that says only that one is needed (the importer stores a bare "yes" as
# 'unspecified'), or that none is (as transition.plan_inputs reads it).
_INTERPRETER_LANGUAGE_UNKNOWN = TRUE_WORDS | {"unspecified"}
_NO_INTERPRETER = NO_INTERPRETER_WORDS

# A preferred language (MHSDS LanguageCodePreferred, stored as its name) that is a way of
# communicating a printed letter cannot meet: the need it stands for, and its name in words.
def date_in_words(value: date) -> str:
    """A date as a letter writes it: 1 April 2027 (the same whatever the machine's locale)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


# Control characters (other than tab and new line) have no place in a letter and are not
# allowed in XML, so a stray one in an export would otherwise stop a DOCX being written.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: object) -> str:
    """Text from the database, tidied for a letter: NFC (so accents print), spaces collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL_CHARACTERS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def address_lines(address: str | None, postcode: str | None = None) -> list[str]:
    """An address as lines (split on commas and new lines), ending with the postcode. An NHS
    pseudo-postcode ends it with what the code means: 'No fixed abode (ZZ99 3VZ)'."""
    lines = [plain_text(part) for part in re.split(r"[,\n\r]+", address or "")]
    lines = [line for line in lines if line]
    code = plain_text(postcode).upper()
    if meaning := pseudo_meaning(code):
        lines = [line for line in lines if line.upper() != code]
        lines.append(f"{meaning[:1].upper()}{meaning[1:]} ({code})")
    elif code and code.replace(" ", "") not in "".join(lines).upper().replace(" ", ""):
        lines.append(code)
    return lines


def has_carer(person: Person) -> bool:
    """Whether the trust recorded a carer: its yes or no (an explicit no wins over a name or
    address left behind), else a carer's name or address. (The task flag carer_may_be_told
    reads it the same way, in SQL: transition.tasks.planner.)"""
    return carer_recorded(person.carer, person.carer_name, person.carer_address)


def carer_recorded(carer: bool | None, name: str | None, address: str | None) -> bool:
    """:func:`has_carer` from the three columns (for a query that loads no ``Person``)."""
    if carer is not None:
        return bool(carer)
    return bool(name or address)


def accessible_need(accessible_format: str | None, preferred_language: str | None) -> str | None:
    """``PersonFacts.accessible_format``: the export's accessible format, else braille or a sign
    language recorded only as the preferred language (MHSDS LanguageCodePreferred)."""
    if accessible_format:
        return accessible_format
    from_language = language_need(preferred_language)
    return from_language[0] if from_language else None


def plain_team_name(team: str | None) -> str:
    """A team name with its abbreviations spelled out: North CMHT -> North Community Mental..."""
    return _TEAM_ABBREVIATION.sub(lambda match: TEAM_WORDS[match.group(1)], plain_text(team))


def job_in_words(role: str | None) -> str:
    key = plain_text(role).lower().replace(" ", "_").replace("-", "_")
    return JOB_WORDS.get(key, key.replace("_", " ") or "worker")


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    """A worker named in a letter."""

    staff_id: str
    name: str
    given_name: str
    family_name: str
    role_key: str  # social_worker | key_worker (the role they hold for the person)
    role: str  # "social worker" | "key worker"
    job: str  # their profession in plain words
    team: str
    team_plain: str
    employer: str  # council | trust
    phone: str
    email: str
    # A council worker with no direct line: the council's main number is given instead ("ask
    # for ..."). Never for an NHS worker: the council's switchboard cannot put anyone through.
    phone_is_main_number: bool
    is_new: bool  # not the trust's coordinator carrying on through the change
    # The trust's coordinator given the role again after their allocation ended (its last
    # day): a returning worker, so is_new, but the letters say "again", not "new".
    returning_after: date | None = None
    # An NHS worker with no direct line: their team's number, when the staff list gives one.
    team_phone: str = ""

    @property
    def nhs_without_direct_line(self) -> bool:
        """No direct line, and not the council's worker: the council's number cannot reach them
        (see :func:`nhs_without_direct_line`)."""
        return not self.phone and not self.phone_is_main_number


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """Everything letters say about one person, gathered from the database."""

    person_id: int
    nhs_number: str
    local_id: str
    given_name: str
    family_name: str
    date_of_birth: date
    address_lines: tuple[str, ...]
    postcode: str
    pathway: str | None
    s117: bool
    cto: bool
    personal_budget: bool
    # The Accessible Information Standard need: the export's accessible format, else braille or
    # a sign language recorded only as the preferred language (see accessible_from_language).
    accessible_format: str | None
    interpreter_language: str  # empty when none is needed or the language is not recorded
    has_carer: bool
    carer_name: str
    carer_address_lines: tuple[str, ...]
    carer_consent: bool | None  # the person agrees to their carer being told; None: not recorded
    gp_practice_code: str
    gp_practice_name: str
    gp_address_lines: tuple[str, ...]
    change_date: date | None
    workers: tuple[WorkerFacts, ...]
    outgoing_name: str
    # When the outgoing worker's allocation ends before the change date (the export's
    # coordinator_until): the letters say so, not that they stop on the day of the change.
    outgoing_ended: date | None = None
    # The export says they have no settled home (MHSDS accommodation status): the address may
    # not reach them. Not part of what a letter states, so not in facts_hash.
    no_settled_home: bool = False
    # MHSDS LanguageCodePreferred as stored (a name): a note for the team; a spoken language
    # other than English, with no interpreter recorded, is also offered in the person's own
    # letter, so it is in their letters' facts_hash (transition.letter_context), not the GP's.
    preferred_language: str = ""
    # An interpreter is needed but the export does not say for which language.
    interpreter_language_unknown: bool = False
    # The need came from the preferred language (braille or a sign language, with no accessible
    # format recorded): that language in words, e.g. "British Sign Language".
    accessible_from_language: str = ""
    # When the community treatment order expires unless renewed (MHSDS ExpiryDateCommTreatOrd).
    cto_expiry: date | None = None
    # Why a worker the letters would name as theirs cannot be (:func:`worker_gone`): no
    # letter is written until a re-plan gives them someone else. No template sees it, so it is
    # not in facts_hash.
    worker_gone: str | None = None
    # On a CTO with section 117 aftercare recorded as no, which cannot both be right
    # (:func:`legal_status_conflict`): no letter is written until the record is corrected.
    cto_without_s117: bool = False

    @property
    def carer_written_to(self) -> bool:
        """A carer letter may go: a carer is recorded and the person has said yes to them being
        told (consent not recorded: ask the person first, no letter meanwhile)."""
        return self.has_carer and self.carer_consent is True

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def cto_ends_before_change(self) -> bool:
        """On a CTO whose recorded expiry is before the change date: unless it is renewed, it is
        not in force once the new worker starts, so no letter may say its conditions carry on."""
        return (self.cto and self.cto_expiry is not None and self.change_date is not None
                and self.cto_expiry < self.change_date)

    @property
    def spoken_language(self) -> str | None:
        """Their preferred language when a letter could be translated into it (stored, lower
        case): not English, braille, a sign language or Makaton."""
        return spoken_preference(self.preferred_language)

    @property
    def has_new_worker(self) -> bool:
        return any(worker.is_new for worker in self.workers)

    @property
    def staff_ids(self) -> list[str]:
        return sorted(worker.staff_id for worker in self.workers)


def signpost_barrier(facts: PersonFacts) -> str | None:
    """Why this person can never be told "we are no longer supporting you", or None: section
    117 aftercare is not tested against Care Act eligibility, and a person on a community
    treatment order keeps a named worker (DOMAIN.md, duties a handover must not break)."""
    duties = [words for held, words in (
        (facts.s117, "has section 117 aftercare"),
        (facts.cto, "is on a community treatment order"),
    ) if held]
    if not duties:
        return None
    why = [words for held, words in (
        (facts.s117, "section 117 needs are not tested against Care Act eligibility"),
        (facts.cto, "a person on a community treatment order keeps a named worker"),
    ) if held]
    return (f"{' and '.join(duties)}, so cannot be signposted: check the pathway "
            f"({'; '.join(why)})")


CTO_WITHOUT_S117 = (
    "the trust's record says they are on a community treatment order but not on section 117 "
    "aftercare (s117: no), which cannot both be right (a CTO is made only after detention "
    "under a section that brings s117 aftercare), so the letter would state their legal status "
    "wrongly: ask the trust which is right, then import the corrected export")
"""Why no letter may state the legal status of a person on a CTO whose s117 is recorded no."""


def legal_status_conflict(facts: PersonFacts) -> str | None:
    """Why no letter may be written for this person until their record is corrected, or None:
    a CTO with section 117 aftercare recorded as no (the nightly check's ``cto_without_s117``).
    A letter says what stays the same (aftercare, the CTO's conditions): one of the two would
    be stated wrongly."""
    return CTO_WITHOUT_S117 if facts.cto_without_s117 else None


def _chunks(values: Sequence[int], size: int = 2000) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _worker(staff: Staff, role: str, *, is_new: bool,
            returning_after: date | None = None) -> WorkerFacts:
    # A seconded worker returning to the council works from their council team afterwards:
    # never from the trust team they are leaving, even while their council team is not set.
    team = plain_text(staff.council_team if staff.seconded else staff.team)
    phone = plain_text(staff.phone)
    with_council = staff.employer == Employer.COUNCIL
    return WorkerFacts(
        staff_id=staff.staff_id,
        name=f"{plain_text(staff.given_name)} {plain_text(staff.family_name)}".strip(),
        given_name=plain_text(staff.given_name),
        family_name=plain_text(staff.family_name),
        role_key=role,
        role=ROLE_WORDS.get(role, role.replace("_", " ")),
        job=job_in_words(staff.role),
        team=team or TEAM_TO_BE_CONFIRMED,
        team_plain=plain_team_name(team) or TEAM_TO_BE_CONFIRMED,
        employer=staff.employer,
        phone=phone,
        email=plain_text(staff.email),
        phone_is_main_number=not phone and with_council,
        is_new=is_new,
        returning_after=returning_after,
        team_phone="" if phone or with_council else team_phone(staff),
    )


def nhs_without_direct_line(phone: object, employer: str | None) -> bool:
    """A staff list row letters have no number for but their team's: no direct line, and not
    the council's worker (the council's switchboard cannot put a caller through to them). As
    :class:`WorkerFacts` reads the row (``phone_is_main_number`` is the council's own)."""
    return not plain_text(phone) and employer != Employer.COUNCIL


def team_phone(staff: Staff) -> str:
    """The worker's team's number from the staff list's extra columns (``Team Phone``...), or ''."""
    for label, value in (staff.extra or {}).items():
        if header_key(label) in TEAM_PHONE_COLUMNS and (number := plain_text(value)):
            return number
    return ""


WORKER_GONE = "the worker named has left or is leaving"
"""How :func:`worker_gone`'s reason begins (the nightly check tells it from other reasons)."""


def worker_gone(workers: Iterable[WorkerFacts], staff: dict[str, Staff],
                change_date: date | None, as_of: date | None) -> str | None:
    """Why a letter may not name one of ``workers`` as the person's worker, or None: the
    latest staff list no longer has them, or they leave on or before the change date, or
    (given ``as_of``, the letter's day) they have left already. A letter naming them would
    send the person to someone who is not there: the person needs a new worker first."""
    for worker in workers:
        row = staff[worker.staff_id]
        leaving = row.leaving_date
        if row.missing_since_batch_id is not None:
            why = "is not on the latest staff list"
        elif leaving is not None and as_of is not None and leaving <= as_of:
            why = f"left on {date_in_words(leaving)}"
        elif leaving is not None and change_date is not None and leaving <= change_date:
            why = (f"leaves on {date_in_words(leaving)}, by the change on "
                   f"{date_in_words(change_date)}")
        else:
            continue
        return (f"{WORKER_GONE}: {worker.name} ({worker.role}) "
                f"{why}. Re-plan first (`transition check --apply` proposes a new worker), "
                "then write the letters")
    return None


def load_facts(session: Session, person_ids: Iterable[int], *,
               as_of: date | None = None) -> dict[int, PersonFacts]:
    """The letter facts for each person, in a handful of queries whatever the number of people.
    ``as_of`` (the letters' day) lets :attr:`PersonFacts.worker_gone` see a worker who has
    left already; without it, only one leaving by the change date (or off the staff list)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    programme_date = transfer_date(session)
    people: list[Person] = []
    for batch in _chunks(ids):
        people.extend(session.scalars(select(Person).where(Person.id.in_(batch))))  # type: ignore[union-attr]
    assignments = current_assignments(session, ids)
    wanted_staff = {a.staff_id for roles in assignments.values() for a in roles.values()}
    wanted_staff |= {p.care_coordinator_id for p in people if p.care_coordinator_id}
    staff: dict[str, Staff] = {}
    names = sorted(wanted_staff)
    for start in range(0, len(names), 2000):
        batch = names[start : start + 2000]
        for worker in session.scalars(select(Staff).where(Staff.staff_id.in_(batch))):  # type: ignore[attr-defined]
            staff[worker.staff_id] = worker
    handed_on = _first_handed_on(session, ids, programme_date)
    facts: dict[int, PersonFacts] = {}
    for person in people:
        assert person.id is not None
        roles = assignments.get(person.id, {})
        change_date = person.handover_date or programme_date
        worker_list: list[WorkerFacts] = []
        for role, assignment in sorted(roles.items()):
            if assignment.staff_id not in staff:
                continue
            is_new = not coordinator_continues(assignment.staff_id, person.care_coordinator_id,
                                               person.coordinator_until, change_date)
            # The named coordinator, yet not continuing: their allocation ended first.
            returning = is_new and assignment.staff_id == person.care_coordinator_id
            worker_list.append(_worker(
                staff[assignment.staff_id], role, is_new=is_new,
                returning_after=person.coordinator_until if returning else None))
        workers = tuple(worker_list)
        outgoing = staff.get(person.care_coordinator_id or "")
        current_ids = {worker.staff_id for worker in workers}
        interpreter = plain_text(person.interpreter_language)
        interpreter_unknown = interpreter.lower() in _INTERPRETER_LANGUAGE_UNKNOWN
        if interpreter_unknown or interpreter.lower() in _NO_INTERPRETER:
            interpreter = ""
        from_language = None if person.accessible_format else language_need(
            person.preferred_language)
        facts[person.id] = PersonFacts(
            person_id=person.id,
            nhs_number=person.nhs_number,
            local_id=plain_text(person.local_id),
            given_name=plain_text(person.given_name),
            family_name=plain_text(person.family_name),
            date_of_birth=person.date_of_birth,
            address_lines=tuple(address_lines(person.address, person.postcode)),
            postcode=plain_text(person.postcode).upper(),
            pathway=person.pathway,
            s117=bool(person.s117),
            cto=bool(person.cto),
            personal_budget=bool(person.personal_budget),
            accessible_format=accessible_need(person.accessible_format,
                                              person.preferred_language),
            interpreter_language=interpreter,
            has_carer=has_carer(person),
            carer_name=plain_text(person.carer_name),
            carer_address_lines=tuple(address_lines(person.carer_address)),
            carer_consent=person.carer_consent,
            gp_practice_code=plain_text(person.gp_practice),
            gp_practice_name=plain_text(person.gp_practice_name),
            gp_address_lines=tuple(address_lines(person.gp_address)),
            change_date=change_date,
            workers=workers,
            # The outgoing worker is named only when they no longer hold any role for the person.
            outgoing_name=(
                f"{plain_text(outgoing.given_name)} {plain_text(outgoing.family_name)}".strip()
                if outgoing is not None and outgoing.staff_id not in current_ids
                else ""
            ),
            outgoing_ended=_outgoing_ended(person, outgoing, change_date,
                                           handed_on.get(person.id)),
            no_settled_home=unsettled_home(person.accommodation_type,
                                           person.settled_accommodation) is not None,
            preferred_language=plain_text(person.preferred_language),
            interpreter_language_unknown=interpreter_unknown,
            accessible_from_language=from_language[1] if from_language else "",
            cto_expiry=person.cto_expiry,
            worker_gone=worker_gone(workers, staff, change_date, as_of),
            cto_without_s117=person.cto is True and person.s117 is False,
        )
    return facts


def _outgoing_ended(person: Person, outgoing: Staff | None, change_date: date | None,
                    handed_on: date | None = None) -> date | None:
    """When the outgoing worker stopped (or stops) being the person's worker, when that is
    before the change date: the export's last day of their allocation, the day the staff list
    says they leave, or the day another worker took the person on (``handed_on``: a handover
    date since moved on, transition.late_start), whichever comes first. None: they stop on the
    day of the change."""
    if outgoing is None:
        return None
    ends = [day for day in (person.coordinator_until, outgoing.leaving_date, handed_on)
            if day is not None and (change_date is None or day < change_date)]
    return min(ends) if ends else None


def _first_handed_on(session: Session, ids: Sequence[int],
                     programme_date: date | None) -> dict[int, date]:
    """person id -> the first day a worker other than the trust's coordinator held them,
    when before their handover date as it is now: a worker who started (their row ended, but
    not by the day it began), then was replaced after that date had passed (the date then
    moves to the new worker's start: transition.late_start). Usually none: a new worker
    starts on the handover date."""
    change = (Person.handover_date if programme_date is None
              else func.coalesce(Person.handover_date, programme_date))
    found: dict[int, date] = {}
    for batch in _chunks(list(ids)):
        rows = session.execute(
            select(Assignment.person_id, Assignment.since, Assignment.ended_at)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.person_id.in_(batch),  # type: ignore[attr-defined]
                   Assignment.ended_at.is_not(None),  # type: ignore[union-attr]
                   Assignment.since < change,
                   Assignment.staff_id != func.coalesce(Person.care_coordinator_id, "")))
        for person_id, since, ended_at in rows:
            if ended_at.date() <= since:
                continue  # replaced before it began: that worker never held them
            if person_id not in found or since < found[person_id]:
                found[person_id] = since
    return found
