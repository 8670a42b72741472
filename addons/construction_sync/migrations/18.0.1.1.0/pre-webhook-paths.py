"""Every system gets its own webhook path before the unique constraint lands.

The webhook path is new in this version. Left to the ORM, the new column
would be filled with one default for every existing row: all systems would
share one path, the unique constraint would fail to apply, and a platform's
webhook could reach another system. Each existing system gets a random path
of its own first.
"""


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.tables
        WHERE table_name = 'construction_sync_system'
        """
    )
    if not cr.fetchone():
        return
    cr.execute("ALTER TABLE construction_sync_system ADD COLUMN IF NOT EXISTS webhook_uuid varchar")
    cr.execute(
        "UPDATE construction_sync_system SET webhook_uuid = gen_random_uuid()::text "
        "WHERE webhook_uuid IS NULL"
    )
