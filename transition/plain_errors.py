"""Pydantic's validation errors in plain words, for settings, the rules file and values typed
on the command line alike: what kind of value was given and what to write instead, never
pydantic's own wording ("Input should be a valid dictionary", "Extra inputs are not
permitted") nor a Python class name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

# What a value of each pydantic error type must be, in the words a rules or settings file
# (TOML) uses.
WANTED = {
    "string_type": "text, in quotes",
    "int_type": "a whole number, without quotes",
    "int_parsing": "a whole number, without quotes",
    "int_from_float": "a whole number, without quotes",
    "float_type": "a number, without quotes",
    "float_parsing": "a number, without quotes",
    "bool_type": "true or false, without quotes",
    "bool_parsing": "true or false, without quotes",
    "list_type": "a list, in square brackets",
    "tuple_type": "a list, in square brackets",
    "set_type": "a list, in square brackets",
    "frozen_set_type": "a list, in square brackets",
    "path_type": "a path, written as text in quotes",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD), without a time",
}

# The same, for a value typed on the command line (no quotes, no tables).
TYPED = {
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "date_type": "a date", "date_parsing": "a date",
}

_TABLE_TYPES = ("dict_type", "model_type", "model_attributes_type")

_BOUNDS = {
    "greater_than": ("gt", "more than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


def kind_of(value: Any) -> str:
    """The kind of ``value`` as a rules or settings file writes it, never the value itself
    (a setting may be secret: the pseudonym key)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        if value and all(isinstance(item, dict) for item in value):
            return "a list of tables ([[name]])"
        return "a list"
    return "empty" if value is None else "a value of another kind"


def plain_reason(error: Any, *, allowed: Iterable[str] = (), where: str = "") -> str:
    """What is wrong with one value (a pydantic error's details), as a clause to follow its
    name: "is a number, but must be text, in quotes". ``allowed``: the keys there are where an
    unknown key was given (``extra_forbidden``), ``where`` the table they belong to
    ("[risk]"). Messages the project's own validators wrote are kept as they are."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    value = error.get("input")
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return message.removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        known = list(allowed)
        key = str(error["loc"][-1]) if error.get("loc") else ""
        close = difflib.get_close_matches(key, known, n=1)
        said = f"is not a setting{f' of {where}' if where else ''}"
        if close:
            said += f" (did you mean {close[0]}?)"
        if known:
            said += f": the settings are {', '.join(known)}"
        return said
    if kind in _TABLE_TYPES:
        table = ".".join(str(part) for part in error.get("loc", ())) or "name"
        if kind_of(value).startswith("a list of tables"):
            return (f"is a list of tables ([[{table}]]), but must be a table: write "
                    f"[{table}], with single brackets")
        return (f"is {kind_of(value)}, but must be a table: [{table}] with its settings on "
                "the lines below it")
    if kind in TYPED and kind.endswith("_parsing"):  # text that does not read as one
        return f"cannot be read as {TYPED[kind]}"
    if kind in WANTED:
        return f"is {kind_of(value)}, but must be {WANTED[kind]}"
    if kind == "missing":
        return "is missing: it must be given"
    if kind in ("literal_error", "enum"):
        return f"is not one of the choices: write {context.get('expected', 'one of them')}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        bound = context.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"must be {words} {bound}"
    if kind in ("string_too_short", "too_short"):
        least = context.get("min_length")
        return "must not be empty" if least == 1 else f"must have at least {least}"
    if kind in ("string_too_long", "too_long"):
        return f"is too long: at most {context.get('max_length')}"
    if kind == "finite_number":
        return "must be a finite number"
    message = str(error.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


def typed_reason(error: Any) -> str | None:
    """What to type instead of a value the command line could not read (``--top abc``), or
    None when the error is not about the kind of value."""
    return TYPED.get(error.get("type", ""))
