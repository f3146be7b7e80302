"""pathway reasons: each distinct list stored once, the person row holding its key

``person.pathway_reasons`` (about 1 KB of JSON per person, a few thousand distinct lists in a
caseload of 100,000) moves to ``pathway_reasons`` keyed by a hash of its JSON text;
``person.pathway_reasons_hash`` refers to it (see ``transition.stored_reasons``; not a
database foreign key: SQLite checking one on every row doubled the time of writing 100,000
people, so ``transition db check`` verifies the references instead). Down again copies each
list back into its people's rows.

Revision ID: 0003_pathway_reasons
Revises: 0002_letters
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

from transition.db import json_dumps
from transition.stored_reasons import reasons_hash

revision = "0003_pathway_reasons"
down_revision = "0002_letters"
branch_labels = None
depends_on = None

# Lightweight tables for the data steps, as they are at this revision (not models.py); each
# step uses only the columns that exist at that point.
_PERSON = sa.table(
    "person",
    sa.column("id", sa.Integer()),
    sa.column("pathway_reasons", sa.JSON()),
    sa.column("pathway_reasons_hash", sa.String()),
)
_REASONS = sa.table(
    "pathway_reasons",
    sa.column("reasons_hash", sa.String()),
    sa.column("reasons", sa.JSON()),
)


def upgrade() -> None:
    op.create_table(
        "pathway_reasons",
        sa.Column("reasons_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("reasons_hash"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pathway_reasons_hash", sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=True,
            )
        )

    connection = op.get_bind()
    # Each list's key is the hash of its JSON text as the application writes it (json_dumps),
    # so lists stored here and by later assessments share their rows.
    lists: dict[str, Any] = {}
    keys: dict[int, str] = {}
    for person_id, reasons in connection.execute(
        sa.select(_PERSON.c.id, _PERSON.c.pathway_reasons)
        .where(_PERSON.c.pathway_reasons.is_not(None))
    ):
        if reasons is None:  # JSON null, which reads as no reasons, as SQL NULL does
            continue
        key = reasons_hash(json_dumps(reasons))
        lists.setdefault(key, reasons)
        keys[person_id] = key
    if lists:
        connection.execute(
            _REASONS.insert(),
            [{"reasons_hash": key, "reasons": reasons} for key, reasons in lists.items()],
        )
    _set_for_people(connection, "pathway_reasons_hash", keys)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pathway_reasons")


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pathway_reasons", sa.JSON(), nullable=True))

    connection = op.get_bind()
    statement = sa.select(_REASONS.c.reasons_hash, _REASONS.c.reasons)
    stored = dict(connection.execute(statement).all())
    keys = connection.execute(
        sa.select(_PERSON.c.id, _PERSON.c.pathway_reasons_hash)
        .where(_PERSON.c.pathway_reasons_hash.is_not(None))
    )
    _set_for_people(
        connection, "pathway_reasons", {person_id: stored[key] for person_id, key in keys}
    )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pathway_reasons_hash")
    op.drop_table("pathway_reasons")


def _set_for_people(connection: sa.Connection, column: str, values: dict[int, Any]) -> None:
    """Set one column of each of these people (by id), in one executemany."""
    if values:
        connection.execute(
            _PERSON.update().where(_PERSON.c.id == sa.bindparam("b_id"))
            .values({column: sa.bindparam("value")}),
            [{"b_id": person_id, "value": value} for person_id, value in values.items()],
        )
