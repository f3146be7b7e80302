"""Letters already written: which are current, which are out of date and why, and history.

A letter is out of date when what it states is no longer true: the worker changed after it was
written (its ``staff_ids``), or its other facts changed (its ``facts_hash``), or it no longer
applies (the worker no longer changes, the person is no longer signposted, no carer recorded).
The nightly check uses :func:`out_of_date_letters`; the person screen :func:`letter_history`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.letter_facts import PersonFacts, facts_hash, load_facts
from transition.models import Letter, LetterKind, Pathway


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
    if letter.kind == LetterKind.CARER and not facts.has_carer:
        return "no longer applies: no carer is recorded now"
    if sorted(letter.staff_ids or []) != facts.staff_ids:
        return "the worker has changed since the letter was written"
    if letter.facts_hash != facts_hash(facts, letter.kind):
        return "details in the letter have changed since it was written (date, address or contacts)"
    return None


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


def out_of_date_letters(session: Session, person_ids: Iterable[int] | None = None) -> list[OutOfDateLetter]:
    """Current letters whose facts changed after they were written (for the nightly check)."""
    current = current_letters(session, person_ids)
    facts = load_facts(session, {person_id for person_id, _ in current})
    stale = []
    for (person_id, _kind), rows in sorted(current.items()):
        person_facts = facts.get(person_id)
        for letter in rows:
            reason = staleness(letter, person_facts)
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


def letter_history(session: Session, person_id: int) -> list[LetterRecord]:
    """Every letter written for one person, newest first, with whether each is still current."""
    letters = list(session.scalars(
        select(Letter).where(Letter.person_id == person_id).order_by(Letter.id.desc())  # type: ignore[union-attr]
    ))
    facts = load_facts(session, [person_id]).get(person_id) if letters else None
    history = []
    for letter in letters:
        assert letter.id is not None
        reason = None if letter.superseded_at else staleness(letter, facts)
        status = "superseded" if letter.superseded_at else ("out_of_date" if reason else "current")
        history.append(LetterRecord(
            letter_id=letter.id, kind=letter.kind, format=letter.format, template=letter.template,
            path=letter.path, sha256=letter.sha256, dated=letter.dated,
            generated_at=letter.generated_at, generated_by=letter.generated_by, status=status,
            superseded_at=letter.superseded_at, reason=reason,
        ))
    return history
