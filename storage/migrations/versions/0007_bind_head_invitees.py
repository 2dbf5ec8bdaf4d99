"""bind head invitees: counsellors a head brought in read only inside the head's departments

Data only. Before 0007 a head's invitee kept no bound, so a class or counsellor name a later roster
put in another department widened their scope (review finding F3). Each counsellor made by a head
gets a 'within' scope row per department of that head (bot.scopes.WITHIN, UserScope.covers).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:15:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO userscope (user_id, dimension, value)
        SELECT DISTINCT invitee.id, 'within', grant_row.value
        FROM botuser AS invitee
        JOIN botuser AS maker ON maker.id = invitee.created_by
        JOIN userscope AS grant_row ON grant_row.user_id = maker.id AND grant_row.dimension = 'department'
        WHERE invitee.role = 'counsellor' AND maker.role = 'head'
          AND NOT EXISTS (
            SELECT 1 FROM userscope AS bound WHERE bound.user_id = invitee.id AND bound.dimension = 'within'
          )
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM userscope WHERE dimension = 'within'")
