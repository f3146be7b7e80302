"""`transition generate`: synthetic trust caseload exports and staff lists."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from transition.commands.common import (
    console,
    err_console,
    fail,
    json_option,
    parse_date,
    print_json,
)
from transition.generator import (
    DEFAULT_PEOPLE,
    DEFAULT_REFERENCE_DATE,
    DEFAULT_SEED,
    DEFAULT_TRANSFER_DATE,
    MAX_PEOPLE,
    MAX_STAFF,
    GeneratedFiles,
    generate,
)


def generate_command(
    out: Path = typer.Option(
        ..., "--out", help="Folder to write the files into (created if missing)."
    ),
    # The ranges are the generator's own (its message names them), so not min=/max= here:
    # Click would show "x>=1" for a --staff that must be 10 or more.
    people: int = typer.Option(
        DEFAULT_PEOPLE, "--people", help=f"People on the caseload, 1 to {MAX_PEOPLE:,}."),
    staff: int | None = typer.Option(
        None, "--staff", show_default=False,
        help=f"Staff in the list, 10 to {MAX_STAFF:,} "
        "[default: in proportion to --people, 111 for 784].",
    ),
    seed: int = typer.Option(
        DEFAULT_SEED, "--seed", help="Random seed: another seed, another county."
    ),
    messy: bool = typer.Option(
        False, "--messy/--clean",
        help="Add deliberately messy rows for the importer to catch (needs 20+ people).",
    ),
    xlsx: bool = typer.Option(
        False, "--xlsx", help="Also write the caseload as trust_caseload.xlsx."
    ),
    force: bool = typer.Option(False, "--force", help="Replace files that already exist."),
    reference_date: str | None = typer.Option(
        None, "--reference-date", show_default=False,
        help="The export date other dates count back from "
        f"[default: {DEFAULT_REFERENCE_DATE:%d/%m/%Y}].",
    ),
    transfer_date: str | None = typer.Option(
        None, "--transfer-date", show_default=False,
        help="The day the partnership ends; leavers and absences fall around it "
        f"[default: {DEFAULT_TRANSFER_DATE:%d/%m/%Y}].",
    ),
    as_json: bool = json_option(),
) -> None:
    """Write a synthetic trust caseload (trust_caseload.csv) and staff list (staff.csv).

    Everything is invented: NHS numbers from the 999 test range (valid under Modulus 11),
    names, addresses in the fictional WX postcode area, GP practices, phone numbers from
    Ofcom's drama ranges. The same options always write the same bytes. The default is the
    Somerset scale: 784 people and 60 council social workers seconded into trust teams, 111
    staff in all.

    --messy adds the rows a real export contains (a mistyped NHS number, an impossible date, a
    repeated row, ...) for the importer to reject or warn about. The shipped sample_data/ is
    made with: transition generate --out sample_data --messy --xlsx --force

    Existing files are never replaced unless you pass --force.
    """
    exported = parse_date(reference_date, option="--reference-date") or DEFAULT_REFERENCE_DATE
    transfer = parse_date(transfer_date, option="--transfer-date") or DEFAULT_TRANSFER_DATE
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file, not a folder.", hint="Give a folder to write the files into.")
    progress = err_console if as_json else console
    try:
        with progress.status(f"Generating {people:,} people..."):
            result = generate(
                out, people=people, staff=staff, seed=seed, messy=messy, xlsx=xlsx,
                reference_date=exported, transfer_date=transfer, overwrite=force,
            )
    except OSError as exc:
        fail(f"Could not write the files in {out}: {exc.strerror or exc}.",
             hint="Check the folder exists and you may write to it.")
    if as_json:
        print_json(result.as_dict())
        return
    _summary(result)


def _summary(result: GeneratedFiles) -> None:
    folder = result.caseload_csv.parent
    files = Table(title=f"Wrote {len(result.paths)} files to {folder}", title_justify="left")
    files.add_column("File")
    files.add_column("Contents")
    files.add_column("Size", justify="right")
    extra = result.caseload_rows - result.people
    rows = f"{result.caseload_rows:,} rows: {result.people:,} people"
    rows += f" + {extra} messy extra rows" if extra else ""
    files.add_row(result.caseload_csv.name, rows, _size(result.caseload_csv))
    files.add_row(result.staff_csv.name, f"{result.staff:,} staff", _size(result.staff_csv))
    if result.caseload_xlsx:
        files.add_row(result.caseload_xlsx.name, "the same caseload; header on row 3",
                      _size(result.caseload_xlsx))
    console.print(files)
    console.print(
        f"{result.localities:,} localities and {result.teams:,} teams; seed {result.seed}; "
        f"exported {result.reference_date:%d/%m/%Y}; "
        f"transfer date {result.transfer_date:%d/%m/%Y}."
    )
    design = ", ".join(f"{pathway} {count:,}" for pathway, count in result.design.items())
    console.print(f"Designed pathways (the council's rules decide): {design}.")
    console.print(
        "Room on the transfer date for the roles the design needs: "
        + "; ".join(f"{employer} {result.capacity[employer]:,} for {result.demand[employer]:,}"
                    for employer in ("council", "trust"))
        + f". {result.without_coordinator:,} people have no care coordinator."
    )
    if result.messy_rows:
        table = Table(title="Messy rows (CSV row; the workbook's row is 2 more)",
                      title_justify="left")
        table.add_column("Row", justify="right")
        table.add_column("Outcome")
        table.add_column("What a manager should see")
        for row in result.messy_rows:
            table.add_row(str(row.row), row.outcome, row.expect)
        console.print(table)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"
