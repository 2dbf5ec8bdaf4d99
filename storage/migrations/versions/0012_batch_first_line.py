"""batch first line: /undo names the message it reverts (its time and first line)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('batch') as batch:
        batch.add_column(sa.Column('first_line', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('batch') as batch:
        batch.drop_column('first_line')
