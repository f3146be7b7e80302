"""person.carer_consent: whether the person agrees to their carer being told

A carer letter says the person has a mental health team, so it needs their agreement
(Caldicott: need-to-know; UK GDPR art 9). The importer reads it from a consent column where
the trust's export has one; letters read no as "no carer letter" and a blank as "check first".
People imported before this revision have none (NULL, not recorded) until the next import: an
export that already had a consent column kept it among the unrecognised columns (extra), and
importing it again reads it. Down drops the column.

Revision ID: 0015_person_carer_consent
Revises: 0014_person_ethnic_category
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_person_carer_consent"
down_revision = "0014_person_ethnic_category"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carer_consent", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("carer_consent")
