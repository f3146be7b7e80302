"""The `transition check --json` example in docs/checks.md has the keys the real document has."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.check_world import caseload_import, person, with_transfer
from tests.conftest import TODAY, RunCli
from tests.factories import make_staff
from transition.db import Database

DOC = (Path(__file__).parents[2] / "docs" / "checks.md").read_text(encoding="utf-8")


def _documented() -> dict:
    """The JSON example under the "## JSON (`--json`)" heading."""
    section = DOC[DOC.index("## JSON (`--json`)"):]
    block = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert block is not None, "docs/checks.md lost its --json example"
    return json.loads(block.group(1))


def test_the_documented_check_json_has_the_real_keys(database: Database, run_cli: RunCli) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=3)
        person(session, coordinator=None)  # unassigned: --apply proposes SW1
    real = run_cli("check", "--apply", "--json").json()
    documented = _documented()
    assert list(documented) == list(real)
    # Every code, in the order the check counts them.
    assert list(documented["counts"]) == list(real["counts"])
    [move] = real["proposed_moves"]
    assert [list(each) for each in documented["proposed_moves"]] == [list(move)]
    # A finding has nhs_number or staff_id (or neither), between its severity and message.
    [finding] = real["findings"]
    assert list(finding) == ["code", "severity", "nhs_number", "message"]
    assert [list(each) for each in documented["findings"]] == [
        ["code", "severity", "nhs_number", "message"],
        ["code", "severity", "staff_id", "message"]]
