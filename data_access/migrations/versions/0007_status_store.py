"""status store: the status engine's output per generation, as-of date, project and item

``status_generation`` (one set of stored statuses per snapshot of the rule settings), ``status_project``
and ``status_item`` (see ``data_access/models/status_store.py``). A database without projects starts
with an empty active generation; one with projects gets a generation to build, which the first app run
(or ``manage.py status-rebuild``) fills with the status engine — the migration itself computes nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:00:00.000000
"""
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=nullable)


def _by_name(column: str):
    """Names in code-point order (the pages' ORDER BY says so on PostgreSQL; SQLite's default already is)."""
    return sa.text(f'{column} COLLATE "C"') if op.get_bind().dialect.name == 'postgresql' else column


def _create_project_table() -> None:
    op.create_table(
        'status_project',
        sa.Column('generation_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('fiscal_year_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('doc_order', sa.Integer(), nullable=False),
        _text('name'),
        sa.Column('budget_wan', sa.Float(), nullable=False),
        sa.Column('spent_wan', sa.Float(), nullable=True),
        _text('status'),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        _text('budget_status'),
        sa.Column('budget_reason', sa.Text(), nullable=False),
        sa.Column('execution_pct', sa.Float(), nullable=True),
        sa.Column('expected_pct', sa.Float(), nullable=True),
        sa.Column('projected_pct', sa.Float(), nullable=True),
        *[sa.Column(f'n_{s}', sa.Integer(), nullable=False) for s in ('red', 'missing', 'amber', 'green', 'blue', 'grey')],
        _text('prev_status', nullable=True),
        sa.Column('recovered', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('generation_id', 'project_id', 'as_of'),
    )
    op.create_index('ix_status_project_order', 'status_project',
                    ['generation_id', 'as_of', sa.text('severity DESC'), sa.text('budget_wan DESC'), _by_name('name'),
                     'doc_order'])
    op.create_index('ix_status_project_unit', 'status_project', ['generation_id', 'as_of', 'unit_id'])
    op.create_index('ix_status_project_year', 'status_project', ['generation_id', 'fiscal_year_id'])


def _create_item_table() -> None:
    op.create_table(
        'status_item',
        sa.Column('generation_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=True),
        sa.Column('fiscal_year_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('doc_order', sa.Integer(), nullable=False),
        _text('project_name'),
        sa.Column('budget_wan', sa.Float(), nullable=False),
        _text('level1'), _text('level2'), _text('level3'), _text('status'),
        sa.Column('rank', sa.Integer(), nullable=False),
        _text('prev_status', nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('target', sa.Text(), nullable=False),
        _text('actual'), _text('projected'), _text('likelihood'), _text('reasons'),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('generation_id', 'project_id', 'as_of', 'seq'),
    )
    op.create_index('ix_status_item_risk', 'status_item',
                    ['generation_id', 'as_of', sa.text('rank DESC'), sa.text('budget_wan DESC'),
                     _by_name('project_name'), 'doc_order', 'seq'])


def upgrade() -> None:
    op.create_table(
        'status_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        _text('state'),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        _text('created_by'),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        _text('worker', nullable=True),
        sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_status_generation_state', 'status_generation', ['state'])
    _create_project_table()
    _create_item_table()

    # the first generation: empty and active on an empty database; to be built (with the stored rules)
    # where projects exist already
    bind = op.get_bind()
    has_projects = bind.execute(sa.text("SELECT 1 FROM project LIMIT 1")).first() is not None
    setting = sa.table('setting', sa.column('key', sa.String()), sa.column('value', sa.JSON()))
    value = bind.execute(sa.select(setting.c.value).where(setting.c.key == 'status_rules')).scalar()
    generation = sa.table('status_generation', sa.column('state', sa.String()), sa.column('settings', sa.JSON()),
                          sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                          sa.column('created_by', sa.String()), sa.column('total', sa.Integer()),
                          sa.column('done', sa.Integer()))
    op.bulk_insert(generation, [{
        'state': 'building' if has_projects else 'active', 'settings': value or {},
        'created_at': datetime.now(UTC), 'created_by': 'migration', 'total': 0, 'done': 0,
    }])


def downgrade() -> None:
    op.drop_index('ix_status_item_risk', table_name='status_item')
    op.drop_table('status_item')
    op.drop_index('ix_status_project_year', table_name='status_project')
    op.drop_index('ix_status_project_unit', table_name='status_project')
    op.drop_index('ix_status_project_order', table_name='status_project')
    op.drop_table('status_project')
    op.drop_index('ix_status_generation_state', table_name='status_generation')
    op.drop_table('status_generation')
