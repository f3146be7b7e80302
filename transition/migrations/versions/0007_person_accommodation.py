"""person.accommodation_type and person.settled_accommodation: the MHSDS accommodation status

Trust exports carry MHSDS MHS003AccommStatus (AccommodationType, SettledAccommodationInd).
Until now they were kept only among the unrecognised extra columns, so the handover risk could
not see that a person has no settled home. People imported before this revision have neither
(NULL) until the next import; an earlier import's extra columns are not read back. Down drops
both columns.

Revision ID: 0007_person_accommodation
Revises: 0006_import_column_notes
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_person_accommodation"
down_revision = "0006_import_column_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accommodation_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("settled_accommodation", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("settled_accommodation")
        batch_op.drop_column("accommodation_type")
