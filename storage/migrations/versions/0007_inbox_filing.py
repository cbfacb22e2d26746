"""inbox filing: where a kept message was filed afterwards (a task, the report, or kept on purpose)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


import storage.types

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('filed_by', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('filed_as', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column('filed_ref', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('filed_ref')
        batch_op.drop_column('filed_as')
        batch_op.drop_column('filed_by')
        batch_op.drop_column('filed_at')
