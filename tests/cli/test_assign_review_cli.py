"""`transition assign` and `transition unlock` as a manager types them: the role in any case
and in words (as `assign --file` reads it), refusals with a clear message and exit status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.caseloads import TRANSFER
from tests.conftest import ACTOR, CliResult
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.programme import set_transfer_date


@pytest.fixture
def caseload(database: Database) -> str:
    """One joint person; a council social worker and a trust nurse with room."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=5)
        make_person(session, pathway="joint", risk_band="green", nhs_number=nhs_number(1))
    return nhs_number(1)


@pytest.mark.parametrize(("typed", "staff_id", "role"), [
    ("Key_Worker", "KW1", "key_worker"),
    ("key worker", "KW1", "key_worker"),
    ("KW", "KW1", "key_worker"),
    ("SOCIAL_WORKER", "SW1", "social_worker"),
    ("Social worker", "SW1", "social_worker"),
])
def test_assign_reads_the_role_as_the_choices_file_does(
    caseload: str, run_cli: Callable[..., CliResult], typed: str, staff_id: str, role: str
) -> None:
    """`--role Key_Worker` was refused as 'not a role' (exit 2) although `assign --file` reads
    "key worker" and "KW", and every other option's value is read in any case."""
    result = run_cli("assign", caseload, staff_id, "--role", typed, "--reason", "knows them",
                     "--lock", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["role"] == role
    text = run_cli("unlock", caseload, "--role", typed)
    assert text.exit_code == 0, text.output
    assert f"Unlocked {role.replace('_', ' ')}" in text.stdout


def test_a_word_that_is_no_role_is_refused_with_the_roles_there_are(
    caseload: str, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("assign", caseload, "SW1", "--role", "nurse", "--reason", "knows them")
    assert result.exit_code == 2
    assert "social_worker or key_worker" in result.stderr
    assert "Traceback" not in result.output
