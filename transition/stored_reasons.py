"""Pathway reasons stored once per distinct list, keyed by a hash of their JSON text.

A caseload of 100,000 people has a few thousand distinct lists of reasons, about 1 KB of JSON
each. Writing them into every person row was most of what SQLite wrote in a first assessment,
so each list is stored once in ``pathway_reasons`` and the person row holds its key
(``Person.pathway_reasons_hash``). ``Person.pathway_reasons`` reads the list back (a column
property in :mod:`transition.models`), so readers see the same list as before.

Writers serialise the list with :func:`transition.db.json_dumps`, take :func:`reasons_hash` of
that text, :func:`store_reasons` the texts not stored yet, then set the person's hash. Rows are
only added: a list no one refers to any more is a few hundred bytes and harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import blake2b
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, select
from sqlalchemy.dialects import postgresql, sqlite

from transition.db import json_dumps
from transition.models import PathwayReasons


def reasons_hash(text: str) -> str:
    """The key of one list of reasons: a 128-bit BLAKE2b of its JSON text, in hex (32 chars)."""
    return blake2b(text.encode(), digest_size=16).hexdigest()


def store_reasons(connection: Connection, texts: Mapping[str, str]) -> None:
    """Store each JSON text (by its :func:`reasons_hash`) that is not stored yet."""
    if not texts:
        return
    table = PathwayReasons.__table__  # type: ignore[attr-defined]
    stored = set(connection.scalars(select(table.c.reasons_hash)))
    missing = [{"key": key, "text": text} for key, text in texts.items() if key not in stored]
    if not missing:
        return
    sqlite_db = connection.dialect.name == "sqlite"
    # The text is already JSON: SQLite stores JSON as text anyway; PostgreSQL is told it is JSON.
    text_param: Any = bindparam("text", type_=String())
    if sqlite_db:
        insert = sqlite.insert(table)
    else:
        insert = postgresql.insert(table)
        text_param = cast(text_param, table.c.reasons.type)
    # Another writer (PostgreSQL allows two at once) may have stored the same list meanwhile.
    statement = insert.values(
        reasons_hash=bindparam("key"), reasons=text_param
    ).on_conflict_do_nothing(index_elements=[table.c.reasons_hash])
    connection.execute(statement, missing)


def stored_reasons_hash(connection: Connection, reasons: list[dict[str, str]] | None) -> str | None:
    """Store one list of reasons if it is new; its key for ``Person.pathway_reasons_hash``."""
    if reasons is None:
        return None
    text = json_dumps(reasons)
    key = reasons_hash(text)
    store_reasons(connection, {key: text})
    return key
