"""person.allocated_plan_id: the first accepted plan that decided a person's roles

Before, a person with no current assignment counted as held by the trust's care coordinator,
even after a plan had been accepted for them. So the nightly check did not report a person the
accepted plan could not place (their old coordinator "held" them), and a signposted person
still counted against their old coordinator's capacity. Accepting a plan now records itself on
each person whose roles it is the first to decide (everyone with a pathway, in the latest
export, that the plan covered, and not marked already).

Filled in here from the plans already accepted (or accepted and since superseded): each person
with a role in such a plan, the oldest plan winning. A person signposted by a plan accepted
before this revision has no role in it, so they are not marked here; they are from the next
plan accepted. Down drops the column.

Revision ID: 0005_person_allocated_plan
Revises: 0004_plan_assignment_index
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_person_allocated_plan"
down_revision = "0004_plan_assignment_index"
branch_labels = None
depends_on = None

# Lightweight tables for the data step, as they are at this revision (not models.py).
_PERSON = sa.table("person", sa.column("id", sa.Integer()),
                   sa.column("allocated_plan_id", sa.Integer()))
_PLAN = sa.table("plan", sa.column("id", sa.Integer()), sa.column("status", sa.String()))
_ROWS = sa.table("plan_assignment", sa.column("plan_id", sa.Integer()),
                 sa.column("person_id", sa.Integer()), sa.column("role", sa.String()))
_NO_ROLE = "none"  # a plan's row for a person with no pathway: nothing was decided for them


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allocated_plan_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_person_allocated_plan_id_plan", "plan",
                                    ["allocated_plan_id"], ["id"])
    connection = op.get_bind()
    newest = (
        sa.select(_ROWS.c.person_id, sa.func.min(_ROWS.c.plan_id).label("plan_id"))
        .join(_PLAN, _PLAN.c.id == _ROWS.c.plan_id)
        .where(_PLAN.c.status.in_(["accepted", "superseded"]), _ROWS.c.role != _NO_ROLE)
        .group_by(_ROWS.c.person_id)
    )
    marks = [{"person": person_id, "plan": plan_id}
             for person_id, plan_id in connection.execute(newest)]
    if marks:
        connection.execute(
            _PERSON.update().where(_PERSON.c.id == sa.bindparam("person"))
            .values(allocated_plan_id=sa.bindparam("plan")),
            marks,
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint("fk_person_allocated_plan_id_plan", type_="foreignkey")
        batch_op.drop_column("allocated_plan_id")
