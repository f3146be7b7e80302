"""person.employment_status: the MHSDS employment status code

Trust exports shaped like the MHSDS give it as MHS004EmpStatus EmployStatus (01 employed ... 08
retired). The importer stores the code; the risk score reads 02 (unemployed and seeking work)
as the job problems the evidence names. People imported before this revision have none (NULL)
until the next import. Down drops the column.

Revision ID: 0013_person_employment_status
Revises: 0012_person_preferred_language
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_person_employment_status"
down_revision = "0012_person_preferred_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employment_status", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("employment_status")
