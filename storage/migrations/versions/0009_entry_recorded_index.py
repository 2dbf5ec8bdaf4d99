"""entry recorded index: "recorded in the last 7 days" (/rate, digests) reads entries by recording
time, not effective date; without an index each /rate would scan every entry of the cohort.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 18:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_entry_cohort_recorded", "destinationentry", ["cohort_id", "recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_entry_cohort_recorded", table_name="destinationentry")
