"""person.cpa_start, person.cpa_end: the dates of the person's CPA episode

Trust exports shaped like the MHSDS give the Care Programme Approach as an episode
(MHS701CPACareEpisode StartDateCPA, EndDateCPA) rather than a yes/no. The importer keeps the
dates and, where the export has no CPA yes/no, works ``cpa`` out from them. People imported
before this revision have none (NULL) until the next import. Down drops the columns.

Revision ID: 0009_person_cpa_episode
Revises: 0008_person_cto_expiry
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_person_cpa_episode"
down_revision = "0008_person_cto_expiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cpa_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cpa_end", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("cpa_end")
        batch_op.drop_column("cpa_start")
