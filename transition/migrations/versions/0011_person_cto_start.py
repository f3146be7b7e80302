"""person.cto_start: when a Community Treatment Order began

Trust exports shaped like the MHSDS give an order's start (MHS404CommTreatOrder
StartDateCommTreatOrd) as well as its expiry. The importer keeps it and, where the export has no
CTO yes/no, works ``cto`` out from the two dates. People imported before this revision have none
(NULL) until the next import. Down drops the column.

Revision ID: 0011_person_cto_start
Revises: 0010_person_coordinator_until
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_person_cto_start"
down_revision = "0010_person_coordinator_until"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cto_start", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("cto_start")
