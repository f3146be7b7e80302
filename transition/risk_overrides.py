"""Managers' handover-risk bands: set with a written reason, cleared, always audited.

The points model (risk.py) only ranks handovers; clinical judgement comes first (NICE NG225).
A manager who knows more than the trust's export says (a crisis last week, a carer who has
just moved away, or a score inflated by an out-of-date record) sets the person's band with a
written reason. While set:

- ``Person.risk_band`` is the manager's band, so everything that reads the band (the planner's
  red-band cap, the joint visit the task rules ask for, the counts, the nightly check, the
  at-risk ranking) follows it with no change of its own;
- ``risk_score`` and ``risk_factors`` stay the rules' own, and ``transition assess`` keeps the
  manager's band through every re-assessment until it is cleared;
- ``risk_band_override`` and who, when and why are on the person, and ``risk.override`` /
  ``risk.override_cleared`` in the audit trail.

Setting or clearing a band that moves the band in use brings the person's tasks up to date at
once when the programme has tasks (a red band adds the joint visit; leaving red sets it aside),
as a change of handover date does. Changes check ``Person.version`` (optimistic concurrency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from transition import audit
from transition.audit import Change
from transition.errors import EXIT_PARTIAL, TransitionError
from transition.handover_change import programme_has_tasks, task_counts, tasks_in_words
from transition.models import Person, RiskBand, utcnow
from transition.nhs import mask
from transition.overrides import versioned_update, written_reason
from transition.programme import transfer_date
from transition.risk import RiskBands
from transition.tasks.generate import GenerateSummary, generate_tasks

if TYPE_CHECKING:  # ruleset imports every domain module's rules
    from transition.ruleset import Rules

BANDS: tuple[str, ...] = tuple(band.value for band in RiskBand)
MAX_REASON_LENGTH = audit.REASON_LIMIT  # the reason is kept in the audit trail


@dataclass
class BandChange:
    """What setting or clearing a manager's band did."""

    person: Person
    before: str | None  # the band in use before
    after: str | None  # the band in use now
    rules_band: str | None  # what the rules' score gives
    tasks: GenerateSummary | None = None  # the person's tasks brought up to date, if they were

    @property
    def moved(self) -> bool:
        return self.before != self.after

    def in_words(self, *, named: bool = True) -> str:
        """One sentence: the band in use now, and against what (``named``: with the masked NHS
        number, for the command line; the app shows whose record it is)."""
        whose = f" for {mask(self.person.nhs_number)}" if named else ""
        rules = f"the rules' score gives {self.rules_band}"
        if self.person.risk_band_override is not None:
            said = f"Handover risk band{whose} set to {self.after} ({rules})."
        else:
            said = f"Manager's band cleared{whose}: the band is {self.after} ({rules})."
        if not self.moved:
            said += " The band in use did not change."
        return said

    def tasks_in_words(self) -> list[str]:
        """'Their tasks: 1 added.' (none when they were not touched or needed no change)."""
        return tasks_in_words(self.tasks)

    def as_json(self) -> dict[str, Any]:
        return {"band_before": self.before, "band": self.after, "rules_band": self.rules_band,
                "tasks": task_counts(self.tasks)}


def parse_band(value: str) -> RiskBand:
    try:
        return RiskBand(str(value).strip().lower())
    except ValueError:
        shown = repr(value) if len(str(value)) <= 20 else "That"
        raise TransitionError(
            f"{shown} is not a risk band. Nothing was changed.",
            hint=f"Choose one of: {', '.join(BANDS)}.",
        ) from None


def rules_band(person: Person, bands: RiskBands) -> str | None:
    """The band the rules' stored score gives (None before the person is assessed)."""
    return None if person.risk_score is None else bands.band(person.risk_score).value


def override_detail(person: Person, bands: RiskBands | None = None) -> dict[str, Any] | None:
    """The ``risk_band_override`` section of ``transition person --json`` (None when unset);
    ``rules_band`` is given when the rules' bands are (a broken rules file gives none)."""
    if person.risk_band_override is None:
        return None
    return {
        "band": person.risk_band_override,
        "reason": person.risk_override_reason,
        "by": person.risk_override_by,
        "at": person.risk_override_at,
        "rules_band": rules_band(person, bands) if bands is not None else None,
    }


def set_risk_band(
    session: Session,
    rules: Rules,
    person: Person,
    band: str,
    *,
    reason: str,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> BandChange:
    """Set a manager's handover-risk band for one assessed person, with a written reason.

    ``expected_version`` is the ``Person.version`` the manager saw (default: as loaded); if the
    record has moved on, nothing changes and :class:`~transition.errors.ConflictError` is
    raised. A person not yet assessed is refused (there is no score to set a band against).
    """
    chosen = parse_band(band).value
    text = written_reason(reason, "A manager's risk band")
    if person.risk_score is None:
        raise TransitionError(
            f"Person {mask(person.nhs_number)} has no handover-risk score yet, so there is no "
            "band to set. Nothing was changed.",
            hint="Run transition assess first.",
        )
    now = utcnow()
    return _change(session, rules, person, expected_version, "risk.override", text,
                   actor=actor, today=today, now=now, risk_band=chosen, risk_band_override=chosen,
                   risk_override_reason=text, risk_override_by=actor, risk_override_at=now)


def clear_risk_band(
    session: Session,
    rules: Rules,
    person: Person,
    *,
    actor: str,
    today: date,
    reason: str | None = None,
    expected_version: int | None = None,
) -> BandChange:
    """Remove a manager's band: the band goes back to what the rules' score gives (audited)."""
    if person.risk_band_override is None:
        raise TransitionError(
            f"Person {mask(person.nhs_number)} has no manager's risk band. Nothing was changed.",
            exit_code=EXIT_PARTIAL,
        )
    text = (reason or "").strip() or None
    if text is not None:
        audit.check_reason_length(text)
    return _change(session, rules, person, expected_version, "risk.override_cleared", text,
                   actor=actor, today=today, now=utcnow(),
                   risk_band=rules_band(person, rules.risk.bands), risk_band_override=None,
                   risk_override_reason=None, risk_override_by=None, risk_override_at=None)


def _change(
    session: Session, rules: Rules, person: Person, expected_version: int | None, action: str,
    reason: str | None, *, actor: str, today: date, now: datetime, **values: Any,
) -> BandChange:
    """Write ``values`` (checking the version), audit ``action`` with the band and override
    before and after (the score and the rules' band beside them), then bring the person's
    tasks up to date when the band in use moved."""
    before = {"risk_band": person.risk_band, "override": person.risk_band_override}
    updated = versioned_update(session, person, expected_version, **values)
    change = BandChange(updated, before["risk_band"], updated.risk_band,
                        rules_band(updated, rules.risk.bands))
    audit.record(session, Change(
        action=action, entity="person", entity_key=updated.nhs_number, person_id=updated.id,
        field="risk_band", before=before,
        after={"risk_band": updated.risk_band, "override": updated.risk_band_override,
               "score": updated.risk_score, "rules_band": change.rules_band},
        reason=reason), actor=actor, at=now)
    if change.moved and programme_has_tasks(session):
        assert updated.id is not None
        change.tasks = generate_tasks(session, rules.tasks, as_of=today, actor=actor,
                                      transfer_date=transfer_date(session),
                                      person_ids=[updated.id])
    return change
