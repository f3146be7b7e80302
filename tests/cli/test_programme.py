from tests.conftest import RunCli


def test_transfer_date_round_trips_and_is_audited(run_cli: RunCli) -> None:
    assert run_cli("programme", "show", "--json").json()["transfer_date"] is None
    result = run_cli("programme", "set", "--transfer-date", "01/04/2027")
    assert result.exit_code == 0, result.output
    assert "Thursday 1 April 2027" in result.stdout
    assert run_cli("programme", "show", "--json").json()["transfer_date"] == "2027-04-01"


def test_an_impossible_date_is_refused_without_a_traceback(run_cli: RunCli) -> None:
    result = run_cli("programme", "set", "--transfer-date", "31/02/2027")
    assert result.exit_code == 2
    assert "is not a date" in result.stderr
    assert "Traceback" not in result.output


def test_db_status_reports_current_schema(run_cli: RunCli) -> None:
    result = run_cli("db", "status", "--json")
    assert result.exit_code == 0
    assert result.json()["state"] == "current"
