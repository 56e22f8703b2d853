"""directory: indexes for the seat count, and trigram indexes for words (PostgreSQL)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The directory's `has_seats` filter counts "going" RSVPs that are neither a platform admin's
(`users.role`) nor one of the group's hosts or facilitators (`group_roles` by group and role):
`ix_users_role` and `ix_group_roles_group_id_role` serve those two `NOT EXISTS` (with custom
plans, which `meeting.db` asks PostgreSQL for). Both are declared on the models too.

On PostgreSQL only, GIN trigram indexes on `groups.name` and `groups.description` serve the
`ILIKE '%words%'` the directory's `q` filter already sends. They need the `pg_trgm` extension
(trusted since PostgreSQL 13, so the database owner may create it); where it is not available
or may not be created, the migration goes on without them and says so in the log (the search
works the same, only slower). They are not on the models: the metadata has no dialect-only
indexes, and `tests/test_migrations.py` leaves them out of its drift check. The downgrade drops
the indexes but not the extension (something else may use it).

See "The group directory" in docs/performance.md for the measurements.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

TRIGRAM_INDEXES = {'ix_groups_name_trgm': 'name', 'ix_groups_description_trgm': 'description'}


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)
    with op.batch_alter_table('group_roles', schema=None) as batch_op:
        batch_op.create_index('ix_group_roles_group_id_role', ['group_id', 'role'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    if not _create_pg_trgm(bind):
        return
    for name, column in TRIGRAM_INDEXES.items():
        op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON groups USING gin ({column} gin_trgm_ops)')


def _create_pg_trgm(bind: sa.Connection) -> bool:
    """True when `pg_trgm` is installed in the database (created here if need be)."""
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        log.warning(
            'pg_trgm is not available on this PostgreSQL server: skipping the trigram indexes on '
            'groups.name and groups.description (the directory search works, without them)'
        )
        return False
    try:
        with bind.begin_nested():  # a failed CREATE EXTENSION must not abort the migration
            bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError as error:
        log.warning(
            'could not create the pg_trgm extension (%s): skipping the trigram indexes on '
            'groups.name and groups.description (the directory search works, without them)',
            str(error.orig).strip().splitlines()[0],
        )
        return False
    return True


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in TRIGRAM_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    with op.batch_alter_table('group_roles', schema=None) as batch_op:
        batch_op.drop_index('ix_group_roles_group_id_role')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))
