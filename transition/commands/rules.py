"""`transition rules`: check a council's rules file, and see the rules in use.

Neither command opens the database, so a team manager can check a file on any machine before
anything uses it. A file that is not valid raises the loader's RulesError (file, line, key),
which ``cli.main`` prints, exit 2.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from transition.commands.common import (
    console,
    context,
    fail,
    json_option,
    one_of,
    print_json,
    stacked_table,
)
from transition.ruleset import Rules, council_changes, default_rules_text, load_rules

SECTIONS = ("eligibility", "risk", "matching", "tasks", "checks", "importing")

app = typer.Typer(help="The council's rules: check a rules file, see the rules in use.",
                  no_args_is_help=True)


@app.command("check")
def rules_check(
    ctx: typer.Context,
    file: str | None = typer.Argument(
        None, metavar="[FILE]", show_default=False,
        help="The rules file to check (default: the one --rules or TRANSITION_RULES_FILE "
        "names).",
    ),
    as_json: bool = json_option(),
) -> None:
    """Check a council's rules file, merged over the shipped rules, and say what it changes.

    Exit status 2 when the file is not valid (the message names the file, line and setting).
    The database is not opened.
    """
    cli = context(ctx)
    if file is not None and not file.strip():
        fail("The rules file to check is blank: nothing was checked.",
             hint="Give the path of the file: transition rules check FILE.")
    path = Path(file) if file is not None else cli.settings.rules_file
    if file is not None and not Path(file).exists():
        # The loader's hint names --rules and the setting, which is not where this came from.
        fail(f"Rules file {file} does not exist. Nothing was checked.",
             hint="Check the path given to transition rules check.")
    rules = load_rules(path, given_by="transition rules check" if file is not None
                       else cli.settings.rules_file_given_by)
    shipped = load_rules(None)
    if path is None:
        if as_json:
            print_json({"status": "valid", "file": None, "version": rules.version,
                        "version_label": rules.version_label, "fingerprint": rules.fingerprint,
                        "changes": [], "notes": []})
            return
        _say(f"No rules file is configured (--rules or TRANSITION_RULES_FILE): only the "
             f"shipped rules are in use, version {rules.version} (fingerprint "
             f"{rules.fingerprint[:8]}), recorded with each decision as {rules.version_label}.")
        return
    # The file loaded, so it is valid TOML and read as UTF-8.
    changes = council_changes(tomllib.loads(default_rules_text()),
                              tomllib.loads(path.read_text("utf-8")))
    notes = []
    if rules.version == shipped.version:
        notes.append(f"The file does not change `version` (still the shipped {shipped.version}): "
                     "give it a version of its own, so people can tell which rules decided.")
    notes += [
        f"[tasks.templates.{key}] flags = {[str(flag) for flag in template.flags]}: `carer` "
        "alone asks a worker to contact the carer of someone who said no to their carer being "
        "told (carer consent N); `carer_may_be_told` leaves them out, as the shipped "
        "letter_carer does."
        for key, template in rules.tasks.enabled.items()
        if "carer" in template.flags and "carer_may_be_told" not in template.flags]
    if as_json:
        print_json({"status": "valid", "file": str(path), "version": rules.version,
                    "version_label": rules.version_label, "fingerprint": rules.fingerprint,
                    "changes": changes, "notes": notes})
        return
    _say(f"{path} is valid: version {rules.version} (fingerprint {rules.fingerprint[:8]}), "
         f"recorded with each decision as {rules.version_label}.")
    if not changes:
        _say(f"It changes nothing in the shipped rules (version {shipped.version}).")
    else:
        _say(f"What it changes in the shipped rules (version {shipped.version}):")
        console.print(_bullets(changes))
    for note in notes:
        _say(f"Note: {note}")


@app.command("show")
def rules_show(
    ctx: typer.Context,
    section: str | None = typer.Option(
        None, "--section", metavar="NAME", show_default=False,
        help=f"Only this section: {', '.join(SECTIONS)}.",
    ),
    as_json: bool = json_option(),
) -> None:
    """Show the rules in use: the shipped rules with the council's file merged over them,
    as assess, plan, tasks and check read them. The database is not opened."""
    chosen = one_of(section, SECTIONS, "--section")
    rules = context(ctx).rules
    if as_json:
        data = rules.model_dump(mode="json")
        print_json(data[chosen] if chosen else data)
        return
    council = [source for source in rules.sources if source != "default"]
    merged = f"the shipped rules with {', '.join(council)} merged over them" if council \
        else "the shipped rules (no council rules file)"
    _say(f"Rules in use: version {rules.version_label}, {merged}.")
    if rules.description:
        _say(rules.description)
    shown = {"eligibility": _eligibility, "risk": _risk, "matching": _matching,
             "tasks": _tasks, "checks": _checks, "importing": _importing}
    for name in (chosen,) if chosen else SECTIONS:
        shown[name](rules, whole=chosen is not None)


# -- The sections ------------------------------------------------------------------------------


def _eligibility(rules: Rules, *, whole: bool) -> None:
    section = rules.eligibility
    _heading("eligibility", "who holds each case")
    clusters = ", ".join(str(cluster) for cluster in sorted(section.health_led_clusters))
    reasons = section.reasons.model_dump()
    table = _table("Setting", "Value")
    table.add_row(*_cells("cpa_is_health_led", _yes(section.cpa_is_health_led)))
    table.add_row(*_cells("health_led_clusters", clusters or "none"))
    if not whole:
        table.add_row(*_cells("reasons", f"{len(reasons)} worded (see transition rules show "
                                         "--section eligibility)"))
    console.print(table)
    if whole:
        reasons_table = stacked_table("Rule", "Reason and basis")
        for rule, text in reasons.items():
            reasons_table.add_row(*_cells(rule, f"{text['reason']}\nBasis: {text['basis']}"))
        _then(reasons_table)


def _risk(rules: Rules, *, whole: bool) -> None:
    del whole
    bands = rules.risk.bands
    _heading("risk", "handover risk: points add up to a band")
    table = _table("Band", "Score")
    table.add_row(*_cells("red", f"{bands.red} or more"))
    table.add_row(*_cells("amber", f"{bands.amber} to {bands.red - 1}"))
    table.add_row(*_cells("green", f"below {bands.amber}"))
    console.print(table)
    factors = _table("Factor", "Points", "Counts when")
    for name in type(rules.risk.factors).model_fields:
        factor = getattr(rules.risk.factors, name)
        points = f"{factor.points}" + (" (off)" if not factor.points else "")
        factors.add_row(*_cells(name, points, factor.wording()))
    _then(factors)


def _matching(rules: Rules, *, whole: bool) -> None:
    del whole
    section = rules.matching
    _heading("matching", "who can become each person's worker")
    roles = _table("Role", "Employers", "Staff roles")
    for role, fit in section.roles.items():
        roles.add_row(*_cells(role, ", ".join(fit.employers), ", ".join(fit.staff_roles)))
    console.print(roles)

    shipped = {(rule.skill, rule.when, rule.reason)
               for rule in load_rules(None).matching.required_skills}
    skills = stacked_table("Skill\nfrom", "When\nreason")
    for rule in section.required_skills:
        source = "shipped" if (rule.skill, rule.when, rule.reason) in shipped else "council"
        skills.add_row(*_cells(f"{rule.skill}\n{source}",
                               rule.when + (f"\n{rule.reason}" if rule.reason else "")))
    if section.required_skills:
        _then(skills)
    else:
        _say("No required skills: any worker who can fill the role may be chosen.")

    reach = section.reach
    where = (f"nearby: the person's locality, and others within {reach.max_km:g} km"
             if reach.mode == "nearby" else "everywhere: any worker, wherever they are")
    settings = _table("Setting", "Value")
    for name, value in (
        ("reach", where),
        ("max_red_handovers_per_worker", section.max_red_handovers_per_worker),
        ("caseload_per_fte", section.caseload_per_fte),
        ("seconded_without_council_team", section.seconded_without_council_team),
        ("back_within_days", section.back_within_days),
        ("alternatives_shown", section.alternatives_shown),
    ):
        settings.add_row(*_cells(name, value))
    _then(settings)

    if section.distances:
        distances = _table("Between", "km")
        for distance in section.distances:
            distances.add_row(*_cells(" and ".join(distance.between), f"{distance.km:g}"))
        _then(distances)
    elif reach.mode == "nearby":
        _say("No distances given: nearby means the person's own locality only.")

    costs = _table("Cost weight", "Value")
    for name, value in section.costs.model_dump().items():
        costs.add_row(*_cells(name, value))
    _then(costs)


def _tasks(rules: Rules, *, whole: bool) -> None:
    del whole
    section = rules.tasks
    _heading("tasks", "handover tasks made for each person")
    _say(f"lead_role: {section.lead_role.value} (owns incoming tasks when both roles of a "
         "joint person change)")
    _say(f"new_worker_notice_working_days: {section.new_worker_notice_working_days} (a new "
         "worker chosen after someone's handover date has passed starts this many working "
         "days later)")
    # The keys are what a council file names ([tasks.templates.KEY]): never folded.
    templates = _table("Template\nowner", "On", "Deadline", "Incoming\nrole", lines=True,
                       min_width={0: max(map(len, section.templates), default=0)})
    for key, template in section.templates.items():
        deadline = template.deadline.describe()
        for variant in template.deadlines:
            deadline += f"\n{variant.deadline.describe()}: {variant.reason or 'for some people'}"
        role = template.incoming_role.value if template.incoming_role else ""
        templates.add_row(*_cells(f"{key}\n{template.owner.value}", _yes(template.enabled),
                                  deadline, role))
    console.print(templates)
    _say("Titles and who each template is for: transition tasks templates.")


def _checks(rules: Rules, *, whole: bool) -> None:
    del whole
    section = rules.checks
    _heading("checks", "what the nightly check flags")
    table = _table("Setting", "Value", "Meaning")
    for name, field in type(section).model_fields.items():
        value = getattr(section, name)
        if isinstance(value, list):
            value = ", ".join(value)
        table.add_row(*_cells(name, "not set" if value is None else value,
                              field.description or ""))
    console.print(table)


def _importing(rules: Rules, *, whole: bool) -> None:
    del whole
    section = rules.importing
    _heading("importing", "the ages and FTE an import accepts")
    table = _table("Setting", "Value", "Meaning")
    for name, field in type(section).model_fields.items():
        table.add_row(*_cells(name, f"{getattr(section, name):g}", field.description or ""))
    console.print(table)


# -- Printing ----------------------------------------------------------------------------------


def _say(text: str) -> None:
    console.print(text, markup=False)


def _then(table: Table) -> None:
    """A section's second (third...) table, a line apart from the one before."""
    console.print()
    console.print(table)


def _heading(name: str, about: str) -> None:
    console.print()
    console.print(Text(f"[{name}] {about}", style="bold"))


def _table(*headings: str, lines: bool = False, min_width: dict[int, int] | None = None) -> Table:
    """A plain table whose cells wrap (a long word folds), never cut to "…"; ``lines`` rules
    the rows apart (for cells of more than one line); ``min_width`` by column index."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, show_lines=lines, header_style="bold",
                  padding=(0, 1))
    for index, heading in enumerate(headings):
        table.add_column(heading, overflow="fold", min_width=(min_width or {}).get(index))
    return table


def _cells(*values: Any) -> list[Text]:
    """Cells as plain text: rules text may hold square brackets Rich would read as markup."""
    return [Text(str(value)) for value in values]


def _bullets(lines: list[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in lines:
        grid.add_row("-", Text(line))
    return grid


def _yes(value: bool) -> str:
    return "yes" if value else "no"
