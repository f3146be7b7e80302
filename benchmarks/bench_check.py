"""The nightly check over 100,000 people, 5,000 workers and their tasks (SQLite). Target: under
10 s.

The caseload, staff and accepted allocation are bench_tasks' (Core inserts; 85% of roles change
worker), its ~460,000 tasks are generated once, and an accepted plan records the pathway each
person was planned for. Then drift is added: 60 workers leaving within the fortnight, 40 on
long-term absence, 1% of people missing from the latest export, 1% whose pathway changed
since the plan, 500 people with no worker (roles ended, no coordinator), 300 red-band people
whose handover moved within five working days, a tenth of tasks done. The seeded database is kept in
benchmarks/data/ and copied for each run.
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

from benchmarks.bench_tasks import AS_OF, DATA, TRANSFER, build, timed
from transition.check_runs import run_check
from transition.db import Database
from transition.eligibility import PathwayFacts, decide_pathway
from transition.models import (
    Assignment,
    CheckFinding,
    ImportBatch,
    Person,
    Plan,
    PlanAssignment,
    Staff,
    Task,
    utcnow,
)
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

SEED = DATA / "bench_check-seed.db"


def seed(rules) -> None:  # type: ignore[no-untyped-def]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SEED}{suffix}").unlink(missing_ok=True)
    database = Database(f"sqlite:///{SEED}")
    database.migrate()
    rng = random.Random(11)
    now = utcnow()
    timed("seed: caseload, staff, allocation", lambda: build(database))
    with database.transaction() as session:
        timed("seed: tasks generate", lambda: generate_tasks(
            session, rules, as_of=AS_OF, actor="bench", transfer_date=TRANSFER))
    with database.transaction() as session:
        batch = ImportBatch(kind="caseload", file_name="export.csv", file_sha256="0" * 64,
                            actor="bench", started_at=now - timedelta(days=200))
        session.add(batch)
        plan = Plan(status="accepted", kind="plan", created_by="bench", accepted_at=now,
                    accepted_by="bench", as_of=AS_OF, transfer_date=TRANSFER)
        session.add(plan)
        session.flush()
        facts = session.execute(select(
            Person.id, Person.care_act_outcomes, Person.significant_impact, Person.s117,
            Person.cto, Person.cpa, Person.cluster)).all()
        decided: dict[tuple[object, ...], str] = {}
        pathway_of: dict[int, str] = {}
        for person_id, *values in facts:
            key = (tuple(values[0] or ()), *values[1:])
            if key not in decided:
                decided[key] = decide_pathway(PathwayFacts.of(
                    care_act_outcomes=values[0], significant_impact=values[1], s117=values[2],
                    cto=values[3], cpa=values[4], cluster=values[5]), rules.eligibility
                ).pathway.value
            planned = decided[key]
            if rng.random() < 0.01:  # planned on a pathway the current rules no longer give
                planned = "signpost" if planned != "signpost" else "council"
            pathway_of[person_id] = planned
        rows = session.execute(select(Assignment.person_id, Assignment.role, Assignment.staff_id)
                               .where(Assignment.ended_at.is_(None))).all()  # type: ignore[union-attr]
        session.execute(insert(PlanAssignment), [
            {"plan_id": plan.id, "person_id": person_id, "role": role, "staff_id": staff_id,
             "pathway": pathway_of[person_id]} for person_id, role, staff_id in rows])
        session.execute(update(Assignment).values(plan_id=plan.id))
        staff = session.scalars(select(Staff.staff_id).order_by(Staff.staff_id)).all()
        chosen = rng.sample(staff, 100)
        session.execute(update(Staff), [
            {"staff_id": staff_id, "leaving_date": AS_OF + timedelta(days=rng.randint(1, 14))}
            for staff_id in chosen[:60]])
        session.execute(update(Staff), [
            {"staff_id": staff_id, "absent_until": AS_OF + timedelta(days=90)}
            for staff_id in chosen[60:]])
        people = session.scalars(select(Person.id).order_by(Person.id)).all()
        session.execute(update(Person), [
            {"id": person_id, "missing_since_batch_id": batch.id}
            for person_id in rng.sample(people, len(people) // 100)])
        no_worker = rng.sample([person_id for person_id, *_ in rows], 500)
        session.execute(update(Assignment).where(Assignment.person_id.in_(no_worker))  # type: ignore[attr-defined]
                        .values(ended_at=now, ended_by="bench"))
        session.execute(update(Person).where(Person.id.in_(no_worker))  # type: ignore[union-attr]
                        .values(care_coordinator_id=None))
        red = session.scalars(select(Person.id).where(Person.risk_band == "red")
                              .order_by(Person.id)).all()
        session.execute(update(Person), [  # moved forward: handover within 5 working days
            {"id": person_id, "handover_date": AS_OF + timedelta(days=2)}
            for person_id in rng.sample(red, 300)])
        tasks = session.scalars(select(Task.id)).all()
        session.execute(update(Task), [{"id": task_id, "status": "done"}
                                       for task_id in rng.sample(tasks, len(tasks) // 10)])
    database.dispose()


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    if not SEED.exists():
        seed(rules)
    path = DATA / "bench_check.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(SEED, path)
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        people = session.scalar(select(func.count()).select_from(Person))
        staff = session.scalar(select(func.count()).select_from(Staff))
        tasks = session.scalar(select(func.count()).select_from(Task))
    print(f"Check over {people:,} people, {staff:,} staff, {tasks:,} tasks "
          f"(SQLite, as of {AS_OF})")
    for label, as_of in (("a week before the transfer", AS_OF),
                         ("five weeks before the transfer", date(2027, 2, 22))):
        report, seconds = timed(f"transition check ({label})", lambda as_of=as_of: run_check(
            database, rules, as_of=as_of, actor="bench"))
        print(f"    {len(report.findings):,} findings: "
              + ", ".join(f"{code} {number:,}" for code, number in report.counts.items())
              + f"; stages {report.seconds}")
        print(f"    target under 10 s: {'met' if seconds < 10 else 'NOT met'}")
    started = time.perf_counter()
    report, _ = timed("transition check --apply (re-plan the affected people, draft)",
                      lambda: run_check(database, rules, as_of=AS_OF, actor="bench", apply=True))
    print(f"    {report.affected_people:,} people re-planned, {len(report.proposed_moves):,} "
          f"moves proposed, draft plan {report.plan_id} ({time.perf_counter() - started:.1f} s)")
    with database.session() as session:
        stored = session.scalar(select(func.count()).select_from(CheckFinding))
    print(f"    {stored:,} findings recorded over the three runs")
    database.dispose()
