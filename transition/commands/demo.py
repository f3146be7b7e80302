"""`transition demo`: build the demo database from the synthetic sample and open the app on it."""

from __future__ import annotations

from pathlib import Path

import typer

from transition.commands.common import console, context, err_console
from transition.demo import build_demo, default_demo_path


def demo_command(
    ctx: typer.Context,
    path: Path | None = typer.Option(
        None, "--path", help="Where to build the demo database (default: demo.db in your data "
        "directory). It is rebuilt every time and is never your real database."),
    no_tui: bool = typer.Option(False, "--no-tui", help="Only build the database."),
) -> None:
    """Build a demo database from the synthetic sample_data/ and open the app on it."""
    cli = context(ctx)
    target = (path or default_demo_path()).expanduser().resolve()
    with err_console.status("Building the demo database") as status:
        result = build_demo(target, settings=cli.settings, rules=cli.rules,
                            step=lambda message: status.update(message))
    for item in result.imports:
        err_console.print(
            f"Imported {item.file}: {item.rows} rows, {item.inserted} new, "
            f"{item.rejected} rejected, {item.duplicates} repeated, {item.warnings} warnings."
        )
    pathways = ", ".join(f"{name} {count}" for name, count in result.pathways.items())
    bands = ", ".join(f"{name} {count}" for name, count in result.bands.items())
    err_console.print(f"{result.people} people. Pathways: {pathways}. Handover risk: {bands}.")
    err_console.print(
        f"Draft plan: {result.plan['assigned']} roles filled ({result.plan['kept_with_current']} "
        f"kept with their current worker), {result.plan['unassigned']} unassigned. "
        "Review and accept it on the plan screen, or with: transition plan accept"
    )
    console.print(f"Demo database: {target}")
    if no_tui:
        console.print(f"Open it with: transition --db {target}")
        return
    from transition.app import make_app  # Textual only when the app opens

    settings = cli.settings.model_copy(update={"database_url": f"sqlite:///{target}"})
    make_app(settings).run()
