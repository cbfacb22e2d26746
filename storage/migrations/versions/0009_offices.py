"""offices in a tree: every department, group, role, task, cycle, digest, inbox item and audit entry
belongs to an office; an existing database becomes the root office (id 1)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:10:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Tables that gain an office column; every existing row belongs to the root office.
_OWNED = ('departments', 'department_aliases', 'working_groups', 'role_grants', 'audit_log', 'inbound_messages',
          'broadcasts', 'tasks', 'reporting_cycles', 'digest_runs')


# Names unique in the whole database until now, unique per office from now on: (table, the old
# constraint, the new one, the columns besides office_id).
_UNIQUES = (
    ('department_aliases', 'uq_department_aliases_alias', 'uq_department_aliases_office_alias', ('alias',)),
    ('working_groups', 'uq_working_groups_name', 'uq_working_groups_office_name', ('name',)),
    ('reporting_cycles', 'uq_reporting_cycles_label', 'uq_reporting_cycles_office_label', ('label',)),
    ('digest_runs', 'uq_digest_runs_kind_label', 'uq_digest_runs_office_kind_label', ('kind', 'label')),
)


def _office_column() -> sa.Column:
    return sa.Column('office_id', sa.Integer(), nullable=False, server_default=sa.text('1'))


def upgrade() -> None:
    op.create_table(
        'offices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['offices.id'], name=op.f('fk_offices_parent_id_offices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
        sa.UniqueConstraint('code', name=op.f('uq_offices_code')),
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_parent_id'), ['parent_id'], unique=False)
    # The root office: the one office every database had so far, named as its org file named it.
    op.execute("INSERT INTO offices (id, code, name, created_at) VALUES (1, NULL, "
               "COALESCE((SELECT value FROM org_meta WHERE key = 'office'), ''), CURRENT_TIMESTAMP)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('offices', 'id'), 1)")

    for table in _OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_office_column())
            batch_op.create_index(batch_op.f(f'ix_{table}_office_id'), ['office_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_office_id_offices'), 'offices', ['office_id'], ['id'])

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_of', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_departments_unit_of_offices'), 'offices', ['unit_of'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_departments_unit_of'), ['unit_of'])
        batch_op.drop_constraint('uq_departments_name', type_='unique')
        batch_op.create_unique_constraint('uq_departments_office_name', ['office_id', 'name'])
    for table, old, new, columns in _UNIQUES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(old, type_='unique')
            batch_op.create_unique_constraint(new, ['office_id', *columns])
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index('uq_role_grants_active', sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.create_index('uq_role_grants_active', ['telegram_id', 'role', 'office_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    with op.batch_alter_table('org_meta', schema=None) as batch_op:
        batch_op.add_column(_office_column())
        batch_op.drop_constraint('pk_org_meta', type_='primary')
        batch_op.create_primary_key('pk_org_meta', ['office_id', 'key'])
        batch_op.create_foreign_key(batch_op.f('fk_org_meta_office_id_offices'), 'offices', ['office_id'], ['id'])

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_people_office_id_offices'), 'offices', ['office_id'], ['id'])
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_target_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tasks_parent_target_id'), ['parent_target_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tasks_parent_target_id_task_targets'), 'task_targets',
                                    ['parent_target_id'], ['id'])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM offices")).scalar_one() > 1:
        raise RuntimeError("this database holds more than one office; the schema before 0009 holds one")
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_parent_target_id_task_targets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tasks_parent_target_id'))
        batch_op.drop_column('parent_target_id')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_people_office_id_offices'), type_='foreignkey')
        batch_op.drop_column('office_id')
    with op.batch_alter_table('org_meta', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_org_meta_office_id_offices'), type_='foreignkey')
        batch_op.drop_constraint('pk_org_meta', type_='primary')
        batch_op.create_primary_key('pk_org_meta', ['key'])
        batch_op.drop_column('office_id')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index('uq_role_grants_active', sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.create_index('uq_role_grants_active', ['telegram_id', 'role'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
    for table, old, new, columns in reversed(_UNIQUES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(new, type_='unique')
            batch_op.create_unique_constraint(old, list(columns))
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_departments_office_name', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_departments_name'), ['name'])
        batch_op.drop_constraint(batch_op.f('uq_departments_unit_of'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_departments_unit_of_offices'), type_='foreignkey')
        batch_op.drop_column('unit_of')
    for table in reversed(_OWNED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_office_id_offices'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_office_id'))
            batch_op.drop_column('office_id')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_parent_id'))
    op.drop_table('offices')
