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

def _person(*columns: sa.Column[Any]) -> sa.Table:
    # Lightweight tables for the data step, as they are at this revision (not models.py).
    return sa.table("person", sa.column("id", sa.Integer()), *columns)


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
    old = _person(sa.column("pathway_reasons", sa.JSON()),
                  sa.column("pathway_reasons_hash", sa.String()))
    # Each list's key is the hash of its JSON text as the application writes it (json_dumps),
    # so lists stored here and by later assessments share their rows.
    lists: dict[str, Any] = {}
    keys: list[dict[str, Any]] = []
    for person_id, reasons in connection.execute(
        sa.select(old.c.id, old.c.pathway_reasons).where(old.c.pathway_reasons.is_not(None))
    ):
        if reasons is None:  # JSON null, which reads as no reasons, as SQL NULL does
            continue
        key = reasons_hash(json_dumps(reasons))
        lists.setdefault(key, reasons)
        keys.append({"b_id": person_id, "key": key})
    if lists:
        connection.execute(
            _REASONS.insert(),
            [{"reasons_hash": key, "reasons": reasons} for key, reasons in lists.items()],
        )
    if keys:
        connection.execute(
            old.update().where(old.c.id == sa.bindparam("b_id"))
            .values(pathway_reasons_hash=sa.bindparam("key")),
            keys,
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pathway_reasons")


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pathway_reasons", sa.JSON(), nullable=True))

    connection = op.get_bind()
    new = _person(sa.column("pathway_reasons", sa.JSON()),
                  sa.column("pathway_reasons_hash", sa.String()))
    statement = sa.select(_REASONS.c.reasons_hash, _REASONS.c.reasons)
    stored = dict(connection.execute(statement).all())
    rows = [
        {"b_id": person_id, "reasons": stored[key]}
        for person_id, key in connection.execute(
            sa.select(new.c.id, new.c.pathway_reasons_hash)
            .where(new.c.pathway_reasons_hash.is_not(None))
        )
    ]
    if rows:
        connection.execute(
            new.update().where(new.c.id == sa.bindparam("b_id"))
            .values(pathway_reasons=sa.bindparam("reasons")),
            rows,
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pathway_reasons_hash")
    op.drop_table("pathway_reasons")
