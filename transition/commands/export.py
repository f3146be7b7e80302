"""`transition export --pseudonymise`: the caseload and allocation for a partner, names removed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from transition.commands.common import (
    as_of_option,
    console,
    context,
    fail,
    json_option,
    parse_date,
    print_json,
)
from transition.export import (
    EXPORT_FILES,
    KEY_FILE,
    ExportResult,
    load_key,
    pseudonymised_export,
)


def export_command(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Folder to write the export into.",
                             show_default=False),
    pseudonymise: bool = typer.Option(
        False, "--pseudonymise",
        help="Remove names, addresses and dates of birth; replace NHS numbers with a keyed "
        "hash (required: transition only writes pseudonymised exports)."),
    as_of: str | None = as_of_option("The date ages are counted on (default today)."),
    force: bool = typer.Option(
        False, "--force", help="Replace an export already in the folder (caseload.csv, "
        "plan.csv, export.json)."),
    as_json: bool = json_option(),
) -> None:
    """Write caseload.csv and plan.csv for sharing with a partner: no names, addresses or dates
    of birth; NHS numbers replaced by a keyed hash (HMAC-SHA256) that is the same in every
    export made with the same key (TRANSITION_PSEUDONYM_KEY, else a key file kept owner-only
    in the data folder; on a demo database, one of its own in the demo's <name>-files folder).
    Audited."""
    if not pseudonymise:
        fail("transition export writes pseudonymised data only. Nothing was written.",
             hint="Add --pseudonymise (names, addresses and dates of birth are removed; NHS "
             "numbers are replaced by a keyed hash).")
    cli = context(ctx)
    day = cli.today(parse_date(as_of, option="--as-of"))
    configured = cli.settings.pseudonym_key
    database = cli.db  # opened first: a demo database keeps a pseudonym key of its own
    key = load_key(None if configured is None else configured.get_secret_value(),
                   cli.settings.pseudonym_key_dir)
    folder = out.expanduser().resolve()
    for name in EXPORT_FILES:
        cli.output_file(folder / name, option="--out")
    if folder.exists() and not folder.is_dir():
        fail(f"--out {out} is a file, not a folder.")
    there = [name for name in EXPORT_FILES if (folder / name).exists()
             or (folder / name).is_symlink()]
    if there and not force:
        # An export shared, or about to be, is not replaced by accident: the new one may be
        # for another partner (another key) or another day.
        fail(f"--out {out} already holds an export ({', '.join(there)}). Nothing was written.",
             hint="Give a new folder, or add --force to replace it.")
    if odd := [name for name in there if not (folder / name).is_file()]:
        fail(f"--out {out}: {', '.join(odd)} there is not a file, so it cannot be replaced. "
             "Nothing was written.", hint="Give a new folder.")
    result: ExportResult | None = None
    try:
        with database.transaction() as session:
            result = pseudonymised_export(session, out_dir=folder, key=key, as_of=day,
                                          actor=cli.actor)
    except BaseException:
        if result is not None:  # written, but the audit record was not committed
            result.undo()  # the new files go; any export they replaced (--force) comes back
        raise
    result.keep()
    if as_json:
        print_json(result.to_json())
        return
    # As text, not Rich markup: a folder named "[/x]" stopped the command after the export
    # was written and audited, saying the change had been rolled back.
    console.print(Text(
        f"Exported {result.people:,} people and {result.assignments:,} current roles to "
        f"{result.folder} (files owner-only; key {result.key_id}). Share them only under a "
        "data-sharing agreement."))
    if configured is None and cli.settings.demo_files_dir is not None:
        console.print(Text(f"Demo database: its own pseudonym key, "
                           f"{cli.settings.pseudonym_key_dir / KEY_FILE}, not your real one."))
