"""Who needs which handover letters: the plan for each person, before anything is rendered.

- Everyone whose accepted allocation gives them a new worker
  (:func:`transition.allocation.worker_changes`) needs ``person``, ``gp`` and, where the trust
  recorded a carer, ``carer`` letters.
- Everyone on the ``signpost`` pathway needs ``signpost``, ``gp`` and ``carer`` letters.
- A letter that cannot be sent is *skipped* with a reason a manager can act on (no address, no
  accepted worker, braille or BSL needed, ...).
- A letter whose task (:data:`TASK_FOR_KIND`) a manager marked ``not_needed`` is skipped too, as
  a settled skip: their decision stands until they reopen the task (:func:`tasks_set_aside`).

The person's Accessible Information Standard need decides their letter: large print and easy
read change the type size (and the template, for easy read); braille and BSL mean no printed
letter (the team arranges it: task ``accessible_communication``); email gives HTML, audio gives
plain text to record. See ``docs/letters.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from transition.allocation import worker_changes
from transition.config import CouncilDetails
from transition.errors import TransitionError
from transition.languages import language_name, uses_makaton
from transition.letter_council import council_staleness
from transition.letter_facts import (
    PersonFacts,
    accessible_need,
    carer_recorded,
    legal_status_conflict,
    load_facts,
    nhs_without_direct_line,
    signpost_barrier,
)
from transition.letter_formats import EASY_READ, LetterStyle
from transition.letter_records import (
    CARER_CONSENT_NOT_RECORDED,
    current_letters,
    facts_changed,
    staleness,
)
from transition.letter_render import TO_THE_PERSON, letter_style, style_for
from transition.letter_template_check import TemplateWarning
from transition.letter_templates import LetterTemplates, TemplateChoice
from transition.models import (
    AccessibleFormat,
    Assignment,
    Letter,
    LetterFormat,
    LetterKind,
    Pathway,
    Person,
    Staff,
    Task,
    TaskStatus,
)
from transition.postcodes import pseudo_meaning
from transition.tasks.status import NO_LONGER_APPLIES

DEFAULT_FORMAT = LetterFormat.PDF
KINDS: tuple[str, ...] = tuple(kind.value for kind in LetterKind)
FORMATS: tuple[str, ...] = tuple(fmt.value for fmt in LetterFormat)
NO_PRINTED_LETTER = {
    AccessibleFormat.BRAILLE.value: "braille",
    AccessibleFormat.BSL.value: "BSL",
}
# The task each kind of letter finishes (tasks.templates in the rules): the person's own letter,
# a new worker's or a signposting one, is the one task letter_person.
TASK_FOR_KIND = {
    LetterKind.PERSON.value: "letter_person",
    LetterKind.SIGNPOST.value: "letter_person",
    LetterKind.GP.value: "letter_gp",
    LetterKind.CARER.value: "letter_carer",
}


@dataclass(frozen=True, slots=True)
class PlannedLetter:
    """One letter one person should get (or why they cannot), before anything is rendered."""

    facts: PersonFacts
    kind: str
    format: str
    style: LetterStyle
    template: TemplateChoice
    skip_reason: str | None = None
    note: str | None = None
    # Written, the letter still does not reach the person (a translation or a recording must
    # be made from it): its letter task stays open, saying why (task accessible_communication).
    task_open: str | None = None
    # The skip is settled, not a problem to fix: the person said no to their carer being told,
    # or the team makes a braille or BSL version instead (:func:`settled_skip`), or a manager
    # marked its task not needed (:func:`tasks_set_aside`). ``letters generate`` reports it and
    # still exits 0.
    settled: bool = False

    @property
    def person_id(self) -> int:
        return self.facts.person_id


@dataclass(frozen=True, slots=True)
class LetterNeed:
    """A row of "who needs which letters": what is due, done, out of date or cannot be sent."""

    person_id: int
    nhs_number: str
    name: str
    kind: str
    status: str  # due | written | out_of_date | skipped
    format: str  # the format it would be written in; a letter written: the one it was
    style: str
    template: str
    reason: str | None = None
    note: str | None = None
    letter_id: int | None = None
    # Skipped for a settled reason (PlannedLetter.settled): nothing to do, no failure.
    settled: bool = False


def default_targets(session: Session) -> list[int]:
    """People who need letters: a new worker in the accepted allocation, or signposted."""
    changed = {change.person_id for change in worker_changes(session)}
    signposted = session.scalars(
        select(Person.id).where(Person.pathway == Pathway.SIGNPOST.value)
    ).all()
    return sorted(changed | {person_id for person_id in signposted if person_id is not None})


def person_problem(facts: PersonFacts) -> str | None:
    """Why no handover letter can be written for this person at all, or None."""
    if facts.pathway == Pathway.SIGNPOST:
        if facts.workers:
            return "the pathway is signpost but a worker is still allocated: check the plan"
        return signpost_barrier(facts)
    if not facts.workers:
        return "no accepted worker yet: accept a plan or assign a worker first"
    if not facts.has_new_worker:
        return "their worker does not change, so no handover letter is needed"
    if conflict := legal_status_conflict(facts):
        return f"held back: {conflict}"
    return facts.worker_gone


def kind_not_applicable(facts: PersonFacts, kind: str) -> str | None:
    """Why ``kind`` of letter is never one this person gets (asked for by name), or None."""
    if kind in _kinds_for(facts):
        return None
    if kind == LetterKind.CARER:
        return "no carer is recorded for them, so there is no carer letter"
    if kind == LetterKind.SIGNPOST:
        return ("they are not on the signpost pathway: their letter is the person letter "
                "(--kind person)")
    if kind == LetterKind.PERSON:
        return ("they are on the signpost pathway: their letter is the signpost letter "
                "(--kind signpost)")
    return f"a {kind} letter does not apply to them"


def not_applicable(
    session: Session, planned: Iterable[PlannedLetter], person_ids: Iterable[int],
    kinds: Iterable[str],
) -> list[tuple[PersonFacts, str, str]]:
    """The letters asked for by person and kind that no one could write (a carer letter for
    someone with no carer): (facts, kind, why), so that a manager who named them is told."""
    wanted = sorted(set(kinds), key=KINDS.index)
    have = {(item.person_id, item.kind) for item in planned}
    facts = load_facts(session, {person_id for person_id in person_ids
                                 if any((person_id, kind) not in have for kind in wanted)})
    missing = []
    for person_id, person_facts in sorted(facts.items()):
        for kind in wanted:
            if (person_id, kind) not in have and (why := kind_not_applicable(person_facts, kind)):
                missing.append((person_facts, kind, why))
    return missing


def _kinds_for(facts: PersonFacts) -> list[str]:
    return letter_kinds(facts.pathway, facts.has_carer)


def letter_kinds(pathway: str | None, has_carer: bool) -> list[str]:
    """The letters a person due letters gets: theirs (signpost, or person), the GP's, and the
    carer's when a carer is recorded."""
    first = LetterKind.SIGNPOST if pathway == Pathway.SIGNPOST else LetterKind.PERSON
    kinds = [first.value, LetterKind.GP.value]
    if has_carer:
        kinds.append(LetterKind.CARER.value)
    return kinds


def _plan_one(
    facts: PersonFacts,
    kind: str,
    *,
    templates: LetterTemplates,
    fmt: str | None,
    default_format: str,
    person_problem: str | None,
) -> PlannedLetter:
    need = facts.accessible_format if kind in TO_THE_PERSON else None
    style = letter_style(facts, kind)
    chosen_format = fmt or default_format
    notes: list[str] = []
    if need == AccessibleFormat.EMAIL:
        chosen_format = fmt or LetterFormat.HTML.value
        notes.append("asks for information by email: send this letter by email")
    elif need == AccessibleFormat.AUDIO:
        chosen_format = fmt or LetterFormat.MARKDOWN.value
        notes.append("needs audio: record this text or send it as audio "
                     "(task accessible_communication)")
    if kind in TO_THE_PERSON and (meaning := pseudo_meaning(facts.postcode)):
        notes.append(f"no postal address ({facts.postcode}: {meaning}): give it to them by hand, "
                     "at the handover visit or where the team sees them")
    elif kind in TO_THE_PERSON and facts.no_settled_home:
        notes.append("not in settled accommodation: check the address still reaches them "
                     "before posting it, or give it to them by hand")
    spoken = facts.spoken_language  # not braille or a sign language: those are formats
    if kind in TO_THE_PERSON and facts.interpreter_language:
        notes.append(f"needs {language_name(facts.interpreter_language)}: arrange a "
                     "translation or an "
                     "interpreter (task accessible_communication)")
    elif kind in TO_THE_PERSON and facts.interpreter_language_unknown:
        hint = f" (their preferred language is {spoken.title()})" if spoken else ""
        notes.append("needs an interpreter but the language is not recorded: find out which "
                     f"language{hint}, then arrange a translation or an interpreter "
                     "(task accessible_communication)")
    elif kind in TO_THE_PERSON and spoken:
        notes.append(f"prefers {spoken.title()} (no interpreter recorded): offer a "
                     f"translation in {spoken.title()} too")
    if (kind in TO_THE_PERSON and uses_makaton(facts.preferred_language)
            and style is not EASY_READ):
        notes.append("communicates with Makaton (their preferred language): offer an easy-read "
                     "copy, and someone who signs Makaton when you meet")
    template = templates.choose(kind, easy_read=style is EASY_READ)
    if outdated := outdated_phone_in(facts, template, templates):
        # A council template written for an older version gives the council's number as the
        # phone of a worker with no direct line: wrong for this NHS worker.
        where = ", ".join(f"{warning.file} line {warning.line}" for warning in outdated)
        notes.append(f"the council's template ({where}) prints the council's number as the "
                     "phone number of an NHS worker with no direct line: correct it before "
                     "posting, or fix the template")
    reason = person_problem
    if reason is None and facts.change_date is None:
        reason = ("no date for the change: set the programme's transfer date "
                  "(transition programme set --transfer-date DATE) or the person's handover date")
    settled = False
    if reason is None:
        reason = _recipient_problem(facts, kind, need)
        settled = reason is not None and settled_skip(facts, kind, need)
    return PlannedLetter(facts, kind, chosen_format, style, template, reason,
                         "; ".join(notes) or None, _task_stays_open(facts, kind, need),
                         settled=settled)


def settled_skip(facts: PersonFacts, kind: str, need: str | None) -> bool:
    """Whether the reason this letter is not written (:func:`_recipient_problem`) is settled:
    the person's own answer (no to their carer being told) or a format the team makes by hand
    (braille, BSL: the accessible_communication task). It is the same every run until the
    person's record changes, and nothing in the letters needs fixing, so it is no failure. A
    letter held back for something to correct (no address, consent not asked, no worker yet,
    a legal status that cannot be right) is not settled."""
    if kind == LetterKind.CARER:
        return facts.carer_consent is False
    return kind in TO_THE_PERSON and need in NO_PRINTED_LETTER


def _task_stays_open(facts: PersonFacts, kind: str, need: str | None) -> str | None:
    """Why writing this letter does not finish its task: the person needs it in another
    language or as audio (Accessible Information Standard), made from this text."""
    if kind not in TO_THE_PERSON:
        return None
    if facts.interpreter_language:
        return (f"needs {language_name(facts.interpreter_language)}: send the translated letter "
                "(task accessible_communication)")
    if facts.interpreter_language_unknown:
        return ("needs an interpreter, language not recorded: send the letter in their language "
                "(task accessible_communication)")
    if need == AccessibleFormat.AUDIO:
        return "needs audio: send the recording (task accessible_communication)"
    return None


def outdated_phone_in(facts: PersonFacts, template: TemplateChoice,
                      templates: LetterTemplates) -> tuple[TemplateWarning, ...]:
    """The lines of the council's templates written for an older version
    (``LetterTemplates.outdated``) that print the council's number in this letter as the phone
    of an NHS worker with no direct line: none unless the person has such a worker."""
    if not any(worker.nhs_without_direct_line for worker in facts.workers):
        return ()
    return templates.outdated_in(template)


def _recipient_problem(facts: PersonFacts, kind: str, need: str | None) -> str | None:
    if kind in TO_THE_PERSON:
        if need in NO_PRINTED_LETTER and facts.accessible_from_language:
            # Recorded only as the preferred language: the tasks read it the same way.
            return (f"needs {facts.accessible_from_language} (their preferred language; no "
                    "accessible format recorded): the team arranges it (task "
                    "accessible_communication)")
        if need in NO_PRINTED_LETTER:
            return (f"needs {NO_PRINTED_LETTER[need]}: the team arranges it "
                    "(task accessible_communication)")
        if not facts.address_lines:
            return "no address recorded for the person"
    elif kind == LetterKind.GP and not facts.gp_address_lines:
        return "no GP practice address recorded"
    elif kind == LetterKind.CARER and facts.carer_consent is False:
        return ("the person does not agree to their carer being told (carer consent: no): no "
                "carer letter; if that changes, record it in the trust's record and re-import")
    elif kind == LetterKind.CARER and facts.carer_consent is None:
        # The letter says they have a mental health team: never without their yes.
        return (f"{CARER_CONSENT_NOT_RECORDED}; record their answer in the trust's record and "
                "re-import")
    elif kind == LetterKind.CARER and not facts.carer_address_lines:
        return "no carer address recorded"
    return None


def plan_letters(
    session: Session,
    *,
    person_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates: LetterTemplates | None = None,
    as_of: date | None = None,
) -> list[PlannedLetter]:
    """Every letter the people need (everyone due letters, or the named people), unrendered.
    ``as_of``: the letters' day, so that one naming a worker who has left by then is refused
    (:func:`~transition.letter_facts.worker_gone`)."""
    _check_choices(kinds, fmt, default_format)
    templates = templates or LetterTemplates()
    targets = default_targets(session) if person_ids is None else sorted(set(person_ids))
    wanted = set(kinds) if kinds else set(KINDS)
    facts_by_person = load_facts(session, targets, as_of=as_of)
    planned: list[PlannedLetter] = []
    for person_id in targets:
        facts = facts_by_person.get(person_id)
        if facts is None:
            continue
        problem = person_problem(facts)
        for kind in _kinds_for(facts):
            if kind in wanted:
                planned.append(_plan_one(facts, kind, templates=templates, fmt=fmt,
                                         default_format=default_format, person_problem=problem))
    set_aside = tasks_set_aside(session, {(item.person_id, TASK_FOR_KIND[item.kind])
                                          for item in planned})
    return [replace(item, skip_reason=set_aside_reason(TASK_FOR_KIND[item.kind]), settled=True,
                    task_open=None)
            if (item.person_id, TASK_FOR_KIND[item.kind]) in set_aside else item
            for item in planned]


def set_aside_reason(task_key: str) -> str:
    """Why a letter whose task a manager marked not needed is not written (a settled skip)."""
    return (f"task marked not needed ({task_key}): a manager's decision; set the task back to "
            "to do if the letter should go")


def tasks_set_aside(session: Session, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (person id, task key) pairs whose task a person marked ``not_needed``: their decision,
    which the letters keep (no letter is written). The task generator's own ``not_needed`` (a
    reason starting "No longer applies: ", a task the rules no longer give) is not one: it
    reopens the task itself when the task applies again."""
    wanted = set(pairs)
    if not wanted:
        return set()
    # Tasks set aside are few: read them all for these task keys (one query at any scale)
    # rather than ask for each of the people's pairs.
    rows = session.execute(
        select(Task.person_id, Task.key, Task.blocked_reason).where(
            Task.key.in_(sorted({key for _person, key in wanted})),  # type: ignore[attr-defined]
            Task.status == TaskStatus.NOT_NEEDED.value))
    return {(person_id, key) for person_id, key, reason in rows
            if (person_id, key) in wanted and not (reason or "").startswith(NO_LONGER_APPLIES)}


def people_given_council_phone(
    session: Session, templates: LetterTemplates
) -> dict[tuple[str, int], set[int]]:
    """For each line of ``templates.outdated`` (file, line), the people whose letters print it:
    the people due letters (skipped or not) who have an NHS worker with no direct line, and
    whose letters' templates use that line (:func:`outdated_phone_in`, the note each such letter
    carries in ``letters status``). Nothing when no file is outdated.

    Read for the nightly check, so fast at 100,000 people: it loads no letter facts, only the
    few columns that choose a person's templates (their pathway, accessible need and whether a
    carer is recorded, as :func:`plan_letters` reads them), and asks each distinct choice once."""
    if not templates.outdated:
        return {}
    staff_ids = sorted(
        staff_id for staff_id, phone, employer in session.execute(
            select(Staff.staff_id, Staff.phone, Staff.employer))
        if nhs_without_direct_line(phone, employer))
    held: set[int] = set()
    for start in range(0, len(staff_ids), 2000):
        held.update(session.scalars(
            select(Assignment.person_id).where(
                Assignment.ended_at.is_(None),  # type: ignore[union-attr]
                Assignment.staff_id.in_(staff_ids[start:start + 2000]))))  # type: ignore[attr-defined]
    targets = sorted(held.intersection(default_targets(session)))
    found: dict[tuple[str, int], set[int]] = {}
    printed: dict[tuple[str | None, str | None, bool], list[TemplateWarning]] = {}
    for start in range(0, len(targets), 2000):
        rows = session.execute(
            select(Person.id, Person.pathway, Person.accessible_format,
                   Person.preferred_language, Person.carer, Person.carer_name,
                   Person.carer_address)
            .where(Person.id.in_(targets[start:start + 2000])))  # type: ignore[union-attr]
        for person_id, pathway, accessible, preferred, carer, carer_name, carer_address in rows:
            chosen = (pathway, accessible_need(accessible, preferred),
                      carer_recorded(carer, carer_name, carer_address))
            if chosen not in printed:
                printed[chosen] = _outdated_in_letters(*chosen, templates=templates)
            for warning in printed[chosen]:
                found.setdefault((warning.file, warning.line), set()).add(person_id)
    return found


def _outdated_in_letters(pathway: str | None, need: str | None, carer: bool, *,
                         templates: LetterTemplates) -> list[TemplateWarning]:
    """``templates.outdated_in`` the templates of every letter a person gets (for someone with
    an NHS worker with no direct line), as :func:`_plan_one` chooses them."""
    warnings: dict[TemplateWarning, None] = {}
    for kind in letter_kinds(pathway, carer):
        template = templates.choose(kind, easy_read=style_for(need, kind) is EASY_READ)
        warnings.update(dict.fromkeys(templates.outdated_in(template)))
    return list(warnings)


def _check_choices(kinds: Iterable[str] | None, fmt: str | None, default_format: str) -> None:
    for kind in kinds or ():
        if kind not in KINDS:
            raise TransitionError(f"Unknown kind of letter {kind!r}.",
                                  hint=f"Choose from: {', '.join(KINDS)}.")
    for value in (fmt, default_format):
        if value is not None and value not in FORMATS:
            raise TransitionError(f"Unknown letter format {value!r}.",
                                  hint=f"Choose from: {', '.join(FORMATS)}.")


def letters_needed(
    session: Session,
    *,
    person_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str | None = None,
    default_format: str = DEFAULT_FORMAT.value,
    templates: LetterTemplates | None = None,
    council: CouncilDetails | None = None,
    as_of: date | None = None,
) -> list[LetterNeed]:
    """Who needs which letters and where each stands: due, written, out of date or skipped.

    Given the council's details, a letter that prints one of them since corrected (an old
    crisis line) is out of date too, with why (:mod:`transition.letter_council`).
    """
    templates = templates or LetterTemplates()
    planned = plan_letters(session, person_ids=person_ids, kinds=kinds, fmt=fmt,
                           default_format=default_format, templates=templates, as_of=as_of)
    current = current_letters(session, {item.person_id for item in planned})
    fresh_rows: dict[tuple[int, str], list[Letter]] = {}
    for item in planned:
        if not item.skip_reason:
            fresh_rows[item.person_id, item.kind] = [
                row for row in current.get((item.person_id, item.kind), [])
                if facts_changed(row.facts_hash, item.facts, item.kind) is None]
    council_stale: dict[int | None, str] = {}
    if council is not None:
        by_person = {item.person_id: item.facts for item in planned}
        council_stale.update(council_staleness(
            session, [(row, by_person[person_id]) for (person_id, _), rows in fresh_rows.items()
                      for row in rows],
            council=council, templates=templates))
    needs = []
    for item in planned:
        status, reason, letter_id = "due", item.skip_reason, None
        shown_format = item.format  # a letter written: the format it was written in
        if item.skip_reason:
            status = "skipped"
        else:
            rows = current.get((item.person_id, item.kind), [])
            fresh = fresh_rows[item.person_id, item.kind]
            true_now = [row for row in fresh if row.id not in council_stale]
            # A format chosen for every letter (the letters screen): written means written in
            # it, as a run in that format would find it (a DOCX asked for, a PDF on file: due).
            in_format = [row for row in true_now if fmt is None or row.format == fmt]
            if in_format:
                status, letter_id = "written", in_format[-1].id
                shown_format = in_format[-1].format
            elif true_now:
                reason = (f"written as {', '.join(sorted({row.format for row in true_now}))}, "
                          f"not yet as {fmt}")
            elif fresh:
                status, letter_id = "out_of_date", fresh[-1].id
                reason = council_stale[fresh[-1].id]
            elif rows:
                status, letter_id = "out_of_date", rows[-1].id
                reason = staleness(rows[-1], item.facts) or "details in the letter have changed"
        needs.append(LetterNeed(
            person_id=item.person_id, nhs_number=item.facts.nhs_number, name=item.facts.name,
            kind=item.kind, status=status, format=shown_format, style=item.style.name,
            template=item.template.label, reason=reason, note=item.note, letter_id=letter_id,
            settled=status == "skipped" and item.settled,
        ))
    return needs
