"""department aliases: other names a department goes by (经信委 for 区经济信息委)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 18:41:37.304318
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('department_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_aliases_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_aliases')),
    sa.UniqueConstraint('alias', name=op.f('uq_department_aliases_alias'))
    )
    with op.batch_alter_table('department_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_aliases_department_id'), ['department_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('department_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_aliases_department_id'))

    op.drop_table('department_aliases')
