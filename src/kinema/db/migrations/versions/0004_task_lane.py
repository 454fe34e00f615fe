"""tasks.lane: which workers take a task (cpu, or gpu for a generative pipeline)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows made before lanes existed ran on any worker: they are CPU-lane work (the default).
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.String(length=8), server_default="cpu", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("lane")
