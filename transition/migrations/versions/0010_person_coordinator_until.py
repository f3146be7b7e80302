"""person.coordinator_until: when the care coordinator's allocation ended

Trust exports shaped like the MHSDS give each care coordinator allocation an end date
(MHS006MHCareCoord EndDateAssCareCoord). An allocation that ended before today leaves the person
with no one: the importer warns, and the nightly check reports them as unassigned. People
imported before this revision have none (NULL) until the next import. Down drops the column.

Revision ID: 0010_person_coordinator_until
Revises: 0009_person_cpa_episode
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_person_coordinator_until"
down_revision = "0009_person_cpa_episode"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinator_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("coordinator_until")
