"""plan_assignment: drop the index on plan_id alone

The unique constraint on (plan_id, person_id, role) already indexes plan_id first, so every
look-up by plan uses it; the second index only cost time on every row a plan writes (about
0.05 s of a 100,000-person plan on SQLite). Down again re-creates it.

Revision ID: 0004_plan_assignment_index
Revises: 0003_pathway_reasons
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0004_plan_assignment_index"
down_revision = "0003_pathway_reasons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_assignment_plan_id")


def downgrade() -> None:
    with op.batch_alter_table("plan_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_plan_assignment_plan_id", ["plan_id"], unique=False)
