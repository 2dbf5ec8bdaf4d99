"""update inbox: raw Telegram updates stored before they are confirmed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inboxupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_key', sa.BigInteger(), nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('update_id'),
    )
    with op.batch_alter_table('inboxupdate', schema=None) as batch_op:
        batch_op.create_index('ix_inboxupdate_chat_update', ['chat_key', 'update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inboxupdate_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inboxupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inboxupdate_state'))
        batch_op.drop_index('ix_inboxupdate_chat_update')
    op.drop_table('inboxupdate')
