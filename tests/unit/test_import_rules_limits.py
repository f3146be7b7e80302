"""The ages and FTE ceiling an import accepts come from the rules file's [importing] section:
the shipped values (14, 18, 1.5) unchanged without one, a council's own where it gives them,
and a bad value refused when the rules load, naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACTOR, TODAY
from tests.importing import person_row, staff_row, write_csv
from transition.columns import CASELOAD_BY_NAME, STAFF_BY_NAME
from transition.db import Database
from transition.errors import RulesError
from transition.import_rules import ImportRules
from transition.importer import ImportOptions, ImportResult, import_file, what_the_rules_read
from transition.ruleset import load_rules
from transition.validation import Bad, CellReader

# Today is 15 January 2027: born 16/01/2013 is 13, 15/01/2013 is 14, 15/01/2011 is 16,
# 16/01/2011 is 15, 16/01/2009 is 17, 15/01/2009 is 18.


def read(column: str, cell: Any, limits: ImportRules | None = None) -> Any:
    columns = STAFF_BY_NAME if column == "fte" else CASELOAD_BY_NAME
    return CellReader(today=TODAY, names={}, limits=limits).reader(columns[column])(cell)


def refusal(column: str, cell: Any, limits: ImportRules | None = None) -> Bad:
    with pytest.raises(Bad) as caught:
        read(column, cell, limits)
    return caught.value


def council(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "council.toml"
    path.write_text(f'version = "westshire-2027.1"\n\n{text}', encoding="utf-8")
    return path


# -- The shipped values ----------------------------------------------------------------------


def test_the_shipped_rules_file_and_the_model_agree() -> None:
    assert load_rules(None).importing == ImportRules() == ImportRules(
        youngest_age=14, adult_age=18, max_fte=1.5)


@pytest.mark.parametrize("limits", [None, ImportRules()])
def test_without_a_rules_file_the_shipped_limits_hold(limits: ImportRules | None) -> None:
    young = refusal("date_of_birth", "16/01/2013", limits)  # 13
    assert not young.warning
    assert young.shown.startswith("date of birth gives an age under 14 on the import's date "
                                  "(15/01/2027): no adult mental health service, nor early "
                                  "intervention (from 14), holds a child that young")
    child = refusal("date_of_birth", "15/01/2013", limits)  # 14
    assert child.warning
    assert child.shown.startswith("date of birth gives an age under 18 on the import's date "
                                  "(15/01/2027): adult services take people from 18, so this "
                                  "is right only for early intervention (from 14)")
    assert read("date_of_birth", "15/01/2009", limits).year == 2009  # 18: no warning
    assert read("fte", "1.5", limits) == 1.5
    assert refusal("fte", "1.6", limits).shown.startswith("more than 1.5, which is no one's FTE")
    assert "at most 1.5" in refusal("fte", "-0.5", limits).shown


# -- A council's own values ------------------------------------------------------------------


def test_a_later_youngest_age_rejects_more_and_says_so() -> None:
    from_16 = ImportRules(youngest_age=16)
    bad = refusal("date_of_birth", "16/01/2011", from_16)  # 15: warned under the shipped rules
    assert not bad.warning
    assert bad.shown.startswith("date of birth gives an age under 16")
    assert "nor early intervention (from 16)" in bad.shown
    kept = refusal("date_of_birth", "15/01/2011", from_16)  # 16
    assert kept.warning and "adult services take people from 18" in kept.shown
    assert "early intervention (from 16)" in kept.shown


def test_an_earlier_youngest_age_keeps_a_13_year_old_with_a_warning() -> None:
    bad = refusal("date_of_birth", "16/01/2013", ImportRules(youngest_age=12))
    assert bad.warning and "(from 12)" in bad.shown


def test_youngest_equal_to_adult_rejects_everyone_under_it() -> None:
    adults_only = ImportRules(youngest_age=18, adult_age=18)
    bad = refusal("date_of_birth", "16/01/2009", adults_only)  # 17
    assert not bad.warning
    assert bad.shown.startswith("date of birth gives an age under 18 on the import's date "
                                "(15/01/2027): no adult mental health service (from 18), holds")
    assert "early intervention" not in bad.shown
    assert read("date_of_birth", "15/01/2009", adults_only).year == 2009


def test_a_later_adult_age_warns_more() -> None:
    bad = refusal("date_of_birth", "15/01/2009", ImportRules(adult_age=19))  # 18
    assert bad.warning and bad.shown.startswith("date of birth gives an age under 19")
    assert "adult services take people from 19" in bad.shown


def test_a_higher_fte_ceiling_keeps_two_posts() -> None:
    two_posts = ImportRules(max_fte=2.0)
    assert read("fte", "1.8", two_posts) == 1.8
    assert read("fte", "2,0", two_posts) == 2.0
    bad = refusal("fte", "2.1", two_posts)
    assert not bad.warning and bad.shown.startswith("more than 2, which is no one's FTE")
    assert "at most 2 (1.0 is full time" in refusal("fte", "-1", two_posts).shown


def test_a_lower_fte_ceiling_rejects_more() -> None:
    assert refusal("fte", "1.2", ImportRules(max_fte=1.0)).shown.startswith("more than 1, ")


# -- The rules file ---------------------------------------------------------------------------


def test_a_council_file_sets_the_limits(tmp_path: Path) -> None:
    rules = load_rules(council(tmp_path, "[importing]\nyoungest_age = 16\nmax_fte = 2\n"))
    assert rules.importing == ImportRules(youngest_age=16, adult_age=18, max_fte=2.0)
    assert load_rules(None).importing == ImportRules()  # the shipped rules untouched


@pytest.mark.parametrize(("text", "said"), [
    ("[importing]\nyoungest_age = 20\n",
     "line 3: importing: youngest_age (20) must be at most adult_age (18)"),
    ("[importing]\nadult_age = 12\n",  # the shipped youngest_age is above it
     "line 3: importing: youngest_age (14) must be at most adult_age (12)"),
    ("[importing]\nadult_age = 180\n",
     "line 4: importing.adult_age: is 180: write an age in whole years, 0 to 120"),
    ("[importing]\nyoungest_age = -1\n",
     "line 4: importing.youngest_age: is -1: write an age in whole years, 0 to 120"),
    ("[importing]\nmax_fte = 0\n",
     "line 4: importing.max_fte: is 0: write an FTE from 1.0 (full time"),
    ("[importing]\nmax_fte = 37.5\n",
     ("line 4: importing.max_fte: is 37.5: write an FTE from 1.0 (full time, so that no "
      "full-time worker is rejected) to 3.0")),
    ('[importing]\nmax_fte = "2"\n',
     'line 4: importing.max_fte: is "2": write a number without quotes'),
    ("[importing]\nadult_age = true\n",
     "line 4: importing.adult_age: is true: write a whole number"),
    ("[importing]\nyoungest_age = 14.5\n", "line 4: importing.youngest_age: "),
    ("[importing]\nmin_age = 14\n", "line 4: importing.min_age: "),
])
def test_a_bad_value_names_the_file_line_and_key(tmp_path: Path, text: str, said: str) -> None:
    path = council(tmp_path, text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = " ".join(caught.value.message.split())
    assert message.startswith("The rules file is not valid. Nothing was changed.")
    assert f"{path}, {said}" in message


# -- The import --------------------------------------------------------------------------------


def run(database: Database, path: Path, kind: str, options: ImportOptions) -> ImportResult:
    with database.transaction() as session:
        return import_file(session, path, kind, options, actor=ACTOR, today=TODAY)


def test_an_import_checks_against_the_rules_it_is_given(database: Database,
                                                        tmp_path: Path) -> None:
    rows = [person_row(0, date_of_birth="16/01/2011"),  # 15
            person_row(1, date_of_birth="15/01/2011"),  # 16
            person_row(2)]
    path = write_csv(tmp_path / "caseload.csv", rows)
    options = ImportOptions(**what_the_rules_read(
        lambda: load_rules(council(tmp_path, "[importing]\nyoungest_age = 16\n")), "caseload"))
    assert options.limits.youngest_age == 16
    result = run(database, path, "caseload", options)
    assert (result.inserted, result.rejected) == (2, 1)
    [reject] = result.rejects
    assert reject.row == 2 and reject.errors[0][0] == "date_of_birth"
    assert "under 16" in reject.errors[0][1]
    assert [(warning.row, warning.column) for warning in result.warning_list] == [
        (3, "date_of_birth")]


def test_a_staff_import_takes_the_rules_fte_ceiling(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [staff_row(0, fte="1.8"), staff_row(1, fte="2.5")])
    shipped = run(database, path, "staff", ImportOptions())
    assert (shipped.inserted, shipped.rejected) == (0, 2)
    options = ImportOptions(**what_the_rules_read(
        lambda: load_rules(council(tmp_path, "[importing]\nmax_fte = 2.0\n")), "staff"))
    result = run(database, path, "staff", options)
    assert (result.inserted, result.rejected) == (1, 1)
    assert "more than 2, which is no one's FTE" in result.rejects[0].errors[0][1]


def test_an_unreadable_rules_file_imports_with_the_shipped_limits(
        database: Database, tmp_path: Path) -> None:
    broken = council(tmp_path, "[importing]\nmax_fte = 9\n")
    options = ImportOptions(**what_the_rules_read(lambda: load_rules(broken), "staff"))
    assert options.limits == ImportRules() and options.rules_problem
    result = run(database, write_csv(tmp_path / "staff.csv", [staff_row(0, fte="1.8")]),
                 "staff", options)
    assert result.rejected == 1
    said = " ".join(" ".join(result.notices).split())
    assert ("The rules file could not be read, so the job roles were not checked against the "
            "roles a plan fills, and FTEs were checked against the shipped ceiling (1.5): "
            "The rules file is not valid.") in said
    assert "importing.max_fte: is 9" in said
