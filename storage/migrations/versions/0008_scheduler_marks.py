"""the scheduler at scale: when each step is next due, and which parts were nudged or escalated

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:00:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


import storage.types

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'scheduler_marks',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('computed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_marks')),
    )
    with op.batch_alter_table('task_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ack_nudged_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    # Parts acknowledged-nudged and tasks escalated before this revision were told through the
    # old per-task messages: mark them so the first morning round does not tell them again
    # (`_` matches the keys' colons, which SQLAlchemy's text() would take for parameters).
    op.execute("UPDATE task_targets SET ack_nudged_at = notified_at WHERE status = 'pending' AND notified_at IS NOT NULL "
               "AND EXISTS (SELECT 1 FROM outbox WHERE outbox.ref_kind = 'target' AND outbox.ref_id = task_targets.id "
               "AND outbox.dedup_key LIKE '%_ack-nudge_%')")
    op.execute("UPDATE tasks SET escalated_at = created_at WHERE EXISTS (SELECT 1 FROM outbox "
               "WHERE outbox.dedup_key LIKE 'task_' || tasks.id || '_escalation_%')")


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): recreating `tasks` would drop a table other
    # rows refer to, which SQLite's foreign keys refuse once there is data.
    with op.batch_alter_table('tasks', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('escalated_at')
    with op.batch_alter_table('task_targets', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('ack_nudged_at')
    op.drop_table('scheduler_marks')
