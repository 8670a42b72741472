"""Field API Service users become portal users (no longer employees).

The role used to imply *Internal User*; it now implies *Portal*, and Odoo
refuses a user of both types. Before the new groups load, the old
implication goes, and internal users lose the role: an internal user keeps
every right of an employee, which a platform's key must not have. The
systems whose service user was such a user are named in the log, for an
administrator to give them a portal service user (or to change the user's
type to Portal and give the role back).
"""

import logging

_logger = logging.getLogger(__name__)


def _group_id(cr, module, name):
    cr.execute(
        "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s AND model = 'res.groups'",
        [module, name],
    )
    row = cr.fetchone()
    return row and row[0]


def migrate(cr, version):
    field_api = _group_id(cr, "construction_sync", "group_construction_sync_field_api")
    internal = _group_id(cr, "base", "group_user")
    if not (field_api and internal):
        return
    cr.execute(
        "DELETE FROM res_groups_implied_rel WHERE hid = %s AND gid IN "
        "(SELECT res_id FROM ir_model_data WHERE module = 'construction_sync' "
        "AND model = 'res.groups')",
        [field_api],
    )
    cr.execute(
        "DELETE FROM res_groups_implied_rel WHERE gid = %s AND hid = %s", [field_api, internal]
    )
    cr.execute(
        """
        DELETE FROM res_groups_users_rel
        WHERE gid = %s AND uid IN (SELECT uid FROM res_groups_users_rel WHERE gid = %s)
        RETURNING uid
        """,
        [field_api, internal],
    )
    users = [row[0] for row in cr.fetchall()]
    if not users:
        return
    cr.execute(
        "SELECT code FROM construction_sync_system WHERE service_user_id IN %s ORDER BY code",
        [tuple(users)],
    )
    systems = [row[0] for row in cr.fetchall()]
    if systems:
        _logger.warning(
            "The service users of %s were internal users: they lost the Field API Service "
            "role. Give each system a portal user with that role (and a new API key).",
            ", ".join(systems),
        )
