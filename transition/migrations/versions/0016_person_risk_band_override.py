"""person.risk_band_override: a manager's handover-risk band, with who, when and why

The points model ranks handovers; clinical judgement comes first (risk.py, NICE NG225). A
manager who knows more than the export says can set a person's band (red, amber or green) with
a written reason, as they can override a pathway. ``risk_band`` then holds the band in use
(the override), so the planner's red-band cap, the tasks' joint visit and every count read it
unchanged; ``risk_score`` and ``risk_factors`` stay the rules' own. Existing people have no
override (NULL). Down drops the four columns (the band in use stays as it was until the next
``transition assess``, which gives the rules' band back).

Revision ID: 0016_person_risk_band_override
Revises: 0015_person_carer_consent
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016_person_risk_band_override"
down_revision = "0015_person_carer_consent"
branch_labels = None
depends_on = None

COLUMNS = ("risk_band_override", "risk_override_reason", "risk_override_by", "risk_override_at")


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "risk_band_override", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column(
            "risk_override_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column(
            "risk_override_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column(
            "risk_override_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
