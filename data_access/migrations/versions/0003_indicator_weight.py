"""indicator weight: the 分值 of an imported target table

A target table may carry a 分值 column (the points of each indicator in the 项目支出绩效自评表).
The self-evaluation preview weighs the indicators by it when every indicator of the project has
one (docs/rules.md §7). Nullable: tables without the column keep the preset weights.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 14:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN of a nullable column needs no table copy on SQLite either
    op.add_column('indicator', sa.Column('weight', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicator') as batch:
        batch.drop_column('weight')
