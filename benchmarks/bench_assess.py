"""Pathway and handover-risk assessment for 100,000 people, reading and writing SQLite.

Target: under 5 s for ``refresh_assessments`` over 100,000 people, database read and write
included. The caseload is synthetic (999-range NHS numbers, invented everything), inserted
directly with SQLAlchemy Core so this benchmark does not depend on the importer or generator.

Timed runs, each in its own transaction:
1. first assessment: every pathway is new, so every person is written and audited;
2. the same again: everyone rewritten (``only_changed=False``), no pathway changes;
3. ``only_changed`` with nothing changed: read, evaluate, write nobody;
4. ``only_changed`` a week later: only people whose date windows moved are written.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from transition import nhs
from transition.assessment import refresh_assessments
from transition.db import Database
from transition.models import CARE_ACT_OUTCOMES, AuditEvent, Locality, Person, Staff, Team
from transition.ruleset import load_rules

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
STAFF = 2000
AS_OF = date(2027, 1, 15)
DATA = Path(__file__).parent / "data"
TEAMS = [f"{area} CMHT" for area in ("North", "South", "East", "West", "Central")]


def synthetic_people(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    serial = 0
    while len(rows) < count:
        number = nhs.complete(f"999{serial:06d}")
        serial += 1
        if number is None:
            continue
        team = rng.choice(TEAMS)
        assessed = rng.random() < 0.85
        outcomes = (
            rng.sample(CARE_ACT_OUTCOMES, rng.choice([0, 0, 1, 2, 2, 3, 4])) if assessed else None
        )

        def days_ago(low: int, high: int) -> date:
            return AS_OF - timedelta(days=rng.randrange(low, high))

        # Rough rates for a community mental-health caseload (invented, for timing only).
        discharge = rng.random()
        contact = rng.random()
        values: dict[str, Any] = {
            "nhs_number": number,
            "given_name": "Sam",
            "family_name": f"Example{len(rows)}",
            "date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randrange(20000)),
            "team": team,
            "locality": team.split()[0],
            "care_coordinator_id": f"S{rng.randrange(STAFF + 50):05d}"
            if rng.random() < 0.97
            else None,
            "cpa": rng.random() < 0.4,
            "cluster": rng.randrange(22) if rng.random() < 0.8 else None,
            "s117": rng.random() < 0.12,
            "cto": rng.random() < 0.04,
            "safeguarding_open": rng.random() < 0.05,
            "last_contact": None
            if contact < 0.03
            else days_ago(0, 56)
            if contact < 0.88
            else days_ago(57, 300),
            "last_discharge": days_ago(0, 15)
            if discharge < 0.015
            else days_ago(15, 92)
            if discharge < 0.07
            else days_ago(92, 700)
            if discharge < 0.2
            else None,
            "admissions_12m": rng.choices([0, 1, 2, 3], weights=[85, 11, 3, 1])[0],
            "missed_appointments_6m": rng.choices([0, 1, 2, 3, 5], weights=[60, 20, 10, 6, 4])[0],
            "self_harm_history": rng.random() < 0.35,
            "substance_misuse": rng.random() < 0.25,
            "lives_alone": rng.random() < 0.4,
            "personal_budget": rng.random() < 0.1,
            "interpreter_language": "Polish" if rng.random() < 0.04 else None,
            "accessible_format": "large_print" if rng.random() < 0.03 else None,
            "care_act_outcomes": outcomes,
            "significant_impact": (rng.random() < 0.7) if outcomes and len(outcomes) >= 2 else None,
            "coordinator_since": days_ago(0, 1500) if rng.random() < 0.9 else None,
            "content_hash": hashlib.sha256(number.encode()).hexdigest(),
            "version": 1,
        }
        rows.append(values)
    return rows


def synthetic_staff(seed: int = 4) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "staff_id": f"S{i:05d}",
            "given_name": "Jo",
            "family_name": f"Worker{i}",
            "employer": rng.choice(["council", "trust"]),
            "role": "social_worker",
            "team": rng.choice(TEAMS),
            "seconded": rng.random() < 0.3,
            "leaving_date": AS_OF + timedelta(days=rng.randrange(-30, 200))
            if rng.random() < 0.1
            else None,
            "absent_until": AS_OF + timedelta(days=rng.randrange(1, 60))
            if rng.random() < 0.03
            else None,
            "content_hash": "x",
            "version": 1,
        }
        for i in range(STAFF)
    ]


def build(path: Path) -> Database:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.transaction() as session:
        session.execute(insert(Locality), [{"name": team.split()[0]} for team in TEAMS])
        session.execute(
            insert(Team), [{"name": team, "locality": team.split()[0]} for team in TEAMS]
        )
        session.execute(insert(Staff), synthetic_staff())
        session.execute(insert(Person), synthetic_people(PEOPLE))
    return database


def timed(label: str, database: Database, **options: Any) -> float:
    """Run one refresh in its own transaction; print wall and CPU time; return wall seconds."""
    rules = load_rules()
    start, cpu = time.perf_counter(), time.process_time()
    with database.transaction() as session:
        summary = refresh_assessments(session, rules, actor="bench", **options)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label:<46} {seconds:6.2f} s wall {cpu:6.2f} s CPU  (written {summary.evaluated:,}, "
        f"pathway changes {summary.changed_pathways:,})",
        flush=True,
    )
    return seconds


def main() -> None:
    DATA.mkdir(exist_ok=True)
    seed = DATA / f"assess-seed-{PEOPLE}.db"
    if not seed.exists():
        start = time.perf_counter()
        build(seed).dispose()
        print(
            f"seeded {PEOPLE:,} people and {STAFF:,} staff (Core inserts, reused next time) "
            f"in {time.perf_counter() - start:.2f} s",
            flush=True,
        )
    else:
        # A seed made before a schema change is brought up to date once (not timed).
        seeded = Database(f"sqlite:///{seed}")
        seeded.migrate()
        seeded.dispose()
    path = DATA / "assess.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(seed, path)
    # The copy is flushed to disk before the clock starts: otherwise the first assessment's
    # commit (SQLite's fsync) waits for the 40 MB copy to be written out too.
    with path.open("rb+") as copied:
        os.fsync(copied.fileno())
    database = Database(f"sqlite:///{path}")
    first = timed("1. first assessment (all written and audited)", database, as_of=AS_OF)
    timed("2. full re-assessment, nothing changed", database, as_of=AS_OF)
    timed("3. only_changed, nothing changed", database, as_of=AS_OF, only_changed=True)
    timed(
        "4. only_changed, a week later",
        database,
        as_of=AS_OF + timedelta(days=7),
        only_changed=True,
    )
    with database.session() as session:
        bands = dict(
            session.execute(select(Person.risk_band, func.count()).group_by(Person.risk_band)).all()
        )
        pathways = dict(
            session.execute(select(Person.pathway, func.count()).group_by(Person.pathway)).all()
        )
        audited = session.scalar(select(func.count()).select_from(AuditEvent))
    print(f"pathways {pathways}")
    print(f"bands {bands}; audit rows {audited:,}")
    verdict = "met" if first < 5 else "NOT met"
    print(f"target: first assessment under 5 s wall: {verdict} ({first:.2f} s)")
    database.dispose()
