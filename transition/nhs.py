"""NHS numbers: normalise, validate (Modulus 11), format 3-3-4, and mask for logs."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-]+")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise(raw: object) -> str:
    """Strip spaces and dashes (and a spreadsheet's trailing '.0'); return the digits as text."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _SEPARATORS.sub("", str(raw).strip())
    if text.endswith(".0") and text[:-2].isascii() and text[:-2].isdigit():
        text = text[:-2]
    return text


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def problem(raw: object) -> str | None:
    """Why ``raw`` is not a valid NHS number, or None if it is valid."""
    number = normalise(raw)
    if not number:
        return "NHS number is missing"
    if not (number.isascii() and number.isdigit()):
        # Only 0-9: str.isdigit() also accepts superscripts such as "²", which int() refuses.
        return "NHS number must contain only digits, spaces and dashes"
    if len(number) != 10:
        return f"NHS number must have 10 digits, not {len(number)}"
    if number == number[0] * 10:
        # 0000000000 ... 9999999999 all pass Modulus 11: they are what a system writes for "no
        # number", and a later file with the same one would overwrite whoever has it.
        return ("NHS number is one digit repeated (a placeholder such as 0000000000), not a "
                "person's number: leave it blank or give the real one")
    expected = check_digit(number[:9])
    if expected is None or expected != int(number[9]):
        return "NHS number fails the Modulus 11 check (a digit is probably mistyped)"
    return None


def is_valid(raw: object) -> bool:
    return problem(raw) is None


def format_334(number: str) -> str:
    """Show a number as NHS England writes it: 999 000 0018."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def mask(number: object) -> str:
    """A number safe for logs and error messages: only the last four digits show."""
    digits = normalise(number)
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_cell(cell: str | None) -> str:
    """What a file's NHS number cell (spaces and dashes taken out, as a rejected row keeps it)
    shows as in a summary of rejected rows: masked to its last four digits (``******0018``);
    a cell that is no number, which may hold anything (a name shifted into the column), as
    ``(not a number)``, not even in part; an empty one as nothing. The CLI's summaries and
    the Import screen show rejected rows so."""
    if not cell:
        return ""
    return mask(cell) if cell.isascii() and cell.isdigit() else "(not a number)"


def complete(first_nine: str) -> str | None:
    """Append the check digit to nine digits, or None when no valid number starts so."""
    digit = check_digit(first_nine)
    return None if digit is None else first_nine + str(digit)
