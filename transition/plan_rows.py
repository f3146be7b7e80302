"""A plan's rows: what a plan shows for each role (:class:`PlanRow`), the rows of a plan just
assembled, held as columns (:class:`PlanRows`), and the JSON text its reasons and runner-ups
are stored as (:class:`StoredJson`).

At 100,000 people a plan has 105,000 rows but only tens of thousands of distinct lists of
reasons and of runner-ups (the explainer words each case once and hands over its answer as
columns: :class:`~transition.matching.PlacementColumns`). Storing and counting the rows work
on those columns, each distinct list encoded once; a :class:`PlanRow` for each role is made
only when something reads the rows one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import Any, overload

import numpy as np

from transition.bulk import Memo
from transition.matching import Alternative, PlacementColumns
from transition.plan_inputs import PersonInfo

NO_ROLE = "none"
"""The role stored for a person whose pathway is not decided (JSON shows ``role: null``)."""


@dataclass
class PlanRow:
    """One role for one person in a plan: filled, locked or unassigned, with reasons.

    Rows made by :class:`PlanRows` for placements alike share one ``reasons`` list and one
    ``alternatives`` list (100,000 rows, a few tens of thousands of distinct lists): read
    them, do not change them in place."""

    person_id: int
    nhs_number: str
    role: str | None
    staff_id: str | None
    kept: bool
    locked: bool
    cost: int | None
    reasons: list[str]
    alternatives: list[dict[str, Any]]
    pathway: str | None
    risk_band: str | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"nhs_number": self.nhs_number, "role": self.role}
        if self.staff_id is not None:
            data.update(staff_id=self.staff_id, kept=self.kept, locked=self.locked,
                        reasons=self.reasons, cost=self.cost, alternatives=self.alternatives)
        else:
            data["reasons"] = self.reasons
        data.update(pathway=self.pathway, risk_band=self.risk_band)
        return data


StoredRow = tuple[Any, ...]
"""A row as ``plan_assignment`` stores it, in :data:`STORED_COLUMNS` order."""

STORED_COLUMNS = ("plan_id", "person_id", "role", "staff_id", "kept", "locked", "cost",
                  "pathway", "risk_band", "reasons", "alternatives", "unassigned_reasons")


def stored_row(row: PlanRow, plan_id: int, flag: type, text: StoredJson) -> StoredRow:
    """One row as stored, encoded from the row itself: the plain way, for rows not made by
    :class:`PlanRows` (``flag``: how the database wants a boolean, ``bool`` or ``int``)."""
    reasons = text.phrases(row.reasons)
    runner_ups = text.runner_ups(row.alternatives) if row.alternatives else None
    placed = row.staff_id is not None
    return (plan_id, row.person_id, row.role or NO_ROLE, row.staff_id, flag(row.kept),
            flag(row.locked), row.cost, row.pathway, row.risk_band,
            reasons if placed else None, runner_ups, None if placed else reasons)


class PlanRows(Sequence[PlanRow]):
    """The rows of a plan just assembled, as columns, in the plan's order (by person, then
    role).

    Each row's reasons and runner-ups are numbers into lists of distinct tuples
    (``phrases``, ``runner_ups``), as the explainer hands them over, so storing the plan
    (:meth:`stored`) encodes each distinct list once and then builds the stored rows with
    list indexing and ``zip``; counting (:meth:`counts`) reads the columns. The
    :class:`PlanRow` objects are made on first access (the CLI's output, a check's proposed
    moves). Rows are added with :meth:`add_placements` and :meth:`add`, before any is read.
    """

    def __init__(self) -> None:
        self.person_id: list[int] = []
        self.nhs_number: list[str] = []
        self.role: list[str | None] = []
        self.staff_id: list[str | None] = []
        self.kept: list[bool] = []
        self.locked: list[bool] = []
        self.cost: list[int | None] = []
        self.pathway: list[str | None] = []
        self.risk_band: list[str | None] = []
        self.reasons: list[int] = []  # a number into ``phrases``
        self.alternatives: list[int] = []  # a number into ``runner_ups``
        self.phrases: list[tuple[str, ...]] = []
        self.runner_ups: list[tuple[Alternative, ...]] = [()]
        self._numbered: dict[tuple[str, ...], int] = {}  # the phrases of rows added one by one

    def add_placements(self, people: Mapping[int, PersonInfo],
                       placements: PlacementColumns) -> None:
        """A row for each placement (need), in the problem's order."""
        infos = list(map(people.__getitem__, map(attrgetter("person_id"), placements.needs)))
        placed = placements.placed
        self.person_id += map(attrgetter("person_id"), infos)
        self.nhs_number += map(attrgetter("nhs_number"), infos)
        self.role += map(attrgetter("role"), placements.needs)
        self.staff_id += placements.staff_id_column()
        self.kept += placements.kept.tolist()
        self.locked += repeat(False, len(infos))
        self.cost += np.where(placed, placements.cost, None).tolist()
        self.pathway += map(attrgetter("pathway"), infos)
        self.risk_band += map(attrgetter("risk_band"), infos)
        # Reasons: a placed need's cost terms, in words, or why it could not be placed.
        terms = len(self.phrases)
        self.phrases += [tuple([term.text for term in listed])
                         for listed in placements.term_lists]
        unassigned = len(self.phrases)
        self.phrases += placements.unassigned_lists
        self.reasons += np.where(placed, terms + placements.terms,
                                 unassigned + placements.unassigned).tolist()
        runner_ups = len(self.runner_ups)
        self.runner_ups += placements.alternative_lists
        self.alternatives += (runner_ups + placements.alternatives).tolist()

    def add(self, info: PersonInfo, role: str | None, staff_id: str | None, *, kept: bool,
            locked: bool, reasons: tuple[str, ...]) -> None:
        """One row with no cost and no runner-ups (a locked role, a person with no pathway)."""
        self.person_id.append(info.person_id)
        self.nhs_number.append(info.nhs_number)
        self.role.append(role)
        self.staff_id.append(staff_id)
        self.kept.append(kept)
        self.locked.append(locked)
        self.cost.append(None)
        self.pathway.append(info.pathway)
        self.risk_band.append(info.risk_band)
        number = self._numbered.get(reasons)
        if number is None:
            number = self._numbered[reasons] = len(self.phrases)
            self.phrases.append(reasons)
        self.reasons.append(number)
        self.alternatives.append(0)

    # -- reading ----------------------------------------------------------------------------

    @cached_property
    def _order(self) -> list[int]:
        """The rows in the plan's order: placements come in the problem's order, then the
        locked roles and the people with no pathway, and one stable sort puts them in place."""
        keys = list(zip(self.person_id, [role or "" for role in self.role], strict=True))
        return sorted(range(len(keys)), key=keys.__getitem__)

    @cached_property
    def _rows(self) -> list[PlanRow]:
        said = [list(words) for words in self.phrases]
        # Each runner-up once (the explainer shares them between lists), as a row shows it.
        shown: dict[int, dict[str, Any]] = {}
        for items in self.runner_ups:
            for item in items:
                if id(item) not in shown:
                    shown[id(item)] = {"staff_id": item.staff_id, "cost": item.cost,
                                       "why_not": list(item.why_not)}
        listed = [[shown[id(item)] for item in items] for items in self.runner_ups]
        rows = list(map(PlanRow, self.person_id, self.nhs_number, self.role, self.staff_id,
                        self.kept, self.locked, self.cost, map(said.__getitem__, self.reasons),
                        map(listed.__getitem__, self.alternatives), self.pathway,
                        self.risk_band))
        return [rows[position] for position in self._order]

    def __len__(self) -> int:
        return len(self.person_id)

    @overload
    def __getitem__(self, index: int) -> PlanRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[PlanRow]: ...

    def __getitem__(self, index: int | slice) -> PlanRow | list[PlanRow]:
        return self._rows[index]

    def __iter__(self) -> Iterator[PlanRow]:
        return iter(self._rows)

    def counts(self) -> dict[str, int]:
        """The counts a plan shows (as :class:`transition.planning.PlanResult` names them):
        ``kept_with_current``, ``changed`` and ``locked`` add up to ``assigned`` (a locked
        role is counted as locked, though a row locked with its current worker is kept)."""
        placed = np.array([staff_id is not None for staff_id in self.staff_id], dtype=bool)
        kept = np.array(self.kept, dtype=bool)
        locked = np.array(self.locked, dtype=bool)
        return {"people": len(set(self.person_id)), "assigned": int(placed.sum()),
                "unassigned": int((~placed).sum()),
                "kept_with_current": int((kept & ~locked).sum()),
                "changed": int((placed & ~kept & ~locked).sum()), "locked": int(locked.sum())}

    def stored(self, plan_id: int, flag: type) -> list[StoredRow]:
        """The rows as ``plan_assignment`` stores them, in the plan's order (``flag``: how
        the database wants a boolean, ``bool`` or ``int``). Each distinct list of reasons and
        of runner-ups is encoded once (see :class:`StoredJson`)."""
        text = StoredJson()
        said = [text.phrases(words) for words in self.phrases]
        encoded: dict[int, str] = {}  # each runner-up once, by id (runner_ups keeps them alive)
        for items in self.runner_ups:
            for item in items:
                if id(item) not in encoded:
                    encoded[id(item)] = text.runner_up({
                        "staff_id": item.staff_id, "cost": item.cost,
                        "why_not": list(item.why_not)})
        listed = ["[" + ",".join([encoded[id(item)] for item in items]) + "]" if items else None
                  for items in self.runner_ups]
        reasons = list(map(said.__getitem__, self.reasons))
        rows = list(zip(
            [plan_id] * len(self), self.person_id, [role or NO_ROLE for role in self.role],
            self.staff_id, map(flag, self.kept), map(flag, self.locked), self.cost,
            self.pathway, self.risk_band,
            [text if staff_id is not None else None
             for text, staff_id in zip(reasons, self.staff_id, strict=True)],
            map(listed.__getitem__, self.alternatives),
            [None if staff_id is not None else text
             for text, staff_id in zip(reasons, self.staff_id, strict=True)],
            strict=True))
        return [rows[position] for position in self._order]


class StoredJson:
    """The plan's JSON columns as stored: the text ``json.dumps`` gives with
    ``ensure_ascii=False`` and compact separators, each distinct phrase and runner-up encoded
    once.

    A 100,000-person plan stores 480,000 reasons but only about 8,000 distinct phrases, and
    170,000 runner-ups with about 13,000 distinct; a JSON list of already-encoded items is
    ``[`` + the items joined by ``,`` + ``]``, exactly as the encoder writes it (a test
    compares the two on arbitrary rows).
    """

    def __init__(self) -> None:
        self.encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.encoded: dict[Any, str] = {}
        self.phrase = Memo(self.encode).__getitem__  # each phrase's JSON, encoded once

    def phrases(self, texts: Sequence[str]) -> str:
        """A list of reasons."""
        return "[" + ",".join(map(self.phrase, texts)) + "]"

    def runner_ups(self, items: Sequence[dict[str, Any]]) -> str:
        """A list of runner-ups, ``{"staff_id", "cost", "why_not"}`` as a plan shows them."""
        return "[" + ",".join([self.runner_up(item) for item in items]) + "]"

    def runner_up(self, item: dict[str, Any]) -> str:
        """One runner-up."""
        if tuple(item) != _RUNNER_UP_KEYS:  # not as a plan shows them: encode as it is
            return self.encode(item)
        key = (item["staff_id"], item["cost"], *item["why_not"])
        text = self.encoded.get(key)
        if text is None:
            text = self.encoded[key] = self.encode(item)
        return text


_RUNNER_UP_KEYS = ("staff_id", "cost", "why_not")
