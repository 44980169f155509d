"""rule overrides: an '=' target's direction per indicator, the judgement wording as entered, and the
self-evaluation weight preset per target document and per project

* ``indicator.direction``: the admin's choice for an '=' target ('cap': not above it, 'reach': at
  least it); NULL keeps the rule by 二级指标 (docs/rules.md §4.1).
* ``indicator_actual.actual_judgement_text`` / ``projected_judgement_text``: the wording entered or
  imported (「达成年度指标」) when it is not the mapped word itself (docs/rules.md §4.7).
* ``fiscal_year.selfeval_preset`` / ``project.selfeval_preset``: a WEIGHT_PRESETS key; NULL follows
  the level above (docs/rules.md §7).

All nullable: ADD COLUMN needs no table copy on SQLite, and existing rows keep today's behaviour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = [
    ('indicator', 'direction'),
    ('indicator_actual', 'actual_judgement_text'),
    ('indicator_actual', 'projected_judgement_text'),
    ('fiscal_year', 'selfeval_preset'),
    ('project', 'selfeval_preset'),
]


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
