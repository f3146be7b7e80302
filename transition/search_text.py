"""What a search matches a person on: their names, local id and postcode, folded.

Folded means without accents and case ("Seán" and "Zając" are found by typing "sean" and
"zajac") and a postcode without its space ("WX17UQ" finds "WX1 7UQ"). The folding is done here,
once, in Python, and stored with the person (``person.search_text``, written on every insert
and on each update of a name, local id or postcode): SQLite has no accent folding and
PostgreSQL's ``unaccent`` is an extension a council's server may not have, and a stored column
keeps a search of 100,000 people one plain ``LIKE`` on both. The typed text is folded the same
way (:func:`fold`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

# Letters that are not a base letter plus an accent, so NFKD leaves them whole.
_LETTERS = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "þ": "th", "Þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "ħ": "h",
    "Ħ": "h", "ŧ": "t", "Ŧ": "t",
    # Curly apostrophes and quotes as typed on a keyboard: O’Neill is found by O'Neill.
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'",
})
# The parts of a person a search looks in, one per line: a match never runs from one to the next
# (the typed text is one line).
SEPARATOR = "\n"
FIELDS = ("family_name", "given_name", "local_id", "postcode")


def fold(text: str) -> str:
    """``text`` as a search compares it: lower case, accents dropped, spacing made single."""
    if text.isascii():  # most names: nothing to drop (and 100,000 are folded on an import)
        return " ".join(text.lower().replace("`", "'").split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def search_text(person: Mapping[str, Any]) -> str:
    """What a search of the caseload looks in for this person (a mapping with :data:`FIELDS`):
    "family given", "given family", the local id and the postcode without spaces, folded."""
    family = fold(person.get("family_name") or "")
    given = fold(person.get("given_name") or "")
    parts = [f"{family} {given}".strip(), f"{given} {family}".strip(),
             fold(person.get("local_id") or ""), fold(person.get("postcode") or "").replace(" ", "")]
    return SEPARATOR.join(parts)


def column_default(context: Any) -> str:
    """``person.search_text`` for an insert that does not give it (SQLAlchemy calls this with
    the statement's context, for each row of an ``executemany``)."""
    return search_text(context.get_current_parameters())
