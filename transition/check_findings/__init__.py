"""The checks, each a few set-based Core queries (no per-person ORM loading), and the
``--apply`` re-plan. Used through :mod:`transition.checks`.

Who holds a person (the same reading as :func:`transition.plan_review.current_caseloads`):
once a plan is accepted for them (``Person.allocated_plan_id``), the current ``Assignment`` of
each role, and no one else; before that, the trust's care coordinator, when that worker is on
the staff list (whatever their role: the plan moves the person to the right kind of worker)
and the export does not say their allocation ended before the check's day. People not in the
latest export are left to their own finding (``missing_from_export``) and are not checked for
anything else.

The package, one module per kind of finding, all sharing :mod:`.world` (the severities, the
``_World`` every check reads, the export and assignment filters, date helpers):

- :mod:`.people`: people and their roles (``unassigned``, ``red_without_handover``,
  ``cto_expiring``, ``missing_from_export``);
- :mod:`.tasks_letters`: tasks and letters (``overdue_task``, ``letter_out_of_date``,
  ``tasks_behind``);
- :mod:`.templates`: the council's own letter templates (``bad_letter_templates``,
  ``old_letter_template``), given the settings' ``letter_templates_dir``;
- :mod:`.workers`: workers (``worker_unavailable``, ``absent_at_handover``,
  ``over_capacity``, ``amhp_cover``);
- :mod:`.away_after`: a worker's long planned absence starting soon after people move to them
  (``away_after_handover``);
- :mod:`.pathways`: pathways (``planned_pathways``, ``pathway_changed``, ``not_assessed``);
- :mod:`.imports`: the data itself (``no_staff_list``, ``stale_import``, ``import_columns``);
- :mod:`.apply`: ``--apply``, re-planning the people affected as a draft (and discarding an
  earlier draft a check finds no one left to re-plan for).

This module runs them (:data:`CHECKS`, in the order the findings come out) and is where the
rest of ``transition`` imports them from.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from transition.check_findings.apply import (
    affected_people,
    discard_drafts,
    discard_if_nothing_to_replan,
    propose_moves,
)
from transition.check_findings.away_after import away_after_handover
from transition.check_findings.imports import import_columns, no_staff_list, stale_import
from transition.check_findings.pathways import not_assessed, pathway_changed, planned_pathways
from transition.check_findings.people import (
    cto_expiring,
    cto_without_s117,
    missing_from_export,
    red_without_handover,
    unassigned,
)
from transition.check_findings.tasks_letters import (
    letter_out_of_date,
    overdue_task,
    tasks_behind_allocation,
)
from transition.check_findings.templates import bad_letter_templates, old_letter_template
from transition.check_findings.workers import (
    absence_reason,
    absent_at_handover,
    amhp_cover,
    arriving_while_away,
    leaving_reason,
    over_capacity,
    worker_unavailable,
)
from transition.check_findings.world import CRITICAL, INFO, WARNING, Check, _World
from transition.checks import Finding, Progress

__all__ = [
    "CHECKS",
    "CRITICAL",
    "INFO",
    "WARNING",
    "Check",
    "Finding",
    "absence_reason",
    "absent_at_handover",
    "affected_people",
    "amhp_cover",
    "arriving_while_away",
    "away_after_handover",
    "bad_letter_templates",
    "cto_expiring",
    "cto_without_s117",
    "discard_drafts",
    "discard_if_nothing_to_replan",
    "find_all",
    "import_columns",
    "leaving_reason",
    "letter_out_of_date",
    "missing_from_export",
    "no_staff_list",
    "not_assessed",
    "old_letter_template",
    "over_capacity",
    "overdue_task",
    "pathway_changed",
    "planned_pathways",
    "propose_moves",
    "red_without_handover",
    "stale_import",
    "tasks_behind_allocation",
    "unassigned",
    "worker_unavailable",
]


def find_all(
    session: Session, rules: Any, *, as_of: date, progress: Progress | None = None,
    seconds: dict[str, float] | None = None, council: Any = None,
    templates_dir: Path | None = None,
) -> list[Finding]:
    """Every check's findings, in no particular order. ``council`` (the settings' details)
    also finds letters that print a council detail since corrected (an old crisis line);
    ``templates_dir`` (the settings' ``letter_templates_dir``), the council's own letter
    templates that stop ``letters generate`` or were written for an older version."""
    started = time.perf_counter()
    world = _World(session, rules, as_of, council, templates_dir)
    timings = seconds if seconds is not None else {}
    timings["read"] = round(time.perf_counter() - started, 3)
    findings: list[Finding] = []
    for done, (code, check) in enumerate(CHECKS.items(), start=1):
        began = time.perf_counter()
        findings.extend(check(world))
        timings[code] = round(time.perf_counter() - began, 3)
        if progress is not None:
            progress(done, len(CHECKS))
    return findings


CHECKS: dict[str, Check] = {
    "no_staff_list": no_staff_list,
    "unassigned": unassigned,
    "not_assessed": not_assessed,
    "worker_unavailable": worker_unavailable,
    "absent_at_handover": absent_at_handover,
    "away_after_handover": away_after_handover,
    "red_without_handover": red_without_handover,
    "cto_without_s117": cto_without_s117,
    "overdue_task": overdue_task,
    "cto_expiring": cto_expiring,
    "over_capacity": over_capacity,
    "amhp_cover": amhp_cover,
    "pathway_changed": pathway_changed,
    "missing_from_export": missing_from_export,
    "letter_out_of_date": letter_out_of_date,
    "bad_letter_templates": bad_letter_templates,
    "old_letter_template": old_letter_template,
    "tasks_behind": tasks_behind_allocation,
    "stale_import": stale_import,
    "import_columns": import_columns,
}
