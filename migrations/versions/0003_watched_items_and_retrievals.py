"""watched_items (state of watched folders and feeds) and verdicts.retrieved_ids (for recheck)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('watched_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consumer', sa.String(length=40), nullable=False),
    sa.Column('input', sa.String(length=1000), nullable=False),
    sa.Column('item_key', sa.String(length=1000), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watched_items')),
    sa.UniqueConstraint('consumer', 'item_key', name=op.f('uq_watched_items_consumer'))
    )
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retrieved_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE .. DROP COLUMN (SQLite >= 3.35): batch mode would recreate `verdicts`, which the
    # views of 0002 read, and SQLite refuses to rename a table under a view.
    op.drop_column('verdicts', 'retrieved_ids')
    op.drop_table('watched_items')
