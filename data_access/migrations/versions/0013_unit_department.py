"""the 主管部门 of a responsible unit

``unit.department``: the department (主管部门) a unit belongs to, '' when the data names none (every unit
stored before this revision: a district bureau's own units). The filter bar's 主管部门 selector, the
status store's scope and the overview's per-department roll-up read it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:05:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sqlmodel.sql.sqltypes.AutoString(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_unit_department'), ['department'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_department'))
        batch_op.drop_column('department')
