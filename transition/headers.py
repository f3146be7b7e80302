"""Matching a file's headers to the canonical columns.

Header matching ignores case and treats spaces, hyphens, underscores and dots alike
(:func:`transition.columns.header_key`), and accepts every alias in :mod:`transition.columns`.
A ``--mapping`` TOML file names any other header. A header nobody recognises is kept: its
values go to the record's ``extra``. The header row itself is found by scoring the top rows
(:func:`header_scorer`), so title lines above it do no harm.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from transition.columns import CASELOAD_COLUMNS, STAFF_COLUMNS, Column, alias_index, header_key
from transition.errors import InputFileError
from transition.tabular import Table

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
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise InputFileError(f"The mapping file {path} could not be read: "
                             f"{exc.strerror or type(exc).__name__}.",
                             hint="Check the path given to --mapping.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"The mapping file {path.name} is not valid TOML: {exc}.",
                             hint='Write one line per header: "Their Header" = "nhs_number"') from None
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


def header_scorer(columns: Sequence[Column], mapping: dict[str, str]) -> Callable[[Sequence[str]], int]:
    """Scores a candidate header row: how many distinct canonical columns it names."""
    index = alias_index(tuple(columns)) | mapping

    def score(cells: Sequence[str]) -> int:
        return len({index[key] for key in map(header_key, cells) if index.get(key)})

    return score


@dataclass
class HeaderMatch:
    """Which column of the file feeds which canonical column."""

    columns: dict[int, str]  # column index -> canonical name
    extras: dict[int, str]  # column index -> label kept in ``extra``
    written: dict[str, str]  # canonical name -> the header as written in the file


def match_headers(table: Table, columns: Sequence[Column], mapping: dict[str, str],
                  kind: str) -> HeaderMatch:
    """Match the file's headers; refuse (InputFileError) if required columns are missing or a
    column is named twice."""
    index = alias_index(tuple(columns)) | mapping
    where = f"{table.file_name}" + (f" (sheet '{table.sheet}')" if table.sheet else "")
    matched: dict[int, str] = {}
    extras: dict[int, str] = {}
    written: dict[str, str] = {}
    width = max([len(table.headers)] + [len(row.cells) for row in table.rows])
    for position in range(width):
        header = table.headers[position] if position < len(table.headers) else ""
        key = header_key(header)
        if key in _RESERVED:
            continue
        name = index.get(key) if key else None
        if not name:
            extras[position] = table.column_label(position)
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
            f"  {column.name}" + (f" (also accepted: {', '.join(column.aliases[:6])})"
                                  if column.aliases else "")
            for column in missing
        ]
        found = ", ".join(header for header in table.headers if header) or "(none)"
        raise InputFileError(
            f"{where} is missing required {kind} column"
            f"{'s' if len(missing) > 1 else ''}:\n" + "\n".join(lines)
            + f"\nHeaders found (row {table.header_row}): {found}\nNothing was imported.",
            hint="Rename the header in the file, or map it with --mapping FILE "
            '(a TOML file of lines like "Their Header" = "nhs_number").',
        )
    return HeaderMatch(columns=matched, extras=extras, written=written)


def _disambiguate(extras: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    for position, name in extras.items():
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count > 1:
            extras[position] = f"{name} ({count})"
