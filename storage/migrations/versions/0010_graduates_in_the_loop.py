"""graduates in the loop: personal links, bindings, self-reports, confirmations, materials, checks, samples

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table('graduatelink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', _STR(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _TIME(), nullable=False),
    sa.Column('expires_at', _TIME(), nullable=False),
    sa.Column('used_at', _TIME(), nullable=True),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', _TIME(), nullable=True),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('graduatelink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduatelink_graduate_id'), ['graduate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_graduatelink_token_hash'), ['token_hash'], unique=True)
    op.create_table('graduatebinding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('bound_at', _TIME(), nullable=False),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['botuser.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('graduate_id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_table('selfreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('raw', _STR(length=1024), nullable=False),
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('substate', _STR(length=32), nullable=True),
    sa.Column('summary', _STR(length=512), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('created_at', _TIME(), nullable=False),
    sa.Column('status', _STR(length=12), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', _TIME(), nullable=True),
    sa.Column('reason', _STR(length=256), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['botuser.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('selfreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selfreport_graduate_id'), ['graduate_id'], unique=False)
        batch_op.create_index('ix_selfreport_status_graduate', ['status', 'graduate_id'], unique=False)
    op.create_table('confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('via', _STR(length=12), nullable=False),
    sa.Column('confirmed_at', _TIME(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['destinationentry.id'], ),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id')
    )
    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_graduate_id'), ['graduate_id'], unique=False)
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('file_id', _STR(length=256), nullable=False),
    sa.Column('file_unique_id', _STR(length=128), nullable=False),
    sa.Column('kind', _STR(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', _TIME(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['destinationentry.id'], ),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_graduate_id'), ['graduate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_entry_id'), ['entry_id'], unique=False)
    op.create_table('verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('method', _STR(length=8), nullable=False),
    sa.Column('outcome', _STR(length=12), nullable=False),
    sa.Column('note', _STR(length=512), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sample_id', sa.Integer(), nullable=True),
    sa.Column('created_at', _TIME(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['destinationentry.id'], ),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_graduate_id'), ['graduate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verification_entry_id'), ['entry_id'], unique=False)
    op.create_table('checksample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('scope', _STR(length=200), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('requested', _STR(length=16), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _TIME(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checksample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checksample_cohort_id'), ['cohort_id'], unique=False)
    op.create_table('samplemember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ),
    sa.ForeignKeyConstraint(['sample_id'], ['checksample.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sample_id', 'graduate_id', name='uq_sample_graduate')
    )
    with op.batch_alter_table('samplemember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_samplemember_sample_id'), ['sample_id'], unique=False)


def downgrade() -> None:
    for table in ('samplemember', 'checksample', 'verification', 'material', 'confirmation', 'selfreport',
                  'graduatebinding', 'graduatelink'):
        op.drop_table(table)
