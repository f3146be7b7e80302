"""A date with its month in words and text after it ('31 Feb 2027x', '1 April 2027 abc') says
what follows the date, and whether the date itself exists, as one in figures does
('31/02/2027x'); it was "is not a date" and the shapes to use. Which dates are read is
unchanged: the words are only for a date that is refused."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import RunCli
from transition import date_faults
from transition.validation import TYPED_DATE_HINT, Bad, CellReader, date_problem, typed_date

TODAY = date(2027, 1, 15)


def said(typed: str) -> str:
    """What a dialog or an option says after "'TYPED' is not a date"."""
    with pytest.raises(Bad) as refused:
        typed_date(typed)
    return date_problem(refused.value)


@pytest.mark.parametrize(("typed", "why"), [
    ("31 Feb 2027x", (": 'x' follows the date, and 31 February 2027 does not exist "
                      "(February 2027 has 28 days)")),
    ("1 April 2027 abc", ": 'abc' follows the date"),
    ("1 april 2027x", ": 'x' follows the date"),
    ("1st Apr 2027 (approx)", ": '(approx)' follows the date"),
    ("April 31, 2027 or so", (": 'or so' follows the date, and 31 April 2027 does not exist "
                              "(April has 30 days)")),
    ("2027-Apr-31x", ": 'x' follows the date, and 31 April 2027 does not exist (April has 30 days)"),
    ("1 Sept 2027?", ": '?' follows the date"),
    ("29 Feb 2028x", ": 'x' follows the date"),  # a leap year: the date exists
    ("Thu, 31 Feb 2027 abc", (": 'abc' follows the date, and 31 February 2027 does not exist "
                              "(February 2027 has 28 days)")),
    ("1 Apr 27x", ": 'x' follows the date"),
    # Long text after it: shortened, as for a date in figures.
    ("1 April 2027 or a week later if the worker agrees",
     ": 'or a week later if …' follows the date"),
    # In figures, with a month word after it: the date and what follows.
    ("01/04/2027 apr", ": 'apr' follows the date"),
])
def test_a_worded_date_with_text_after_it_says_what_follows(typed: str, why: str) -> None:
    assert said(typed) == why


@pytest.mark.parametrize(("typed", "why"), [
    # Nothing after it: which day, and how many the month has (was "the day is past the end
    # of the month").
    ("31 February 2027", ": 31 February 2027 does not exist (February 2027 has 28 days)"),
    ("Feb 30 2027", ": 30 February 2027 does not exist (February 2027 has 28 days)"),
    ("31 Apr 27", ": 31 April 2027 does not exist (April has 30 days)"),
])
def test_a_worded_date_that_does_not_exist_says_so(typed: str, why: str) -> None:
    assert said(typed) == why


@pytest.mark.parametrize("typed", [
    "1 Febr 2027",  # not a month dateutil reads: nothing more to say than the shapes
    "1 April 20271",  # a digit after the year: another number, not a date and more
    "soon",
])
def test_what_is_not_a_date_followed_by_text_keeps_the_shapes_to_use(typed: str) -> None:
    assert said(typed) == ""


@pytest.mark.parametrize(("written", "read"), [
    ("1 April 2027", date(2027, 4, 1)),
    ("1st Apr 2027", date(2027, 4, 1)),
    ("April 1, 2027", date(2027, 4, 1)),
    ("2027-Apr-01", date(2027, 4, 1)),
    ("Thursday 1 April 2027", date(2027, 4, 1)),
    ("1 April 2027 10:00", date(2027, 4, 1)),  # a time after it is still read
    ("1 April 2027.", date(2027, 4, 1)),
    ("1 April 27", date(2027, 4, 1)),
    ("29 Feb 2028", date(2028, 2, 29)),
])
def test_the_same_worded_dates_are_still_read(written: str, read: date) -> None:
    assert typed_date(written) == read
    assert CellReader(today=TODAY, names={}).date(written) == read


def test_an_imported_cell_says_what_follows_without_the_date() -> None:
    """The rejects file (``message``) names what follows and the impossible day; what the
    terminal, --json and the screens say (``shown``) leaves the date out."""
    reader = CellReader(today=TODAY, names={})
    with pytest.raises(Bad) as refused:
        reader.date("31 Feb 1980x")
    assert refused.value.message == ("'31 Feb 1980x' is not a date: 'x' follows the date, and "
                                     "31 February 1980 does not exist (February 1980 has 29 days)")
    assert refused.value.shown == "not a date: text follows the date"
    with pytest.raises(Bad) as impossible:
        reader.date("30 February 1980")
    assert impossible.value.message == ("'30 February 1980' is not a real date: 30 February "
                                        "1980 does not exist (February 1980 has 29 days)")
    assert impossible.value.shown == "not a real date"


def test_a_date_of_birth_in_words_with_text_after_it_is_rejected_in_those_words() -> None:
    reader = CellReader(today=TODAY, names={})
    with pytest.raises(Bad) as refused:
        reader.date("3 April 1980 approx", past_only=True)
    assert refused.value.message == "'3 April 1980 approx' is not a date: 'approx' follows the date"
    assert "1980" not in refused.value.shown


def test_long_text_is_read_in_one_pass() -> None:
    """A long cell is not a date: the words for it do not backtrack over it."""
    assert date_faults.text_after("mon" + "a" * 50_000) is None
    assert date_faults.text_after("1 Apr 2027" + " ." * 25_000) == "'. . . . . . . . . .…' follows the date"
    assert date_faults.worded_impossible("1" + "." * 50_000) is None


def test_a_date_option_says_what_follows_a_worded_date(run_cli: RunCli) -> None:
    result = run_cli("programme", "set", "--transfer-date", "1 April 2027 abc")
    assert result.exit_code == 2 and "Traceback" not in result.output
    stderr = " ".join(result.stderr.split())
    assert "'1 April 2027 abc' is not a date: 'abc' follows the date." in stderr
    assert TYPED_DATE_HINT in stderr
    assert run_cli("programme", "show", "--json").json()["transfer_date"] is None
