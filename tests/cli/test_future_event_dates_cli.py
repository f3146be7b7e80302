"""A discharge date after the import's date from the command line: warned at import with its
file, row and column, and named under the risk factors as not counted (TODAY is 15 January
2027)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.factories import nhs_number
from tests.importing import person_row, write_csv


def test_a_discharge_typed_a_month_out_is_warned_of_and_said_not_counted(
        run_cli: RunCli, tmp_path: Path) -> None:
    rows = []
    for i, discharged in enumerate(["05/02/2027", "05/01/2027"]):  # a slip for 05/01, and it
        row = person_row(i, last_contact="10/01/2027")
        del row["last_discharge"]
        rows.append({**row, "Discharge Date": discharged})
    result = run_cli("import", "caseload", write_csv(tmp_path / "trust_export.csv", rows))
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Caseload import 1: trust_export.csv" in said
    assert "Warnings 1" in said
    assert ("row 2: last_discharge: a date after the import's date (2027-01-15): a discharge "
            "that has not happened yet, most likely a mistyped date; check it with the trust. "
            "The handover risk does not count it until that day") in said

    assert run_cli("assess").exit_code == 0
    typo, meant = (run_cli("person", nhs_number(i), "--json").json() for i in range(2))
    assert "discharged_very_recently" in [f["factor"] for f in meant["risk_factors"]]
    assert "discharged_very_recently" not in [f["factor"] for f in typo["risk_factors"]]
    assert typo["risk_dates_not_counted"] == [
        {"field": "last_discharge", "label": "last discharge", "value": "2027-02-05"}]
    assert meant["risk_dates_not_counted"] == []

    record = " ".join(run_cli("person", nhs_number(0)).stdout.split())
    assert "Last discharge 5 Feb 2027 (in 21 days): not happened yet, check the date" in record
    assert ("Not counted: last discharge 5 Feb 2027 is after the day measured (15 Jan 2027); "
            "check the date with the trust.") in record
    assert "Not counted" not in run_cli("person", nhs_number(1)).stdout
    shown = " ".join(run_cli("pathway", "show", nhs_number(0)).stdout.split())
    assert ("Not counted: last discharge 2027-02-05 is after the day measured (2027-01-15)"
            in shown)
