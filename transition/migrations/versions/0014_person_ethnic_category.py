"""person.ethnic_category: the MHSDS ethnic category code

Trust exports shaped like the MHSDS give it as MHS001MPI EthnicCategory (A-S, Z not stated, 99
not known). The importer stores the code; the equality report reads it (who is signposted or
changes worker, by ethnic group, age band and gender). People imported before this revision
have none (NULL) until the next import. Down drops the column.

Revision ID: 0014_person_ethnic_category
Revises: 0013_person_employment_status
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_person_ethnic_category"
down_revision = "0013_person_employment_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ethnic_category", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("ethnic_category")
