"""What a typed date that is not one is answered with: every shape that is read, in the order
the option's help names them (YYYY-MM-DD or DD/MM/YYYY), each example a date that is read, and
no second list of shapes in another order before it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import RunCli
from transition.commands.common import as_of_option
from transition.config import _DATE_SHAPES
from transition.validation import TYPED_DATE_HINT, typed_date


def test_every_example_in_the_hint_is_read_as_the_same_day() -> None:
    examples = re.findall(r"e\.g\. ([^)]+)\)", TYPED_DATE_HINT)
    assert examples == ["2027-04-01", "01/04/2027", "1 April 2027"]
    assert {typed_date(example) for example in examples} == {date(2027, 4, 1)}


def test_the_hint_names_the_shapes_in_the_order_the_options_help_does() -> None:
    help_text = as_of_option().help
    assert help_text is not None and "(YYYY-MM-DD or DD/MM/YYYY)" in help_text
    assert TYPED_DATE_HINT.index("YYYY-MM-DD") < TYPED_DATE_HINT.index("DD/MM/YYYY")


def test_the_environment_setting_says_the_same_shapes() -> None:
    clause = TYPED_DATE_HINT.removeprefix("Use ").removesuffix(".")
    assert _DATE_SHAPES == f"use {clause}, as --as-of does"


@pytest.mark.parametrize("typed", ["1 2 2027", "04.01.27 x", "soon"])
def test_an_option_names_the_shapes_once(run_cli: RunCli, typed: str) -> None:
    result = run_cli("programme", "set", "--transfer-date", typed)
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert TYPED_DATE_HINT in said
    assert "write it DD/MM/YYYY or YYYY-MM-DD" not in said
    assert said.count("DD/MM/YYYY") == 1


def test_as_of_in_the_environment_names_the_month_in_words_too(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITION_AS_OF", "soon")
    result = run_cli("status", "--json")
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "it is not a date; use YYYY-MM-DD (e.g. 2027-04-01), DD/MM/YYYY" in said
    assert "or the month in words (e.g. 1 April 2027), as --as-of does" in said
