"""the reporting chain: review states, comment threads, 上报 snapshots, 填报截止日, 科长 flag

``project_review`` holds where each project stands for each period (送审 / 初审 / 通过 / 退回) with the
versions of its values at submission; ``review_comment`` the thread of each item and period;
``report_snapshot`` + ``report_file`` what was reported upward, frozen. ``period.deadline`` is the
填报截止日; ``app_user.unit_reviewer`` marks a 科长 (first review level, when two levels are set).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', sa.Date(), nullable=True))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_reviewer', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('project_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'period_code')
    )
    with op.batch_alter_table('project_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_review_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_project_review_period_state', ['period_code', 'state'], unique=False)

    op.create_table('review_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.create_index('ix_review_comment_item', ['item_key', 'period_code'], unique=False)
        batch_op.create_index('ix_review_comment_project', ['project_id', 'period_code'], unique=False)

    op.create_table('report_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year_id', sa.Integer(), nullable=False),
    sa.Column('period_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('approved', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('statuses', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['fiscal_year_id'], ['fiscal_year.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_code', 'seq')
    )
    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_snapshot_fiscal_year_id'), ['fiscal_year_id'], unique=False)

    op.create_table('report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['report_snapshot.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('snapshot_id', 'name')
    )
    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_file_snapshot_id'), ['snapshot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_file_snapshot_id'))
    op.drop_table('report_file')
    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_snapshot_fiscal_year_id'))
    op.drop_table('report_snapshot')
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_review_comment_project')
        batch_op.drop_index('ix_review_comment_item')
    op.drop_table('review_comment')
    with op.batch_alter_table('project_review', schema=None) as batch_op:
        batch_op.drop_index('ix_project_review_period_state')
        batch_op.drop_index(batch_op.f('ix_project_review_project_id'))
    op.drop_table('project_review')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('unit_reviewer')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_column('deadline')
