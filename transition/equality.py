"""Who the transition affects, group by group: evidence for the council's equality impact
assessment (Equality Act 2010, s149, the public sector equality duty).

For the people in the latest export, by ethnic group (MHSDS EthnicCategory), age band and
gender: how many are signposted (they lose the service), are to be assessed, have a handover
ahead of them (a new worker, or no one yet: :func:`~transition.allocation_status.handover_ahead`)
or are in the red risk band. A group's share against everyone's is the question the duty asks.
The report names each group whose share is at least 1.25 times everyone's, and says whether
that is clearly more than chance: whether the 95% Wilson interval of the group's share lies
wholly above everyone's share. At a caseload of hundreds, most differences are not.

Counts from 1 to 4 are shown as ``<5`` (and their shares left out) unless asked for exactly:
a small group's numbers can identify people, and the report is made to be shared.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, select
from sqlmodel import Session

from transition.allocation_status import handover_ahead
from transition.columns import ETHNIC_CATEGORIES
from transition.export import AGE_BANDS, age_band
from transition.models import Pathway, Person, RiskBand
from transition.programme import transfer_date

MEASURES: dict[str, str] = {
    "signposted": "signposted",
    "to_assess": "to be assessed",
    "changing": "worker changes or none yet",
    "red": "red risk band",
}
DIMENSIONS = ("ethnic group", "age band", "gender")
SMALL = 5  # counts below this (but above 0) are shown as "<5"
# A group's share is named when it is at least this many times everyone's, in a group of at
# least MIN_GROUP people (smaller groups are listed, not judged).
NOTABLE_RATIO = 1.25
MIN_GROUP = 20
_Z = 1.959964  # 95%

_NOT_KNOWN = "Not known"
_NOT_STATED = ETHNIC_CATEGORIES["Z"][0]
_GENDER_WORDS = {"male": "Male", "female": "Female", "non_binary": "Non-binary",
                 "other": "Other"}
_ETHNIC_ORDER = [*dict.fromkeys(group for group, _ in ETHNIC_CATEGORIES.values()), _NOT_KNOWN]
_AGE_ORDER = ["under 18", *(name for _, name in AGE_BANDS), _NOT_KNOWN]
_GENDER_ORDER = [*_GENDER_WORDS.values(), _NOT_KNOWN]


@dataclass(frozen=True)
class GroupRow:
    """One group's people and how many of them each measure counts."""

    dimension: str
    group: str
    people: int
    counts: dict[str, int]

    def share(self, measure: str) -> float:
        return self.counts[measure] / self.people if self.people else 0.0


@dataclass(frozen=True)
class Notable:
    """A group whose share of a measure is clearly higher than everyone's."""

    dimension: str
    group: str
    measure: str
    share: float
    overall: float
    low: float  # the 95% Wilson interval of the group's share
    high: float

    @property
    def ratio(self) -> float:
        return self.share / self.overall if self.overall else float("inf")

    @property
    def clear(self) -> bool:
        """More than chance: the whole 95% interval is above everyone's share."""
        return self.low > self.overall

    def sentence(self) -> str:
        judged = ("clearly higher" if self.clear
                  else "could be chance at these numbers")
        return (f"{MEASURES[self.measure].capitalize()}: {self.share:.0%} of the {self.group} "
                f"group ({self.dimension}) against {self.overall:.0%} of everyone "
                f"({self.ratio:.1f}x; 95% interval {self.low:.0%} to {self.high:.0%}: "
                f"{judged}).")


def wilson(count: int, total: int) -> tuple[float, float]:
    """The 95% Wilson score interval of the share ``count / total``."""
    if total == 0:
        return 0.0, 1.0
    share = count / total
    spread = _Z * _Z / total
    centre = (share + spread / 2) / (1 + spread)
    half = _Z * math.sqrt(share * (1 - share) / total + spread / (4 * total)) / (1 + spread)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class EqualityReport:
    as_of: date
    everyone: GroupRow
    rows: list[GroupRow] = field(default_factory=list)
    notable: list[Notable] = field(default_factory=list)

    def by_dimension(self, dimension: str) -> list[GroupRow]:
        return [row for row in self.rows if row.dimension == dimension]

    def to_json(self, *, exact: bool = False) -> dict[str, Any]:
        def row_json(row: GroupRow) -> dict[str, Any]:
            return {"group": row.group, "people": shown(row.people, exact),
                    **{measure: {"count": shown(row.counts[measure], exact),
                                 "share": share_shown(row, measure, exact)}
                       for measure in MEASURES}}

        return {
            "as_of": self.as_of.isoformat(),
            "exact": exact,
            "measures": MEASURES,
            "everyone": row_json(self.everyone),
            **{dimension: [row_json(row) for row in self.by_dimension(dimension)]
               for dimension in DIMENSIONS},
            "notable": [{"dimension": item.dimension, "group": item.group,
                         "measure": item.measure, "share": round(item.share, 4),
                         "overall": round(item.overall, 4), "ratio": round(item.ratio, 2),
                         "interval": [round(item.low, 4), round(item.high, 4)],
                         "clear": item.clear, "sentence": item.sentence()}
                        for item in self.notable],
        }


def shown(count: int, exact: bool) -> int | str:
    """A count as the report shows it: ``<5`` for 1 to 4 unless ``exact``."""
    return count if exact or count == 0 or count >= SMALL else f"<{SMALL}"


def share_shown(row: GroupRow, measure: str, exact: bool) -> float | None:
    """A share as the report shows it (None where its count is shown as ``<5``)."""
    count = row.counts[measure]
    if not exact and (0 < count < SMALL or 0 < row.people < SMALL):
        return None
    return round(row.share(measure), 4)


def equality_report(session: Session, *, as_of: date) -> EqualityReport:
    """The report for the people in the latest export, on ``as_of`` (today)."""
    ahead = handover_ahead(as_of, transfer_date(session))
    statement = select(
        Person.ethnic_category, Person.date_of_birth, Person.gender, Person.pathway,
        Person.risk_band, case((ahead, 1), else_=0),
    ).where(Person.missing_since_batch_id.is_(None))  # type: ignore[union-attr]
    people: Counter[tuple[str, str]] = Counter()
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for ethnic, born, gender, pathway, band, changing in session.execute(statement):
        measured = {
            "signposted": pathway == Pathway.SIGNPOST,
            "to_assess": pathway == Pathway.ASSESS,
            "changing": bool(changing),
            "red": band == RiskBand.RED,
        }
        groups = (
            ("ethnic group", ETHNIC_CATEGORIES[ethnic][0] if ethnic in ETHNIC_CATEGORIES
             else _NOT_KNOWN),
            ("age band", age_band(born, as_of) if born is not None else _NOT_KNOWN),
            ("gender", _GENDER_WORDS.get(gender or "", _NOT_KNOWN)),
            ("everyone", "everyone"),
        )
        for key in groups:
            people[key] += 1
            counts[key].update(measure for measure, yes in measured.items() if yes)

    def row(dimension: str, group: str) -> GroupRow:
        key = (dimension, group)
        return GroupRow(dimension, group, people[key],
                        {measure: counts[key][measure] for measure in MEASURES})

    everyone = row("everyone", "everyone")
    order = {"ethnic group": _ETHNIC_ORDER, "age band": _AGE_ORDER, "gender": _GENDER_ORDER}
    rows = [row(dimension, group) for dimension in DIMENSIONS for group in order[dimension]
            if people[dimension, group]]
    notable = [
        Notable(item.dimension, item.group, measure, item.share(measure),
                everyone.share(measure), *wilson(item.counts[measure], item.people))
        for item in rows for measure in MEASURES
        if item.people >= MIN_GROUP and item.group not in (_NOT_KNOWN, _NOT_STATED)
        and item.counts[measure] >= SMALL
        and item.share(measure) >= NOTABLE_RATIO * everyone.share(measure) > 0
    ]
    notable.sort(key=lambda item: (not item.clear, -item.ratio, item.dimension, item.group,
                                   item.measure))
    return EqualityReport(as_of, everyone, rows, notable)
