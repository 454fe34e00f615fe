"""account budget, arrears and IP allow-list; task prices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_hundredths", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("budget_spent_hundredths", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("budget_pack_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("budget_started_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("budget_expires_at", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("arrears", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("allowed_ips", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units_hundredths", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("units_hundredths")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("allowed_ips")
        batch_op.drop_column("arrears")
        batch_op.drop_column("budget_expires_at")
        batch_op.drop_column("budget_started_at")
        batch_op.drop_column("budget_pack_id")
        batch_op.drop_column("budget_spent_hundredths")
        batch_op.drop_column("budget_hundredths")
