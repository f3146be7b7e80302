"""letter: the date a letter bears and the hash of its rendered content

A letter is dated the day it is written. To tell whether re-running would change a letter, it
is rendered again with its own date and the content hash compared (``content_sha256``);
``sha256`` stays the hash of the file as written.

Revision ID: 0002_letters
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_letters"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dated", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_column("content_sha256")
        batch_op.drop_column("dated")
