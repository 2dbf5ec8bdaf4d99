"""group robot channels and their deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('groupchannel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('last_outcome', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('last_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('channeldelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('week', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['groupchannel.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id', 'slot', name='uq_channel_slot')
    )
    with op.batch_alter_table('channeldelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channeldelivery_channel_id'), ['channel_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('channeldelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channeldelivery_channel_id'))
    op.drop_table('channeldelivery')
    op.drop_table('groupchannel')
