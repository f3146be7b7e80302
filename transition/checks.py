"""Nightly reassignment checks: what drifted since the plan, and what to do about it.

:func:`run_checks` finds every problem a manager should act on (the finding codes in
:data:`CODES`), optionally re-plans the people it concerns as a *draft* (``apply=True``, never
accepted here), and records the run (``CheckRun`` + ``CheckFinding``). The findings themselves
are computed by :mod:`transition.check_findings` with set-based Core queries, so a check over
100,000 people takes seconds. Running it unattended, one at a time, is
:mod:`transition.check_runs`.

The work is split so a caller can keep the write lock short: :func:`collect_findings` only reads;
:func:`record_check` writes (the draft plan, the run and its findings). ``run_checks`` does both
in one session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, case, delete, func, insert, select
from sqlmodel import Session

from transition.errors import EXIT_FAILED, TransitionError
from transition.models import CheckFinding, CheckRun, Person, Severity, utcnow

Progress = Callable[[int, int], None]

CODES: dict[str, str] = {
    "no_staff_list": "No staff list imported",
    "unassigned": "No worker in a role the pathway needs",
    "not_assessed": "No pathway decided yet",
    "worker_unavailable": "Leaving or absent worker holds people/tasks",
    "absent_at_handover": "Worker away when people move to them",
    "away_after_handover": "New worker away or leaving soon after handover",
    "red_without_handover": "Red band, joint visit not done, handover close",
    "cto_without_s117": "On a CTO but s117 aftercare recorded no",
    "overdue_task": "Task past its due date",
    "cto_expiring": "CTO expires near the handover",
    "over_capacity": "Worker over capacity",
    "amhp_cover": "Council AMHP cover short after the transfer",
    "pathway_changed": "Pathway changed since the plan",
    "missing_from_export": "Not in the latest trust export",
    "letter_out_of_date": "Letter out of date",
    "bad_letter_templates": "Council letter templates cannot be used",
    "old_letter_template": "Old council template: wrong NHS worker phone",
    "tasks_behind": "Handover tasks behind the allocation",
    "stale_import": "Caseload export is old",
    "import_columns": "Latest export's columns need a look",
}
"""Every finding code, most urgent first, with a short title (report headings, the dashboard)."""

SEVERITIES: tuple[str, ...] = tuple(severity.value for severity in Severity)
SEVERITY_ORDER = {severity: position for position, severity in enumerate(SEVERITIES)}
CODE_ORDER = {code: position for position, code in enumerate(CODES)}

STATUS_COMPLETE = "complete"
STATUS_FAILED = "failed"


# Upper bounds for the thresholds counted forward from the check's day: a mistyped 5000000
# would run past the last date Python can hold and stop the nightly check.
MAX_DAYS = 3660  # ten years of calendar days
MAX_WORKING_DAYS = 260  # a year of working days, as task deadlines allow


class CheckRules(BaseModel):
    """The ``[checks]`` section of the rules file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stale_import_days: int = Field(
        default=7, ge=0,
        description="The latest caseload import is stale when older than this many days.")
    leaving_within_days: int = Field(
        default=14, ge=0, le=MAX_DAYS,
        description="A worker leaving within this many days who still holds people is flagged, "
        "and plans neither keep nor give anyone to them.")
    long_term_absence_days: int = Field(
        default=28, ge=1, le=MAX_DAYS,
        description="An absence is long-term when the worker is away at least this many more "
        "days.")
    red_handover_working_days: int = Field(
        default=5, ge=0, le=MAX_WORKING_DAYS,
        description="Red-band people whose handover is within this many working days (or past) "
        "need their joint visit done.")
    away_after_handover_working_days: int = Field(
        default=20, ge=0, le=MAX_WORKING_DAYS,
        description="A person moving to a worker who leaves, or whose long-term planned absence "
        "starts, within this many working days after the handover is flagged: a second change "
        "of worker.")
    cto_expiry_window_days: int = Field(
        default=28, ge=0,
        description="A Community Treatment Order expiring within this many days of the "
        "person's handover (before or after it), or already expired, is flagged.")
    handover_visit_task: str = Field(
        default="joint_visit", min_length=1,
        description="The task key of the joint handover visit (see [tasks.templates]).")
    amhp_roles: list[str] = Field(
        default_factory=lambda: ["amhp"], min_length=1,
        description="Staff-list roles that are Approved Mental Health Professionals.")
    amhp_cover_fte: float | None = Field(
        default=None, gt=0,
        description="The AMHP whole-time equivalent the council's 24/7 AMHP service needs; "
        "unset, the AMHP FTE on the rota today (every employer) is the yardstick.")
    keep_findings_runs: int = Field(
        default=30, ge=1, le=3650,
        description="The findings of this many latest check runs are kept; an older run keeps "
        "its counts in `transition check history` and its findings are removed (a run near "
        "the transfer can hold 200,000, and only the latest run's are ever shown).")


# ---------------------------------------------------------------------------------------------
# What a check finds
# ---------------------------------------------------------------------------------------------


NHS_NUMBER_IN_ADVICE = "NHS_NUMBER"
"""What a finding's advice writes for its person's NHS number in a command (`transition plan
candidates NHS_NUMBER ...`): the message is stored and mailed as it is, and the number is a
field of its own. :func:`advice_for` puts the number in where it is shown in full."""


def advice_for(message: str, nhs_number: str | None) -> str:
    """``message`` with its commands written for the finding's own person: each
    :data:`NHS_NUMBER_IN_ADVICE` replaced by their NHS number (ten digits, as a command takes it).

    Only for output that shows NHS numbers in full (a terminal, the app, the Markdown report).
    Where numbers are masked (``transition check`` off a terminal: cron mails it) the message is
    left as it is: a command holding a masked number would look runnable and is not, so it keeps
    the placeholder, and the output says where the full numbers are. A finding about a worker
    and many people (no ``nhs_number``) keeps it too: it stands for each of them."""
    if not nhs_number or NHS_NUMBER_IN_ADVICE not in message:
        return message
    return message.replace(NHS_NUMBER_IN_ADVICE, nhs_number)


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to build 200,000 of
class Finding:
    """One thing a manager should act on. ``message`` never names the person (the NHS number
    is a field of its own, and commands in the advice say :data:`NHS_NUMBER_IN_ADVICE`), so
    stored findings and logs carry no names."""

    code: str
    severity: str
    message: str
    person_id: int | None = None
    nhs_number: str | None = None
    staff_id: str | None = None
    task_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "severity": self.severity}
        if self.nhs_number is not None:
            data["nhs_number"] = self.nhs_number
        if self.staff_id is not None:
            data["staff_id"] = self.staff_id
        data["message"] = self.message
        return data

    def sort_key(self) -> tuple[Any, ...]:
        return (SEVERITY_ORDER.get(self.severity, 9), CODE_ORDER.get(self.code, 99),
                self.nhs_number or "", self.staff_id or "", self.task_id or 0)


@dataclass
class CheckReport:
    """One check: its findings (most urgent first), counts, and the draft it proposed."""

    as_of: date
    findings: list[Finding]
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    run_id: int | None = None
    plan_id: int | None = None
    proposed_moves: list[dict[str, Any]] = field(default_factory=list)
    affected_people: int = 0
    # Earlier --apply drafts this check discarded (it re-planned no one) or replaced.
    discarded_plans: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per code, every code listed (0 when none)."""
        found = Counter(finding.code for finding in self.findings)
        return {code: found[code] for code in CODES}

    @property
    def severity_counts(self) -> dict[str, int]:
        found = Counter(finding.severity for finding in self.findings)
        return {severity: found[severity] for severity in SEVERITIES}

    @property
    def critical(self) -> int:
        return self.severity_counts[Severity.CRITICAL]

    @property
    def exit_code(self) -> int:
        """0 nothing critical; 1 critical findings (2, could not run, is an exception)."""
        return 1 if self.critical else 0

    def to_json(self) -> dict[str, Any]:
        """The ``transition check --json`` document (the issue's shape, exactly)."""
        return {
            "as_of": self.as_of,
            "findings": [finding.to_json() for finding in self.findings],
            "counts": self.counts,
            "proposed_moves": self.proposed_moves,
        }


# ---------------------------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------------------------


def collect_findings(
    session: Session, rules: Any, *, as_of: date, progress: Progress | None = None,
    council: Any = None, templates_dir: Path | None = None,
) -> CheckReport:
    """Every finding as of ``as_of`` (reads only); ``council``: the settings' details, for
    letters printing one since corrected; ``templates_dir``: the settings'
    ``letter_templates_dir``, the council's own letter templates (None: nothing to check)."""
    from transition.check_findings import find_all  # the queries import this module's types

    report = CheckReport(as_of=as_of, findings=[])
    report.findings = find_all(session, rules, as_of=as_of, progress=progress,
                               seconds=report.seconds, council=council,
                               templates_dir=templates_dir)
    report.findings.sort(key=Finding.sort_key)
    return report


def record_check(
    session: Session, rules: Any, report: CheckReport, *, actor: str, apply: bool = False,
    rebalance: bool = False,
) -> CheckReport:
    """With ``apply``, re-plan the people the ``unassigned``, ``worker_unavailable`` and
    ``absent_at_handover`` findings concern (and, with ``rebalance``, the people of
    ``over_capacity`` workers) as a draft; then record the run and its findings.

    An earlier ``--apply`` draft still waiting is replaced by the new one; when this check
    finds no one to re-plan (with or without ``apply``) it is discarded, with a note."""
    from transition.check_findings import discard_if_nothing_to_replan, propose_moves

    if apply or rebalance:
        try:
            propose_moves(session, rules, report, actor=actor, rebalance=rebalance)
        except TransitionError as exc:  # e.g. no transfer date: the findings still stand
            report.notes.append(f"Nothing was re-planned: {exc.message} {exc.hint or ''}".strip())
    else:
        discard_if_nothing_to_replan(session, report)
    report.finished_at = utcnow()
    run = CheckRun(
        started_at=report.started_at, finished_at=report.finished_at, as_of=report.as_of,
        actor=actor, status=STATUS_COMPLETE, exit_code=report.exit_code, counts=report.counts,
        plan_id=report.plan_id,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    report.run_id = run.id
    rows = [
        {"run_id": run.id, "code": finding.code, "severity": finding.severity,
         "person_id": finding.person_id, "staff_id": finding.staff_id,
         "task_id": finding.task_id, "message": finding.message[:1000]}
        for finding in report.findings
    ]
    _insert_findings(session, rows)
    checks = getattr(rules, "checks", rules)
    keep = getattr(checks, "keep_findings_runs", None)
    if keep is not None and (removed := prune_findings(session, keep=keep)):
        report.notes.append(
            f"Removed the {removed:,} findings of runs older than the latest {keep:,} "
            "([checks] keep_findings_runs); their counts stay in transition check history.")
    return report


def prune_findings(session: Session, *, keep: int) -> int:
    """Delete the findings of every run but the latest ``keep`` (by run id, the newest
    recorded last); the runs themselves, with their counts, stay. Returns how many went."""
    kept = select(CheckRun.id).order_by(CheckRun.id.desc()).limit(keep)  # type: ignore[union-attr]
    oldest_kept = session.scalar(select(func.min(kept.subquery().c.id)))
    if oldest_kept is None:
        return 0
    result = session.execute(
        delete(CheckFinding).where(CheckFinding.run_id < oldest_kept)  # type: ignore[arg-type]
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _insert_findings(session: Session, rows: list[dict[str, Any]]) -> None:
    """The findings in one compiled INSERT handed to the driver's executemany: a check a
    week before the transfer can find 200,000 overdue tasks, and SQLAlchemy's per-row
    parameter handling would cost more than the rows."""
    if not rows:
        return
    connection = session.connection()
    compiled = insert(CheckFinding).values(
        {name: bindparam(name) for name in rows[0]}).compile(dialect=connection.dialect)
    keys = compiled.positiontup
    parameters: list[Any] = [tuple(row[key] for key in keys) for row in rows] if keys else rows
    for start in range(0, len(parameters), 20_000):
        connection.exec_driver_sql(str(compiled), parameters[start:start + 20_000])


def run_checks(
    session: Session,
    rules: Any,
    *,
    as_of: date,
    actor: str,
    apply: bool = False,
    rebalance: bool = False,
    progress: Progress | None = None,
    council: Any = None,
    templates_dir: Path | None = None,
) -> CheckReport:
    """Find every problem, optionally propose a draft re-plan, and record the run."""
    report = collect_findings(session, rules, as_of=as_of, progress=progress, council=council,
                              templates_dir=templates_dir)
    return record_check(session, rules, report, actor=actor, apply=apply, rebalance=rebalance)


def record_failed_run(session: Session, *, as_of: date, actor: str, started_at: datetime) -> int:
    """Record a check that could not finish (exit status 2), so every run is in the history."""
    run = CheckRun(started_at=started_at, finished_at=utcnow(), as_of=as_of, actor=actor,
                   status=STATUS_FAILED, exit_code=2, counts=None)
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


# ---------------------------------------------------------------------------------------------
# Looking back
# ---------------------------------------------------------------------------------------------


def check_history(session: Session, limit: int | None = 20) -> list[CheckRun]:
    """Past runs, newest first."""
    statement = select(CheckRun).order_by(CheckRun.id.desc())  # type: ignore[union-attr]
    if limit:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def run_summary(run: CheckRun) -> dict[str, Any]:
    """One run as ``transition check history --json`` prints it (``report_path`` null when no
    report file was written)."""
    return {
        "run_id": run.id, "status": run.status, "as_of": run.as_of, "actor": run.actor,
        "started_at": run.started_at, "finished_at": run.finished_at,
        "exit_code": run.exit_code, "counts": run.counts or {}, "plan_id": run.plan_id,
        "report_path": run.report_path,
    }


def report_not_written(run: CheckRun) -> bool:
    """The run finished but its ``--report FILE`` could not be written: the command then exits
    2, and records that exit status on a run that is otherwise complete (a run that could not
    finish is ``failed``), with no report path."""
    return (run.status == STATUS_COMPLETE and run.exit_code == EXIT_FAILED
            and run.report_path is None)


def latest_run(session: Session) -> CheckRun | None:
    """The newest check that finished (the dashboard shows its findings)."""
    return session.scalars(
        select(CheckRun).where(CheckRun.status == STATUS_COMPLETE)
        .order_by(CheckRun.id.desc()).limit(1)  # type: ignore[union-attr]
    ).first()


@dataclass(frozen=True, slots=True)
class StoredFinding:
    """A finding as recorded, with the person's NHS number and name (for screens)."""

    finding_id: int
    code: str
    severity: str
    message: str
    person_id: int | None
    nhs_number: str | None
    staff_id: str | None
    task_id: int | None
    person_name: str | None = None  # "Given Family", for screens; never logged


def run_findings(
    session: Session, run_id: int, *, code: str | None = None, staff_id: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[StoredFinding]:
    """A recorded run's findings, most urgent first (critical, then by code), at most
    ``limit`` of them from ``offset``: ordered and cut in the database, as a run a week
    before the transfer can hold 200,000 findings and a screen shows a page at a time."""
    severity_rank = case({severity: rank for rank, severity in enumerate(SEVERITIES)},
                         value=CheckFinding.severity, else_=len(SEVERITIES))
    code_rank = case({name: rank for rank, name in enumerate(CODES)},
                     value=CheckFinding.code, else_=len(CODES))
    statement = (
        select(CheckFinding.id, CheckFinding.code, CheckFinding.severity, CheckFinding.message,
               CheckFinding.person_id, Person.nhs_number, CheckFinding.staff_id,
               CheckFinding.task_id, Person.given_name, Person.family_name)
        .outerjoin(Person, Person.id == CheckFinding.person_id)
        .where(*_finding_filter(run_id, code, staff_id))
        .order_by(severity_rank, code_rank, CheckFinding.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    if offset:
        statement = statement.offset(offset)
    return [StoredFinding(*row[:8], person_name=" ".join(filter(None, row[8:])) or None)
            for row in session.execute(statement)]


def count_findings(session: Session, run_id: int, *, code: str | None = None,
                   staff_id: str | None = None) -> int:
    """How many findings :func:`run_findings` would list without a limit."""
    return int(session.scalar(select(func.count()).select_from(CheckFinding)
                              .where(*_finding_filter(run_id, code, staff_id))) or 0)


def _finding_filter(run_id: int, code: str | None, staff_id: str | None) -> list[Any]:
    conditions: list[Any] = [CheckFinding.run_id == run_id]
    if code is not None:
        conditions.append(CheckFinding.code == code)
    if staff_id is not None:
        conditions.append(CheckFinding.staff_id == staff_id)
    return conditions


def run_counts(session: Session, run_id: int) -> dict[tuple[str, str], int]:
    """(code, severity) -> findings in a recorded run."""
    statement = (
        select(CheckFinding.code, CheckFinding.severity, func.count())
        .where(CheckFinding.run_id == run_id)
        .group_by(CheckFinding.code, CheckFinding.severity)
    )
    return {(code, severity): int(number) for code, severity, number in session.execute(statement)}


@dataclass(frozen=True, slots=True)
class HeldPerson:
    """A person a worker holds now (a role accepted, or as the trust's coordinator)."""

    person_id: int
    nhs_number: str
    given_name: str
    family_name: str
    role: str | None  # None: held as the trust's care coordinator (no plan accepted yet)
    risk_band: str | None


def people_held(session: Session, staff_id: str, as_of: date) -> list[HeldPerson]:
    """Who a worker holds on ``as_of``, the same reading as the checks' caseload counts
    (:func:`transition.plan_review.current_caseloads`)."""
    from transition.models import Assignment
    from transition.plan_review import held_by_coordinator

    current = Assignment.ended_at.is_(None)  # type: ignore[union-attr]
    columns = (Person.id, Person.nhs_number, Person.given_name, Person.family_name)
    accepted = session.execute(
        select(*columns, Assignment.role, Person.risk_band)
        .join(Assignment, Assignment.person_id == Person.id)
        .where(Assignment.staff_id == staff_id, current)
        .order_by(Person.family_name, Person.given_name, Person.id)
    ).all()
    coordinated = session.execute(
        select(*columns, Person.risk_band)
        .where(Person.care_coordinator_id == staff_id, *held_by_coordinator(as_of))
        .order_by(Person.family_name, Person.given_name, Person.id)
    ).all()
    return ([HeldPerson(*row) for row in accepted]
            + [HeldPerson(pid, number, given, family, None, band)
               for pid, number, given, family, band in coordinated])
