"""import_batch.column_notes: what an import said about the file's columns, kept

An import says which headers it did not recognise (and the known column each looks like), which
known columns the file lacks, and which columns the rules read that it lacks. Until now that
was printed once, to whoever ran the import; kept on the batch, the dashboard and
``transition import history`` show it to the rest of the team. Batches imported before this
revision have none (NULL). Down drops the column.

Revision ID: 0006_import_column_notes
Revises: 0005_person_allocated_plan
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_import_column_notes"
down_revision = "0005_person_allocated_plan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("column_notes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("column_notes")
