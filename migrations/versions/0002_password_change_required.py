"""a one-time password must be changed at the first sign-in, and expires

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:00:00

"""

import sqlalchemy as sa
from alembic import op

import objections.models.base

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("password_set_at", objections.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    # Accounts invited before, never signed in: their password is the one an administrator was shown. It must be
    # replaced at the first sign-in, and having no date it counts as expired: the administrator makes a new one.
    op.execute(
        "UPDATE users SET password_change_required = TRUE WHERE last_login_at IS NULL AND totp_confirmed = FALSE"
    )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_set_at")
        batch_op.drop_column("password_change_required")
