"""notices: how far each member has read them, and notices for one member only

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

`member_prefs.notices_seen_at` is when the member last looked at their notices (the unread
count next to "My meetings" counts what came after). Every existing account gets a
`member_prefs` row (the defaults, where it had none) seen up to the upgrade, so notices
written before this revision are not all shown as new at once.

`group_notices.user_id` makes a notice visible to that member only (a seat opened up for
them on a waitlist), indexed with `created_at` like the group's notices, for a cheap count.

On SQLite the foreign key needs `group_notices` copied; nothing refers to that table, and
migrations run with foreign keys off (`Database.upgrade`), so no row elsewhere is touched.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import meeting.db

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK_NAME = 'fk_group_notices_user_id_users'


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('member_prefs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('notices_seen_at', meeting.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table('group_notices', schema=None, recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FK_NAME, 'users', ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_group_notices_user_id_created_at', ['user_id', 'created_at'], unique=False)

    now = sa.bindparam('now', value=datetime.now(UTC), type_=meeting.db.UTCDateTime(timezone=True))
    op.execute(
        sa.text(
            'INSERT INTO member_prefs (user_id) SELECT id FROM users '
            'WHERE NOT EXISTS (SELECT 1 FROM member_prefs p WHERE p.user_id = users.id)'
        )
    )
    op.execute(sa.text('UPDATE member_prefs SET notices_seen_at = :now').bindparams(now))


def downgrade() -> None:
    # a notice for one member would be shown to everyone who RSVPed once `user_id` is gone
    op.execute("DELETE FROM group_notices WHERE user_id IS NOT NULL")
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('group_notices', schema=None, recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.drop_index('ix_group_notices_user_id_created_at')
        if not sqlite:
            batch_op.drop_constraint(FK_NAME, type_='foreignkey')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('member_prefs', schema=None) as batch_op:
        batch_op.drop_column('notices_seen_at')
