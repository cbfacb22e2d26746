"""quarterly reporting cycles, reports with versions, indicators, drafts and files

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:27:40.078860
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


import storage.types

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('reporting_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('opens_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_indicators', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_cycles')),
    sa.UniqueConstraint('label', name=op.f('uq_reporting_cycles_label'))
    )
    op.create_table('cycle_members',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_cycle_members_cycle_id_reporting_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_cycle_members_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cycle_id', 'department_id', name=op.f('pk_cycle_members'))
    )
    op.create_table('report_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_report_drafts_cycle_id_reporting_cycles')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_report_drafts_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_drafts')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_report_drafts_telegram_id'))
    )
    with op.batch_alter_table('report_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_drafts_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_drafts_department_id'), ['department_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.BigInteger(), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_reports_cycle_id_reporting_cycles')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_reports_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('cycle_id', 'department_id', 'version', name='uq_reports_version')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_department_id'), ['department_id'], unique=False)

    op.create_table('report_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('file_size', sa.BigInteger(), nullable=True),
    sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['report_drafts.id'], name=op.f('fk_report_files_draft_id_report_drafts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_files_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_files'))
    )
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_files_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_files_report_id'), ['report_id'], unique=False)

    op.create_table('report_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_indicators_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_indicators'))
    )
    with op.batch_alter_table('report_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_indicators_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('report_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_indicators_report_id'))

    op.drop_table('report_indicators')
    with op.batch_alter_table('report_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_files_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_files_draft_id'))

    op.drop_table('report_files')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_department_id'))
        batch_op.drop_index(batch_op.f('ix_reports_cycle_id'))

    op.drop_table('reports')
    with op.batch_alter_table('report_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_drafts_department_id'))
        batch_op.drop_index(batch_op.f('ix_report_drafts_cycle_id'))

    op.drop_table('report_drafts')
    op.drop_table('cycle_members')
    op.drop_table('reporting_cycles')
