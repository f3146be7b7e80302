"""The transition programme: the day the partnership ends, which every plan and task works to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from transition.audit import Change, record
from transition.models import Person, Programme, utcnow

PROGRAMME_ID = 1


def get_programme(session: Session) -> Programme:
    """The programme row (an unsaved default if none has been set yet)."""
    return session.get(Programme, PROGRAMME_ID) or Programme(id=PROGRAMME_ID)


def transfer_date(session: Session) -> date | None:
    return get_programme(session).transfer_date


def set_transfer_date(session: Session, new_date: date, *, actor: str) -> Programme:
    """Store the programme's transfer date (audited)."""
    programme = session.get(Programme, PROGRAMME_ID)
    before = programme.transfer_date if programme else None
    if programme is None:
        programme = Programme(id=PROGRAMME_ID)
        session.add(programme)
    programme.transfer_date = new_date
    programme.updated_at = utcnow()
    programme.updated_by = actor
    if before != new_date:
        record(
            session,
            Change(
                action="programme.transfer_date",
                entity="programme",
                entity_key=str(PROGRAMME_ID),
                field="transfer_date",
                before=before,
                after=new_date,
            ),
            actor=actor,
        )
    session.flush()
    return programme


def own_dates_after(session: Session, day: date) -> dict[str | None, int]:
    """Per team (None: no team recorded), how many people in the latest export have their own
    handover date (a phased move) after ``day``: after the transfer date, the partnership has
    ended. Only teams with some are in the answer."""
    return {team: count for team, count in session.execute(
        select(Person.team, func.count())
        .where(Person.handover_date > day,  # type: ignore[operator]
               Person.missing_since_batch_id.is_(None))  # type: ignore[union-attr]
        .group_by(Person.team).order_by(func.count().desc(), Person.team))}
