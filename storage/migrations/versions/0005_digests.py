"""digest runs: what each scheduled digest reported

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 04:33:24.801120
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


import storage.types

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('digest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_runs')),
    sa.UniqueConstraint('kind', 'label', name='uq_digest_runs_kind_label')
    )


def downgrade() -> None:
    op.drop_table('digest_runs')
