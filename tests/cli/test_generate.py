"""`transition generate`: writes the files, summarises them, never overwrites by accident.

The command touches no database, so these tests call the CLI directly rather than through the
``run_cli`` fixture (which would repeat each test once per database backend).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult
from transition.cli import main


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def test_generate_writes_and_summarises(run, tmp_path: Path) -> None:
    out = tmp_path / "made"
    result = run("generate", "--people", "60", "--out", out, "--messy", "--xlsx")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == [
        "staff.csv", "trust_caseload.csv", "trust_caseload.xlsx"]
    assert "60 people + 8 messy extra rows" in result.stdout
    assert "Messy rows" in result.stdout and "Modulus 11" in result.stdout
    assert (out.stat().st_mode & 0o777) == 0o700


def test_generate_refuses_to_overwrite_without_force(run, tmp_path: Path) -> None:
    assert run("generate", "--people", "30", "--out", tmp_path).exit_code == 0
    before = (tmp_path / "trust_caseload.csv").read_bytes()
    refused = run("generate", "--people", "40", "--out", tmp_path)
    assert refused.exit_code == 2
    assert "Not overwriting" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.output
    assert (tmp_path / "trust_caseload.csv").read_bytes() == before
    assert run("generate", "--people", "40", "--out", tmp_path, "--force").exit_code == 0
    assert (tmp_path / "trust_caseload.csv").read_bytes() != before


def test_generate_json_is_one_document(run, tmp_path: Path) -> None:
    result = run("generate", "--people", "50", "--staff", "20", "--out", tmp_path, "--messy",
                 "--seed", "9", "--reference-date", "01/10/2026", "--json")
    assert result.exit_code == 0, result.output
    data = result.json()
    assert data["people"] == 50 and data["caseload_rows"] == 58 and data["staff"] == 20
    assert data["seed"] == 9 and data["reference_date"] == "2026-10-01"
    assert set(data["design"]) <= {"council", "trust", "joint", "assess", "signpost"}
    assert {row["outcome"] for row in data["messy_rows"]} == {
        "accepted", "warning", "rejected", "duplicate"}
    first = data["messy_rows"][0]
    assert first["xlsx_row"] == first["row"] + 2 and first["expect"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--people", "10", "--messy"), "at least 20 people"),
        (("--staff", "5"), "--staff must be between 10"),
        (("--reference-date", "31/02/2026"), "is not a date"),
    ],
)
def test_generate_bad_arguments_exit_2_with_a_message(run, tmp_path: Path, args, message) -> None:
    result = run("generate", "--out", tmp_path / "x", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_generate_into_a_file_is_refused(run, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    result = run("generate", "--out", target)
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--people", "0"), "--people must be between 1 and 500,000, not 0."),
    (("--staff", "0"), "--staff must be between 10 and 100,000, not 0."),
    (("--staff", "9"), "--staff must be between 10 and 100,000, not 9."),
])
def test_docs6_help_states_the_ranges_the_generator_takes(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    """--help once showed `x>=1` for --staff, which takes 10 or more: it gives the ranges
    (as docs/sample-data.md does), and a value outside one gets the same message, exit 2."""
    monkeypatch.setenv("COLUMNS", "200")
    shown = " ".join(run("generate", "--help").stdout.split())
    assert "People on the caseload, 1 to 500,000." in shown
    assert "Staff in the list, 10 to 100,000" in shown and "x>=" not in shown
    result = run("generate", "--out", tmp_path / "x", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "x").exists()
