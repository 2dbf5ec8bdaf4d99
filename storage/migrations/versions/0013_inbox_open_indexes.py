"""inbox: partial indexes over unfinished updates, so a claim costs O(unfinished), not O(kept)

Finished updates are kept for days (redeliveries), and every claim scanned them: the head query's
outer scan and its correlated "an earlier unfinished update of this chat" test both walked the
done rows. Two partial indexes on `state != 'done'` hold only the unfinished rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("state != 'done'")


def upgrade() -> None:
    op.create_index('ix_inboxupdate_open', 'inboxupdate', ['update_id'], sqlite_where=_OPEN, postgresql_where=_OPEN)
    op.create_index('ix_inboxupdate_open_chat', 'inboxupdate', ['chat_key', 'update_id'], sqlite_where=_OPEN,
                    postgresql_where=_OPEN)


def downgrade() -> None:
    op.drop_index('ix_inboxupdate_open_chat', table_name='inboxupdate')
    op.drop_index('ix_inboxupdate_open', table_name='inboxupdate')
