"""docs/import.md documents every column and alias the importer accepts."""

from pathlib import Path

import pytest

from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("columns", [CASELOAD_COLUMNS, STAFF_COLUMNS], ids=["caseload", "staff"])
def test_every_column_and_alias_is_documented(columns: tuple) -> None:
    missing = [
        spelling for column in columns
        for spelling in (column.name, *column.aliases)
        if f"`{spelling}`" not in DOC
    ]
    assert missing == [], "regenerate the column tables in docs/import.md"


@pytest.mark.parametrize("columns", [CASELOAD_COLUMNS, STAFF_COLUMNS], ids=["caseload", "staff"])
def test_the_readme_lists_every_column_and_alias(columns: tuple) -> None:
    missing = [
        spelling for column in columns
        for spelling in (column.name, *column.aliases)
        if f"`{spelling}`" not in README
    ]
    assert missing == [], "regenerate the column tables in README.md"
