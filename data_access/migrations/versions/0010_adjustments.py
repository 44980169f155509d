"""budget and target adjustments; the signature fields of an account

``budget_adjustment``: dated 追加 / 调减 / 调剂 of a project's fund source. ``target_adjustment``: a new
annual value of an indicator from an effective date, with its reason, approval and the status shown
when it was approved. ``app_user.phone`` / ``report_reviewer``: the 联系电话 and 审核人 of the signature
block of the official outputs. ``status_item.adjustment`` / ``flagged``: the stored 目标调整 note of an
indicator and whether its target was adjusted while red or amber (empty and false for every stored row:
no adjustment exists before this revision).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:19:35.116202
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('adjusted_on', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fund_source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amount_wan', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('document_no', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('budget_adjustment', schema=None) as batch_op:
        batch_op.create_index('ix_budget_adjustment_project_on', ['project_id', 'adjusted_on'], unique=False)

    op.create_table('target_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('target_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('op', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('previous_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approval', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('approved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('prior_status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('prior_period', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('prior_reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('target_adjustment', schema=None) as batch_op:
        batch_op.create_index('ix_target_adjustment_indicator_on', ['indicator_id', 'effective_on'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('report_reviewer', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))

    with op.batch_alter_table('status_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adjustment', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('status_item', schema=None) as batch_op:
        batch_op.drop_column('flagged')
        batch_op.drop_column('adjustment')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('report_reviewer')
        batch_op.drop_column('phone')

    with op.batch_alter_table('target_adjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_target_adjustment_indicator_on')

    op.drop_table('target_adjustment')
    with op.batch_alter_table('budget_adjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_adjustment_project_on')

    op.drop_table('budget_adjustment')
