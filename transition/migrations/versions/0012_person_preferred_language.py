"""person.preferred_language: the language the person prefers

Trust exports shaped like the MHSDS give it as MHS001MPI LanguageCodePreferred (an ISO 639-1
code, or q1-q5 for a communication method). The importer stores the language's name; the
planner looks for a worker who speaks it when no interpreter language is recorded. People
imported before this revision have none (NULL) until the next import. Down drops the column.

Revision ID: 0012_person_preferred_language
Revises: 0011_person_cto_start
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_person_preferred_language"
down_revision = "0011_person_cto_start"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_language", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("preferred_language")
