"""several processes on one database: webhook updates stored before they are answered
(`inbound_updates`), step-by-step dialogues as rows (`dialogues`), and the outbox's count of rows
sent again after a crash (`outbox.resent`)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 07:05:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'inbound_updates',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('lease_until', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('done_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbound_updates')),
    )
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_updates_open', ['done_at', 'lease_until'], unique=False)
    op.create_table(
        'dialogues',
        sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('data', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('telegram_id', name=op.f('pk_dialogues')),
    )
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogues_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resent', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('resent')
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogues_expires_at'))
    op.drop_table('dialogues')
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_updates_open')
    op.drop_table('inbound_updates')
