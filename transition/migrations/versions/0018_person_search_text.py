"""person.search_text: names, local id and postcode folded for the caseload search

A search for "Sean" or "Zajac" found nobody while the people were Seán and Zając, and "WX17UQ"
found nobody at WX1 7UQ: the search compared the stored text in lower case only. The names,
local id and postcode are now folded once (no accents, no case, a postcode without its space;
transition/search_text.py), stored with the person, and searched with one plain LIKE, the same
on SQLite and PostgreSQL, without an extension. Filled in here for everyone already held, with
the folding the search uses now. Down drops the column (the search then finds no one by name;
the version before this revision does not read it).

Revision ID: 0018_person_search_text
Revises: 0017_staff_absent_from
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transition.search_text import FIELDS, search_text

revision = "0018_person_search_text"
down_revision = "0017_staff_absent_from"
branch_labels = None
depends_on = None

# A lightweight table for the data step, as it is at this revision (not models.py).
_PERSON = sa.table("person", sa.column("id", sa.Integer()), sa.column("search_text", sa.Text()),
                   *(sa.column(name, sa.String()) for name in FIELDS))
_CHUNK = 5_000


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_PERSON.c.id, *(_PERSON.c[name] for name in FIELDS)))
    filled = [{"person": row.id, "folded": search_text(row._mapping)} for row in rows]
    statement = (_PERSON.update().where(_PERSON.c.id == sa.bindparam("person"))
                 .values(search_text=sa.bindparam("folded")))
    for start in range(0, len(filled), _CHUNK):
        connection.execute(statement, filled[start:start + _CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("search_text")
