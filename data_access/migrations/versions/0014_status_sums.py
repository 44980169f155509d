"""status store: the stored projects summed per unit, area and status (``status_sum``)

One row per (generation, as-of date, unit, area, status, budget row's status, previous status, items
reported since) with the projects' counts, budgets, spending and indicator counts summed (see
``data_access/status_store/sums.py``): the roll-ups read these instead of every project. Filled here from
the stored projects with the same sums the recompute writes (``manage.py status-rebuild --check``
compares them). ``ix_status_project_change``: the overview's first changes since the previous date read
a (previous, current) group at a time in budget order, not every project of the date.
``ix_status_project_order`` gains the project id and status: the ordered list of every project (the
pickers of 项目详情, 风险清单, 会议模式) is read from the index alone, without a sort or a row lookup.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

KEYS = ("generation_id", "as_of", "fiscal_year_id", "unit_id", "area_id", "status", "budget_status", "prev_status",
        "back")
# the sums as data_access.status_store.sums.MEASURES defines them at this revision
MEASURES = {
    "projects": "1",
    "reporting": "CASE WHEN spent_wan IS NOT NULL THEN 1 ELSE 0 END",
    "lacking": "CASE WHEN budget_status = 'missing' OR n_missing > 0 THEN 1 ELSE 0 END",
    "budget": "budget_wan",
    "budget_pos": "CASE WHEN budget_wan > 0 THEN budget_wan ELSE 0.0 END",
    "spent": "CASE WHEN spent_wan IS NOT NULL THEN spent_wan ELSE 0.0 END",
    "reported_budget": "CASE WHEN spent_wan IS NOT NULL THEN budget_wan ELSE 0.0 END",
    "reported_planned": "CASE WHEN spent_wan IS NOT NULL AND expected_pct IS NOT NULL"
                        " THEN budget_wan * expected_pct / 100.0 ELSE 0.0 END",
    "planned": "COALESCE(budget_wan * expected_pct / 100.0, 0.0)",
    **{f"n_{s}": f"n_{s}" for s in ("red", "missing", "amber", "green", "blue", "grey")},
}


def _order_index(extra: list[str]) -> None:
    """The pages' project order; names in code-point order (PostgreSQL says so; SQLite's default is)."""
    name = sa.text('name COLLATE "C"') if op.get_bind().dialect.name == 'postgresql' else 'name'
    op.create_index('ix_status_project_order', 'status_project',
                    ['generation_id', 'as_of', sa.text('severity DESC'), sa.text('budget_wan DESC'), name, 'doc_order',
                     *extra])


def upgrade() -> None:
    op.drop_index('ix_status_project_order', table_name='status_project')
    _order_index(['project_id', 'status'])
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'status_sum',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('fiscal_year_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('status', text(), nullable=False),
        sa.Column('budget_status', text(), nullable=False),
        sa.Column('prev_status', text(), nullable=True),
        *[sa.Column(c, sa.Integer(), nullable=False) for c in ('back', 'projects', 'reporting', 'lacking')],
        *[sa.Column(c, sa.Float(), nullable=False)
          for c in ('budget', 'budget_pos', 'spent', 'reported_budget', 'reported_planned', 'planned')],
        *[sa.Column(f'n_{s}', sa.Integer(), nullable=False) for s in ('red', 'missing', 'amber', 'green', 'blue', 'grey')],
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_status_sum_unit', 'status_sum', ['generation_id', 'as_of', 'unit_id'], unique=False)
    op.create_index('ix_status_sum_year', 'status_sum', ['generation_id', 'fiscal_year_id', 'unit_id'], unique=False)
    op.create_index('ix_status_project_change', 'status_project',
                    ['generation_id', 'as_of', 'prev_status', 'status', sa.text('budget_wan DESC'), 'project_id'],
                    unique=False)
    keys = [k if k != "back" else "CASE WHEN recovered > 0 THEN 1 ELSE 0 END" for k in KEYS]
    op.execute(
        f"INSERT INTO status_sum ({', '.join(KEYS)}, {', '.join(MEASURES)}) "
        f"SELECT {', '.join(keys)}, {', '.join(f'SUM({e})' for e in MEASURES.values())} "
        f"FROM status_project GROUP BY {', '.join(keys)}")


def downgrade() -> None:
    op.drop_index('ix_status_project_order', table_name='status_project')
    _order_index([])
    op.drop_index('ix_status_project_change', table_name='status_project')
    op.drop_index('ix_status_sum_year', table_name='status_sum')
    op.drop_index('ix_status_sum_unit', table_name='status_sum')
    op.drop_table('status_sum')
