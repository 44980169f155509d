"""import vocabulary: stored 一级指标 words become the national canonical set

The importer now maps every indicator word to one canonical set (``domain.vocabulary``); the only
non-canonical word earlier imports could store is the local 一级 ``效果指标``, which becomes the national
``效益指标`` so that a re-import of the same document changes nothing. The admin's own vocabulary
entries live in the ``setting`` table (key ``import_vocabulary``): no schema change.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:40:00.000000
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE indicator SET level1 = '效益指标' WHERE level1 = '效果指标'")
    # the status store keeps the words for the group filter (0007): the same rename there
    op.execute("UPDATE status_item SET level1 = '效益指标' WHERE level1 = '效果指标'")


def downgrade() -> None:
    # the word a document used is not recorded separately: the canonical word stays (harmless to 0005)
    pass
