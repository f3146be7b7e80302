"""Characters an export lost in its encoding: a '?' (or U+FFFD, the replacement character)
where a name or address had a letter the file's code page could not hold.

A trust export saved as Windows-1252 (or another one-byte code page) writes each character the
code page lacks ('ł', 'ą', 'ő') as '?'; a file read with a wrong encoding shows U+FFFD instead.
Names and addresses never hold either, so a row that does lost a character. A stored value
that the file's matches letter for letter, but for a lost character where the stored value has
a letter, is kept (an import must not turn "Paweł" into "Pawe?" on every letter); a value with
no stored one to keep is imported as written, with a warning to check it with the trust.
Messages name the column, never the value (nothing personal in messages or logs).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from transition.validation import CheckedRow, Problem

LOST = "?\ufffd"
# Text columns of a person or a worker where a lost character is never written on purpose.
COLUMN_WORDS = {
    "given_name": "given name", "family_name": "family name", "address": "address",
    "carer_name": "carer name", "carer_address": "carer address",
    "gp_practice_name": "GP practice name", "gp_address": "GP address",
}


def has_lost(value: Any) -> bool:
    return isinstance(value, str) and any(mark in value for mark in LOST)


def lost_warning(column: str) -> str:
    """What a row is told when its value lost a character and none is stored to keep."""
    words = COLUMN_WORDS[column]
    return (f"the {words} has '?' where the export lost a character (its encoding could not "
            f"hold a letter): imported as written; check the {words} with the trust and ask "
            "for the export saved as UTF-8")


def kept_warning(column: str) -> str:
    """What a row is told when the stored value was kept instead of the file's."""
    words = COLUMN_WORDS[column]
    return (f"the file has '?' where the stored {words} has a letter: lost in the export's "
            f"encoding; the stored {words} was kept")


def warn_lost(checked: Iterable[CheckedRow], names: Sequence[str]) -> None:
    """A warning on each row for each name or address column holding a lost character."""
    columns = [name for name in names if name in COLUMN_WORDS]
    if not columns:
        return
    for row in checked:
        for name in columns:
            if has_lost(row.values.get(name)):
                row.warnings.append(Problem(name, lost_warning(name)))


def lost_from(stored: Any, written: Any) -> bool:
    """Whether ``written`` is ``stored`` with some of its letters lost in an encoding: the same
    text, but a '?' for a letter outside ASCII (one '?' per character, as a code page writes
    it), or one or more U+FFFD for one (a decoder writes one per unreadable byte)."""
    if not (isinstance(stored, str) and isinstance(written, str)) or stored == written:
        return False
    if not has_lost(written):
        return False
    return _pattern(written).fullmatch(stored) is not None


@lru_cache(maxsize=1024)
def _pattern(written: str) -> re.Pattern[str]:
    # A letter outside ASCII: a code page keeps every ASCII character, so a '?' there stood
    # for something it could not write.
    letter = r"[^\W\d_\x00-\x7f]"
    parts = []
    for run in re.finditer(r"\?|\ufffd+|[^?\ufffd]+", written):
        text = run.group()
        if text == "?":
            parts.append(letter)
        elif text[0] == "\ufffd":
            parts.append(letter if len(text) == 1 else f"{letter}{{1,{len(text)}}}")
        else:
            parts.append(re.escape(text))
    # In any case: a name in capitals is the same name ("PAWE?" for a stored "Paweł").
    return re.compile("".join(parts), re.IGNORECASE)


def keep_stored(row: CheckedRow, values: dict[str, Any], stored: Any) -> bool:
    """Keep each stored name or address the row's value is a lossy copy of (see
    :func:`lost_from`): ``values`` (what will be stored) gets the stored value back, the row's
    warning says it was kept, and the row's hash is marked, so the same file imported again is
    compared again (and warned again) rather than taken as unchanged. Returns whether any was
    kept. ``stored``: the stored record's columns (a mapping)."""
    kept = [name for name in COLUMN_WORDS
            if name in values and lost_from(stored[name], values[name])]
    for name in kept:
        values[name] = stored[name]
        row.warnings = [Problem(name, kept_warning(name))
                        if problem.column == name and problem.message == lost_warning(name)
                        else problem for problem in row.warnings]
    if kept:
        row.content_hash = hashlib.sha256(
            f"{row.content_hash}|kept={','.join(kept)}".encode()).hexdigest()
    return bool(kept)


def kept_notice(rows: Sequence[int]) -> str:
    """The import summary's note of the rows whose stored names or addresses were kept."""
    rows = sorted(rows)
    shown = ", ".join(map(str, rows[:10])) + (f" and {len(rows) - 10:,} more"
                                               if len(rows) > 10 else "")
    return (f"{len(rows):,} row{'s' if len(rows) > 1 else ''} ({shown}) had '?' where the stored "
            "name or address has a letter: the export's encoding lost those characters, so the "
            "stored values were kept. Ask the trust to save the export as UTF-8.")
