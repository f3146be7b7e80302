"""`transition equality --exact` says, before its tables, that they are not for sharing
(status review): the `--report` file and the CSV said so, the terminal did not, and a report
pasted from it looked like the shared one."""

from __future__ import annotations

from tests.cli.test_equality_cli import thirty_two_people
from tests.conftest import RunCli
from transition.db import Database

EXACT = "Exact counts, small ones included: for the council's own use, not for sharing."


def test_exact_counts_in_the_terminal_say_so_first(run_cli: RunCli, database: Database) -> None:
    thirty_two_people(database, signposted=3)
    exact = " ".join(run_cli("equality", "--exact").stdout.split())
    assert exact.startswith(EXACT), exact[:200]
    shared = " ".join(run_cli("equality").stdout.split())
    assert EXACT not in shared
