"""A date typed by a person (a command-line option, a dialog's date box) that is not a date is
refused with what is actually wrong with it: '31/02/2027x' was said to be "a date in a shape
that could be read day first or month first", when it is a date with an 'x' after it, and 31
February does not exist either."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import RunCli
from transition.validation import TYPED_DATE_HINT, Bad, CellReader, date_problem, typed_date


def said(typed: str) -> str:
    """What a dialog or an option says after "'TYPED' is not a date"."""
    with pytest.raises(Bad) as refused:
        typed_date(typed)
    return date_problem(refused.value)


@pytest.mark.parametrize(("typed", "why"), [
    # Text after the date, and an impossible day too: both said, and neither is a guess.
    ("31/02/2027x", (": 'x' follows the date, and 31 February 2027 does not exist "
                     "(February 2027 has 28 days)")),
    ("01/04/2027x", ": 'x' follows the date"),
    ("2027-04-01 or so", ": 'or so' follows the date"),
    ("20270231x", (": 'x' follows the date, and 31 February 2027 does not exist "
                   "(February 2027 has 28 days)")),
    # An impossible day: which day, and how many the month has.
    ("31/02/2027", ": 31 February 2027 does not exist (February 2027 has 28 days)"),
    ("29/02/2028", None),  # a leap year: a date
    ("31/04/2027", ": 31 April 2027 does not exist (April has 30 days)"),
    ("00/04/2027", ": there is no day 0"),
    ("31 February 2027", ": 31 February 2027 does not exist (February 2027 has 28 days)"),
    # The wrong order: month first, or year first read year, month, day.
    ("12/31/2027", (": there is no month 31 (it looks month-first; dates are read day first, "
                    "e.g. 03/04/1980 is 3 April)")),
    ("2027-31-12", (": there is no month 31 (a date that starts with the year is read year, "
                    "month, day)")),
    # Empty: said so (the callers say what blank means, or refuse it first).
    ("", ": it is empty"),
    ("   ", ": it is empty"),
    # Nothing like a date: the shapes to use follow (TYPED_DATE_HINT), nothing more to say.
    ("soon", ""),
])
def test_each_kind_of_bad_date_says_what_is_wrong(typed: str, why: str | None) -> None:
    if why is None:
        assert typed_date(typed) == date(2028, 2, 29)
        return
    assert said(typed) == why
    assert "could be read day first or month first" not in why


def test_an_imported_cell_says_the_same_without_the_date() -> None:
    """The importer reads a cell with the same function: its message (the rejects file) names
    what is wrong; what the terminal and --json say (``shown``) leaves the date out, as it may
    be a date of birth."""
    reader = CellReader(today=date(2027, 1, 15), names={})
    with pytest.raises(Bad) as refused:
        reader.date("31/02/1980x")
    assert refused.value.message == ("'31/02/1980x' is not a date: 'x' follows the date, and "
                                     "31 February 1980 does not exist (February 1980 has 29 days)")
    assert refused.value.shown == "not a date: text follows the date"
    with pytest.raises(Bad) as impossible:
        reader.date("31/02/1980")
    assert impossible.value.message.startswith("'31/02/1980' is not a real date: 31 February")
    assert impossible.value.shown == "not a real date"


@pytest.mark.parametrize(("typed", "why"), [
    ("31/02/2027x", ("'31/02/2027x' is not a date: 'x' follows the date, and 31 February 2027 "
                     "does not exist (February 2027 has 28 days).")),
    ("31/02/2027", ("'31/02/2027' is not a date: 31 February 2027 does not exist (February "
                    "2027 has 28 days).")),
    ("12/31/2027", "'12/31/2027' is not a date: there is no month 31 (it looks month-first"),
    ("", "--transfer-date is empty: nothing was done."),
])
def test_a_date_option_says_what_is_wrong_and_what_to_type(run_cli: RunCli, typed: str,
                                                          why: str) -> None:
    result = run_cli("programme", "set", "--transfer-date", typed)
    assert result.exit_code == 2 and "Traceback" not in result.output
    stderr = " ".join(result.stderr.split())
    assert why in stderr
    assert TYPED_DATE_HINT in stderr
    assert run_cli("programme", "show", "--json").json()["transfer_date"] is None
