"""The check's PostgreSQL lock, when the database fails as the check takes it: said in the words
every command uses for a database it cannot use (the driver's first line, and what to do about
that kind of failure), not only the exception's type name, and never the statement, its
parameters or anything on the driver's later lines.

Only PostgreSQL takes this lock (SQLite's is a file beside the database, whose failures
tests/unit/test_check_review_lock.py covers), so the CLI test runs on PostgreSQL; the lock's
own code is exercised on both databases, with the statement made to fail in its place."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tests.conftest import RunCli
from transition import check_runs
from transition.check_runs import single_run
from transition.db import Database
from transition.errors import EXIT_FAILED, DatabaseError

# Nothing here may reach the person at the terminal: the statement, its parameters, and the
# driver's later lines (PostgreSQL's DETAIL can quote a row's values).
STATEMENT = "SELECT pg_try_advisory_lock(%(key)s)"
PARAMETERS = {"key": 4242424242, "family_name": "Testperson"}
NEVER_SHOWN = ("pg_try_advisory_lock", "4242424242", "Testperson", "DETAIL", "9990000018")


def _driver(words: str) -> OperationalError:
    return OperationalError(STATEMENT, PARAMETERS,
                            Exception(f"{words}\nDETAIL:  Key (nhs_number)=(9990000018)."))


FAILURES = [
    pytest.param(
        _driver('connection failed: connection to server at "db.example" (10.0.0.5), port '
                "5432 failed: FATAL:  sorry, too many clients already"),
        "could not be used: connection failed: connection to server at \"db.example\"",
        "The PostgreSQL server did not answer", id="server"),
    pytest.param(_driver("canceling statement due to lock timeout"),
                 "The database is busy", "Try again in a minute", id="busy"),
    pytest.param(_driver("terminating connection due to administrator command"),
                 "could not be used: terminating connection due to administrator command",
                 "Check the path or server", id="restarted"),
    pytest.param(PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed "
                             "out, timeout 30.00"),
                 "could not be used: QueuePool limit of size 5 overflow 10 reached",
                 "The PostgreSQL server did not answer", id="pool"),
]


def _failing(monkeypatch: pytest.MonkeyPatch, error: SQLAlchemyError) -> None:
    """The lock's statement fails as ``error`` (after the connection is made)."""
    def fail(_sql: str) -> None:
        raise error

    monkeypatch.setattr(check_runs, "text", fail)


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("error", "message", "hint"), FAILURES)
def test_a_failure_taking_the_lock_says_what_went_wrong(
    database: Database, monkeypatch: pytest.MonkeyPatch, error: SQLAlchemyError, message: str,
    hint: str,
) -> None:
    _failing(monkeypatch, error)
    with pytest.raises(DatabaseError) as raised, check_runs._postgres_lock(database):
        pass
    failure = raised.value
    assert failure.exit_code == EXIT_FAILED
    assert message in failure.message and failure.message.endswith("The check did not start.")
    assert type(error).__name__ not in failure.message  # words, not the type's name
    assert failure.hint is not None and hint in failure.hint
    for words in NEVER_SHOWN:
        assert words not in str(failure)
    monkeypatch.undo()
    with single_run(database):
        pass  # the failed connection was let go: the database is still usable


@pytest.mark.parametrize(("error", "message", "hint"), FAILURES)
def test_check_on_postgresql_says_why_the_database_could_not_be_used(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
    error: SQLAlchemyError, message: str, hint: str,
) -> None:
    if database.is_sqlite:
        pytest.skip("only PostgreSQL takes the check lock in the database")
    _failing(monkeypatch, error)
    result = run_cli("check")
    assert result.exit_code == EXIT_FAILED, result.output
    stderr = said(result.stderr)
    assert "Traceback" not in stderr and message in stderr and hint in stderr
    assert "The check did not start." in stderr
    for words in NEVER_SHOWN:
        assert words not in result.output
    failed = run_cli("check", "--json")
    assert failed.json()["exit_code"] == EXIT_FAILED and message in failed.json()["error"]
