"""Matching a file's headers to the canonical columns.

Header matching ignores case and treats spaces, hyphens, underscores and dots alike
(:func:`transition.columns.header_key`), and accepts every alias in :mod:`transition.columns`.
A header that matches no spelling exactly is tried again loosely (:func:`loose_key`): every
other punctuation mark is a separator too and a bracketed format or unit hint is dropped, so
``S117?`` and ``Date of birth (dd/mm/yyyy)`` are found. Any other bracketed note makes the
header another column (``Postcode (GP practice)`` is not the person's postcode): it is kept as
an extra column, and the import says which column it was not taken as. A ``--mapping`` TOML
file names any other header.

A header nobody recognises is kept: its values go to the record's ``extra``, and the import
says so, with the column it most looks like (:func:`column_notes`), as it says which known
columns the file does not have. The header row itself is found by scoring the top rows
(:func:`header_scorer`), so title lines above it do no harm.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

from transition.columns import (
    CASELOAD_COLUMNS,
    STAFF_COLUMNS,
    Column,
    alias_index,
    derivable,
    header_key,
)
from transition.errors import InputFileError
from transition.tabular import Table, cell_text

# Columns a rejects file adds; ignored when that file is fixed and imported again.
REJECTS_ROW_HEADER = "Rejected row"
REJECTS_ERRORS_HEADER = "Why rejected"
_RESERVED = frozenset({header_key(REJECTS_ROW_HEADER), header_key(REJECTS_ERRORS_HEADER)})


# ---------------------------------------------------------------------------------------------


def read_mapping(path: Path, kind: str, columns: Sequence[Column]) -> dict[str, str]:
    """``{header_key(their header): canonical name}`` from a TOML mapping file.

    Top-level ``"Their Header" = "canonical_name"`` entries apply to every import; entries in a
    ``[caseload]`` or ``[staff]`` table only to that kind. An empty name keeps the column as an
    extra (unknown) column instead of matching it.
    """
    try:
        # utf-8-sig: Notepad and Excel start a UTF-8 file with a byte-order mark.
        text = path.read_bytes().decode("utf-8-sig")
        document = tomllib.loads(text)
    except OSError as exc:
        raise InputFileError(f"The mapping file {path} could not be read: "
                             f"{exc.strerror or type(exc).__name__}.",
                             hint="Check the path given to --mapping.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"The mapping file {path.name} is not valid TOML: {exc}.",
                             hint='Write one line per header: "Their Header" = "nhs_number"') from None
    for name, value in document.items():
        if isinstance(value, dict) and name not in _MAPPING_TABLES:
            raise InputFileError(
                f"The mapping file {path.name} has a table [{name}]{_line_of(text, name)}, "
                "which is not [caseload] or [staff], so its lines would be ignored.",
                hint="Name the table [caseload] or [staff], or put its lines above every "
                "table to apply them to both kinds of import.",
            )
    shared = [(header, target, False) for header, target in document.items()
              if not isinstance(target, dict)]
    section = document.get(kind)
    own = [(header, target, True) for header, target in section.items()] if isinstance(
        section, dict) else []
    names = {column.name for column in columns}
    every_name = {column.name for column in (*CASELOAD_COLUMNS, *STAFF_COLUMNS)}
    mapping: dict[str, str] = {}
    for header, target, in_section in [*shared, *own]:
        if not isinstance(target, str):
            raise InputFileError(
                f"The mapping file {path.name} maps '{header}' to {target!r}, which is not a "
                "column name.",
                hint=f'Write it as "{header}" = "canonical_name" (in quotes).',
            )
        target = target.strip()
        if target and target not in (names if in_section else every_name):
            raise InputFileError(
                f"The mapping file {path.name} maps '{header}' to '{target}', which is not a "
                f"{kind if in_section else 'caseload or staff'} column.",
                hint="The columns are: " + ", ".join(column.name for column in columns)
                + ' (or "" to keep it as an extra column).',
            )
        if target and target not in names:
            continue  # a top-level entry for the other kind of file
        mapping[header_key(header)] = target
    return mapping


_MAPPING_TABLES = frozenset({"caseload", "staff"})
# The name a line of TOML starts: a table's ([name], [name.sub]) or a key's (name = ...).
_LEADING_NAME = re.compile(r"""^\s*\[?\s*(?:"([^"]*)"|'([^']*)'|([^\[\].\s="']+))""")


def _line_of(text: str, table: str) -> str:
    """' (line N)': where a mapping file's table ``table`` is first named, if it can be
    found."""
    for number, line in enumerate(text.splitlines(), start=1):
        if (match := _LEADING_NAME.match(line)) and table in match.groups():
            return f" (line {number})"
    return ""


_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SEPARATORS = re.compile(r"[\W_]+")
# A bracketed note that only says how a column's values are written leaves the header the
# column it names: a date's format (dd/mm/yyyy, mm/dd/yy, yyyy-mm-dd hh:mm), a yes/no (Y/N,
# yes/no, true/false, 1/0), a range (0-21), a unit (FTE, hours, %), a type (ID, code, date), a
# plural (s), an example (e.g. ...) or whether it must be filled in. Any other note (GP
# practice, Carer, previous, ended?) says the column is about something else.
_DATE_PART = r"(?:d{1,2}|m{1,4}|y{2,4})"
_HINT = re.compile(
    rf"{_DATE_PART}(?:[\s/.\-]?{_DATE_PART}){{1,2}}(?:[\s,t]+hh?[:.]?mm(?:[:.]?ss)?)?"
    r"|(?:y|yes|t|true|1)\s*(?:/|or|-)\s*(?:n|no|f|false|0)(?:\s*(?:/|or)\s*[a-z ]+)?"
    r"|(?:n|no)\s*/\s*(?:y|yes)|\d+\s*(?:-|\u2013|to)\s*\d+"
    r"|%|percent(?:age)?|per cent|fte|wte|hours?|hrs|hours? per week|days|weeks|months|years"
    r"|s|es|id|code|date|optional|required|mandatory|if known|if any|if applicable"
    r"|(?:e\.?g\.?|for example|such as)(?:[\s:,].*)?",
    re.IGNORECASE)


def _unhinted(header: object) -> tuple[str, bool]:
    """``header`` without its bracketed format or unit hints (:data:`_HINT`), and whether it
    keeps a bracketed note that is not one: a qualifier (``(GP practice)``, ``(Carer)``)."""
    qualified = False

    def drop(found: re.Match[str]) -> str:
        nonlocal qualified
        inner = found.group()[1:-1].strip()
        if not inner or _HINT.fullmatch(inner):
            return " "
        qualified = True
        return found.group()

    return _BRACKETED.sub(drop, str(header)), qualified


def loose_key(header: object) -> str:
    """:func:`header_key` with every other punctuation mark a separator too:
    ``S117?`` -> ``s117``, ``Care Co-ordinator / Key Worker`` -> ``care_co_ordinator_key_worker``."""
    return _SEPARATORS.sub("_", header_key(header)).strip("_")


class HeaderIndex:
    """Which canonical column a header names: an exact spelling (an alias, or a --mapping
    entry, which wins) first; then the same loosely (:func:`loose_key`); then loosely without
    its bracketed format hints (``DOB (dd/mm/yyyy)``), unless it has another bracketed note
    (``Date of Birth (Carer)``: see :meth:`held_back`). A mapping entry of "" keeps the header
    as an extra column, however it might otherwise match."""

    def __init__(self, columns: Sequence[Column], mapping: dict[str, str]):
        self.columns = tuple(columns)
        aliases = alias_index(self.columns)
        self.exact = aliases | mapping
        loose: dict[str, str] = {}
        for key, name in aliases.items():
            loose.setdefault(loose_key(key), name)
        self.loose = loose | {loose_key(key): name for key, name in mapping.items()}

    def name_of(self, header: object) -> str | None:
        key = header_key(header)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key] or None
        name = self.loose.get(loose_key(key))
        if name is None:
            text, qualified = _unhinted(header)
            if qualified:
                return None
            name = self.loose.get(loose_key(text))
        return name or None

    def held_back(self, header: object) -> str | None:
        """The column ``header`` would name without its bracketed notes, where one of them is
        a qualifier that keeps it from being that column: ``Postcode (GP practice)`` ->
        postcode. None for a header that names a column, or that a mapping keeps as extra."""
        key = header_key(header)
        if not key or key in self.exact or loose_key(key) in self.loose:
            return None
        text, qualified = _unhinted(header)
        if not qualified:
            return None
        return self.loose.get(loose_key(_BRACKETED.sub(" ", text))) or None

    def nearest(self, header: object, among: set[str]) -> str | None:
        """The column in ``among`` that ``header`` most looks like, if any looks close."""
        spellings = {loose_key(spelling): column.name for column in self.columns
                     if column.name in among for spelling in (column.name, *column.aliases)}
        close = get_close_matches(loose_key(_BRACKETED.sub(" ", str(header))), spellings,
                                  n=1, cutoff=0.75)
        return spellings[close[0]] if close else None


def header_scorer(columns: Sequence[Column], mapping: dict[str, str]) -> Callable[[Sequence[str]], int]:
    """Scores a candidate header row: how many distinct canonical columns it names."""
    index = HeaderIndex(columns, mapping)

    def score(cells: Sequence[str]) -> int:
        return len({name for name in map(index.name_of, cells) if name})

    return score


@dataclass
class HeaderMatch:
    """Which column of the file feeds which canonical column."""

    columns: dict[int, str]  # column index -> canonical name
    extras: dict[int, str]  # column index -> label kept in ``extra``
    written: dict[str, str]  # canonical name -> the header as written in the file
    absent: tuple[str, ...] = ()  # the known columns the file does not have, in their order
    nearest: dict[str, str] = field(default_factory=dict)  # an extra's label -> what it looks like
    # The file has the columns a rejects file adds: it is one, fixed and imported again, so it
    # lists only the rows that were rejected.
    rejects_file: bool = False
    # An extra's label -> the column a bracketed note kept it from being, which the file does
    # not otherwise have (HeaderIndex.held_back): 'Postcode (GP practice)' -> postcode.
    held_back: dict[str, str] = field(default_factory=dict)


def match_headers(table: Table, columns: Sequence[Column], mapping: dict[str, str],
                  kind: str) -> HeaderMatch:
    """Match the file's headers; refuse (InputFileError) if required columns are missing or a
    column is named twice."""
    index = HeaderIndex(columns, mapping)
    where = f"{table.file_name}" + (f" (sheet '{table.sheet}')" if table.sheet else "")
    matched: dict[int, str] = {}
    extras: dict[int, str] = {}
    written: dict[str, str] = {}
    # A line with more fields than the file's others is rejected (Table.misshapen): its
    # stray fields are not columns of the file.
    misshapen = table.misshapen
    width = max([len(table.headers)] + [len(row.cells) for index, row in enumerate(table.rows)
                                        if index not in misshapen])
    rejects_file = False
    held_back: dict[int, str] = {}
    for position in range(width):
        header = table.headers[position] if position < len(table.headers) else ""
        if header_key(header) in _RESERVED:
            rejects_file = True
            continue
        name = index.name_of(header)
        if not name:
            extras[position] = table.column_label(position)
            if held := index.held_back(header):
                held_back[position] = held
            continue
        if name in written:
            raise InputFileError(
                f"{where} has two columns for {name}: '{written[name]}' and '{header}' "
                f"(row {table.header_row}). Nothing was imported.",
                hint=f'Say which to use in a --mapping file, e.g. "{header}" = "" keeps '
                f"'{header}' as an extra column.",
            )
        matched[position] = name
        written[name] = header
    _disambiguate(extras)
    missing = [column for column in columns if column.required and column.name not in written]
    if missing:
        lines = [
            f"  {column.name}" + (f" (also accepted: {', '.join(column.aliases[:6])}"
                                  f"{', and more: see docs/import.md' if len(column.aliases) > 6 else ''})"
                                  if column.aliases else "")
            for column in missing
        ]
        found = ", ".join(header for header in table.headers if header) or "(none)"
        why = [f"'{table.headers[position]}' was not taken as {held} because of its note in "
               "brackets; map it with --mapping if it is."
               for position, held in held_back.items()
               if held in {column.name for column in missing}]
        if split := _split_header(table, index, {column.name for column in missing}):
            why.append(split)
        raise InputFileError(
            f"{where} is missing required {kind} column"
            f"{'s' if len(missing) > 1 else ''}:\n" + "\n".join(lines)
            + f"\nHeaders found (row {table.header_row}): {found}\n"
            + "".join(f"{line}\n" for line in why) + "Nothing was imported.",
            hint="Rename the header in the file, or map it with --mapping FILE "
            '(a TOML file of lines like "Their Header" = "nhs_number").',
        )
    worked_out = derivable(written)
    absent = tuple(column.name for column in columns
                   if column.name not in written and column.name not in worked_out)
    nearest = {}
    for position, extra in extras.items():
        header = table.headers[position] if position < len(table.headers) else ""
        name = index.nearest(header, set(absent)) if header_key(header) else None
        if name:
            nearest[extra] = name
    # A column the file has under another header needs no word about a note that kept this
    # one from it ('Date of Birth (Carer)' beside 'DOB').
    held = {extras[position]: name for position, name in held_back.items()
            if name not in written}
    return HeaderMatch(columns=matched, extras=extras, written=written, absent=absent,
                       nearest=nearest | held, rejects_file=rejects_file, held_back=held)


def _split_header(table: Table, index: HeaderIndex, wanted: set[str]) -> str:
    """A sentence saying the header seems split over its row and the next (``NHS`` over
    ``Number``), when the two read together name more of the ``wanted`` columns; else ""."""
    if not table.rows or table.rows[0].number != table.header_row + 1:
        return ""
    below = table.rows[0].cells
    joined = [f"{table.headers[position] if position < len(table.headers) else ''} "
              f"{cell_text(below[position]) if position < len(below) else ''}".strip()
              for position in range(max(len(table.headers), len(below)))]
    if not wanted & {name for name in map(index.name_of, joined) if name}:
        return ""
    return (f"The header seems to be split across two rows (rows {table.header_row} and "
            f"{table.header_row + 1}): put each column's header in one cell of one row.")


def column_notes(match: HeaderMatch, kind: str,
                 read_by_rules: Mapping[str, str] | None = None) -> list[str]:
    """What a person importing the file should know about its columns: the headers not
    recognised (kept, with the column each looks like), the known columns it lacks, and the
    extra columns the rules read (``read_by_rules``: key -> skill) that it lacks."""
    read_by_rules = read_by_rules or {}
    notes = []
    unknown = [label for label in match.extras.values()
               if header_key(label) not in read_by_rules and label not in match.held_back]
    if unknown:
        nearest = match.nearest
        shown = [f"'{label}'" + (f" (did you mean {nearest[label]}?)" if label in nearest else "")
                 for label in unknown]
        many = len(shown) > 1
        example = next(((label, nearest[label]) for label in unknown if label in nearest),
                       ("Their Header", "column_name"))
        notes.append(
            f"{len(shown)} column{'s' if many else ''} not recognised, kept with each record as "
            f"{'extra columns' if many else 'an extra column'}: " + ", ".join(shown) + ". If "
            f"{'one is' if many else 'it is'} a known column, name it in a --mapping file (a "
            f'line like "{example[0]}" = "{example[1]}") and import the file again.'
        )
    if match.held_back:
        notes.append(_held_back_note(match.held_back))
    if match.absent:
        many = len(match.absent) > 1
        notes.append(
            f"{len(match.absent)} known {kind} column{'s' if many else ''} "
            f"{'are' if many else 'is'} not in this file, so left blank for new records and "
            "unchanged for the rest: " + ", ".join(match.absent) + "."
        )
    present = {header_key(label) for label in match.extras.values()}
    lacking = [(key, skill) for key, skill in read_by_rules.items() if key not in present]
    if lacking:
        many = len(lacking) > 1
        columns = " and ".join(f"'{key}' (extra.{key}, to find who needs a worker with the "
                               f"skill '{skill}')" for key, skill in lacking)
        notes.append(
            f"The rules read {'columns' if many else 'a column'} {columns}, but this file has "
            f"{'neither' if len(lacking) == 2 else 'none of them' if many else 'no such column'}"
            f": new people are taken not to need {'those skills' if many else 'that skill'}, "
            "and everyone else keeps what an earlier file said. Check the export, or the rules "
            "file's [[matching.required_skills]]."
        )
    return notes


def _held_back_note(held_back: Mapping[str, str]) -> str:
    """The note naming the headers a bracketed note kept from a known column."""
    (label, name), *more = held_back.items()
    example = f'(a line like "{label}" = "{name}")'
    if not more:
        return (f"Column '{label}' was not taken as {name} because of its note in brackets, "
                f"and is kept as an extra column; if it is {name}, map it with --mapping "
                f"{example} and import the file again.")
    shown = ", ".join(f"'{label}' (not {name})" for label, name in held_back.items())
    return (f"{len(held_back)} columns were not taken as known columns because of their notes "
            f"in brackets, and are kept as extra columns: {shown}. If one is, map it with "
            f"--mapping {example} and import the file again.")


def _disambiguate(extras: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    for position, name in extras.items():
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count > 1:
            extras[position] = f"{name} ({count})"
