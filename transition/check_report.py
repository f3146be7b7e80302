"""The check's morning report as Markdown (``transition check --report FILE``), and saving it.

The report holds NHS numbers (a deliberate output for the manager), so it is written 0600 in a
0700 folder. A FILE ending ``.json`` gets the ``--json`` document instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from transition.allocation_status import AllocationStatus, plan_sentences, status_lines
from transition.checks import CODES, SEVERITIES, CheckReport, advice_for
from transition.db import json_default
from transition.files import write_private_text
from transition.nhs import format_334
from transition.widgets.format import plural


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def moves_in_words(report: CheckReport) -> str:
    """What an ``--apply`` re-plan proposes, counted: '3 moves proposed, 2 roles no one can
    take' (a role no one can take is listed with the moves, with why)."""
    moves = sum(1 for move in report.proposed_moves if move["to_staff_id"] is not None)
    stuck = len(report.proposed_moves) - moves
    said = f"{plural(moves, 'move')} proposed"
    return said + (f", {plural(stuck, 'role')} no one can take" if stuck else "")


def allocation_section(status: AllocationStatus) -> list[str]:
    """Where the allocation stands (``transition plan status``), as Markdown lines."""
    lines = ["## Where the allocation stands", ""]
    for sentence in plan_sentences(status):
        lines += [sentence, ""]
    lines += ["| Count | |", "| ---: | --- |"]
    lines += [f"| {line.value:,} | {line.label} |" for line in status_lines(status)]
    if status.needs_a_worker:
        lines += ["", ("`transition people --needs-worker` lists the people with no worker in "
                       "a role they need.")]
    return [*lines, ""]


def markdown_report(report: CheckReport, status: AllocationStatus | None = None) -> str:
    """The whole report: summary, counts by code and severity, where the allocation stands
    (when ``status`` is given), proposed moves, findings."""
    lines = [f"# Nightly check, {report.as_of.isoformat()}", ""]
    severity = report.severity_counts
    verdict = ("**Critical findings: act on these first.**" if report.critical
               else "Nothing critical.")
    lines += [
        (f"Run {report.run_id or '-'} finished "
         f"{report.finished_at.strftime('%Y-%m-%d %H:%M UTC') if report.finished_at else '-'}. "
         f"{verdict}"),
        "",
        f"- critical: {severity['critical']:,}",
        f"- warning: {severity['warning']:,}",
        f"- info: {severity['info']:,}",
        "",
        "| Code | Meaning | Findings |",
        "| --- | --- | ---: |",
    ]
    counts = report.counts
    lines += [f"| `{code}` | {title} | {counts[code]:,} |" for code, title in CODES.items()]
    lines.append("")
    for note in report.notes:
        lines += [f"> {note}", ""]
    if status is not None:
        lines += allocation_section(status)
    if report.plan_id is not None:
        lines += [
            f"## Proposed moves (draft plan {report.plan_id}, not accepted)",
            "",
            (f"{report.affected_people:,} people re-planned: {moves_in_words(report)}. Review "
             f"with `transition plan show --plan {report.plan_id}` and accept with "
             f"`transition plan accept --plan {report.plan_id}`."),
            "",
        ]
        if report.proposed_moves:
            lines += ["| NHS number | Role | From | To | Why |", "| --- | --- | --- | --- | --- |"]
            for move in report.proposed_moves:
                lines.append(
                    f"| {format_334(move['nhs_number'])} | {move['role'].replace('_', ' ')} | "
                    f"{_cell(move['from_staff_id'] or '-')} | "
                    f"{_cell(move['to_staff_id'] or 'no one available')} | "
                    f"{_cell('; '.join(move['reasons']))} |")
        else:
            lines.append("No moves proposed.")
        lines.append("")
    for order in SEVERITIES:
        for code, title in CODES.items():
            found = [item for item in report.findings
                     if item.code == code and item.severity == order]
            if not found:
                continue
            lines += [f"## {order.capitalize()}: {title} (`{code}`, {len(found)})", "",
                      "| NHS number | Worker | What to do |", "| --- | --- | --- |"]
            for item in found:
                number = format_334(item.nhs_number) if item.nhs_number else ""
                advice = advice_for(item.message, item.nhs_number)  # numbers in full here
                lines.append(f"| {number} | {_cell(item.staff_id or '')} | {_cell(advice)} |")
            lines.append("")
    if not report.findings:
        lines += ["No findings.", ""]
    return "\n".join(lines)


def json_report(report: CheckReport, status: AllocationStatus | None = None) -> str:
    """The ``--json`` document, with what the terminal and the Markdown report also say: the
    check's notes (why ``--apply`` re-planned no one, say) and, when ``status`` is given,
    where the allocation stands."""
    document = report.to_json()
    document["notes"] = list(report.notes)
    if status is not None:
        document["allocation"] = status.to_json()
    return json.dumps(document, default=json_default, ensure_ascii=False, indent=2) + "\n"


def write_report(report: CheckReport, path: Path, status: AllocationStatus | None = None) -> Path:
    """Write the Markdown report (or the JSON document if ``path`` ends ``.json``), 0600,
    with where the allocation stands when ``status`` is given."""
    text = (json_report(report, status) if path.suffix.lower() == ".json"
            else markdown_report(report, status))
    return write_private_text(path.expanduser(), text)
