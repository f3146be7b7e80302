"""Managers' pathway overrides: set with a written reason, cleared, always audited.

The effective pathway (``Person.pathway``) is the override while one is set, and
``pathway_reasons`` then starts with ``{"rule": "manager_override", ...}`` followed by the
rules' own reasons (see :mod:`transition.assessment`, which keeps an override through every
re-evaluation). Changes check ``Person.version`` (optimistic concurrency).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from transition import audit
from transition.audit import Change
from transition.concurrency import changed_by
from transition.eligibility import MANAGER_OVERRIDE, rules_pathway
from transition.errors import EXIT_PARTIAL, ConflictError, TransitionError
from transition.models import Pathway, Person, utcnow
from transition.nhs import mask
from transition.stored_reasons import stored_reasons_hash

PATHWAYS: tuple[str, ...] = tuple(pathway.value for pathway in Pathway)
OVERRIDE_BASIS = "A manager's decision, recorded in the audit trail"
MAX_REASON_LENGTH = audit.REASON_LIMIT  # the reason is kept in the audit trail

# Never let a manager's override take away a statutory duty (DOMAIN.md: s117 aftercare is a
# joint duty that cannot end while a CTO lasts, and an s117 person is never signposted away).
STATUTORY_REFUSED = frozenset({Pathway.SIGNPOST, Pathway.TRUST})




def override_reason(
    pathway: str,
    reason: str | None,
    by: str | None,
    at: datetime | None,
    rules_decision: Pathway | str | None,
) -> dict[str, str]:
    """The ``manager_override`` entry that heads ``pathway_reasons`` while an override is set."""
    when = f" on {at.day} {at:%B %Y}" if at is not None else ""
    who = f" ({by})" if by else ""
    rules_view = (
        f"The council's rules would decide {Pathway(rules_decision).value}."
        if rules_decision is not None
        else "The council's rules have not decided yet."
    )
    why = (reason or "no reason recorded").strip()
    if not why.endswith((".", "!", "?")):
        why += "."
    return {
        "rule": MANAGER_OVERRIDE,
        "reason": f"A manager{who} set the pathway to {pathway}{when}: {why} {rules_view}",
        "basis": OVERRIDE_BASIS,
    }


def set_pathway_override(
    session: Session,
    person: Person,
    pathway: str,
    *,
    reason: str,
    actor: str,
    expected_version: int | None = None,
) -> Person:
    """Set a manager's pathway for one person, with a written reason (audited).

    ``expected_version`` is the ``Person.version`` the manager saw (default: the version of
    ``person`` as loaded); if the record has moved on since, nothing changes and
    :class:`ConflictError` is raised. Refuses ``signpost`` or ``trust`` for someone with
    section 117 aftercare or a CTO.
    """
    chosen = parse_pathway(pathway)
    text = written_reason(reason, "A pathway override")
    if chosen in STATUTORY_REFUSED and (person.s117 or person.cto):
        duty = "section 117 aftercare" if person.s117 else "a Community Treatment Order"
        raise TransitionError(
            f"Person {mask(person.nhs_number)} has {duty}: the council keeps a statutory duty, "
            f"so the pathway cannot be {chosen.value}. Nothing was changed.",
            hint="If the duty has ended, correct the trust's record and import it again.",
        )
    rules_reasons = [r for r in person.pathway_reasons or [] if r.get("rule") != MANAGER_OVERRIDE]
    now = utcnow()
    reasons = [
        override_reason(chosen.value, text, actor, now, rules_pathway(rules_reasons)),
        *rules_reasons,
    ]
    before = {"pathway": person.pathway, "override": person.pathway_override}
    updated = versioned_update(
        session, person, expected_version,
        pathway=chosen.value,
        pathway_reasons_hash=stored_reasons_hash(session.connection(), reasons),
        pathway_override=chosen.value,
        pathway_override_reason=text, pathway_override_by=actor, pathway_override_at=now,
    )
    audit.record(
        session,
        Change(
            action="pathway.override", entity="person", entity_key=updated.nhs_number,
            person_id=updated.id, field="pathway", before=before,
            after={"pathway": chosen.value, "override": chosen.value}, reason=text,
        ),
        actor=actor,
        at=now,
    )
    return updated


def clear_pathway_override(
    session: Session,
    person: Person,
    *,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Person:
    """Remove a manager's override: the pathway goes back to the rules' decision (audited,
    with ``reason`` when one is given, as the override dialog asks for one).

    If the rules never decided for this person, the pathway is empty until the next
    ``transition assess``.
    """
    if person.pathway_override is None:
        raise TransitionError(
            f"Person {mask(person.nhs_number)} has no pathway override. Nothing was changed.",
            exit_code=EXIT_PARTIAL,
        )
    text = (reason or "").strip() or None
    if text is not None:
        audit.check_reason_length(text)
    rules_reasons = [r for r in person.pathway_reasons or [] if r.get("rule") != MANAGER_OVERRIDE]
    decided = rules_pathway(rules_reasons)
    after = decided.value if decided is not None else None
    before = {"pathway": person.pathway, "override": person.pathway_override}
    now = utcnow()
    updated = versioned_update(
        session, person, expected_version,
        pathway=after,
        pathway_reasons_hash=stored_reasons_hash(session.connection(), rules_reasons or None),
        pathway_override=None,
        pathway_override_reason=None, pathway_override_by=None, pathway_override_at=None,
    )
    audit.record(
        session,
        Change(
            action="pathway.override_cleared", entity="person", entity_key=updated.nhs_number,
            person_id=updated.id, field="pathway", before=before,
            after={"pathway": after, "override": None}, reason=text,
        ),
        actor=actor,
        at=now,
    )
    return updated


def written_reason(reason: str | None, what: str) -> str:
    """The manager's reason for ``what`` ("A pathway override"), stripped; refused when empty
    or longer than the audit trail keeps."""
    text = (reason or "").strip()
    if not text:
        raise TransitionError(
            f"{what} needs a written reason. Nothing was changed.",
            hint='Give one with --reason "..." (it is kept in the audit trail).',
        )
    audit.check_reason_length(text)
    return text


def parse_pathway(value: str) -> Pathway:
    try:
        return Pathway(str(value).strip().lower())
    except ValueError:
        raise TransitionError(
            f"{value!r} is not a pathway. Nothing was changed.",
            hint=f"Choose one of: {', '.join(PATHWAYS)}.",
        ) from None


def versioned_update(
    session: Session, person: Person, expected_version: int | None, **values: Any
) -> Person:
    expected = person.version if expected_version is None else expected_version
    result = session.execute(
        update(Person)
        .where(Person.id == person.id, Person.version == expected)  # type: ignore[arg-type]
        .values(**values, version=Person.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(
            f"Person {mask(person.nhs_number)} was changed by "
            f"{changed_by(session, entity='person', person_id=person.id)} since you opened "
            f"the record (version {expected} expected). Nothing was changed.",
            hint="Reload the person and try again.",
        )
    refreshed = session.get(Person, person.id, populate_existing=True)
    assert refreshed is not None
    return refreshed
