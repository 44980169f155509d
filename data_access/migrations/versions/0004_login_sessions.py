"""server-side login sessions and the per-user session epoch

Every sign-in gets a ``login_session`` row; the re-login cookie carries its token (only the SHA-256 is
stored). ``app_user.session_epoch`` is bumped by a password change, a lock, a deactivation or a role or
unit change; a session started under an older epoch is no longer accepted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:20:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))

    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ended_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index('ix_login_session_user_open', ['user_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index('ix_login_session_user_open')
        batch_op.drop_index(batch_op.f('ix_login_session_token_hash'))
    op.drop_table('login_session')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
