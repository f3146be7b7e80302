"""Who the transition affects, group by group: evidence for the council's equality impact
assessment (Equality Act 2010, s149, the public sector equality duty).

For the people in the latest export, by ethnic group (MHSDS EthnicCategory), age band and
gender: how many are signposted (they lose the service), are to be assessed, have a handover
ahead of them (a new worker, or no one yet: :func:`~transition.allocation_status.handover_ahead`)
or are in the red risk band. A group's share against everyone's is the question the duty asks.
The report names each group whose share is at least 1.25 times everyone's, and says whether
that is clearly more than chance: whether the 95% Wilson interval of the group's share lies
wholly above everyone's share. At a caseload of hundreds, most differences are not.

The report is made to be shared, and a small group's numbers can identify people, so unless
asked for exactly it withholds (shows as ``*``) every count from 1 to 4 (primary suppression)
and, in each column of each table where it withholds one, the smallest other count as well
(secondary suppression), and a 0 in a group whose people are withheld. A table's groups add up to everyone, so a lone withheld count could
be worked out by subtracting the others from the total; with two or more withheld, at least
one of them 5 or more, and not all pinned by the counts shown beside them (a group has at least
as many people as are changing worker in it: :func:`withheld_cells`), none is given away by
subtraction. Shares are
left out where their count or the group's people are withheld, and so are a notable group's
numbers (see :meth:`EqualityReport.numbers_withheld`).

Signposted and to be assessed come from each person's pathway, which ``transition assess``
decides: anyone without one yet (assess not run, or run before their import) is neither, so a
report run before assess reads 0 in both. Every form of the report says how many people that
is (:meth:`EqualityReport.no_pathway_note`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, select
from sqlmodel import Session

from transition.allocation_status import handover_ahead, latest_plans
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
SMALL = 5  # counts below this (but above 0) are withheld
WITHHELD = "*"  # a withheld count, as shown (NHS England's statistics use the same mark)
PEOPLE = "people"  # the column of each group's people (the others are MEASURES)
WITHHELD_NOTE = (f"{WITHHELD} withheld: counts from 1 to {SMALL - 1}, and in each column with "
                 "one, the next smallest count too, so that no small count can be worked out "
                 "from the totals; in a group whose people are withheld, a 0 too.")
EXACT_NOTE = "Exact counts, small ones included: for the council's own use, not for sharing."
# A group's share is named when it is at least this many times everyone's, in a group of at
# least MIN_GROUP people (smaller groups are listed, not judged).
NOTABLE_RATIO = 1.25
MIN_GROUP = 20
_Z = 1.959964  # 95%

_NOT_KNOWN = "Not known"
_NOT_STATED = ETHNIC_CATEGORIES["Z"][0]
_GENDER_WORDS = {"male": "Male", "female": "Female", "non_binary": "Non-binary",
                 "other": "Other", "not_stated": _NOT_STATED}
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

    def sentence(self, *, withheld: bool = False) -> str:
        """The finding in words; ``withheld``: without the group's own numbers (they would
        let a withheld count be worked out)."""
        judged = ("clearly higher" if self.clear
                  else "could be chance at these numbers")
        if withheld:
            return (f"{MEASURES[self.measure].capitalize()}: higher in the {self.group} group "
                    f"({self.dimension}) than among everyone ({judged}; the numbers are "
                    "withheld, as they would give away a small count).")
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


Cell = tuple[str, str, str]
"""A count in the report: (dimension, group, column), the column ``people`` or a measure."""


@dataclass(frozen=True)
class EqualityReport:
    as_of: date
    everyone: GroupRow
    rows: list[GroupRow] = field(default_factory=list)
    notable: list[Notable] = field(default_factory=list)
    # The counts withheld unless shown exactly (withheld_cells).
    withheld: frozenset[Cell] = frozenset()
    # Everyone with no pathway yet: counted neither as signposted nor as to be assessed.
    no_pathway: int = 0
    # A draft plan not accepted yet, (plan id, roles it gives a new worker): "changing worker"
    # counts only what has been accepted (or assigned), so its moves are not in the report.
    draft: tuple[int, int] | None = None

    def by_dimension(self, dimension: str) -> list[GroupRow]:
        return [row for row in self.rows if row.dimension == dimension]

    def count(self, row: GroupRow, column: str, *, exact: bool) -> int | str:
        """A count as the report shows it: ``*`` where withheld, unless ``exact``."""
        value = row.people if column == PEOPLE else row.counts[column]
        withheld = (row.dimension, row.group, column) in self.withheld
        return WITHHELD if withheld and not exact else value

    def share(self, row: GroupRow, measure: str, *, exact: bool) -> float | None:
        """A share as the report shows it: None where its count or the group's people are
        withheld (either would give the other away)."""
        if not exact and ((row.dimension, row.group, measure) in self.withheld
                          or (row.dimension, row.group, PEOPLE) in self.withheld):
            return None
        return round(row.share(measure), 4)

    def cell_text(self, row: GroupRow, column: str, *, exact: bool) -> str:
        """A cell as the tables show it: ``1,234``, ``61 (11%)``, ``0`` or ``*``."""
        count = self.count(row, column, exact=exact)
        said = f"{count:,}" if isinstance(count, int) else count
        share = None if column == PEOPLE else self.share(row, column, exact=exact)
        return said if share is None else f"{said} ({share:.0%})"

    def numbers_withheld(self, item: Notable, *, exact: bool) -> bool:
        """Whether a notable group's share and interval are left out: its count or people,
        or everyone's, are withheld (a share and an interval's width give them away)."""
        return not exact and bool({(item.dimension, item.group, item.measure),
                                   (item.dimension, item.group, PEOPLE),
                                   ("everyone", "everyone", item.measure),
                                   ("everyone", "everyone", PEOPLE)} & self.withheld)

    def no_pathway_count(self, *, exact: bool) -> int | str:
        """How many people have no pathway yet, as the report shows it: ``*`` in the shared
        report when it is 1 to 4 (as every count of everyone is), or when everyone's people,
        signposted or to be assessed is withheld (everyone is signposted, to be assessed,
        another pathway or none, so the rest of the report could help work that one out)."""
        if exact or self.no_pathway == 0:
            return self.no_pathway
        hidden = self.no_pathway < SMALL or any(
            ("everyone", "everyone", column) in self.withheld
            for column in (PEOPLE, "signposted", "to_assess"))
        return WITHHELD if hidden else self.no_pathway

    def no_pathway_note(self, *, exact: bool) -> str | None:
        """What the signposted and to be assessed counts leave out: the people with no
        pathway yet (``transition assess`` decides it), and what to do; None when there are
        none."""
        if self.no_pathway == 0:
            return None
        advice = ("Run transition assess (or plan, which assesses first) to decide them, "
                  "then this report again.")
        if self.no_pathway == self.everyone.people:
            return ("No one has a pathway yet (transition assess has not been run), so no one "
                    f"is counted as signposted or to be assessed. {advice}")
        count = self.no_pathway_count(exact=exact)
        if count == WITHHELD:
            who = "Some people (how many is withheld, as small counts are) have"
        else:
            who = (f"{count:,} of the {self.everyone.people:,} people "
                   f"{'has' if count == 1 else 'have'}")
        return (f"{who} no pathway yet (transition assess has not been run since they were "
                f"imported), so they are counted neither as signposted nor as to be assessed. "
                f"{advice}")

    def notes(self, *, exact: bool) -> list[str]:
        """What to read before the tables, as each way of showing the report says it: who
        has no pathway yet, and a draft plan's moves left out."""
        return [note for note in (self.no_pathway_note(exact=exact),
                                  self.draft_note(exact=exact)) if note is not None]

    def draft_note(self, *, exact: bool) -> str | None:
        """What "changing worker" leaves out: a draft plan's proposed moves, until it is
        accepted (the assessment should see a plan's effect before the decision). None
        without a draft waiting."""
        if self.draft is None:
            return None
        plan_id, changed = self.draft
        roles = (f"{changed:,} role{'s' if changed != 1 else ''}"
                 if exact or changed == 0 or changed >= SMALL else "some roles")
        return (f"Draft plan {plan_id}, not accepted yet, would give {roles} a new worker: "
                "'changing worker' counts only the allocation accepted so far (and people with "
                "no worker), so the draft's moves are not in this report. To see their effect "
                "on each group before deciding, review the draft (transition plan show), "
                "accept it, and run this report again.")

    def to_json(self, *, exact: bool = False) -> dict[str, Any]:
        def row_json(row: GroupRow) -> dict[str, Any]:
            return {"group": row.group, "people": self.count(row, PEOPLE, exact=exact),
                    **{measure: {"count": self.count(row, measure, exact=exact),
                                 "share": self.share(row, measure, exact=exact)}
                       for measure in MEASURES}}

        def notable_json(item: Notable) -> dict[str, Any]:
            hidden = self.numbers_withheld(item, exact=exact)
            return {"dimension": item.dimension, "group": item.group,
                    "measure": item.measure,
                    "share": None if hidden else round(item.share, 4),
                    "overall": None if hidden else round(item.overall, 4),
                    "ratio": None if hidden else round(item.ratio, 2),
                    "interval": None if hidden else [round(item.low, 4), round(item.high, 4)],
                    "clear": item.clear, "withheld": hidden,
                    "sentence": item.sentence(withheld=hidden)}

        return {
            "as_of": self.as_of.isoformat(),
            "exact": exact,
            "withheld_mark": WITHHELD,
            "measures": MEASURES,
            "everyone": row_json(self.everyone),
            **{dimension: [row_json(row) for row in self.by_dimension(dimension)]
               for dimension in DIMENSIONS},
            "notable": [notable_json(item) for item in self.notable],
            "no_pathway": self.no_pathway_count(exact=exact),
            "no_pathway_note": self.no_pathway_note(exact=exact),
            "draft_plan_note": self.draft_note(exact=exact),
        }


def withheld_cells(everyone: GroupRow, rows: list[GroupRow],
                   notable: list[Notable]) -> frozenset[Cell]:
    """The counts the shared report withholds.

    Primary: every count from 1 to 4 (everyone's too). Secondary: in each dimension's table,
    each column (people, or a measure) with a primary one also withholds its smallest count
    of 5 or more, since the groups add up to everyone's count, which is shown. Chosen last,
    where there is a choice: a notable group's count (withholding it hides the finding's
    numbers), and in the people column, the people of a group with any notable finding.
    More are withheld, smallest first, while what the shown counts leave of everyone's would
    still pin the withheld ones: the counts shown in a row bound its withheld people from below
    (a group has at least as many people as are changing worker in it), and its shown people
    bound its withheld counts from above (:func:`pinned`, below). Chains across columns, and
    knowing that a withheld count is 1 to 4 or the next smallest, are not followed.

    A table whose counts in a column are all under 5 (a caseload of a few dozen) has none to
    add, and everyone's count would pin them (five groups of one, say): then everyone's count
    in that column is withheld instead, and so is the smallest count of each other table that
    withholds none there, so that no table gives the total back.
    """
    withheld = {(row.dimension, row.group, column)
                for row in (everyone, *rows) for column, value in _cells(row)
                if 0 < value < SMALL}
    noted_cells = {(item.dimension, item.group, item.measure) for item in notable}
    noted_groups = {(item.dimension, item.group) for item in notable}
    tables = {dimension: [row for row in rows if row.dimension == dimension]
              for dimension in DIMENSIONS}

    def any_withheld(dimension: str, column: str) -> bool:
        return any((dimension, row.group, column) in withheld for row in tables[dimension])

    def smallest(dimension: str, column: str) -> Cell | None:
        """The count of 5 or more to withhold next in this table and column, if any."""
        others = [((dimension, row.group, column) in noted_cells
                   or (column == PEOPLE and (dimension, row.group) in noted_groups),
                   value, place, row.group)
                  for place, row in enumerate(tables[dimension])
                  for name, value in _cells(row) if name == column and value >= SMALL
                  and (dimension, row.group, column) not in withheld]
        return (dimension, min(others)[3], column) if others else None

    def bounds(dimension: str, group: str, column: str) -> tuple[int, float]:
        """What the shown counts say a withheld count must be at least and at most: a group
        has at least as many people as any count shown in its row (and as its signposted and
        to be assessed together, one pathway each), and a count is at most its people, when
        shown; a withheld count is never 0 (0 is shown)."""
        row = rows_by_group[dimension, group]
        shown = {name: value for name, value in _cells(row)
                 if (dimension, group, name) not in withheld}
        if column == PEOPLE:
            pathways = (shown["signposted"] + shown["to_assess"]
                        if {"signposted", "to_assess"} <= shown.keys() else 0)
            return max(1, pathways, *(shown.get(name, 0) for name in MEASURES)), math.inf
        return 1, shown.get(PEOPLE, math.inf)

    def pinned(dimension: str, column: str) -> bool:
        """Whether everyone's count less the shown ones would give a withheld count away:
        there is only one, or the bounds of each leave it a single value (all at their least,
        or all at their most, add up to what is left)."""
        hidden = [row.group for row in tables[dimension]
                  if (dimension, row.group, column) in withheld]
        if not hidden or ("everyone", "everyone", column) in withheld:
            return False
        left = (everyone.people if column == PEOPLE else everyone.counts[column]) - sum(
            value for row in tables[dimension] for name, value in _cells(row)
            if name == column and (dimension, row.group, column) not in withheld)
        least, most = zip(*(bounds(dimension, group, column) for group in hidden), strict=True)
        return len(hidden) < 2 or sum(least) >= left or sum(most) <= left

    rows_by_group = {(row.dimension, row.group): row for row in rows}
    for column in (PEOPLE, *MEASURES):
        total_pins = False
        for dimension in DIMENSIONS:
            if any_withheld(dimension, column):
                cell = smallest(dimension, column)
                if cell is None and ("everyone", "everyone", column) not in withheld:
                    total_pins = True
                while cell is not None:
                    withheld.add(cell)
                    cell = smallest(dimension, column) if pinned(dimension, column) else None
                if pinned(dimension, column):
                    total_pins = True
        if total_pins:
            withheld.add(("everyone", "everyone", column))
            for dimension in DIMENSIONS:
                cell = None if any_withheld(dimension, column) else smallest(dimension, column)
                if cell is not None:
                    withheld.add(cell)
    # A 0 beside a withheld number of people says something of every one of them ("none of
    # these few is in the red band"), so it is withheld too. This only adds to what is
    # withheld, and a withheld 0 adds nothing to a total: no count above becomes pinned.
    withheld.update((row.dimension, row.group, column)
                    for row in (everyone, *rows)
                    if (row.dimension, row.group, PEOPLE) in withheld
                    for column, value in _cells(row) if value == 0)
    return frozenset(withheld)


def _cells(row: GroupRow) -> list[tuple[str, int]]:
    return [(PEOPLE, row.people), *row.counts.items()]


def equality_report(session: Session, *, as_of: date) -> EqualityReport:
    """The report for the people in the latest export, on ``as_of`` (today)."""
    ahead = handover_ahead(as_of, transfer_date(session))
    statement = select(
        Person.ethnic_category, Person.date_of_birth, Person.gender, Person.pathway,
        Person.risk_band, case((ahead, 1), else_=0),
    ).where(Person.missing_since_batch_id.is_(None))  # type: ignore[union-attr]
    people: Counter[tuple[str, str]] = Counter()
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    no_pathway = 0
    for ethnic, born, gender, pathway, band, changing in session.execute(statement):
        no_pathway += pathway is None
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
    return EqualityReport(as_of, everyone, rows, notable,
                          withheld_cells(everyone, rows, notable), no_pathway,
                          _draft_waiting(session))


def _draft_waiting(session: Session) -> tuple[int, int] | None:
    """The draft waiting for review (:func:`~transition.allocation_status.latest_plans`), as
    (plan id, roles it gives a new worker); None when there is none."""
    _accepted, draft = latest_plans(session)
    if draft is None or draft.id is None:
        return None
    return draft.id, int((draft.summary or {}).get("changed", 0))
