"""Synthetic trust caseload exports and staff lists, deterministic from a seed.

``generate(out_dir)`` writes ``trust_caseload.csv`` and ``staff.csv`` (and, with ``xlsx=True``,
``trust_caseload.xlsx``) for an invented county at the Somerset scale by default: 784 people and
60 council social workers seconded into trust teams. Same arguments, same bytes. Everything is
invented: NHS numbers from the 999 range (valid under Modulus 11), names, addresses in the WX
postcode area, GP practices, telephone numbers from Ofcom's drama ranges, ``.example`` emails.

``messy=True`` adds the rows a real export contains and an importer must catch (see
:mod:`transition.generator.messy`); the shipped ``sample_data/`` is made that way.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random

from transition.errors import EXIT_FAILED, TransitionError
from transition.files import private_dir, write_private_bytes
from transition.generator import vocabulary as words
from transition.generator.caseload import (
    COUNCIL_ROLE_DESIGNS,
    TRUST_ROLE_DESIGNS,
    Person,
    PersonFactory,
    assign_coordinators,
    fixed_needs,
    make_people,
    record_loads,
)
from transition.generator.messy import (
    EXTRA_PEOPLE,
    MIN_MESSY_PEOPLE,
    CaseloadRow,
    MessyRow,
    make_messy,
)
from transition.generator.places import World, build_places
from transition.generator.workforce import (
    DEFAULT_PEOPLE,
    Worker,
    build_workforce,
    default_staff,
)
from transition.generator.writers import (
    CASELOAD_HEADER,
    STAFF_HEADER,
    caseload_cells,
    caseload_xlsx_bytes,
    csv_bytes,
    staff_cells,
)

__all__ = [
    "CASELOAD_FILE", "DEFAULT_PEOPLE", "DEFAULT_REFERENCE_DATE", "DEFAULT_SEED",
    "DEFAULT_TRANSFER_DATE", "STAFF_FILE", "XLSX_FILE", "GeneratedFiles", "MessyRow",
    "default_staff", "generate", "output_paths",
]

DEFAULT_SEED = 2015  # the year Somerset withdrew its seconded social workers
DEFAULT_REFERENCE_DATE = date(2026, 11, 20)  # the day the trust "exported" the caseload
DEFAULT_TRANSFER_DATE = date(2027, 4, 1)  # the programme's transfer date in the demo
CASELOAD_FILE, STAFF_FILE, XLSX_FILE = "trust_caseload.csv", "staff.csv", "trust_caseload.xlsx"
MAX_PEOPLE = 500_000  # the 999 range holds about 909,000 valid numbers
MAX_STAFF = 100_000
CAPACITY_HEADROOM = 1.25  # at least this much room per employer over the roles the design needs
XLSX_TITLE = f"{words.TRUST_NAME} - community caseload export"


@dataclass(frozen=True)
class GeneratedFiles:
    """What :func:`generate` wrote, with the shape of the invented world."""

    caseload_csv: Path
    staff_csv: Path
    caseload_xlsx: Path | None
    people: int  # distinct, valid people: what an import of the caseload keeps
    caseload_rows: int  # data rows in the caseload file (people plus any messy extra rows)
    staff: int
    localities: int
    teams: int
    seed: int
    reference_date: date
    transfer_date: date
    messy_rows: tuple[MessyRow, ...] = ()
    design: dict[str, int] = field(default_factory=dict)  # people by intended pathway
    demand: dict[str, int] = field(default_factory=dict)  # roles needed, by employer
    capacity: dict[str, int] = field(default_factory=dict)  # room on the transfer date
    without_coordinator: int = 0

    @property
    def paths(self) -> list[Path]:
        return [path for path in (self.caseload_csv, self.staff_csv, self.caseload_xlsx) if path]

    def as_dict(self) -> dict[str, object]:
        return {
            "files": [str(path) for path in self.paths],
            "people": self.people, "caseload_rows": self.caseload_rows, "staff": self.staff,
            "localities": self.localities, "teams": self.teams, "seed": self.seed,
            "reference_date": self.reference_date, "transfer_date": self.transfer_date,
            "design": self.design, "demand": self.demand, "capacity": self.capacity,
            "without_coordinator": self.without_coordinator,
            "messy_rows": [row.as_dict() for row in self.messy_rows],
        }


def output_paths(out_dir: Path, *, xlsx: bool) -> list[Path]:
    """The files :func:`generate` writes into ``out_dir``."""
    names = [CASELOAD_FILE, STAFF_FILE] + ([XLSX_FILE] if xlsx else [])
    return [out_dir / name for name in names]


def generate(
    out_dir: Path,
    *,
    people: int = DEFAULT_PEOPLE,
    staff: int | None = None,
    seed: int = DEFAULT_SEED,
    messy: bool = False,
    xlsx: bool = False,
    reference_date: date = DEFAULT_REFERENCE_DATE,
    transfer_date: date = DEFAULT_TRANSFER_DATE,
    overwrite: bool = True,
) -> GeneratedFiles:
    """Write a synthetic trust caseload and staff list into ``out_dir``.

    ``staff`` defaults to the Somerset proportion (111 for 784 people). ``reference_date`` is
    the export date every relative date (discharges, contacts, allocations) counts back from;
    ``transfer_date`` is the day the partnership ends (leavers and absences fall around it).
    With ``overwrite=False`` an existing file is an error and nothing is written.
    """
    staff = default_staff(people) if staff is None else staff
    _check_arguments(people, staff, messy)
    paths = output_paths(Path(out_dir), xlsx=xlsx)
    existing = [path for path in paths if path.exists()]
    if existing and not overwrite:
        raise TransitionError(
            f"Not overwriting {', '.join(str(path) for path in existing)}.",
            hint="Choose another folder, or replace them (transition generate --force).",
        )

    rng = Random(seed)
    world = build_places(rng, staff)
    factory = PersonFactory(rng, world, reference_date, people + EXTRA_PEOPLE)
    caseload = make_people(factory, people)
    fixed_needs(rng, caseload)
    record_loads(world, caseload)
    world.workers = build_workforce(rng, world, staff, transfer_date=transfer_date,
                                    reference_date=reference_date)
    demand = _demand(caseload)
    _make_room(world, caseload, demand, transfer_date)
    assign_coordinators(rng, world, caseload, reference_date)
    if messy:
        rows, messy_rows = make_messy(rng, factory, world, caseload, reference_date)
    else:
        rows, messy_rows = [CaseloadRow(person) for person in caseload], []

    private_dir(Path(out_dir))
    caseload_path, staff_path, *xlsx_path = paths
    write_private_bytes(caseload_path, csv_bytes(CASELOAD_HEADER, caseload_cells(rows)))
    write_private_bytes(staff_path, csv_bytes(STAFF_HEADER, staff_cells(world.workers)))
    if xlsx:
        write_private_bytes(xlsx_path[0], caseload_xlsx_bytes(rows, title=XLSX_TITLE,
                                                              exported=reference_date))
    return GeneratedFiles(
        caseload_csv=caseload_path, staff_csv=staff_path,
        caseload_xlsx=xlsx_path[0] if xlsx else None,
        people=people, caseload_rows=len(rows), staff=len(world.workers),
        localities=len(world.localities), teams=len(world.teams), seed=seed,
        reference_date=reference_date, transfer_date=transfer_date,
        messy_rows=tuple(messy_rows),
        design=dict(sorted(Counter(person.pathway for person in caseload).items())),
        demand=demand, capacity=_capacity(world.workers, transfer_date),
        without_coordinator=sum(1 for p in caseload if p.care_coordinator_id is None),
    )


def _check_arguments(people: int, staff: int, messy: bool) -> None:
    if not 1 <= people <= MAX_PEOPLE:
        raise TransitionError(f"--people must be between 1 and {MAX_PEOPLE:,}, not {people:,}.",
                              exit_code=EXIT_FAILED)
    if not 10 <= staff <= MAX_STAFF:
        raise TransitionError(f"--staff must be between 10 and {MAX_STAFF:,}, not {staff:,}.",
                              exit_code=EXIT_FAILED)
    if messy and people < MIN_MESSY_PEOPLE:
        raise TransitionError(
            f"Messy sample rows need at least {MIN_MESSY_PEOPLE} people; {people} asked for.",
            hint="Use a larger --people, or --clean.",
        )


def _demand(caseload: list[Person]) -> dict[str, int]:
    """Roles the design needs after the transition: council social workers, trust key workers."""
    return {
        "council": sum(1 for person in caseload if person.design in COUNCIL_ROLE_DESIGNS),
        "trust": sum(1 for person in caseload if person.design in TRUST_ROLE_DESIGNS),
    }


def _capacity(workers: list[Worker], on: date) -> dict[str, int]:
    room = {"council": 0, "trust": 0}
    for worker in workers:
        if worker.available_on(on):
            room[worker.employer] += worker.capacity
    return room


def _make_room(world: World, caseload: list[Person], demand: dict[str, int], on: date) -> None:
    """Raise caseload standards where the workforce is thin for the caseload.

    At the default scale the standards (25-30 per full-time care coordinator) already leave
    room; a run with many people per worker (100,000 people, 5,000 staff) scales every
    capacity of an employer by one factor so that a complete plan still exists, with
    :data:`CAPACITY_HEADROOM` to spare, and so that today's coordinators fit their caseloads.
    """
    holding = sum(1 for person in caseload if person.wants_coordinator) / 2
    for employer in ("council", "trust"):
        mine = [w for w in world.workers if w.employer == employer]
        available = sum(w.capacity for w in mine if w.available_on(on)) or 1
        # Today's coordinators: seconded workers (council) and trust workers, half each.
        holders = sum(w.capacity for w in mine if w.team.employer == "trust") or 1
        factor = max(1.0, CAPACITY_HEADROOM * demand[employer] / available,
                     CAPACITY_HEADROOM * holding / holders)
        if factor > 1.0:
            for worker in mine:
                worker.capacity = math.ceil(worker.capacity * factor)
