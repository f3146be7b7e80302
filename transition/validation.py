"""Checking each row of an export against the canonical columns: every cell read by its
column's kind, every problem named.

Each cell is read by its column's kind. A problem either rejects the row (a missing required
value, an invalid NHS number, an impossible date, a bad number, a value too long to store) or
is a warning (an unknown optional code, a yes/no that is not yes or no): the row is imported
with that value left blank and the warning kept.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from itertools import compress
from operator import itemgetter
from typing import Any, NamedTuple

from dateutil import parser as date_parser

from transition import date_faults, nhs, postcodes
from transition.columns import (
    DERIVED_COLUMNS,
    FALSE_WORDS,
    GENDER_CODES,
    NOT_STATED_WORDS,
    TRUE_WORDS,
    Column,
    header_key,
)
from transition.files import FORMULA_PREFIXES
from transition.headers import HeaderMatch
from transition.import_rules import ImportRules
from transition.languages import NotALanguageCode, code_name
from transition.models import CARE_ACT_OUTCOMES
from transition.staff_ids import by_folded_case
from transition.tabular import Cell, SourceRow, cell_text

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
INT_LIMIT = 100_000  # admissions, missed appointments, capacity: far above any real value
# The youngest age, the adult age and the FTE ceiling an import accepts are the council's, in
# the rules file's [importing] section (transition.import_rules; shipped 14, 18 and 1.5).
CLUSTER_RANGE = range(22)
# Written in a cell to mean "nothing here" (not used for yes/no or Care Act outcomes columns,
# where "no" and "none" are answers).
NONE_WORDS = frozenset({"n/a", "na", "none", "nil", "null", "not applicable", "-", "--"})
UNALLOCATED_WORDS = frozenset({"unallocated", "not allocated", "no coordinator", "vacant"})
# Optional yes/no columns where an unreadable cell rejects the row instead of being left blank
# with a warning: section 117 aftercare and a Community Treatment Order are legal statuses
# that decide the pathway and what a handover letter promises, and whether a council worker
# is seconded decides whether their whole caseload moves. A blank cell is still allowed.
REJECT_IF_UNREADABLE = frozenset({"s117", "cto", "seconded"})
# A row on a CTO whose s117 is no: kept (which of the two is wrong is for the trust to say),
# with this warning; the nightly check's cto_without_s117 finding says it every night, and the
# person's handover letters are held back until the record is corrected.
CTO_WITHOUT_S117_WARNING = (
    "on a Community Treatment Order (cto: yes) but not on section 117 aftercare (s117: no), "
    "which cannot both be right: a CTO is made only after detention under section 3 or 37 of "
    "the Mental Health Act, which brings s117 aftercare. Ask the trust which is wrong (most "
    "likely the s117 flag) and import the corrected export; until then the person's handover "
    "letters are held back and the nightly check reports them (cto_without_s117)")
_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)"
# Year first, whatever the separator (1980-04-03, 1980/4/3, 1980.04.03): always year, month,
# day. A time may follow, with a UTC offset or Z (2026-11-03T09:00:00+00:00): the date is the
# one written, not moved to UTC.
_YEAR_FIRST = re.compile(
    rf"^(\d{{4}})[/.\-](\d{{1,2}})[/.\-](\d{{1,2}})(?:[T ]{_TIME}\s*{_OFFSET}?)?$", re.IGNORECASE)
_ISO_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UK_DATE = re.compile(
    rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}})(?:\s+{_TIME}(?:\s*[ap]m)?)?$",
    re.IGNORECASE)
# A month written as a word: only then is a date read by dateutil (3 April 1980, 03-Apr-1980).
# Digits alone in any other shape could be day or month first, and a wrong guess is silent.
_MONTH_NAME = re.compile(r"(?<![a-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
                         re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_ZERO_WEIGHTED = ord("0") * sum(_NHS_WEIGHTS)
_TRUTH = {word: True for word in TRUE_WORDS} | {word: False for word in FALSE_WORDS}


class Problem(NamedTuple):
    """What is wrong with one cell (or one row): the canonical column and a message.

    ``message`` never holds the cell's value (a name, a date of birth, an address): it is what
    the terminal, ``--json``, the screens and the stored rejected row say. ``valued`` is the
    same with the value, where there is one, for the two places that keep it: the rejects
    file (0600) and the person's own import warnings (a value left blank survives only there).
    """

    column: str
    message: str
    valued: str | None = None

    @property
    def with_value(self) -> str:
        return self.valued or self.message


class Bad(Exception):
    """A cell that could not be read; ``value`` is what can still be kept (usually None).

    ``message`` may quote the cell; ``shown`` says the same without it (see :class:`Problem`).
    """

    def __init__(self, message: str, value: Any = None, *, warning: bool = False,
                 shown: str | None = None):
        super().__init__(message)
        self.message = message
        self.shown = shown or message
        self.value = value
        self.warning = warning  # never rejects the row, whatever the column


def about(cell: Cell, problem: str, **options: Any) -> Bad:
    """A :class:`Bad` that quotes the cell in its message ("'31/02/1980' is not a real date")
    and not in what is shown ("not a real date")."""
    return Bad(f"{quoted(cell_text(cell))} {problem}", shown=problem.removeprefix("is "),
               **options)


@dataclass(slots=True)
class CheckedRow:
    """One data row after checking."""

    number: int
    key: str | None  # the NHS number (digits) or staff id, even if invalid; None if blank
    values: dict[str, Any]  # canonical column -> value, for the columns the file has
    extra: dict[str, str]  # unknown columns -> text (non-empty cells only)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    content_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def quoted(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_LABELS = {"nhs_number": "NHS number", "staff_id": "staff id", "care_coordinator_id":
           "care coordinator id", "gp_practice": "GP practice code", "cpa": "CPA",
           "fte": "FTE", "s117": "section 117", "cto": "CTO"}


def label(column: Column) -> str:
    return _LABELS.get(column.name) or column.name.replace("_", " ")


# ---------------------------------------------------------------------------------------------
# Reading one cell
# ---------------------------------------------------------------------------------------------


class NameBook:
    """Team and locality names: one spelling each, whatever case or spacing a file uses."""

    def __init__(self, existing: Iterable[str] = ()):
        self._names: dict[str, str] = {}
        for name in existing:
            self.canonical(name)

    def canonical(self, text: str) -> str:
        spelled = " ".join(text.split())
        return self._names.setdefault(spelled.casefold(), spelled)


def _code_table(codes: dict[str, str], choices: Iterable[str] = ()) -> dict[str, str]:
    table = {header_key(choice): choice for choice in choices}
    table.update({header_key(code): value for code, value in codes.items()})
    return table


class CellReader:
    """Builds the reader for each column kind. One per import (dates are cached per import);
    ``limits`` are the rules' ages and FTE ceiling (the shipped ones when not given)."""

    def __init__(self, *, today: date, names: dict[str, NameBook],
                 limits: ImportRules | None = None):
        self.today = today
        self.names = names
        self._dates = lru_cache(maxsize=200_000)(self._date_from_text)
        limits = limits or ImportRules()
        # Read once per import, not once per cell.
        self.youngest_age = limits.youngest_age
        self.adult_age = limits.adult_age
        self.max_fte = limits.max_fte
        # The latest date of birth of someone who is of adult age on the import's date.
        self._adult_born_by = _years_before(today, self.adult_age)

    def reader(self, column: Column, *, month_first: bool = False) -> Callable[[Cell], Any]:
        """The reader of ``column``'s cells; ``month_first`` for a date column whose header
        says its dates are written month first (:func:`header_date_order`)."""
        kind = column.kind
        simple: dict[str, Callable[[Cell], Any]] = {
            "nhs_number": self.nhs_number, "bool": self.yes_no, "int": self.whole_number,
            "float": self.number, "cluster": self.cluster, "outcomes": self.outcomes,
            "list": self.words,
        }
        if kind in simple:
            return simple[kind]
        if kind == "text":
            return self._text_reader(column)
        if kind == "date":
            if column.name == "date_of_birth":
                return lambda cell: self.date_of_birth(cell, month_first=month_first)
            return lambda cell: self.date(cell, month_first=month_first)
        if kind in ("choice", "gender"):
            table = (_code_table(column.codes, column.choices) if kind == "choice"
                     else {header_key(code): value for code, value in GENDER_CODES.items()})
            choices = column.choices or tuple(sorted(set(GENDER_CODES.values())))
            return lambda cell: self.choice(cell, table, choices)
        raise AssertionError(f"no reader for column kind {kind!r}")

    # -- text ------------------------------------------------------------------------------

    def verbatim(self, column: Column) -> bool:
        """Whether a column's text is stored as written (once stripped), if it fits: a text
        column with no tidying, codes or name book."""
        return (column.kind == "text" and column.name not in self.names
                and self._tidy(column) is None)

    @staticmethod
    def _tidy(column: Column) -> Callable[[str], str] | None:
        if column.codes:  # a code written in words: 'Social Worker' -> social_worker
            table = _code_table(column.codes)
            return lambda text: table.get(key := header_key(text), key)
        return {
            "postcode": postcode, "gp_practice": str.upper,
            "interpreter_language": interpreter_language,
            "preferred_language": preferred_language,
        }.get(column.name)

    def _text_reader(self, column: Column) -> Callable[[Cell], Any]:
        limit = column.max_length
        book = self.names.get(column.name)
        tidy = self._tidy(column)

        def read(cell: Cell) -> str:
            text = cell if isinstance(cell, str) else cell_text(cell)
            kept_with_a_warning = None
            if tidy is not None:
                try:
                    text = tidy(text)
                except Bad as bad:  # a value kept as written: it must still fit
                    if not bad.warning:
                        raise
                    kept_with_a_warning, text = bad, bad.value
            if limit is not None and len(text) > limit:
                raise Bad(f"{label(column)} is longer than {limit} characters ({len(text)})")
            if kept_with_a_warning is not None:
                raise kept_with_a_warning
            return book.canonical(text) if book is not None else text

        return read

    # -- identifiers -----------------------------------------------------------------------

    @staticmethod
    def nhs_number(cell: Cell) -> str:
        if (cell.__class__ is str and len(cell) == 10  # type: ignore[arg-type]
                and cell.isascii() and cell.isdigit()):  # type: ignore[union-attr]
            # The usual case, without nhs.problem's general path (100,000 times per import).
            # The digits' ASCII codes are 48 ('0') to 57: the weighted sum of the codes less 48
            # times the sum of the weights is the weighted sum of the digits.
            codes = cell.encode()  # type: ignore[union-attr]
            total = sum(map(operator.mul, codes[:9], _NHS_WEIGHTS)) - _ZERO_WEIGHTED
            check = 11 - total % 11
            # One digit ten times passes too, but is a placeholder: nhs.problem says so.
            if (0 if check == 11 else check) == codes[9] - 48 and codes.count(codes[0]) < 10:
                return cell  # type: ignore[return-value]
        if isinstance(cell, str) and cell[:1] == "'":
            # Excel's text marker ('9991000003 keeps the digits as text, leading zeros and
            # all): never part of the number, so dropped; the digits are checked as any are.
            return CellReader.nhs_number(cell[1:].strip())
        if isinstance(cell, str) and _SCIENTIFIC.match(cell):
            raise Bad("NHS number is shown in scientific notation (like 9.99E+09), so digits "
                      "were lost when the file was saved; format the column as Text or as a "
                      "number with 0 decimal places and export again")
        problem = nhs.problem(cell)
        if problem:
            raise Bad(problem)
        return nhs.normalise(cell)

    # -- dates -----------------------------------------------------------------------------

    def date(self, cell: Cell, *, past_only: bool = False, month_first: bool = False) -> date:
        if isinstance(cell, datetime):
            value = cell.date()
        elif isinstance(cell, date):
            value = cell
        elif isinstance(cell, bool):
            raise about(cell, "is not a date")
        elif isinstance(cell, int | float):
            value = _excel_serial(cell)
        elif isinstance(cell, str):
            value = self._dates(cell, past_only, month_first)
        else:
            raise about(cell, "is not a date")
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise Bad(f"{value.isoformat()} is outside the years 1900-2100; check the year",
                      shown="a date outside the years 1900-2100; check the year")
        if past_only and value > self.today:
            raise Bad(f"date of birth {value:%d/%m/%Y} is in the future (check the year)",
                      shown="date of birth is in the future (check the year)")
        return value

    def date_of_birth(self, cell: Cell, *, month_first: bool = False) -> date:
        """A date of birth: never in the future, and not a child's. Under the rules'
        youngest age (14: no adult service, nor early intervention, holds them) on the import's
        date the row is rejected; from it to under the adult age (14 to 17) it is kept with a
        warning (right only for early intervention)."""
        value = self.date(cell, past_only=True, month_first=month_first)
        if value <= self._adult_born_by:
            return value
        age = _age(value, self.today)
        text = cell_text(cell).strip()
        short_year = _has_two_digit_year(text) if isinstance(cell, str) else None
        century = ""
        shown_century = ""
        if short_year is not None:
            century = (f"; the year was written with two digits ({short_year}) and read as "
                       f"{value.year}: if {1900 + int(short_year)} was meant, write the year "
                       "in full")
            shown_century = ("; its year was written with two digits and read as the 2000s: "
                             "if the 1900s were meant, write the year in full")
        youngest, adult = self.youngest_age, self.adult_age
        if age < youngest:
            services = (f"no adult mental health service, nor early intervention (from "
                        f"{youngest})" if youngest < adult
                        else f"no adult mental health service (from {adult})")
            why = (f"on the import's date ({self.today:%d/%m/%Y}): {services}, holds a child "
                   "that young, so the date is most likely mistyped; check it with the trust")
            raise Bad(f"{quoted(text)} as a date of birth gives an age of {age} {why}{century}",
                      shown=f"date of birth gives an age under {youngest} {why}"
                      f"{shown_century}")
        why = (f"on the import's date ({self.today:%d/%m/%Y}): adult services take people from "
               f"{adult}, so this is right only for early intervention (from "
               f"{youngest}); kept, but check it with the trust")
        raise Bad(f"{quoted(text)} as a date of birth gives an age of {age} {why}{century}",
                  value=value, warning=True,
                  shown=f"date of birth gives an age under {adult} {why}{shown_century}")

    def _date_from_text(self, text: str, past_only: bool, month_first: bool = False) -> date:
        text = text.strip()
        for shape, hint in ((_YEAR_FIRST, _YEAR_FIRST_HINT), (_ISO_BASIC, _ISO_BASIC_HINT)):
            if match := shape.match(text):
                year, month, day = (int(part) for part in match.groups())
                return _real_date(text, year, month, day, hint=hint)
        match = _UK_DATE.match(text)
        if not match:
            value = _worded_date(text)
            if _LONG_NUMBER.search(text):
                return value
            # A two-digit year in words ('1 Feb 70', Excel's dd-mmm-yy): dateutil puts it
            # within 50 years of the computer's clock (2070); read as a date in figures is.
            return self._two_digit_year(text, value.year % 100, value.month, value.day,
                                        past_only)
        first, second, year = (int(part) for part in match.groups())
        day, month = (second, first) if month_first else (first, second)
        hint = _MONTH_FIRST_HINT if month_first else _DAY_FIRST_HINT
        if len(match.group(3)) > 2:
            return _real_date(text, year, month, day, hint=hint)
        return self._two_digit_year(text, year, month, day, past_only, hint=hint)

    def _two_digit_year(self, text: str, year: int, month: int, day: int, past_only: bool, *,
                        hint: str | None = None) -> date:
        """Two-digit years: the 2000s unless that is too far ahead ('56' -> 1956); a date of
        birth is never in the future ('03/04/27' -> 1927 when today is 15 January 2027)."""
        hint = hint or _DAY_FIRST_HINT
        value = _real_date(text, 2000 + year, month, day, hint=hint)
        latest = self.today if past_only else date(self.today.year + 20, 12, 31)
        return value if value <= latest else _real_date(text, 1900 + year, month, day,
                                                        hint=hint)

    # -- yes/no and numbers ----------------------------------------------------------------

    @staticmethod
    def yes_no(cell: Cell) -> bool | None:
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, int | float) and cell in (0, 1):
            return bool(cell)
        text = cell_text(cell).strip().lower()
        value = _TRUTH.get(text)
        if value is None:
            if text in NOT_STATED_WORDS:  # MHSDS indicators: Z = not stated, kept blank
                return None
            raise about(cell, "is not yes or no "
                        "(use Y/N, Yes/No, True/False or 1/0; Z for not stated)")
        return value

    @staticmethod
    def whole_number(cell: Cell) -> int:
        number = _number(cell)
        if not float(number).is_integer():
            written = cell.strip() if isinstance(cell, str) else ""
            if _DECIMAL_COMMA.match(written) and not _THOUSANDS.match(written):  # '1,5': not 15
                raise about(cell, f"is not a whole number (read as {number:g}: a comma is a "
                            "decimal comma unless three digits follow it, as in 1,200)")
            raise about(cell, "is not a whole number")
        if number < 0:
            raise about(cell, "is negative; it must be 0 or more")
        if number > INT_LIMIT:
            raise about(cell, f"is implausibly large (over {INT_LIMIT:,})")
        return int(number)

    def number(self, cell: Cell) -> float:
        """An FTE: a comma is a decimal comma ('0,5' is 0.5; FTE is never in the thousands).
        Above the rules' ceiling (``max_fte``, 1.5 shipped) or below 0 it is rejected."""
        number = float(_number(cell, decimal_comma=True))
        if number < 0:
            raise about(cell, "is negative; FTE is more than 0 and at most "
                        f"{self.max_fte:g} (1.0 is full time, 0.5 half time)")
        if number > self.max_fte:
            raise about(cell, f"is more than {self.max_fte:g}, which is no one's FTE (1.0 is "
                        "full time): if it is hours a week, divide by the full-time hours "
                        "(37.5 hours is 1.0); if a percentage, divide by 100 (80 is 0.8)")
        if number == 0:
            raise about(cell, "is an FTE of 0 (no hours): kept, but with no capacity given "
                        "the worker is given no one, and an AMHP with it counts nothing "
                        "towards AMHP cover; correct it if they work", value=number,
                        warning=True)
        return number

    @staticmethod
    def cluster(cell: Cell) -> int:
        text = cell_text(cell).strip().lower()
        text = re.sub(r"^(cluster|c)\s*", "", text)
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value.is_integer() or int(value) not in CLUSTER_RANGE:
            raise about(cell, "is not a mental health cluster (0-21); left blank")
        return int(value)

    # -- lists and codes -------------------------------------------------------------------

    @staticmethod
    def outcomes(cell: Cell) -> list[str]:
        text = cell_text(cell).strip()
        # Empty entries between separators are stray separators ('NONE;' is none, as written).
        written = [part.strip() for part in _LIST_SPLIT.split(text) if part]
        parts = [header_key(part) for part in written]
        if not parts:
            # Only separators (';', ';;'): nothing was written, which is not "assessed, none
            # unmet" (that is 'none', and it would signpost the person). Left blank, like an
            # empty cell, but with a warning: something was meant to be here.
            why = ("lists no outcome, only separators: left blank (not yet assessed), so the "
                   "pathway is 'assess' until the record is corrected")
            raise about(text, why)
        if parts == ["none"]:
            return []  # assessed: no outcome unmet
        known = [outcome for outcome in CARE_ACT_OUTCOMES if outcome in parts]
        unknown = [part for part in parts if part not in CARE_ACT_OUTCOMES and part != "none"]
        # Quoted as written ('-', 'N/A'), not as read: '' would say nothing.
        unknown_written = [as_written for as_written, part in zip(written, parts, strict=True)
                           if part not in CARE_ACT_OUTCOMES and part != "none"]
        if unknown:
            # Kept beside the known ones, so the pathway decision can say what it could not
            # count, and so an "N/A" or an outcome spelt another way is not read as "assessed,
            # nothing unmet" (which would signpost the person): with fewer than two known
            # outcomes the decision is assess until someone checks the record.
            why = ("(see docs/import.md for the ten); not counted, and with fewer than two "
                   "known outcomes the pathway is 'assess' until the record is corrected")
            one = len(unknown) == 1
            raise Bad(
                f"{', '.join(quoted(part) for part in unknown_written)} "
                f"{'is not a Care Act outcome' if one else 'are not Care Act outcomes'} {why}",
                value=known + unknown,
                shown=(f"{'one entry is' if one else f'{len(unknown)} entries are'} not "
                       f"{'a Care Act outcome' if one else 'Care Act outcomes'} {why}"),
            )
        if "none" in parts:
            raise Bad("'none' given with outcomes; the outcomes were kept", value=known)
        return known

    @staticmethod
    def words(cell: Cell) -> list[str]:
        seen: dict[str, None] = {}
        for part in _LIST_SPLIT.split(cell_text(cell).strip()):
            if part:
                seen.setdefault(header_key(part), None)
        return list(seen)

    @staticmethod
    def choice(cell: Cell, table: dict[str, str], choices: Sequence[str]) -> str:
        text = cell_text(cell).strip()
        value = table.get(header_key(text)) or table.get(text.lower())
        if value is None:
            raise about(text, f"is not one of {', '.join(choices)}")
        return value


def typed_date(text: str) -> date:
    """A date a person typed (a command-line option, ``TRANSITION_AS_OF``, a dialog's date box),
    read as the importer reads a date cell: ISO or year first (2027-04-01), UK day first
    (01/04/2027) or with the month in words (1 April 2027). Nothing is guessed ('2027', 'Nov',
    a bare number): raises :class:`Bad`, whose ``shown`` says why without quoting the text
    but naming what is wrong in it, as the person typed it ("'x' follows the date, and 31
    February 2027 does not exist ..."; see :func:`date_problem`)."""
    typed = text.strip()
    if not typed:
        raise Bad("no date was typed", shown="it is empty")
    try:
        return CellReader(today=date.today(), names={}).date(typed)
    except Bad as bad:
        # The importer's ``shown`` leaves the date out (it may be a date of birth); what the
        # person typed can be said back to them.
        quoted_text = f"{quoted(typed)} "
        if not bad.message.startswith(quoted_text):
            raise
        said = bad.message.removeprefix(quoted_text).removeprefix("is ")
        # The shapes to use are said after it by the caller, in the order its box or option
        # shows them: the importer's own list here would name them twice, in another order.
        said = said.removesuffix(_WRITE_IT_SO)
        raise Bad(bad.message, shown=said) from None


def date_problem(bad: Bad) -> str:
    """Why :func:`typed_date` refused a date, to follow "... is not a date": "" when that is
    all there is to say (the shapes to use follow it), else ": 31 February 2027 does not
    exist (February 2027 has 28 days)", ": 'x' follows the date" and the like."""
    for already in ("not a real date: ", "not a date: "):
        if bad.shown.startswith(already):
            return f": {bad.shown.removeprefix(already)}"
    return "" if bad.shown.startswith("not a date") else f": {bad.shown}"


# What to type, after a typed date that is not one: every shape typed_date reads, the one the
# options' help names first (YYYY-MM-DD or DD/MM/YYYY). A date box says its own example first
# (transition.screens.handover_dialog.DATE_BOX_HINT).
TYPED_DATE_HINT = ("Use YYYY-MM-DD (e.g. 2027-04-01), DD/MM/YYYY (e.g. 01/04/2027) or the "
                   "month in words (e.g. 1 April 2027).")


# A comma between groups of three digits separates thousands (1,200; 12,000.5); any other
# comma between digits, alone, is a decimal comma (1,5 is 1.5: a semicolon-separated file
# from a spreadsheet set to a European locale writes them).
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def _number(cell: Cell, *, decimal_comma: bool = False) -> float:
    """A number cell's value. In text, a comma separates thousands where three digits follow
    it (1,200), else it is a decimal comma (1,5 is 1.5, never 15); with ``decimal_comma``
    (FTE, never in the thousands) every lone comma is a decimal comma (1,000 is 1.0)."""
    if isinstance(cell, bool):
        raise about(cell, "is not a number")
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = cell_text(cell).strip()
        if "," in text:
            if _DECIMAL_COMMA.match(text) and (decimal_comma or not _THOUSANDS.match(text)):
                text = text.replace(",", ".")
            elif _THOUSANDS.match(text) and not decimal_comma:
                text = text.replace(",", "")
            else:
                raise about(cell, "is not a number (write it with a decimal point, as 0.5)"
                            if decimal_comma else "is not a number")
        try:
            value = float(text)
        except ValueError:
            raise about(cell, "is not a number") from None
    if not math.isfinite(value):
        raise about(cell, "is not a number")
    return value


# Said of an impossible date whose month is over 12: how the date was read.
_DAY_FIRST_HINT = " (it looks month-first; dates are read day first, e.g. 03/04/1980 is 3 April)"
# The same, in a column whose header says month first (header_date_order).
_MONTH_FIRST_HINT = (" (it looks day-first; the column's header says month first, e.g. "
                     "04/03/1980 is 3 April)")
# What is shown of a date written the other way round from the rest of its column's reading:
# the other dates of that column that read either way are held back (RowChecker).
_CONTRARY = (f"not a real date{_DAY_FIRST_HINT}", f"not a real date{_MONTH_FIRST_HINT}")
_YEAR_FIRST_HINT = " (a date that starts with the year is read year, month, day)"
_ISO_BASIC_HINT = " (eight digits are read as YYYYMMDD)"


def _real_date(text: str, year: int, month: int, day: int, *,
               hint: str = _DAY_FIRST_HINT) -> date:
    try:
        return date(year, month, day)  # the import's hot path: the words only for a bad one
    except ValueError:
        fault = date_faults.impossible(year, month, day)
    said = hint if month > 12 and (day <= 12 or hint not in _ORDER_HINTS) else ""
    raise Bad(f"{quoted(text)} is not a real date: {fault}{said}",
              shown=f"not a real date{said}")


_ORDER_HINTS = (_DAY_FIRST_HINT, _MONTH_FIRST_HINT)
_DEFAULTS = (datetime(1904, 2, 29), datetime(1908, 3, 30))
_LONG_NUMBER = re.compile(r"\d{3}")  # a year of three or four digits, not two
# A date cell of five digits: Excel's day count (46054 is 1 February 2026), as a CSV keeps a
# date column that was formatted as a number.
_EXCEL_DAY = re.compile(r"^\d{5}(?:\.\d+)?$")
# Letters typed for the digits they look like: O for 0, I and l for 1.
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_LOOKALIKE_DIGIT = {"O": "0 (zero)", "o": "0 (zero)", "I": "1 (one)", "l": "1 (one)"}
_DATE_SHAPES = "use DD/MM/YYYY or YYYY-MM-DD"
_WRITE_IT_SO = ": write it DD/MM/YYYY or YYYY-MM-DD"


def _worded_date(text: str) -> date:
    """'3 April 1980', '03-Apr-1980', 'April 3 1980': all three parts must be there, and the
    month must be a word. Digits in any shape but day-first or year-first are refused: they
    could be read either way round."""
    if len(text) > 40:
        if fault := date_faults.text_after(text):  # '1 April 2027, or a week later if ...'
            raise Bad(f"{quoted(text)} is not a date: {fault}",
                      shown="not a date: text follows the date")
        raise about(text, f"is not a date ({_DATE_SHAPES})")
    if not _MONTH_NAME.search(text):
        if _EXCEL_DAY.match(text):
            raise _excel_day_in_text(text)
        if fault := _lookalike_letters(text):  # '01/02/2O26'
            raise Bad(f"{quoted(text)} is not a date: {fault}", shown=f"not a date: {fault}")
        if fault := date_faults.text_after(text):  # '31/02/2027x': not a shape to guess at
            raise Bad(f"{quoted(text)} is not a date: {fault}",
                      shown="not a date: text follows the date")
        if text.count("/") + text.count("-") + text.count(".") >= 2 or " " in text.strip():
            raise about(text, "is a date in a shape that could be read day first or month "
                        f"first, so it is not guessed{_WRITE_IT_SO}")
        raise about(text, f"is not a date ({_DATE_SHAPES})")
    try:
        first, second = (date_parser.parse(text, dayfirst=True, default=default)
                         for default in _DEFAULTS)
    except (ValueError, OverflowError, TypeError) as exc:
        # Only a date not read comes here: the words cost nothing on the hot path.
        if fault := date_faults.text_after(text):  # '1 April 2027 abc', '31 Feb 2027x'
            raise Bad(f"{quoted(text)} is not a date: {fault}",
                      shown="not a date: text follows the date") from None
        if "out of range for month" in str(exc):  # '31 February 2027'
            fault = (date_faults.worded_impossible(text)
                     or "the day is past the end of the month")
            raise Bad(f"{quoted(text)} is not a real date: {fault}",
                      shown="not a real date") from None
        raise about(text, f"is not a date ({_DATE_SHAPES})") from None
    if first != second:
        raise about(text, "is not a complete date (day, month and year are needed)")
    return first.date()


def _excel_day_in_text(text: str) -> Bad:
    """Why Excel's day count written as text ('45689') is refused, and how to fix it."""
    advice = ("looks like an Excel day number, not a date: the column was formatted as a "
              "number when the file was saved. In Excel, format the column as a date (Format "
              "Cells, Date) before saving as CSV, or write the date DD/MM/YYYY")
    try:
        meant = f" (Excel's day {text} is {_excel_serial(float(text)):%d/%m/%Y})"
    except Bad:
        meant = ""
    return Bad(f"{quoted(text)} {advice}{meant}", shown=advice)


def _lookalike_letters(text: str) -> str | None:
    """Why a date with a letter for a digit ('01/02/2O26': O for 0) is not one; None when
    putting the digits back makes no date's shape."""
    fixed = text.translate(_LOOKALIKES)
    if fixed == text or not any(shape.match(fixed) for shape in (_UK_DATE, _YEAR_FIRST,
                                                                  _ISO_BASIC)):
        return None
    letters = list(dict.fromkeys(char for char in text if char in _LOOKALIKE_DIGIT))
    said = " and ".join(f"the letter {letter} where a digit, {_LOOKALIKE_DIGIT[letter]}, is "
                        "expected" for letter in letters)
    return f"it has {said}: type the digit"


def _has_two_digit_year(text: str) -> str | None:
    """The two digits of a date's year written with two ('01/02/26', '1 Feb 26'), else
    None."""
    if match := _UK_DATE.match(text):
        return match.group(3) if len(match.group(3)) == 2 else None
    if _MONTH_NAME.search(text) and not _LONG_NUMBER.search(text):
        found = re.findall(r"\d+", re.sub(_TIME, " ", text))
        return found[-1].zfill(2) if found and len(found[-1]) <= 2 else None
    return None


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _excel_serial(number: float) -> date:
    """A date cell stored as a plain number (Excel's day count from 1900)."""
    from openpyxl.utils.datetime import from_excel

    if not 1 <= number < 2_958_466:
        raise about(number, "is not a date")
    value = from_excel(number)
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def postcode(text: str) -> str:
    """'wx12ab' -> 'WX1 2AB'. Anything not a UK postcode's shape is kept as written, with a
    warning: the handover letter is addressed with it."""
    code = postcodes.tidy(text)
    if not postcodes.has_postcode_shape(code):
        raise about(text, "is not a UK postcode; kept as written: check it before letters are "
                    "posted", value=code, warning=True)
    return code


# "Not known" in the preferred-language column: MHSDS and trusts' own spellings. Not "no": that
# is Norwegian's code.
NOT_KNOWN_LANGUAGE_WORDS = frozenset({"zz", "99", "xx", "not known", "not stated", "unknown"})


def preferred_language(text: str) -> str:
    """A preferred language as its name, lower case: ``PL`` and ``Polish`` are ``polish``,
    ``q4`` is ``british sign language`` (:func:`transition.languages.code_name`). A two-letter
    code that is not an ISO 639-1 language is kept as written, with a warning; any other text
    is a name, kept as written (lower case)."""
    word = text.strip().lower()
    if len(word) == 2:
        try:
            return code_name(word)
        except NotALanguageCode:
            raise about(text, "is not an ISO 639-1 language code; kept as written: check it",
                        value=word, warning=True) from None
    return word


def interpreter_language(text: str) -> str:
    if text.strip().lower() in TRUE_WORDS:
        raise Bad("an interpreter is needed but the language is not given; "
                  "recorded as 'unspecified'", value="unspecified", warning=True)
    return text


# ---------------------------------------------------------------------------------------------
# Reading one row
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ColumnPlan:
    position: int
    name: str
    read: Callable[[Cell], Any]
    empty: frozenset[str]  # words meaning "nothing here" in this column
    blank: Any  # the value of an empty cell
    missing: Problem | None  # the problem an empty cell is (required columns)
    rejects: bool  # whether a bad value rejects the row (else it is a warning)
    if_empty: Any  # the answer for an empty cell: ``blank``, or ``_BLANK`` when it is a problem
    verbatim_up_to: int | None  # text stored as written (stripped) up to this length, if any


class _Blank:
    """The answer for an empty cell."""


_BLANK = _Blank()


# Said after a bad value that rejects the row in an optional column whose rejection needs a
# reason (the cell could be emptied instead).
_WHY_IT_REJECTS = {
    "leaving_date": ("the worker's row is held back, as a wrong leaving date would give people "
                     "to a worker who has gone, or keep them from one who stays: correct the "
                     "date, or empty the cell if no leaving date is known"),
}


def _explained(read: Callable[[Cell], Any], why: str) -> Callable[[Cell], Any]:
    """``read``, with ``why`` said after each problem that rejects the row."""

    def explained(cell: Cell) -> Any:
        try:
            return read(cell)
        except Bad as bad:
            if bad.warning:
                raise
            raise Bad(f"{bad.message}; {why}", bad.value, shown=f"{bad.shown}; {why}") from None

    return explained


# A header that says how its dates are written: 'DOB (mm/dd/yyyy)', 'Date of birth (MM/DD/YY)',
# 'Leaving date dd-mm-yy'. Read only here: header matching is transition.headers'.
_MONTH_FIRST_HEADER = re.compile(r"(?<![a-z])m{1,2}\s*([/.\-])\s*d{1,2}\s*\1\s*y{2,4}(?![a-z])",
                                 re.IGNORECASE)
_DAY_FIRST_HEADER = re.compile(r"(?<![a-z])d{1,2}\s*([/.\-])\s*m{1,2}\s*\1\s*y{2,4}(?![a-z])",
                               re.IGNORECASE)


def header_date_order(header: object) -> str | None:
    """'month first' or 'day first' when a date column's header says how its dates are
    written (``DOB (mm/dd/yyyy)``, ``Date of birth (DD/MM/YY)``); None when it does not, or
    says both."""
    text = str(header or "")
    month = bool(_MONTH_FIRST_HEADER.search(text))
    day = bool(_DAY_FIRST_HEADER.search(text))
    if month == day:
        return None
    return "month first" if month else "day first"


def _column_plan(position: int, column: Column, reader: CellReader, *,
                 month_first: bool = False) -> _ColumnPlan:
    """How the file's column at ``position`` is read, as ``column`` (a date column month first
    when its header says so)."""
    blank = [] if column.kind == "list" else None
    read = reader.reader(column, month_first=month_first)
    if column.name in _WHY_IT_REJECTS:
        read = _explained(read, _WHY_IT_REJECTS[column.name])
    return _ColumnPlan(
        position, column.name, read, _empty_words(column), blank,
        Problem(column.name, f"{label(column)} is missing") if column.required else None,
        column.required or column.kind in _REJECTING_KINDS or column.name in REJECT_IF_UNREADABLE,
        # An empty cell in an optional column is simply blank: no problem to note.
        _BLANK if column.required else blank,
        (column.max_length or _NO_LIMIT) if reader.verbatim(column) else None,
    )


def _cto_from_dates(start: date | None, expiry: date | None, *,
                    today: date) -> tuple[bool | None, str | None]:
    """On a CTO when the order has begun (or its start is not given) and expires today or
    later (or its expiry is not given). An expired order is taken as ended, and one that
    begins after today as not yet made; both with a warning, as is an order that expires
    before it begins (left unknown)."""
    if start is not None and expiry is not None and expiry < start:
        return None, (f"no CTO yes/no, and the order expires ({expiry.isoformat()}) before it "
                      f"starts ({start.isoformat()}): CTO left unknown; check with the trust")
    if expiry is not None and expiry < today:
        return False, (f"no CTO yes/no, and the order's expiry ({expiry.isoformat()}) has "
                       "passed: taken as not on a CTO; check with the trust")
    if start is not None and start > today:
        return False, (f"no CTO yes/no, and the order starts on {start.isoformat()}, after "
                       "today: taken as not on a CTO yet; check with the trust")
    return True, None


def _cpa_from_episode(start: date | None, end: date | None, *,
                      today: date) -> tuple[bool | None, str | None]:
    """On CPA when the episode has begun (or its start is not given) and has not ended by today.

    An ended episode is a person stepped down from CPA: no, with no warning. An episode that
    ends before it starts is left unknown, and one that starts after today is no for now; both
    with a warning to check with the trust.
    """
    if start is not None and end is not None and end < start:
        return None, (f"no CPA yes/no, and the CPA episode ends ({end.isoformat()}) before it "
                      f"starts ({start.isoformat()}): CPA left unknown; check with the trust")
    if end is not None and end < today:
        return False, None
    if start is not None and start > today:
        return False, (f"no CPA yes/no, and the CPA episode starts on {start.isoformat()}, "
                       "after today: taken as not on CPA yet; check with the trust")
    return True, None


# Dates of things that had happened by the day of the export, as what each is. One after the
# import's date (01/12 written for 01/11) is kept with a warning; the handover risk leaves it
# out until that day, and the person's record says so (transition.risk.dates_not_counted).
HAPPENED_BY_IMPORT: dict[str, str] = {
    "last_contact": "a contact",
    "last_discharge": "a discharge",
    "coordinator_since": "a care coordinator's allocation",
}


# How each derived column (DERIVED_COLUMNS) follows from its sources, given in that order:
# (value, warning or None).
_DERIVATIONS: dict[str, Callable[..., tuple[bool | None, str | None]]] = {
    "cto": _cto_from_dates,
    "cpa": _cpa_from_episode,
}

# A derived column's value for a row that gives none of its sources, in a file that has them.
# An export with MHS701 CPA episode columns lists every episode, so a row with none is not on
# CPA (no, not unknown: unknown would send the person to an assessment, not signposting).
# Without a CTO's dates the CTO stays unknown, which no rule reads as a CTO.
_NONE_GIVEN: dict[str, bool | None] = {"cpa": False}


class RowChecker:
    """Reads the rows of one file into :class:`CheckedRow` objects.

    This runs over every cell of a 100,000-row export, so it works a column at a time: each
    distinct cell of a column is read once (a column of yes/no answers has a handful), and the
    answers are spread back over the rows in C (``map``). The content hash is taken over each
    row's raw cells; a changed hash whose values turn out the same is caught when the stored
    record is compared (``transition.upsert``).
    """

    def __init__(self, columns: Sequence[Column], match: HeaderMatch, *, key: str, today: date,
                 names: dict[str, NameBook], known_staff: frozenset[str] | None,
                 limits: ImportRules | None = None):
        reader = CellReader(today=today, names=names, limits=limits)
        self.named_columns = frozenset(names)  # read through a NameBook: see _read_column
        by_name = {column.name: column for column in columns}
        self.key = key
        self.today = today
        # Date columns whose header says their dates are written month first.
        self.month_first = frozenset(
            name for name in match.columns.values()
            if by_name[name].kind == "date"
            and header_date_order(match.written.get(name)) == "month first")
        self.written = match.written
        self.plan = [_column_plan(position, by_name[name], reader,
                                  month_first=name in self.month_first)
                     for position, name in sorted(match.columns.items())]
        self.key_position = next(plan.position for plan in self.plan if plan.name == key)
        self.extras = sorted(match.extras.items())
        self.known_staff = known_staff
        # A header saying month first changes how the same cells read: part of each hash.
        self._hash_prefix = repr(
            (HASH_VERSION, sorted(match.columns.items()), self.extras,
             sorted(self.month_first))).encode()

    @property
    def notes(self) -> list[str]:
        """What the import should say about how it read the file's dates: each column read
        month first because its header says so."""
        return [f"Dates in column '{self.written[name]}' were read month first (MM/DD/YYYY), "
                "as its header says." for name in sorted(self.month_first)]

    def check(self, row: SourceRow) -> CheckedRow:
        return self.check_rows([row])[0]

    def check_rows(self, rows: Sequence[SourceRow],
                   progress: Callable[[int], None] | None = None, *,
                   text_only: bool = False) -> list[CheckedRow]:
        """Check every row; ``progress(rows_done)`` is called as the columns are read.

        Values are shared between rows with the same cell (a list of outcomes, say): they
        are read-only. ``text_only`` says every cell is text (a CSV file's): nothing then
        looks at each cell's type.
        """
        width = 1 + max([plan.position for plan in self.plan]
                        + [position for position, _name in self.extras])
        padding = (None,) * width
        padded = [cells if len(cells) >= width else cells + padding[len(cells):]
                  for cells in (row.cells for row in rows)]
        # Transpose in C: one tuple per column, in plan order.
        positions = [plan.position for plan in self.plan]
        if len(positions) > 1 and rows:
            columns = list(zip(*map(itemgetter(*positions), padded), strict=True))
        else:
            columns = [tuple(cells[position] for cells in padded) for position in positions]
        value_columns = []
        problems: list[tuple[int, _ColumnPlan, Any]] = []
        for done, (plan, column) in enumerate(zip(self.plan, columns, strict=True), start=1):
            value_columns.append(self._read_column(plan, column, problems, text_only))
            if progress is not None:
                progress(len(rows) * done // len(self.plan))
        names = [plan.name for plan in self.plan]
        checked = [
            CheckedRow(number=row.number, key=None, values=values, extra={},
                       content_hash=hashlib.sha256(
                           self._hash_prefix + repr(row.cells).encode()).hexdigest())
            for row, values in zip(
                rows, map(dict, map(partial(zip, names), zip(*value_columns, strict=True))), strict=True)
        ]
        for index, plan, answer in problems:
            row = checked[index]
            if answer is _BLANK:
                if plan.missing is not None:
                    row.errors.append(plan.missing)
            elif plan.rejects and not answer.warning:
                row.errors.append(Problem(plan.name, answer.shown, answer.message))
            else:
                row.warnings.append(Problem(plan.name, _left_blank(answer, answer.shown),
                                            _left_blank(answer, answer.message)))
        self._either_way_round(checked, problems, columns)
        for position, name in self.extras:
            for row, cells in zip(checked, padded, strict=True):
                if cells[position] is not None:
                    text = cell_text(cells[position]).strip()
                    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
                        text = text[1:].strip()  # our own rejects file neutralised it
                    if text:
                        row.extra[name] = text
        self._derive(checked, names)
        if "s117" in names:
            self._cto_without_s117(checked)
        if "coordinator_until" in names:
            self._ended_allocations(checked)
        self._not_happened_yet(checked, names, value_columns)
        if "absent_from" in names and "absent_until" in names:
            self._absences_in_order(checked)
        self._finish(checked, padded, value_columns)
        return checked

    def _either_way_round(self, checked: list[CheckedRow],
                          problems: list[tuple[int, _ColumnPlan, Any]],
                          columns: list[tuple[Cell, ...]]) -> None:
        """Reject each date that reads either way round (03/04/1975: both numbers 12 or under)
        in a column where another date is written the other way round from how the column
        is read (02/13/1980, month first, in a column read day first): which way this one is
        cannot be told, and a wrong date of birth or contact changes risk scores silently.
        A date whose day and month are the same number (05/05/1980) reads alike both ways."""
        contrary: dict[str, list[int]] = {}
        for index, plan, answer in problems:
            # A prefix: a column may say more after it (_WHY_IT_REJECTS).
            if answer.__class__ is Bad and answer.shown.startswith(_CONTRARY):
                contrary.setdefault(plan.name, []).append(checked[index].number)
        for plan, column in zip(self.plan, columns, strict=True):
            rows = contrary.get(plan.name)
            if not rows:
                continue
            either = {cell for cell in set(column) if cell.__class__ is str
                      and _reads_either_way(cell)}  # type: ignore[arg-type]
            if not either:
                continue
            month_first = plan.name in self.month_first
            # Far more dates that can only be read the column's way (25/03/1980 day first)
            # than the other way: the column's order is not in doubt, and the few written
            # the other way are slips, rejected on their own (they already are).
            agreeing = sum(1 for cell in column if cell.__class__ is str
                           and _reads_one_way(cell, month_first=month_first))  # type: ignore[arg-type]
            if agreeing >= _CLEAR_MAJORITY * len(rows):
                continue
            header = self.written.get(plan.name, plan.name)
            which = _rows_named(sorted(rows))
            if month_first:
                why = (f"the column's header says month first, but {which} "
                       f"{'is' if len(rows) == 1 else 'are'} written day first, so this date, "
                       "which reads either way round (day and month both 12 or under), is not "
                       "guessed: correct those rows, or the header, and import the file again")
            else:
                why = (f"{which} of this column {'is' if len(rows) == 1 else 'are'} written "
                       "month first (MM/DD/YYYY), so this date, which reads either way round "
                       "(day and month both 12 or under), is not guessed. If the whole column "
                       f"is month first, say so in its header ('{header} (mm/dd/yyyy)'); if "
                       "those rows are mistakes, correct them; then import the file again")
            for index in compress(range(len(column)), map(either.__contains__, column)):
                text = cell_text(column[index]).strip()
                checked[index].errors.append(Problem(
                    plan.name, f"held back: {why}", f"{quoted(text)} is held back: {why}"))

    def _derive(self, checked: list[CheckedRow], names: list[str]) -> None:
        """Fill a derived column (``DERIVED_COLUMNS``) that a row leaves blank, or the file
        lacks, from the columns it follows (:data:`_DERIVATIONS` says how). A yes or no written
        in the file always wins. The derived value joins the row's content hash, so a re-import
        of the same file after a date has passed updates it."""
        for derived, sources in DERIVED_COLUMNS.items():
            if not set(sources).intersection(names):
                continue
            decide = _DERIVATIONS[derived]
            for row in checked:
                values = row.values
                given = [values.get(source) for source in sources]
                if values.get(derived) is not None:
                    continue
                if all(value is None for value in given):
                    values[derived] = _NONE_GIVEN.get(derived)
                    if values[derived] is not None:
                        row.content_hash = hashlib.sha256(
                            f"{row.content_hash}|{derived}={values[derived]}".encode()).hexdigest()
                    continue
                value, warning = decide(*given, today=self.today)
                values[derived] = value
                row.content_hash = hashlib.sha256(
                    f"{row.content_hash}|{derived}={value}".encode()).hexdigest()
                if warning:
                    row.warnings.append(Problem(derived, warning))

    @staticmethod
    def _cto_without_s117(checked: list[CheckedRow]) -> None:
        """A warning for a row on a Community Treatment Order (written, or taken from the
        order's dates) whose section 117 aftercare is no: a CTO is made only for someone
        detained under a section that brings s117 aftercare, so one of the two is wrong, and
        a letter would state the person's legal status wrongly (DOMAIN.md)."""
        for row in checked:
            if row.values.get("cto") is True and row.values.get("s117") is False:
                row.warnings.append(Problem("cto", CTO_WITHOUT_S117_WARNING))

    def _ended_allocations(self, checked: list[CheckedRow]) -> None:
        """A warning for a row whose care coordinator's allocation ended before today (or
        ends before it began): the export names a worker who no longer holds the person."""
        for row in checked:
            values = row.values
            until, since = values.get("coordinator_until"), values.get("coordinator_since")
            if until is None or not values.get("care_coordinator_id"):
                continue
            if since is not None and until < since:
                row.warnings.append(Problem("coordinator_until", (
                    f"the care coordinator's allocation ends ({until.isoformat()}) before it "
                    f"starts ({since.isoformat()}); check with the trust")))
            elif until < self.today:
                row.warnings.append(Problem("coordinator_until", (
                    f"the care coordinator's allocation ended on {until.isoformat()}: the "
                    "person may have had no one since. The nightly check reports them as "
                    "unassigned (when their pathway needs a worker) until a plan or a manager "
                    "gives them one; ask the trust who holds them now")))

    def _not_happened_yet(self, checked: list[CheckedRow], names: list[str],
                          value_columns: list[list[Any]]) -> None:
        """A warning for each date of something that had happened by the export's day (taken
        as the import's date, as for an ended allocation) that is after it: most likely a
        mistyped date. The row is kept, date and all."""
        today = self.today
        for name, what in HAPPENED_BY_IMPORT.items():
            if name not in names:
                continue
            days = value_columns[names.index(name)]
            later = {day for day in set(days) if day is not None and day > today}
            if not later:
                continue
            why = (f"after the import's date ({today.isoformat()}): {what} that has not "
                   "happened yet, most likely a mistyped date; check it with the trust. The "
                   "handover risk does not count it until that day")
            for index in compress(range(len(days)), map(later.__contains__, days)):
                checked[index].warnings.append(Problem(
                    name, f"a date {why}", f"{days[index].isoformat()} is {why}"))

    @staticmethod
    def _absences_in_order(checked: list[CheckedRow]) -> None:
        """Reject a staff row whose absence starts after it ends: which date is wrong cannot
        be told, and either way the worker would be planned for days they are away."""
        for row in checked:
            start, end = row.values.get("absent_from"), row.values.get("absent_until")
            if start is not None and end is not None and start > end:
                row.errors.append(Problem(
                    "absent_from",
                    "the absence starts (absent_from) after it ends (absent_until): correct "
                    "one of the dates",
                    f"the absence starts ({start.isoformat()}) after it ends "
                    f"({end.isoformat()}): correct one of the dates"))

    def _read_column(self, plan: _ColumnPlan, column: Sequence[Cell],
                     problems: list[tuple[int, _ColumnPlan, Any]],
                     text_only: bool = False) -> list[Any]:
        """The values of one column; empty and bad cells are added to ``problems``."""
        # Answers are keyed by the cell itself, or by (type, cell) where 1, 1.0 and True
        # (equal in Python) could meet in one XLSX column. Each pass over a column of
        # distinct cells costs about as much as reading them (each is its own object in
        # memory), so a CSV file's columns (all text, or None past a short row's end) are
        # not looked over for their types.
        plain = text_only or set(map(type, column)) <= _TEXT_TYPES
        keys: Sequence[Any] = column if plain else [(cell.__class__, cell) for cell in column]
        # A column of names (team, locality) is read in the order its cells are first seen, not
        # a set's (which varies with the hash seed), so that a name spelt two ways keeps the
        # first spelling (NameBook). Other columns' answers do not depend on their order, and a
        # set is made faster (a column of 100,000 distinct names: about twice as fast).
        distinct = dict.fromkeys(keys) if plan.name in self.named_columns else set(keys)
        if plain and plan.verbatim_up_to is not None:
            answers = self._verbatim_answers(plan, plan.verbatim_up_to, distinct)
        else:
            answers = {key: self._answer(plan, key if plain else key[1]) for key in distinct}
        values = list(map(answers.__getitem__, keys))
        awkward = {key for key, answer in answers.items()
                   if answer is _BLANK or answer.__class__ is Bad}
        if awkward:
            for index in compress(range(len(values)), map(awkward.__contains__, keys)):
                answer = values[index]
                problems.append((index, plan, answer))
                values[index] = plan.blank if answer is _BLANK else answer.value
        return values

    @classmethod
    def _verbatim_answers(cls, plan: _ColumnPlan, limit: int,
                          cells: Iterable[str | None]) -> dict[str | None, Any]:
        """:meth:`_answer` for each distinct cell of a column read as written.

        Most cells (names, addresses, local ids: nearly all distinct) are their own stripped
        text; those are answered here without the reader. Anything else (empty, too long, a
        leading quote) goes through :meth:`_answer`.
        """
        empty, longest_empty = plan.empty, max(map(len, plan.empty), default=0)
        answers: dict[str | None, Any] = {}
        for cell in cells:
            if cell is not None:
                text = cell.strip()
                if (text and len(text) <= limit and text[0] != "'"
                        and (len(text) > longest_empty or text.lower() not in empty)):
                    answers[cell] = text
                    continue
            answers[cell] = cls._answer(plan, cell)
        return answers

    @staticmethod
    def _answer(plan: _ColumnPlan, cell: Cell) -> Any:
        """One distinct cell read: its value, a :class:`Bad`, or ``plan.if_empty``."""
        if cell.__class__ is str:
            cell = cell.strip()  # type: ignore[union-attr]
            if not cell or cell.lower() in plan.empty:  # type: ignore[union-attr]
                return plan.if_empty
            if cell[0] == "'" and cell[1:2] in FORMULA_PREFIXES:  # type: ignore[index]
                cell = cell[1:]  # type: ignore[index]  # our own rejects file neutralised it
        elif cell is None:
            return plan.if_empty
        try:
            return plan.read(cell)
        except Bad as bad:
            return bad

    def _finish(self, checked: list[CheckedRow], padded: list[tuple[Cell, ...]],
                value_columns: list[list[Any]]) -> None:
        """Each row's key, and a warning for a care coordinator not in the staff list."""
        names = [plan.name for plan in self.plan]
        keys = value_columns[names.index(self.key)]
        for row, key in zip(checked, keys, strict=True):
            row.key = key
        for index in compress(range(len(keys)), map(_is_none, keys)):
            # Missing or invalid: keep what was written, to name the row.
            cell = padded[index][self.key_position]
            text = nhs.normalise(cell) if self.key == "nhs_number" else cell_text(cell).strip()
            checked[index].key = text[:64] or None
        if self.known_staff is None or "care_coordinator_id" not in names:
            return
        coordinators = value_columns[names.index("care_coordinator_id")]
        unknown = {staff_id for staff_id in set(coordinators) if staff_id} - self.known_staff
        if not unknown:
            return
        # An id written in another case than the staff list's ('sw0042' for 'SW0042') is that
        # worker: stored in the staff list's spelling, and the row's hash says so, so that a
        # re-import after the staff list changes reads it afresh.
        folded = by_folded_case(self.known_staff)
        respelt = {staff_id: folded[staff_id.casefold()] for staff_id in unknown
                   if staff_id.casefold() in folded}
        for index in compress(range(len(coordinators)), map(unknown.__contains__, coordinators)):
            row = checked[index]
            known = respelt.get(coordinators[index])
            if known is not None:
                row.values["care_coordinator_id"] = known
                row.content_hash = hashlib.sha256(
                    f"{row.content_hash}|care_coordinator_id={known}".encode()).hexdigest()
                continue
            row.warnings.append(Problem(
                "care_coordinator_id", "care coordinator is not in the staff list",
                f"care coordinator {quoted(coordinators[index])} is not in the staff list"))


def _is_none(value: Any) -> bool:
    return value is None


def _reads_either_way(cell: str) -> bool:
    """Whether a date in figures, day and month not year first, is a real date read either
    way round and a different one each way (03/04/1975; not 05/05/1975, 13/04/1975)."""
    match = _UK_DATE.match(cell.strip())
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    return first != second and 1 <= first <= 12 and 1 <= second <= 12


# How many more dates must read only the column's way than only the other way for the
# column's order to stand and the dates that read either way to be imported.
_CLEAR_MAJORITY = 10


def _reads_one_way(cell: str, *, month_first: bool) -> bool:
    """Whether a date in figures can be read only in the column's order (25/03/1980 day
    first; 03/25/1980 month first)."""
    match = _UK_DATE.match(cell.strip())
    if not match:
        return False
    first, second = int(match.group(1)), int(match.group(2))
    day, month = (second, first) if month_first else (first, second)
    return 12 < day <= 31 and 1 <= month <= 12


def _rows_named(rows: list[int]) -> str:
    """'row 2', 'rows 2 and 4', 'rows 2, 4, 7 and 9 more'."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= 3:
        return f"rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}"
    return f"rows {', '.join(map(str, rows[:3]))} and {len(rows) - 3} more"


# Bump when the way a cell is read changes, so that stored records are compared afresh.
# 2: year-first dates (1980/04/03) and ISO times with an offset were read day first.
# 3: Care Act outcomes of only separators (';') were read as [] ("assessed, none unmet").
# 4: gender Z (not stated) was read as not known.
# 5: a decimal comma was dropped (FTE 0,5 stored as 5, capacity 1,5 as 15); a two-digit year
#    with the month in words followed the computer's clock ('1 Feb 56' was 2056).
HASH_VERSION = 5
_TEXT_TYPES = frozenset({str, type(None)})
_NO_LIMIT = 2**63


# A bad value in these kinds rejects the row: storing a wrong date or number is worse than
# asking for it to be fixed. Codes and yes/no are warnings (the value is left blank).
_REJECTING_KINDS = frozenset({"nhs_number", "date", "int", "float", "text"})


def _empty_words(column: Column) -> frozenset[str]:
    if column.kind in ("bool", "outcomes"):
        return frozenset()
    if column.name == "care_coordinator_id":
        return NONE_WORDS | UNALLOCATED_WORDS
    if column.name == "preferred_language":
        return NONE_WORDS | NOT_KNOWN_LANGUAGE_WORDS
    if column.name == "ethnic_category":  # MHSDS 99: not known (Z, not stated, is kept)
        return NONE_WORDS | {"99", "not known", "unknown"}
    if column.name == "employment_status":  # MHSDS ZZ not stated, UU not known
        return NONE_WORDS | NOT_STATED_WORDS | {"zz", "uu"}
    if column.kind in ("text", "choice", "gender", "list") and not column.required:
        return NONE_WORDS | {"no"}
    return NONE_WORDS


def _left_blank(bad: Bad, message: str) -> str:
    if bad.value is not None or "left" in message or "recorded as" in message:
        return message
    return f"{message}; left blank"
