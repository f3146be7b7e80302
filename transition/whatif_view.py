"""A what-if in words and tables: what ``transition plan --withdraw`` prints and the workers
screen shows (:mod:`transition.screens.whatif`), from one :class:`~transition.whatif.WhatIf`."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from transition.whatif import WhatIf
from transition.widgets.format import plural


def what_if_report(result: WhatIf, *, in_json: bool) -> list[RenderableType]:
    """The lines and tables, in order. ``in_json``: the CLI, whose ``--json`` lists the people
    behind each count (the lines say which key)."""

    def see(key: str) -> str:
        return f" (see {key} in --json)" if in_json else ""

    scenario = ", ".join(filter(None, [
        f"withdraw {', '.join(result.withdraw)}" if result.withdraw else "",
        f"capacity x {result.capacity_scale:g}" if result.capacity_scale != 1.0 else ""]))
    lines: list[RenderableType] = [
        Text(f"What-if (nothing stored): {scenario}"),
        Text(f"People losing their current worker: {result.losing_current_worker:,}."),
        Text(f"Roles filled: {result.assigned:,} (as things stand: {result.baseline_assigned:,}); "
             f"unassigned: {result.unassigned:,} (as things stand: "
             f"{result.baseline_unassigned:,}); changed from the plan as things stand: "
             f"{result.changed_from_baseline:,}."),
    ]
    if result.locks_on_withdrawn:
        locks = len(result.locks_on_withdrawn)
        placed = sum(1 for item in result.locks_on_withdrawn if item["staff_id"] is not None)
        lines.append(Text(
            f"Roles locked to a withdrawn worker: {locks:,}. A lock cannot hold a worker who is "
            f"gone, so here they are planned like any other role: {placed:,} placed with a new "
            f"worker, {locks - placed:,} not{see('locks_on_withdrawn')}."))
    if result.bands_raised:
        red = sum(1 for item in result.bands_raised if item["to"] == "red")
        amber = len(result.bands_raised) - red
        now = ", ".join(part for part in (f"{red:,} now red" if red else "",
                                          f"{amber:,} now amber" if amber else "") if part)
        lines.append(Text(
            f"Handover risk raised by losing their coordinator (a risk factor): "
            f"{plural(len(result.bands_raised), 'person', 'people')} ({now}). They are planned "
            "here in the higher band" + (", so the red-band cap spreads the new reds" if red
                                        else "") + f"{see('bands_raised')}."))
    for heading, gap, before in (("Team", result.gap_by_team, result.baseline_gap_by_team),
                                 ("Skill needed", result.gap_by_skill,
                                  result.baseline_gap_by_skill)):
        if not gap and not before:
            continue
        # Beside each, the roles no one could fill as things stand: not a gap the what-if made.
        table = Table(heading, "Cannot be placed", "As things stand",
                      title=f"Capacity gap by {heading.split()[0].lower()}")
        for key in sorted(gap.keys() | before.keys()):
            table.add_row(key, f"{gap.get(key, 0):,}", f"{before.get(key, 0):,}")
        lines.append(table)
    return lines
