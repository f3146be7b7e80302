"""person.cto_expiry: when a Community Treatment Order expires unless renewed

Trust exports can carry the order's expiry (MHSDS MHS404CommTreatOrder ExpiryDateCommTreatOrd).
The nightly check flags an order that expires near the person's handover (``cto_expiring``), so
its renewal does not fall between the outgoing and the new worker. People imported before this
revision have none (NULL) until the next import. Down drops the column.

Revision ID: 0008_person_cto_expiry
Revises: 0007_person_accommodation
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_person_cto_expiry"
down_revision = "0007_person_accommodation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cto_expiry", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("cto_expiry")
