"""Letters already written: which are current, which are out of date and why, and history.

A letter is out of date when what it states is no longer true: the worker changed after it was
written (its ``staff_ids``), or its other facts changed (its :func:`facts_hash`, over exactly what
its kind states), or it no longer applies (the worker no longer changes, the person is no longer
signposted, no carer recorded), or it should not stand (signposting someone with s117 or a CTO).
The nightly check uses :func:`out_of_date_letters`; the person screen :func:`letter_history`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.config import CouncilDetails
from transition.letter_context import facts_context
from transition.letter_council import council_staleness
from transition.letter_facts import (
    PersonFacts,
    legal_status_conflict,
    load_facts,
    signpost_barrier,
)
from transition.letter_templates import LetterTemplates
from transition.models import Letter, LetterKind, Pathway

# ---------------------------------------------------------------------------------------------
# Whether a letter still states the facts: its facts hash
# ---------------------------------------------------------------------------------------------

# A facts hash fits the 64 characters stored with each letter (Letter.facts_hash): "v", a
# 128-bit digest of everything the letter states (what decides whether it is out of date), then
# a 24-bit digest of each group of facts below (what names, in words, the facts that changed).
# A hash stored before groups were kept is the SHA-256 of the old, wider context
# (_legacy_facts_hash): such a letter stays current while that is unchanged.
FACTS_HASH_VERSION = "v"
_WHOLE_BYTES, _GROUP_BYTES = 16, 3
_WHOLE_CHARS, _GROUP_CHARS = 22, 4  # their unpadded base64url lengths

# Each group of facts and the words a reason uses for it; "other" catches any fact not listed.
FACT_GROUPS: dict[str, str] = {
    "recipient": "a name or address",
    "date": "the date of the change",
    "workers": "the workers' names, teams or contact details",
    "pathway": "the pathway",
    "s117": "section 117 aftercare",
    "cto": "the community treatment order",
    "personal_budget": "the personal budget",
    "communication": "communication needs (accessible format or interpreter)",
    "carer": "whether they have a carer",
    "other": "other details",
}
_GROUP_OF_PERSON_FACT = {
    "s117": "s117", "cto": "cto", "personal_budget": "personal_budget", "has_carer": "carer",
    "interpreter_language": "communication", "interpreter_language_unknown": "communication",
    "accessible_format": "communication", "accessible_format_words": "communication",
    "preferred_language": "communication",
    "cto_expires": "cto", "cto_expires_iso": "cto",
}
_GROUP_OF_CHANGE_FACT = {
    "date": "date", "date_iso": "date", "pathway": "pathway", "pathway_summary": "pathway",
    "workers": "workers", "new_workers": "workers", "outgoing_worker": "workers",
    "outgoing_ended": "workers", "outgoing_ended_iso": "workers",
}


def _group_of(section: str, key: str) -> str:
    if section == "person":
        return _GROUP_OF_PERSON_FACT.get(key, "recipient")  # names, address, NHS number, birth
    if section == "change":
        return _GROUP_OF_CHANGE_FACT.get(key, "other")
    return "recipient" if section in ("recipient", "gp", "carer") else "other"


def _grouped(context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {group: {} for group in FACT_GROUPS}
    for section, values in context.items():
        for key, value in values.items():
            groups[_group_of(section, key)][f"{section}.{key}"] = value
    return groups


def _digest(value: Any, size: int) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(text.encode("utf-8")).digest()[:size]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def facts_hash(facts: PersonFacts, kind: str) -> str:
    """What a letter of ``kind`` states about the person, hashed (not its date or format).

    Exactly what its template sees (:func:`facts_context`), so a fact a kind of letter does not
    state never makes it out of date.
    """
    context = facts_context(facts, kind)
    groups = _grouped(context)
    return FACTS_HASH_VERSION + _digest({"kind": kind, **context}, _WHOLE_BYTES) + "".join(
        _digest(groups[group], _GROUP_BYTES) for group in FACT_GROUPS)


def _legacy_facts_hash(facts: PersonFacts, kind: str) -> str:
    """The hash stored with letters written before each kind stated only its own facts: the
    person's legal status, budget, interpreter and carer were then in every kind's context."""
    context = facts_context(facts, kind)
    stated = context["person"]
    person = {key: value for key, value in stated.items()
              if key not in ("interpreter_language_unknown", "cto_expires", "cto_expires_iso")}
    for key in ("s117", "cto", "personal_budget", "interpreter_language", "has_carer"):
        person[key] = getattr(facts, key)
    if "cto" in stated:
        # Such a letter said a CTO's conditions stay the same: not true of one that ends first.
        person["cto"] = stated["cto"]
    text = json.dumps({"kind": kind, **context, "person": person}, sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts_changed(stored: str, facts: PersonFacts, kind: str) -> list[str] | None:
    """None when a letter of ``kind`` whose facts hash is ``stored`` still states these facts;
    else the groups of facts that changed (``FACT_GROUPS`` keys), empty when that cannot be told
    (a hash stored before groups were kept)."""
    if not stored.startswith(FACTS_HASH_VERSION):
        return None if stored == _legacy_facts_hash(facts, kind) else []
    wanted = facts_hash(facts, kind)
    if stored == wanted:
        return None
    offset = len(FACTS_HASH_VERSION) + _WHOLE_CHARS
    changed = []
    for index, group in enumerate(FACT_GROUPS):
        start = offset + index * _GROUP_CHARS
        if stored[start : start + _GROUP_CHARS] != wanted[start : start + _GROUP_CHARS]:
            changed.append(group)
    return changed


def stated_groups(facts: PersonFacts, kind: str) -> list[str]:
    """The groups of facts a letter of ``kind`` states (for a reason that cannot name one)."""
    groups = _grouped(facts_context(facts, kind))
    return [group for group, values in groups.items() if values and group != "other"]


# ---------------------------------------------------------------------------------------------
# Letters written, and whether each is current
# ---------------------------------------------------------------------------------------------


def current_letters(
    session: Session, person_ids: Iterable[int] | None = None
) -> dict[tuple[int, str], list[Letter]]:
    """(person, kind) -> letters not superseded, oldest first."""
    statement = select(Letter).where(Letter.superseded_at.is_(None)).order_by(Letter.id)  # type: ignore[union-attr,arg-type]
    result: dict[tuple[int, str], list[Letter]] = defaultdict(list)
    if person_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        ids = sorted(set(person_ids))
        batches = [ids[start : start + 2000] for start in range(0, len(ids), 2000)]
    for batch in batches:
        query = statement if batch is None else statement.where(Letter.person_id.in_(batch))  # type: ignore[attr-defined]
        for letter in session.scalars(query):
            result[(letter.person_id, letter.kind)].append(letter)
    return dict(result)


CARER_SAID_NO = ("must not be posted: the person does not agree to their carer being told "
                 "(carer consent: no)")
"""Why a carer letter written before the person said no is out of date (do not post it)."""

CARER_CONSENT_NOT_RECORDED = "consent to tell the carer not recorded: ask the person first"
"""Why no carer letter is written while the person's consent is not recorded (a no is a no)."""

CARER_NOT_ASKED = f"must not be posted: {CARER_CONSENT_NOT_RECORDED}"
"""Why a carer letter written with the person's consent not recorded is out of date."""


def staleness(letter: Letter, facts: PersonFacts | None) -> str | None:
    """Why a letter no longer tells the truth, or None if it still does."""
    if facts is None:
        return "the person is no longer on the caseload"
    signposted = facts.pathway == Pathway.SIGNPOST
    if letter.kind == LetterKind.SIGNPOST:
        if not signposted or facts.workers:
            return "no longer applies: the person is no longer on the signpost pathway"
    elif letter.kind == LetterKind.PERSON or not signposted:
        if not facts.workers:
            return "no longer applies: the person no longer has an accepted worker"
        if not facts.has_new_worker:
            return "no longer applies: the person's worker no longer changes"
    if signposted and (barrier := signpost_barrier(facts)):
        return f"should not stand: {barrier}"
    if letter.kind == LetterKind.CARER and not facts.has_carer:
        return "no longer applies: no carer is recorded now"
    if letter.kind == LetterKind.CARER and not facts.carer_written_to:
        # Its facts hash cannot see this (a carer letter states nothing of the person's wishes),
        # yet the letter says they have a mental health team: it must not go out.
        return CARER_SAID_NO if facts.carer_consent is False else CARER_NOT_ASKED
    if sorted(letter.staff_ids or []) != facts.staff_ids:
        return "the worker has changed since the letter was written"
    if facts.worker_gone:
        return f"should not stand: {facts.worker_gone}"
    if conflict := legal_status_conflict(facts):
        return f"should not stand: {conflict}"
    changed = facts_changed(letter.facts_hash, facts, letter.kind)
    if changed is None:
        return None
    if changed:
        return f"what the letter says has changed since it was written: {_listed(changed)}"
    return ("what the letter says has changed since it was written (one of: "
            f"{_listed(stated_groups(facts, letter.kind), 'or')})")


def _listed(groups: list[str], last: str = "and") -> str:
    said = [FACT_GROUPS[group] for group in groups]
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} {last} {said[-1]}"


@dataclass(frozen=True, slots=True)
class OutOfDateLetter:
    letter_id: int
    person_id: int
    nhs_number: str
    kind: str
    format: str
    path: str
    generated_at: datetime
    reason: str


def out_of_date_letters(
    session: Session,
    person_ids: Iterable[int] | None = None,
    *,
    council: CouncilDetails | None = None,
    templates: LetterTemplates | None = None,
    as_of: date | None = None,
) -> list[OutOfDateLetter]:
    """Current letters whose facts changed after they were written (for the nightly check).

    Given the council's details, also those that print one of them since corrected (an old
    crisis line): :func:`transition.letter_council.council_staleness` (``templates`` lets it
    check a letter written before the details it printed were kept). Given ``as_of``, also
    those naming a worker who has left by then (:func:`~transition.letter_facts.worker_gone`).
    """
    current = current_letters(session, person_ids)
    facts = load_facts(session, {person_id for person_id, _ in current}, as_of=as_of)
    reasons = {letter.id: staleness(letter, facts.get(person_id))
               for (person_id, _kind), rows in current.items() for letter in rows}
    if council is not None:
        still_true = [(letter, facts[person_id]) for (person_id, _kind), rows in current.items()
                      for letter in rows if reasons[letter.id] is None]
        reasons.update(council_staleness(session, still_true, council=council,
                                         templates=templates))
    stale = []
    for (person_id, _kind), rows in sorted(current.items()):
        person_facts = facts.get(person_id)
        for letter in rows:
            reason = reasons[letter.id]
            if reason is not None:
                assert letter.id is not None
                stale.append(OutOfDateLetter(
                    letter_id=letter.id, person_id=person_id,
                    nhs_number=person_facts.nhs_number if person_facts else "",
                    kind=letter.kind, format=letter.format, path=letter.path,
                    generated_at=letter.generated_at, reason=reason,
                ))
    return stale


@dataclass(frozen=True, slots=True)
class LetterRecord:
    """One letter in a person's history."""

    letter_id: int
    kind: str
    format: str
    template: str
    path: str
    sha256: str
    dated: date | None
    generated_at: datetime
    generated_by: str
    status: str  # current | out_of_date | superseded
    superseded_at: datetime | None
    reason: str | None  # why it is out of date

    def as_dict(self) -> dict[str, Any]:
        return {
            "letter_id": self.letter_id, "kind": self.kind, "format": self.format,
            "template": self.template, "path": self.path, "sha256": self.sha256,
            "dated": self.dated.isoformat() if self.dated else None,
            "generated_at": self.generated_at.isoformat(), "generated_by": self.generated_by,
            "status": self.status,
            "superseded_at": self.superseded_at.isoformat() if self.superseded_at else None,
            "reason": self.reason,
        }


def letter_history(
    session: Session,
    person_id: int,
    *,
    council: CouncilDetails | None = None,
    templates: LetterTemplates | None = None,
    as_of: date | None = None,
) -> list[LetterRecord]:
    """Every letter written for one person, newest first, with whether each is still current
    (given the council's details, also whether each still prints them as they are now; given
    ``as_of``, whether a worker it names has left by then)."""
    letters = list(session.scalars(
        select(Letter).where(Letter.person_id == person_id).order_by(Letter.id.desc())  # type: ignore[union-attr]
    ))
    facts = load_facts(session, [person_id], as_of=as_of).get(person_id) if letters else None
    reasons = {letter.id: None if letter.superseded_at else staleness(letter, facts)
               for letter in letters}
    if council is not None and facts is not None:
        reasons.update(council_staleness(
            session, [(letter, facts) for letter in letters
                      if letter.superseded_at is None and reasons[letter.id] is None],
            council=council, templates=templates))
    history = []
    for letter in letters:
        assert letter.id is not None
        reason = reasons[letter.id]
        status = "superseded" if letter.superseded_at else ("out_of_date" if reason else "current")
        history.append(LetterRecord(
            letter_id=letter.id, kind=letter.kind, format=letter.format, template=letter.template,
            path=letter.path, sha256=letter.sha256, dated=letter.dated,
            generated_at=letter.generated_at, generated_by=letter.generated_by, status=status,
            superseded_at=letter.superseded_at, reason=reason,
        ))
    return history
