"""`transition --rules FILE import`: the council's [importing] ages and FTE ceiling decide
what is rejected and warned, `rules show` lists them, and a bad value stops `rules check`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.importing import person_row, staff_row, write_csv


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "westshire-rules.toml"
    path.write_text(f'version = "westshire-2027.1"\n\n[importing]\n{text}', encoding="utf-8")
    return path


def test_the_rules_fte_ceiling_and_ages_decide_what_is_imported(run_cli: RunCli,
                                                                tmp_path: Path) -> None:
    rules = _rules(tmp_path, "youngest_age = 16\nmax_fte = 2.0\n")
    staff = write_csv(tmp_path / "staff.csv", [staff_row(0, fte="1.8"), staff_row(1, fte="2.2")])
    shipped = run_cli("import", "staff", staff, "--json").json()
    assert (shipped["inserted"], shipped["rejected"]) == (0, 2)
    assert shipped["rejects"][0]["errors"][0]["message"].startswith("more than 1.5, ")
    data = run_cli("--rules", rules, "import", "staff", staff, "--json").json()
    assert (data["inserted"], data["rejected"]) == (1, 1)
    assert data["rejects"][0]["errors"][0]["message"].startswith("more than 2, which is no one's")

    caseload = write_csv(tmp_path / "caseload.csv", [
        person_row(0, date_of_birth="16/01/2011"), person_row(1)])  # 15 on 15 January 2027
    result = run_cli("--rules", rules, "import", "caseload", caseload)
    assert result.exit_code == 1
    assert "date_of_birth: date of birth gives an age under 16" in " ".join(
        result.output.split())


def test_rules_show_and_check_the_import_limits(run_cli: RunCli, tmp_path: Path) -> None:
    rules = _rules(tmp_path, "max_fte = 2.0\n")
    shown = run_cli("--rules", rules, "rules", "show", "--section", "importing", "--json")
    assert shown.json() == {"youngest_age": 14, "adult_age": 18, "max_fte": 2.0}
    said = " ".join(run_cli("--rules", rules, "rules", "show").stdout.split())
    assert "[importing] the ages and FTE an import accepts" in said
    assert "max_fte 2 An FTE" in said
    checked = " ".join(run_cli("rules", "check", rules).stdout.split())
    assert "importing.max_fte = 2.0 (shipped 1.5)" in checked

    bad = _rules(tmp_path, "youngest_age = 19\n")
    result = run_cli("rules", "check", bad)
    assert result.exit_code == 2 and result.stdout == ""
    assert (f"{bad}, line 3: importing: youngest_age (19) must be at most adult_age (18)"
            in " ".join(result.stderr.split()))
