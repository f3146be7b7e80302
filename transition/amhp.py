"""AMHP cover: whether the council's own Approved Mental Health Professionals can keep its
24/7 AMHP service going once the partnership with the trust ends.

AMHPs are approved by the council, and keeping the AMHP service covered is the council's duty
whatever happens to the partnership. While it lasts, the rota often counts AMHPs the trust
employs; when it ends, those stay on the rota only if a new agreement says so, and council
AMHPs who leave, or are away, by the transfer date are not there either. So the yardstick is
the AMHP whole-time equivalent (FTE) on the rota today, every employer counted, unless the
rules file gives the FTE the service needs (``[checks] amhp_cover_fte``); the council's own
AMHP FTE available on the transfer date is measured against it.

Nobody's caseload is involved: this reads the staff list only. AMHPs are recognised by their
staff-list role (``[checks] amhp_roles``; compared as lower-case words joined by underscores).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from transition.absence import absence_words, away_on
from transition.matching.rules import staff_word
from transition.models import Staff

COUNCIL = "council"


@dataclass(frozen=True, slots=True)
class Amhp:
    """One AMHP on the staff list."""

    staff_id: str
    employer: str
    fte: float  # 1.0 where the staff list gives none
    leaving_date: date | None
    absent_until: date | None
    on_staff_list: bool
    absent_from: date | None = None  # a planned absence's first day (transition.absence)

    def away_on(self, day: date) -> str | None:
        """Why this AMHP is not on the rota on ``day``, or None when they are."""
        if not self.on_staff_list:
            return "not on the latest staff list"
        if self.leaving_date is not None and self.leaving_date <= day:
            return f"leaves on {self.leaving_date.isoformat()}"
        if away_on(day, self.absent_from, self.absent_until):
            return absence_words(self.absent_from, self.absent_until)
        return None


def _fte(amhps: Iterable[Amhp]) -> float:
    return round(sum(amhp.fte for amhp in amhps), 2)


@dataclass(frozen=True)
class AmhpCover:
    """The AMHP rota today, and the council's own AMHPs on ``day`` (the transfer date)."""

    today: date
    day: date
    rota_today: tuple[Amhp, ...]  # available today, any employer
    council_on_day: tuple[Amhp, ...]  # council-employed, available on ``day``
    council_away: tuple[tuple[Amhp, str], ...]  # council AMHPs on today's rota gone by ``day``
    needed_fte: float | None = None  # the rules file's figure, when it gives one
    others: tuple[Amhp, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "others", tuple(
            amhp for amhp in self.rota_today if amhp.employer != COUNCIL))

    @property
    def rota_fte(self) -> float:
        return _fte(self.rota_today)

    @property
    def council_fte(self) -> float:
        return _fte(self.council_on_day)

    @property
    def others_fte(self) -> float:
        return _fte(self.others)

    @property
    def yardstick_fte(self) -> float:
        """What the council's own cover on ``day`` is measured against."""
        return self.needed_fte if self.needed_fte is not None else self.rota_fte

    @property
    def short_fte(self) -> float:
        """How far the council's own cover on ``day`` falls short (0 when it does not)."""
        return max(0.0, round(self.yardstick_fte - self.council_fte, 2))

    @property
    def listed(self) -> bool:
        """Whether there is anything to judge: AMHPs on the staff list, or a needed FTE."""
        return bool(self.rota_today or self.council_on_day or self.council_away
                    or self.needed_fte)

    def to_json(self) -> dict[str, object]:
        return {
            "today": self.today,
            "transfer_date": self.day,
            "rota_today": {"people": len(self.rota_today), "fte": self.rota_fte,
                           "not_council": len(self.others), "not_council_fte": self.others_fte},
            "council_on_transfer_date": {"people": len(self.council_on_day),
                                         "fte": self.council_fte},
            "council_gone_by_then": [{"staff_id": amhp.staff_id, "why": why}
                                     for amhp, why in self.council_away],
            "needed_fte": self.needed_fte,
            "short_fte": self.short_fte,
        }


def amhp_cover(session: Session, *, today: date, transfer: date | None, roles: Iterable[str],
               needed_fte: float | None = None) -> AmhpCover:
    """The AMHP rota on ``today`` and the council's own AMHPs on the transfer date (today,
    once it has passed or when there is none)."""
    day = transfer if transfer is not None and transfer > today else today
    words = {staff_word(role) for role in roles}
    rows = session.execute(
        select(Staff.staff_id, Staff.employer, Staff.role, Staff.fte, Staff.leaving_date,
               Staff.absent_until, Staff.missing_since_batch_id, Staff.absent_from)
        .order_by(Staff.staff_id)
    ).all()
    amhps = [
        Amhp(staff_id, staff_word(employer or ""), 1.0 if fte is None else float(fte), leaving,
             absent, missing is None, starts)
        for staff_id, employer, role, fte, leaving, absent, missing, starts in rows
        if staff_word(role or "") in words
    ]
    rota_today = tuple(amhp for amhp in amhps if amhp.away_on(today) is None)
    council = [amhp for amhp in amhps if amhp.employer == COUNCIL]
    on_day = tuple(amhp for amhp in council if amhp.away_on(day) is None)
    gone = tuple((amhp, why) for amhp in council
                 if amhp.away_on(today) is None and (why := amhp.away_on(day)) is not None)
    return AmhpCover(today=today, day=day, rota_today=rota_today, council_on_day=on_day,
                     council_away=gone, needed_fte=needed_fte)


def describe_shortfall(cover: AmhpCover) -> str:
    """The sentence a check finding says about a shortfall (staff ids, never names)."""

    def people(count: int) -> str:
        return f"{count} {'AMHP' if count == 1 else 'AMHPs'}"

    said = [f"On {cover.day.isoformat()} the council's own AMHPs come to {cover.council_fte:g} "
            f"FTE ({people(len(cover.council_on_day))}), "
            + (f"below the {cover.needed_fte:g} FTE the rules file says the 24/7 AMHP service "
               "needs" if cover.needed_fte is not None
               else f"against {cover.rota_fte:g} FTE on the rota today "
                    f"({people(len(cover.rota_today))})")
            + f": {cover.short_fte:g} FTE short."]
    if cover.others:
        said.append(f"Today's rota counts {people(len(cover.others))} the council does not "
                    f"employ ({cover.others_fte:g} FTE): they stay on it after the partnership "
                    "ends only if a new agreement says so.")
    if cover.council_away:
        said.append("Council AMHPs gone by then: " + "; ".join(
            f"{amhp.staff_id} {why}" for amhp, why in cover.council_away) + ".")
    said.append("The council must keep its AMHP service covered: agree the trust AMHPs' place "
                "on the rota, arrange cover, or recruit; if the rota needs less, set "
                "[checks] amhp_cover_fte in the rules file.")
    return " ".join(said)
