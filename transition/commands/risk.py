"""`transition risk set|clear`: a manager's handover-risk band for one person (audited)."""

from __future__ import annotations

import typer

from transition.commands.common import console, context, json_option, print_json
from transition.people import require_person
from transition.risk_overrides import BANDS, BandChange, clear_risk_band, set_risk_band

app = typer.Typer(
    help="A manager's handover-risk band for one person: set (with a reason) or clear. "
         "transition person NHS shows it with the rules' score and factors.",
    no_args_is_help=True,
)

_NHS = typer.Argument(..., metavar="NHS_NUMBER", help="The person's NHS number.")


def _expected_version() -> int | None:
    return typer.Option(
        None, "--expected-version",
        help="Refuse if the record is no longer at this version (someone else changed it).",
    )


@app.command("set")
def risk_set(
    ctx: typer.Context,
    nhs_number: str = _NHS,
    band: str = typer.Argument(..., metavar="BAND", help=", ".join(BANDS)),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit trail)."),
    expected_version: int | None = _expected_version(),
    as_json: bool = json_option(),
) -> None:
    """Set the handover-risk band for one person, with a written reason (audited).

    The band is used everywhere a band is (the plan's red-band cap, the joint visit, the
    counts, the at-risk ranking) until cleared; the score and its factors stay the rules'.
    Their tasks are brought up to date at once when the programme has tasks."""
    cli = context(ctx)
    rules = cli.rules  # a bad rules file stops here, before the database is touched
    with cli.db.transaction() as session:
        person = require_person(session, nhs_number)
        change = set_risk_band(session, rules, person, band, reason=reason, actor=cli.actor,
                               today=cli.today(), expected_version=expected_version)
    _report(change, as_json, "The band stays until: transition risk clear NHS")


@app.command("clear")
def risk_clear(
    ctx: typer.Context,
    nhs_number: str = _NHS,
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    expected_version: int | None = _expected_version(),
    as_json: bool = json_option(),
) -> None:
    """Remove a manager's band: the band the rules' score gives applies again (audited)."""
    cli = context(ctx)
    rules = cli.rules
    with cli.db.transaction() as session:
        person = require_person(session, nhs_number)
        change = clear_risk_band(session, rules, person, actor=cli.actor, today=cli.today(),
                                 reason=reason, expected_version=expected_version)
    _report(change, as_json, None)


def _report(change: BandChange, as_json: bool, then: str | None) -> None:
    if as_json:
        print_json({"nhs_number": change.person.nhs_number, **change.as_json(),
                    "version": change.person.version})
        return
    console.print(change.in_words(), markup=False)
    for line in change.tasks_in_words():
        console.print(line, markup=False)
    if then:
        console.print(then, markup=False)
