"""login back-off: lockouts per account grow, failed sign-ins per client address

``app_user.lock_count`` counts lockouts in a row (each lasts twice as long as the one before, up to a
maximum); ``login_throttle`` counts failed sign-ins per client address.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:50:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_count', sa.Integer(), server_default='0', nullable=False))

    op.create_table('login_throttle',
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lock_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('client')
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('lock_count')
