"""The whole programme at a glance: the dashboard's numbers in one read, for
``transition status`` (a weekly line to a director, a cron e-mail, a script's health check).

Each part comes from the function its own screen uses, so the numbers always agree with the
app: :func:`transition.overview.overview` (caseload and imports), the pathway and band counts,
:func:`transition.allocation_status.allocation_status`, :func:`transition.tasks.task_progress`
the latest recorded check, and :func:`transition.amhp.amhp_cover` (as the nightly check's
``amhp_cover`` reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from transition.allocation_status import AllocationStatus, allocation_status, unfilled_in_words
from transition.amhp import AmhpCover, amhp_cover
from transition.assessment import band_counts, pathway_counts, unassessed_count
from transition.checks import CheckRules, latest_run, run_counts
from transition.models import CheckRun
from transition.overview import Overview, overview
from transition.programme import get_programme
from transition.tasks import Countdown, TaskProgress, task_progress, transfer_countdown
from transition.widgets.format import uk_date


@dataclass(frozen=True)
class AtAGlance:
    today: date
    programme_name: str
    countdown: Countdown
    caseload: Overview
    pathways: dict[str, int]
    bands: dict[str, int]
    unassessed: int
    allocation: AllocationStatus
    tasks: TaskProgress
    last_check: CheckRun | None
    check_severities: dict[str, int]  # the latest check's findings by severity
    amhp: AmhpCover | None = None  # None: no AMHPs on the staff list and no needed FTE

    @property
    def next_steps(self) -> list[str]:
        """What setting the programme up still needs, in the order to do it: the transfer
        date, the staff list, the trust's caseload export (empty once all three are in)."""
        steps = []
        if self.countdown.transfer_date is None:
            steps.append(f"set the transfer date: {SET_TRANSFER_DATE}")
        staff_import = self.caseload.latest_imports.get("staff")
        if self.caseload.staff == 0:
            steps.append(f"import the staff list: {IMPORT_STAFF}" if staff_import is None
                         else _imported_no_one("staff", staff_import.file_name))
        if self.caseload.people == 0:
            steps.append(_caseload_step(self.caseload))
        return steps

    @property
    def attention(self) -> list[str]:
        """What needs a manager now, in words (empty: nothing urgent)."""
        said = []
        if self.countdown.transfer_date is None:
            said.append("no transfer date is set")
        elif self.caseload.people == 0:
            # The first step after the transfer date: a status (a cron e-mail) about a
            # caseload it has never seen must not read as all well.
            said.append(_nothing_imported(self.caseload))
        transfer = self.countdown.transfer_date
        if (transfer is not None and self.today >= transfer and self.allocation.accepted is None
                and self.allocation.waiting):
            # The seconded workers are going or gone: the trust's coordinators holding people
            # "until a plan is accepted" is no longer an answer a cron e-mail may pass over.
            said.append(f"the transfer date ({uk_date(transfer)}) has come and no plan is "
                        f"accepted: {self.allocation.waiting:,} "
                        f"{'person waits' if self.allocation.waiting == 1 else 'people wait'}"
                        " for one (transition plan status)")
        if self.allocation.needs_a_worker:
            said.append(f"{self.allocation.needs_a_worker:,} "
                        f"{'person has' if self.allocation.needs_a_worker == 1 else 'people have'}"
                        f" no worker in a role they need: {unfilled_in_words(self.allocation)} "
                        "(transition people --needs-worker)")
        if self.tasks.overdue:
            said.append(f"{self.tasks.overdue:,} overdue "
                        f"{'task' if self.tasks.overdue == 1 else 'tasks'} "
                        "(transition tasks list --overdue)")
        if self.check_severities.get("critical"):
            said.append(f"the last check found {self.check_severities['critical']:,} critical "
                        "(transition check history)")
        return said

    def to_json(self) -> dict[str, Any]:
        imports = {
            kind: None if batch is None else {
                "file": batch.file_name, "imported_at": batch.started_at.isoformat(),
                "rows": batch.rows, "rejected": batch.rejected,
                "column_notes": list(batch.column_notes)}
            for kind, batch in self.caseload.latest_imports.items()}
        run = self.last_check
        return {
            "as_of": self.today.isoformat(),
            "programme": {"name": self.programme_name, **self.countdown.as_dict()},
            "caseload": {
                "people": self.caseload.people, "staff": self.caseload.staff,
                "not_in_latest_export": self.caseload.missing_from_latest,
                "no_care_coordinator": self.caseload.no_coordinator,
                "coordinator_not_in_staff_list": self.caseload.unknown_coordinator,
                "coordinator_allocation_ended": self.caseload.ended_coordinator,
                "latest_imports": imports,
            },
            "pathways": self.pathways,
            "risk_bands": self.bands,
            "not_assessed": self.unassessed,
            "allocation": self.allocation.to_json(),
            "tasks": self.tasks.as_dict(),
            "last_check": None if run is None else {
                "run_id": run.id, "as_of": run.as_of.isoformat() if run.as_of else None,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "findings": self.check_severities, "plan_id": run.plan_id},
            "amhp_cover": None if self.amhp is None else self.amhp.to_json(),
            "attention": self.attention,
            "next_steps": self.next_steps,
        }


SET_TRANSFER_DATE = "transition programme set --transfer-date DATE"
IMPORT_STAFF = "transition import staff FILE"
IMPORT_CASELOAD = "transition import caseload FILE"


def _imported_no_one(kind: str, file_name: str) -> str:
    return (f"the latest {kind} import ({file_name}) imported no one: transition import "
            "history says why; correct the file and import it again")


def _caseload_step(caseload: Overview) -> str:
    batch = caseload.latest_imports.get("caseload")
    if batch is None:
        return f"import the trust's caseload export: {IMPORT_CASELOAD}"
    return _imported_no_one("caseload", batch.file_name)


def _nothing_imported(caseload: Overview) -> str:
    """What to import first, when no one is on the caseload."""
    if caseload.latest_imports.get("caseload") is not None:
        return _caseload_step(caseload)
    if caseload.staff == 0 and caseload.latest_imports.get("staff") is None:
        return (f"nothing has been imported yet: import the staff list ({IMPORT_STAFF}), then "
                f"the trust's caseload export ({IMPORT_CASELOAD})")
    return ("no caseload has been imported yet: import the trust's caseload export "
            f"({IMPORT_CASELOAD})")


def at_a_glance(session: Session, *, today: date,
                checks: CheckRules | None = None) -> AtAGlance:
    """``checks`` (the rules file's) says who is an AMHP and the cover the service needs."""
    programme = get_programme(session)
    checks = checks or CheckRules()
    cover = amhp_cover(session, today=today, transfer=programme.transfer_date,
                       roles=checks.amhp_roles, needed_fte=checks.amhp_cover_fte)
    run = latest_run(session)
    severities: dict[str, int] = {"critical": 0, "warning": 0, "info": 0}
    if run is not None and run.id is not None:
        for (_code, severity), number in run_counts(session, run.id).items():
            severities[severity] = severities.get(severity, 0) + number
    return AtAGlance(
        today=today,
        programme_name=programme.name,
        countdown=transfer_countdown(programme.transfer_date, as_of=today),
        caseload=overview(session, today=today),
        pathways=pathway_counts(session),
        bands=band_counts(session),
        unassessed=unassessed_count(session),
        allocation=allocation_status(session, today),
        tasks=task_progress(session, as_of=today),
        last_check=run,
        check_severities=severities,
        amhp=cover if cover.listed else None,
    )
