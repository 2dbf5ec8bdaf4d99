"""edits and undo source: a batch per edit version; which message undid a batch

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edit_version', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('undone_by_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('undone_by_message_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_batch_chat_message', type_='unique')
        batch_op.create_unique_constraint('uq_batch_chat_message_edit', ['chat_id', 'message_id', 'edit_version'])
        batch_op.create_unique_constraint('uq_batch_undone_by', ['undone_by_chat_id', 'undone_by_message_id'])


def downgrade() -> None:
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_constraint('uq_batch_undone_by', type_='unique')
        batch_op.drop_constraint('uq_batch_chat_message_edit', type_='unique')
        batch_op.create_unique_constraint('uq_batch_chat_message', ['chat_id', 'message_id'])
        batch_op.drop_column('undone_by_message_id')
        batch_op.drop_column('undone_by_chat_id')
        batch_op.drop_column('edit_version')
