"""Letters at scale: 1,000 people x (person + GP letters) in DOCX and in PDF (target under 60 s).

Builds a throwaway SQLite database with 1,000 people whose accepted worker replaces the trust's
coordinator (a mix of large-print and easy-read needs, accented names), then times
``generate_letters`` for DOCX, for PDF, and a second PDF run that should write nothing.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import insert

from transition import nhs
from transition.allocation import NewAssignment, set_assignments
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import generate_letters
from transition.models import Locality, Person, Staff, Team
from transition.programme import set_transfer_date

PEOPLE = 1000
WORKERS = 50
TODAY = date(2027, 1, 15)
NAMES = ("Zoë", "Siân", "Łukasz", "Ștefan", "Nguyễn", "Aoife", "Sam", "Priya", "Olamide", "Ελένη")


def _build(database: Database) -> None:
    with database.transaction() as session:
        set_transfer_date(session, date(2027, 4, 1), actor="bench")
        session.add(Locality(name="North"))
        session.flush()
        session.add(Team(name="North CMHT", locality="North", employer="trust"))
        session.flush()
        staff = [
            {"staff_id": f"S{i:03d}", "given_name": NAMES[i % len(NAMES)], "family_name": f"Worker{i}",
             "employer": "council" if i % 5 else "trust", "role": "social_worker" if i % 5 else "nurse",
             "team": "North CMHT", "locality": "North", "capacity": 40, "seconded": i < 10,
             "phone": f"01234 5{i:05d}", "email": f"s{i}@westshire.example", "content_hash": "x"}
            for i in range(WORKERS + 10)
        ]
        session.execute(insert(Staff), staff)
        numbers = (nhs.complete(f"999{serial:06d}") for serial in range(10 * PEOPLE))
        valid = [number for number in numbers if number][:PEOPLE]
        needs = (None, None, None, None, None, None, None, "large_print", "easy_read", None)
        people = [
            {"nhs_number": number, "local_id": f"B{i:06d}", "given_name": NAMES[i % len(NAMES)],
             "family_name": f"Person{i}", "date_of_birth": date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
             "address": f"{i} Example Street, Westhaven", "postcode": "WX1 2AB", "team": "North CMHT",
             "locality": "North", "care_coordinator_id": f"S{i % 10:03d}", "pathway": "council",
             "gp_practice": "Y00001", "gp_practice_name": "Example Surgery",
             "gp_address": "2 Surgery Lane, Westhaven WX1 3CD", "s117": i % 7 == 0, "cto": i % 11 == 0,
             "personal_budget": i % 4 == 0, "accessible_format": needs[i % len(needs)],
             "content_hash": "x"}
            for i, number in enumerate(valid)
        ]
        ids = list(session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people))
        set_assignments(
            session,
            [NewAssignment(pid, "social_worker", f"S{10 + i % WORKERS:03d}", date(2027, 4, 1))
             for i, pid in enumerate(ids)],
            actor="bench",
        )


def _run(database: Database, out: Path, fmt: str) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of this process, letters written, letters unchanged)."""
    started, cpu = time.perf_counter(), time.process_time()
    with database.transaction() as session:
        result = generate_letters(session, council=CouncilDetails(), out_dir=out, as_of=TODAY,
                                  actor="bench", kinds=["person", "gp"], fmt=fmt)
    return (time.perf_counter() - started, time.process_time() - cpu, len(result.written),
            len(result.unchanged))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database = Database(f"sqlite:///{root / 'bench.db'}")
        database.migrate()
        started = time.perf_counter()
        _build(database)
        print(f"setup: {PEOPLE} people with a new worker in {time.perf_counter() - started:.1f} s", flush=True)
        total = total_cpu = 0.0
        for fmt in ("docx", "pdf"):
            seconds, cpu, written, _ = _run(database, root / "letters", fmt)
            total, total_cpu = total + seconds, total_cpu + cpu
            print(f"{fmt}: {written} letters in {seconds:.1f} s wall, {cpu:.1f} s CPU "
                  f"({1000 * seconds / written:.1f} ms each)", flush=True)
        print(f"docx + pdf: {total:.1f} s wall, {total_cpu:.1f} s CPU (target under 60 s)",
              flush=True)
        seconds, cpu, written, unchanged = _run(database, root / "letters", "pdf")
        print(f"pdf again: {written} written, {unchanged} unchanged in {seconds:.1f} s wall, "
              f"{cpu:.1f} s CPU", flush=True)
        database.dispose()


if __name__ == "__main__":
    main()
