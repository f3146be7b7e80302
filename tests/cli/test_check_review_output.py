"""`transition check` on the terminal and in cron's mail: what the findings quote (file names,
a trust export's headers, the rules file's [sections]) is printed as written, never read as
Rich markup."""

from __future__ import annotations

import pytest

from tests.check_world import caseload_import, person, with_transfer
from tests.conftest import TODAY, RunCli
from tests.factories import make_staff
from transition.db import Database

# What a trust's export can be called and what its headers can say: square brackets and all.
FILE_NAME = "westshire[/final].csv"
NOTE = "Header 'Risk [local]' not recognised (it looks like risk_band)."


def _brackets(database: Database) -> None:
    """A good import a fortnight ago, then last night's file, rejected, whose name and column
    notes hold square brackets: stale_import quotes the name, import_columns the notes."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY.replace(day=1))
        rejected = caseload_import(session, TODAY)
        rejected.file_name = FILE_NAME
        rejected.status = "rejected"
        rejected.column_notes = [NOTE]
        make_staff(session, "SW1")
        person(session, coordinator="SW1")


@pytest.mark.parametrize("width", [80, 200])
def test_findings_quoting_square_brackets_are_printed_as_written(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """A file named with '[/final]' stopped the check's report with a MarkupError (after the
    run was recorded, so cron mailed half a report and exit 2); '[local]' and the amhp advice's
    '[checks]' were silently dropped from the advice."""
    from transition.commands.common import console

    _brackets(database)
    monkeypatch.setattr(console, "width", width)
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    flat = "".join(result.stdout.replace("│", " ").split())  # the message's lines, joined
    assert "".join(FILE_NAME.split()) in flat
    assert "'Risk[local]'" in flat
