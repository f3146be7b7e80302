"""Locks that make PostgreSQL serialise what SQLite serialises by itself.

On SQLite every write transaction takes the database's write lock at its start
(``BEGIN IMMEDIATE``), so a command that reads, checks and then writes cannot have another
writer commit in between. PostgreSQL runs transactions side by side (read committed), so a
command whose writes depend on what it read takes one of these locks first. Each is held
until the transaction ends (commit or rollback); nothing has to release it. On SQLite each is
a no-op.

Advisory lock keys are fixed numbers shared by every copy of the tool on the same database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

IMPORT_LOCK = 0x7472616E
"""Imports, plan accepts (which must not accept a plan whose inputs an import is changing) and
managers' choices of worker and unlocks (checked against the places and holders they read:
two managers must not both take a worker's last place)."""

MIGRATION_LOCK = 0x74724D47
"""One schema upgrade at a time: two would both create (or alter) the same tables."""


def _is_postgresql(bind: Any) -> bool:
    return bind.dialect.name == "postgresql"


def advisory_lock(session_or_connection: Any, key: int) -> None:
    """Wait for PostgreSQL's transaction-level advisory lock ``key`` (up to ``lock_timeout``),
    held until this transaction ends. A no-op on SQLite."""
    bind = (session_or_connection.get_bind() if hasattr(session_or_connection, "get_bind")
            else session_or_connection)
    if _is_postgresql(bind):
        session_or_connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def lock_tables(session: Any, tables: tuple[str, ...], mode: str) -> None:
    """``LOCK TABLE ... IN mode MODE`` on PostgreSQL (held until the transaction ends; waits
    up to ``lock_timeout``). A no-op on SQLite. ``tables`` and ``mode`` are the code's own
    names, never user input."""
    if _is_postgresql(session.get_bind()):
        session.execute(text(f"LOCK TABLE {', '.join(tables)} IN {mode} MODE"))
