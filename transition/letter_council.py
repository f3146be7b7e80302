"""The council's details a letter prints, and whether they are still the council's.

A letter prints some of the council's settings (``[council]``: its phone number, the crisis
line, the out-of-hours number, how to complain...). Correcting one makes every letter that
printed the old one out of date: a person in crisis must not be left holding a wrong number.
The facts hash (:mod:`transition.letter_records`) leaves the council out, since it is about the
person; this module tells instead.

Which details a letter printed is seen as its template is filled in (a template reads
``council.crisis_line`` only where it prints it: :class:`transition.letter_context.PrintedDetails`).
A short digest of each is kept in the audit trail with the letter: ``letter.generate`` (its
``after.council``), or ``letter.council`` for a letter written before they were kept, recorded
the next time a run finds it unchanged. A letter with no digests yet is rendered again with
today's details and compared with what was written (``Letter.content_sha256``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from transition.config import CouncilDetails
from transition.letter_facts import PersonFacts, plain_text
from transition.letter_formats import EASY_READ
from transition.letter_render import content_hash, letter_style, render_letter
from transition.letter_templates import LetterTemplates
from transition.models import AuditEvent, Letter

COUNCIL_AUDIT_ACTION = "letter.council"
"""Audited when a run records the council details printed by a letter written before they were
kept (the letter is unchanged: it prints today's)."""
_ACTIONS = ("letter.generate", COUNCIL_AUDIT_ACTION)
_DIGEST_BYTES = 6

# Each council setting as a reason names it.
COUNCIL_DETAIL_WORDS: dict[str, str] = {
    "name": "the council's name",
    "service": "the service's name",
    "address": "the council's address",
    "phone": "the council's phone number",
    "email": "the council's email address",
    "crisis_line": "the crisis line",
    "out_of_hours": "the out-of-hours number",
    "complaints": "how to complain",
    "signatory": "who signs the letters",
    "signatory_title": "the signatory's job title",
    "website": "the council's web address",
}

UNKNOWN_DETAILS_CHANGED = (
    "it would read differently if written again now: the council's details it prints (such as "
    "the crisis line or a phone number) or its template have changed since it was written")
"""Why a letter written before its council details were kept is out of date (they cannot be
told apart from a new template for it)."""


def _digest(value: str) -> str:
    digest = hashlib.sha256(json.dumps(value, ensure_ascii=False).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[:_DIGEST_BYTES]).decode("ascii")


def council_digests(council: CouncilDetails, keys: Iterable[str]) -> dict[str, str]:
    """A short digest of each council detail named (as the letter printed it)."""
    values = council.model_dump()
    return {key: _digest(plain_text(values[key])) for key in sorted(keys) if key in values}


def changed_details(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    """The details, of those a letter printed (``recorded``), that are not what the council has
    now (``now``: :func:`council_digests` of every detail)."""
    return [key for key, digest in recorded.items() if now.get(key) != digest]


def council_reason(keys: Sequence[str]) -> str:
    """Why a letter that printed the council details ``keys`` is out of date."""
    said = [COUNCIL_DETAIL_WORDS.get(key, key.replace("_", " ")) for key in keys]
    listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    return (f"the council's details it prints have changed since it was written: {listed} "
            "(set in the settings' [council])")


def recorded_details(session: Session, letters: Iterable[Letter]) -> dict[int, dict[str, str]]:
    """letter id -> the digests of the council details it printed, for the letters that have
    them recorded (the latest record wins)."""
    wanted = {letter.id: letter.person_id for letter in letters if letter.id is not None}
    people = sorted(set(wanted.values()))
    found: dict[int, dict[str, str]] = {}
    for start in range(0, len(people), 2000):
        batch = people[start : start + 2000]
        rows = session.execute(
            select(AuditEvent.entity_key, AuditEvent.after)
            .where(AuditEvent.action.in_(_ACTIONS), AuditEvent.entity == "letter",  # type: ignore[attr-defined]
                   AuditEvent.person_id.in_(batch))  # type: ignore[union-attr]
            .order_by(AuditEvent.id)  # type: ignore[arg-type]
        )
        for key, after in rows:
            details = after.get("council") if isinstance(after, dict) else None
            if key is not None and key.isdigit() and int(key) in wanted and isinstance(details, dict):
                found[int(key)] = {str(name): str(value) for name, value in details.items()}
    return found


def council_staleness(
    session: Session,
    letters: Sequence[tuple[Letter, PersonFacts]],
    *,
    council: CouncilDetails,
    templates: LetterTemplates | None = None,
    recorded: dict[int, dict[str, str]] | None = None,
) -> dict[int, str]:
    """letter id -> why it is out of date, for the letters (each still true of the person)
    that print council details other than ``council``'s.

    With ``templates``, a letter with no recorded details is rendered again as it would be
    written now (its date, format and template) and compared with what was written.
    """
    if recorded is None:
        recorded = recorded_details(session, (letter for letter, _ in letters))
    now = council_digests(council, type(council).model_fields)
    reasons: dict[int, str] = {}
    for letter, facts in letters:
        assert letter.id is not None
        details = recorded.get(letter.id)
        if details is not None:
            if changed := changed_details(details, now):
                reasons[letter.id] = council_reason(changed)
        elif templates is not None and letter.dated is not None and letter.content_sha256:
            style = letter_style(facts, letter.kind)
            again = render_letter(facts, letter.kind, style=style, fmt=letter.format,
                                  template=templates.choose(letter.kind,
                                                            easy_read=style is EASY_READ),
                                  templates=templates, council=council, dated=letter.dated)
            if content_hash(again) != letter.content_sha256:
                reasons[letter.id] = UNKNOWN_DETAILS_CHANGED
    return reasons


def council_after(council: CouncilDetails, printed: Iterable[str]) -> dict[str, Any]:
    """What the audit keeps of the council details a letter printed (``after.council``)."""
    return {"council": council_digests(council, printed)}
