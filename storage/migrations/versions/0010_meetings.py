"""meetings and their agreed items: the minutes, the proposal being confirmed, and tasks that carry
out an agreed item (`tasks.meeting_id`), some of them standing (长期坚持)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 03:45:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.BigInteger(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('minutes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('minutes_file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('proposal', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('confirmed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_meetings_office_id_offices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_office_id'), ['office_id'], unique=False)
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('standing', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_index(batch_op.f('ix_tasks_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tasks_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tasks_meeting_id'))
        batch_op.drop_column('standing')
        batch_op.drop_column('meeting_id')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_office_id'))
    op.drop_table('meetings')
