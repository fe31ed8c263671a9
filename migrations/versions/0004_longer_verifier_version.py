"""verdicts.verifier_version holds 300 characters (was 100)

A cross-encoder verifier's version names its weights, precision, input form and every option of its cues and gates;
with the session-28 defaults it came to about 136 characters, which `verify.bounded_version` cut to 100 with a hash.
The views of 0002 read `verdicts`, so they are dropped and made again around the change (PostgreSQL refuses to
change the type of a column a view uses; SQLite's batch mode rebuilds the table and refuses to rename it under a view).
Going down again fails on PostgreSQL where a longer version is stored, rather than cutting it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""
import importlib.util
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _views_module():
    """Revision 0002's module (its views and their SQL), read from the file beside this one."""
    spec = importlib.util.spec_from_file_location("views_0002", Path(__file__).with_name("0002_views.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resize(length: int) -> None:
    views = _views_module()
    for name in reversed(views.VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table('verdicts', schema=None) as batch_op:
        batch_op.alter_column('verifier_version', existing_type=sa.String(), type_=sa.String(length=length),
                              existing_nullable=False)
    for name, select in views.view_sql(op.get_context().dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS{select}")


def upgrade() -> None:
    _resize(300)


def downgrade() -> None:
    _resize(100)
