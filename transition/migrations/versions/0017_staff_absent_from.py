"""staff.absent_from: the first day of a worker's absence, for one that is planned

The staff list gave only an absence's last day (``absent_until``), so a worker was away from
today until then. A planned absence (maternity leave from 1 March, an operation) starts later:
the worker is at work until its first day, and plans give them people whose handover comes
before it (transition/absence.py). Existing workers have none (NULL): their absences have
begun, as before. Down drops the column (a planned absence then reads as begun).

Revision ID: 0017_staff_absent_from
Revises: 0016_person_risk_band_override
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_staff_absent_from"
down_revision = "0016_person_risk_band_override"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("absent_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("absent_from")
