"""`transition demo`: build the demo database from the synthetic sample and open the app on it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from transition.commands.common import (
    console,
    context,
    err_console,
    fail,
    json_option,
    print_json,
)
from transition.config import Settings
from transition.demo import DEMO_AS_OF, build_demo, default_demo_path, demo_files_dir


def demo_command(
    ctx: typer.Context,
    path: Path | None = typer.Option(
        None, "--path", help="Where to build the demo database (default: demo.db in your data "
        "directory). A demo database there is rebuilt; any other file is left alone and the "
        "demo refused."),
    no_tui: bool = typer.Option(False, "--no-tui", help="Only build the database."),
    accept: bool = typer.Option(
        False, "--accept", help="Also accept the draft plan and generate the handover tasks "
        "(a programme already under way)."),
    as_json: bool = json_option(),
) -> None:
    """Build a demo database from the synthetic sample_data/ and open the app on it.

    What is written on it by default (letters, reports, rejects files, an export's pseudonym
    key) goes to a folder of its own beside it (demo-files beside demo.db), never among your
    real ones; an output_dir or pseudonym key you set is still used."""
    if as_json and not no_tui:
        fail("--json needs --no-tui: the app cannot open while the summary is printed.",
             hint="e.g. transition demo --no-tui --json")
    cli = context(ctx)
    target = (path or default_demo_path()).expanduser().resolve()
    with err_console.status("Building the demo database") as status:
        result = build_demo(target, settings=cli.settings, rules=cli.rules,
                            step=lambda message: status.update(message), accept=accept)
    if as_json:
        print_json({
            "database": str(target), "as_of": result.as_of,
            "imports": [item.to_json() for item in result.imports],
            "people": result.people, "pathways": result.pathways, "bands": result.bands,
            "plan": result.plan, "accepted": result.accepted,
            "tasks": result.tasks if result.accepted else None,
            "files": str(demo_files_dir(f"sqlite:///{target}")),
        })
        return
    for item in result.imports:
        err_console.print(
            f"Imported {item.file}: {item.rows:,} rows, {item.inserted:,} new, "
            f"{item.rejected:,} rejected, {item.duplicates:,} repeated, {item.warnings:,} warnings."
        )
    pathways = ", ".join(f"{name} {count:,}" for name, count in result.pathways.items())
    bands = ", ".join(f"{name} {count:,}" for name, count in result.bands.items())
    exported = ", the day the sample was exported" if result.as_of == DEMO_AS_OF else ""
    err_console.print(f"{result.people:,} people. Pathways: {pathways}. Handover risk: {bands} "
                      f"(as of {result.as_of:%d %B %Y}{exported}).")
    filled = (f"{result.plan['assigned']:,} roles filled ({result.plan['kept_with_current']:,} "
              f"kept with their current worker), {result.plan['unassigned']:,} unassigned.")
    if result.accepted:
        err_console.print(
            f"Plan accepted: {filled} Handover tasks: {result.tasks['created']:,} for "
            f"{result.tasks['people']:,} people, {result.tasks['open']:,} open."
        )
    else:
        err_console.print(f"Draft plan: {filled} Review and accept it on the plan screen, or "
                          "with: transition plan accept")
    console.print(f"Demo database: {target}")
    console.print(Text(_where_its_files_go(cli.settings, target)))
    if no_tui:
        console.print(f"Open it with: transition --db {target}")
        console.print(f"(Its dates count from {result.as_of.isoformat()}: open it with "
                      f"TRANSITION_AS_OF={result.as_of.isoformat()} before the command to keep "
                      "them, rather than exporting it, so that it never pins the day for a "
                      "real database.)")
        return
    from transition.app import make_app  # Textual only when the app opens

    # The app's "today" is the demo's, so its dates (risk, deadlines) tell the same story.
    settings = cli.settings.model_copy(update={"database_url": f"sqlite:///{target}",
                                               "as_of": result.as_of})
    make_app(settings).run()


def _where_its_files_go(settings: Settings, target: Path) -> str:
    """Where what is made on the demo goes: its own folder, unless a setting names another."""
    folder = demo_files_dir(f"sqlite:///{target}")
    said = (f"Its letters and reports go to {folder / 'output'}"
            if settings.output_dir is None else
            f"Its letters and reports go to your output_dir setting, {settings.output_dir}")
    key = (f"an export's pseudonym key is its own ({folder / 'pseudonym.key'})"
           if settings.pseudonym_key is None else
           "an export uses your pseudonym_key setting")
    return f"{said}; {key}."
