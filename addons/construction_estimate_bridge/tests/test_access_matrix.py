"""Who may read, write, create and unlink what: every model of the suite, for
every role, for the four operations, in one table.

Each cell is checked twice: the model-level answer (``has_access`` on the
model, i.e. the ACL) and the answer for a real record of the user's company
(the operation is tried as the user in a savepoint, so record rules and the
ORM have their say). A second table-driven test tries the same on records of
another company, which no role may touch. Field evidence a platform brought
in belongs to its system: the matrix's samples of those models come from the
system the field_api user serves, and a third test shows that the same
rights stop at another system's records for that user alone.
"""

import base64

from odoo import Command
from odoo.addons.construction_field_evidence.tests.common import FieldEvidenceCase
from odoo.addons.construction_sync.tests.common import ROLE_GROUPS
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import new_test_user

from .common import BASE_ROWS, to_csv

MODULES = (
    "construction_sync",
    "construction_field_evidence",
    "construction_estimate_bridge",
    "construction_samsara",
    "construction_procore",
    "construction_assist",
    "construction_billing",
    "construction_subcontract",
)
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# Columns of the table: the suite's roles, an internal user with none of
# them, a portal user, and maintenance's equipment manager (the one Odoo
# role the suite gives rights to, on equipment rates).
ROLES = (
    "portal",
    "user",
    "field_api",
    "sync_manager",
    "reviewer",
    "estimator",
    "controller",
    "administrator",
    "equipment_manager",
)
MATRIX_GROUPS = dict(
    ROLE_GROUPS,
    portal="base.group_portal",
    equipment_manager="maintenance.group_equipment_manager",
)

# model -> what each role of ROLES may do, in the order of ROLES ("-": nothing;
# port: portal, api: field_api, sync: sync_manager, revw: reviewer, estim: estimator, ctrl:
# controller, admin: administrator, equip: equipment_manager). Wizards are
# for the roles whose buttons open them; SQL-view reports are read-only.
# Field API service users are portal users: they reach the API's models
# only, and change no evidence once sent; no one deletes a photo (only the
# retention purge removes one).
# fmt: off
MATRIX = {
    #                                        port  user  api   sync  revw  estim ctrl  admin equip
    # construction_sync: canonical data
    "construction.cost.code":                "-     r     r     rwc   r     r     rwc   rwcu  r",
    "construction.equipment.rate":           "-     r     -     r     r     r     rwcu  rwcu  rwcu",
    # construction_sync: the engine
    "construction.sync.system":              "-     r     -     rwcu  r     r     r     rwcu  r",
    "construction.sync.system.mode":         "-     r     -     rwcu  r     r     r     rwcu  r",
    "construction.sync.event.type":          "-     r     -     rwcu  r     r     r     rwcu  r",
    "construction.sync.ownership":           "-     r     -     rwcu  r     r     r     rwcu  r",
    "construction.sync.schema.version":      "-     r     -     rwc   r     r     r     rwc   r",
    "construction.sync.binding":             "-     -     -     rwcu  -     -     r     rwcu  -",
    "construction.sync.value.map":           "-     -     -     rwcu  -     -     r     rwcu  -",
    "construction.sync.event":               "-     -     -     rwu   -     -     r     rwu   -",
    "construction.sync.event.link":          "-     -     -     r     -     -     r     r     -",
    "construction.sync.delivery":            "-     -     -     rwu   -     -     r     rwu   -",
    "construction.sync.signature":           "-     -     -     -     -     -     -     r     -",
    "construction.sync.variance":            "-     -     -     rw    -     -     rw    rwcu  -",
    "construction.sync.monitor":             "-     -     -     r     -     -     r     r     -",
    "construction.sync.alert.rule":          "-     -     -     rwcu  -     -     r     rwcu  -",
    "construction.sync.alert":               "-     -     -     rw    -     -     r     rw    -",
    "construction.sync.kpi":                 "-     -     -     r     -     -     r     r     -",
    "construction.sync.exchange":            "-     -     -     r     -     -     r     r     -",
    "construction.sync.pull":                "-     -     -     rw    -     -     r     rw    -",
    "construction.sync.backfill":            "-     -     -     rwcu  -     -     -     rwcu  -",
    "construction.sync.file.source":         "-     -     -     r     -     -     r     rwcu  -",
    "construction.sync.file":                "-     -     -     r     -     -     r     ru    -",
    "construction.sync.purge":               "-     -     -     r     -     -     -     r     -",
    "construction.legal.hold.wizard":        "-     -     -     rwcu  -     -     -     rwcu  -",
    # construction_field_evidence
    "construction.site":                     "-     -     r     r     rwc   rwc   rwc   rwcu  -",
    "construction.site.area":                "-     -     r     r     rwc   rwc   rwc   rwcu  -",
    "construction.photo.stage":              "-     -     r     r     r     r     rwc   rwcu  -",
    "construction.photo.tag":                "-     -     r     r     rwc   rwc   rwc   rwcu  -",
    "construction.photo":                    "-     -     rc    r     rwc   rwc   rwc   rwc   -",
    "construction.defect.category":          "-     -     r     r     r     r     rwc   rwcu  -",
    "construction.defect":                   "-     -     rc    r     rwc   rwc   rwc   rwcu  -",
    "construction.defect.annotation":        "-     -     rc    r     rwcu  rwcu  rwcu  rwcu  -",
    "construction.share.link":               "-     -     -     -     rwc   rwc   rwc   rwcu  -",
    "construction.share.answer":             "-     -     -     -     r     r     r     r     -",
    "construction.review.wizard":            "-     -     -     -     rwcu  rwcu  rwcu  rwcu  -",
    "construction.daily.log":                "-     -     -     r     rwc   rwc   rwc   rwcu  -",
    "construction.daily.log.crew":           "-     -     -     r     rwcu  rwcu  rwcu  rwcu  -",
    "construction.daily.log.equipment":      "-     -     -     r     rwcu  rwcu  rwcu  rwcu  -",
    # construction_estimate_bridge
    "construction.estimate":                 "-     -     -     -     r     rwcu  rwcu  rwcu  -",
    "construction.estimate.line":            "-     -     -     -     r     rwcu  rwcu  rwcu  -",
    "construction.estimate.import.profile":  "-     -     -     rwcu  -     r     rwcu  rwcu  -",
    "construction.estimate.import.wizard":   "-     -     -     -     -     rwcu  rwcu  rwcu  -",
    "construction.estimate.import.issue":    "-     -     -     -     -     rwcu  rwcu  rwcu  -",
    "construction.estimate.import.change":   "-     -     -     -     -     rwcu  rwcu  rwcu  -",
    "construction.budget":                   "-     -     -     -     -     r     rwc   rwcu  -",
    "construction.budget.line":              "-     -     -     -     -     r     rwc   rwcu  -",
    "construction.change.order":             "-     -     -     -     r     rwc   rwc   rwcu  -",
    "construction.change.order.line":        "-     -     -     -     r     rwcu  rwcu  rwcu  -",
    "construction.budget.rfq.wizard":        "-     -     -     -     -     -     rwcu  rwcu  -",
    "construction.budget.rfq.wizard.line":   "-     -     -     -     -     -     rwcu  rwcu  -",
    "construction.defect.pricing.wizard":    "-     -     -     -     -     rwcu  rwcu  rwcu  -",
    # construction_samsara
    "construction.equipment.assignment":     "-     r     -     r     r     r     rwcu  rwcu  rwcu",
    "construction.samsara.asset":            "-     -     -     rwcu  -     -     r     rwcu  -",
    # construction_procore: pulled by the engine, bound by hand
    "construction.procore.match":             "-     -     -     rw    -     -     r     rwcu  -",
    # construction_assist: what it proposes, people decide; the models it learns
    "construction.assist.model":             "-     -     -     r     -     -     r     rwcu  -",
    "construction.assist.decision":          "-     -     -     rw    -     r     r     rwcu  -",
    "construction.assist.triage":            "-     -     -     rwcu  -     -     -     rwcu  -",
    # construction_billing: the PM prepares, a controller approves (clients
    # see their own pay applications on the portal, read for them)
    "construction.billing.markup":           "-     -     -     -     -     r     rwcu  rwcu  -",
    "construction.billing.progress":         "-     -     -     -     -     rwc   rwc   rwcu  -",
    "construction.pay.application":          "-     -     -     -     -     rwc   rwc   rwcu  -",
    "construction.pay.application.line":     "-     -     -     -     -     r     r     r     -",
    "construction.retainage.release":        "-     -     -     -     -     rwc   rwc   rwcu  -",
    "construction.wip.line":                 "-     -     -     -     -     -     rwcu  rwcu  -",
    # construction_subcontract: subcontractors reach their own through portal routes only
    "construction.subcontract.pay.application":       "-  -  -  -  -  r  rwc   rwcu  -",
    "construction.subcontract.pay.application.line":  "-  -  -  -  -  r  rwcu  rwcu  -",
    "construction.subcontract.back.charge":           "-  -  -  -  -  r  rwc   rwcu  -",
    "construction.subcontract.document":              "-  -  -  -  -  r  rwc   rwcu  -",
    "construction.subcontract.wizard":                "-  -  -  -  -  -  rwcu  rwcu  -",
    "construction.subcontract.wizard.line":           "-  -  -  -  -  -  rwcu  rwcu  -",
    "construction.subcontract.accrual.wizard":        "-  -  -  -  -  -  rwcu  rwcu  -",
    "construction.subcontract.accrual.wizard.line":   "-  -  -  -  -  -  rwcu  rwcu  -",
}
# fmt: on

# Approval rights: who may do each approving action on a record that another
# person proposed (nobody may on their own: test_separation_of_duties), in the
# order of ROLES ("x": allowed, "-": refused).
# fmt: off
APPROVALS = {
    #                                               port user api sync revw estim ctrl admin equip
    "construction.estimate.action_award":           "-   -    -   -    -    -     x    x     -",
    "construction.budget.action_approve":           "-   -    -   -    -    -     x    x     -",
    "construction.change.order.action_approve":     "-   -    -   -    -    -     x    x     -",
    "construction.change.order.action_reject":      "-   -    -   -    -    -     x    x     -",
    "construction.sync.schema.version.action_approve":
                                                    "-   -    -   x    -    -     -     x     -",
    "construction.sync.event.action_accept_foreign_write":
                                                    "-   -    -   x    -    -     -     x     -",
    "construction.sync.event.action_reject_foreign_write":
                                                    "-   -    -   x    -    -     -     x     -",
    "project.project.action_construction_place_legal_hold":
                                                    "-   -    -   x    -    -     -     x     -",
    "project.project.action_construction_lift_legal_hold":
                                                    "-   -    -   x    -    -     -     x     -",
    "purchase.order.action_construction_approve_overrun":
                                                    "-   -    -   -    -    -     x    x     -",
}
# fmt: on

# Models whose records belong to no company: shared reference data, and
# wizards with no company of their own (scratch records of one session that
# only point at records the rules already guard).
GLOBAL_MODELS = {
    "construction.sync.event.type",
    "construction.sync.schema.version",
    "construction.sync.backfill",
    "construction.sync.purge",
    "construction.legal.hold.wizard",
    "construction.photo.stage",
    "construction.photo.tag",
    "construction.review.wizard",
    "construction.budget.rfq.wizard",
    "construction.budget.rfq.wizard.line",
    "construction.defect.pricing.wizard",
    "construction.assist.triage",
    "construction.subcontract.wizard",
    "construction.subcontract.wizard.line",
    "construction.subcontract.accrual.wizard.line",
}

# Models whose records belong to the external system that brought them in
# (source_system_id): a Field API service user reaches its own system's only.
SYSTEM_SCOPED_MODELS = {
    "construction.photo",
    "construction.defect",
    "construction.defect.annotation",
}

# Field written by the "w" attempt (the read attempt reads it too).
WRITE_VALUES = {
    "construction.cost.code": {"name": "Renamed"},
    "construction.equipment.rate": {"hourly_rate": 99.0},
    "construction.sync.system": {"name": "Renamed"},
    "construction.sync.system.mode": {"mode": "realtime"},
    "construction.sync.event.type": {"name": "Renamed"},
    "construction.sync.ownership": {"note": "Renamed"},
    "construction.sync.schema.version": {"reason": "Renamed"},
    "construction.sync.binding": {"external_id": "RENAMED"},
    "construction.sync.value.map": {"internal_value": "renamed"},
    "construction.sync.event": {"error_message": "seen"},
    "construction.sync.event.link": {"res_id": 1},
    "construction.sync.delivery": {"last_error": "seen"},
    "construction.sync.signature": {"digest": "0" * 64},
    "construction.sync.variance": {"note": "seen"},
    "construction.sync.monitor": {"queue_depth": 0},
    "construction.sync.alert.rule": {"threshold": 5.0},
    "construction.sync.alert": {"last_value": 1.0},
    "construction.sync.kpi": {"review_count": 0},
    "construction.sync.exchange": {"item_count": 1},
    "construction.sync.file.source": {"name": "Renamed"},
    "construction.sync.file": {"error": "seen"},
    "construction.daily.log": {"weather": "Rain"},
    "construction.daily.log.crew": {"trade": "Renamed"},
    "construction.daily.log.equipment": {"name": "Renamed"},
    "construction.sync.pull": {"interval_minutes": 30},
    "construction.sync.backfill": {"since": "2026-02-01 00:00:00"},
    "construction.sync.purge": {"purged_count": 9},
    "construction.legal.hold.wizard": {"reason": "Renamed"},
    "construction.site": {"name": "Renamed"},
    "construction.site.area": {"name": "Renamed"},
    "construction.photo.stage": {"name": "Renamed"},
    "construction.photo.tag": {"name": "Renamed"},
    "construction.photo": {"name": "Renamed"},
    "construction.defect.category": {"name": "Renamed"},
    "construction.defect": {"severity": "high"},
    "construction.defect.annotation": {"label": "Renamed"},
    "construction.share.link": {"note": "Renamed"},
    "construction.share.answer": {"message": "Rewritten"},
    "construction.review.wizard": {"reason": "Blurred"},
    "construction.estimate": {"name": "Renamed"},
    "construction.estimate.line": {"name": "Renamed"},
    "construction.estimate.import.profile": {"name": "Renamed"},
    "construction.estimate.import.wizard": {"name": "Renamed"},
    "construction.estimate.import.issue": {"message": "Renamed"},
    "construction.estimate.import.change": {"name": "Renamed"},
    "construction.budget": {"name": "Renamed"},
    "construction.budget.line": {"original": 10.0},
    "construction.change.order": {"title": "Renamed"},
    "construction.change.order.line": {"description": "Renamed"},
    "construction.budget.rfq.wizard.line": {"quantity": 1.0},
    "construction.budget.rfq.wizard": {"budget_line_ids": []},
    "construction.defect.pricing.wizard": {"defect_ids": []},
    "construction.equipment.assignment": {"note": "seen"},
    "construction.samsara.asset": {"name": "Renamed"},
    "construction.procore.match": {"project_id": False},
    "construction.assist.model": {"line_count": 1},
    "construction.assist.decision": {"remember": True},
    "construction.assist.triage": {"reference": "seen"},
    "construction.billing.markup": {"percent": 3.0},
    "construction.billing.progress": {"note": "seen"},
    "construction.pay.application": {"period_to": "2026-05-31"},
    "construction.pay.application.line": {"name": "Renamed"},
    "construction.retainage.release": {"state": "draft"},
    "construction.wip.line": {"over_under": 1.0},
    "construction.subcontract.pay.application": {"period_end": "2030-01-31"},
    "construction.subcontract.pay.application.line": {"completed_quantity": 5.0},
    "construction.subcontract.back.charge": {"name": "Renamed"},
    "construction.subcontract.document": {"name": "Renamed"},
    "construction.subcontract.wizard": {"retainage_percent": 5.0},
    "construction.subcontract.wizard.line": {"amount": 5.0},
    "construction.subcontract.accrual.wizard": {"date": "2030-01-31"},
    "construction.subcontract.accrual.wizard.line": {"amount": 5.0},
}


class AccessMatrixCase(FieldEvidenceCase):
    """Users of every role of :data:`ROLES`, and one sample record of every
    model of the matrix per company (:meth:`build_samples`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ("portal", "equipment_manager"):
            cls.users[role] = new_test_user(
                cls.env,
                login=f"construction_{role}",
                groups=MATRIX_GROUPS[role],
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
        cls.serial = 0
        cls.api_system = cls.env["construction.sync.system"].create(
            {
                "name": "Matrix FieldCam",
                "code": "matrix_fieldcam",
                "kind": "field_evidence",
                "company_id": cls.company.id,
                "service_user_id": cls.users["field_api"].id,
            }
        )
        # File sources read below the administrator's root only.
        cls.file_source_root("drops")

    @classmethod
    def next_serial(cls):
        cls.serial += 1
        return cls.serial

    @classmethod
    def build_samples(cls, company, source_system=None):
        """``{model: (sample, create values)}`` for ``company``: a sample
        record that nothing else refers to (so that deleting it is only a
        question of rights) and the values of one more. Photos and defects
        come from ``source_system``, by default a system of the samples
        that no test user serves."""
        env = cls.env
        n = cls.next_serial()
        samples = {}

        def add(model, make):
            """Create ``make(0)`` for other records to refer to, ``make(1)``
            as the sample; ``make(2)`` are the values of the create attempt."""
            parent, sample = env[model].create([make(0), make(1)])
            samples[model] = (sample, make(2))
            return parent

        def triple(model, make):
            """Three records of ``model`` (k = 0, 1, 2) for ``make`` to use."""
            return env[model].create([make(k) for k in range(3)])

        def image(_k):
            return base64.b64encode(cls.image())

        # construction_sync
        codes = triple(
            "construction.cost.code",
            lambda k: {"code": f"34 7{k} {n:02d}", "name": "Gate", "company_id": company.id},
        )
        cost_code = add(
            "construction.cost.code",
            lambda k: {"code": f"34 8{k} {n:02d}", "name": "Barrier", "company_id": company.id},
        )
        equipment = env["maintenance.equipment"].create(
            {"name": f"Roller {n}", "company_id": company.id}
        )
        add(
            "construction.equipment.rate",
            lambda k: {
                "equipment_id": equipment.id,
                "date_from": f"202{k}-01-01",
                "hourly_rate": 80.0,
            },
        )
        system = add(
            "construction.sync.system",
            lambda k: {"name": f"Telematics {n}", "code": f"tm{n}_{k}", "company_id": company.id},
        )
        types = triple(
            "construction.sync.event.type",
            lambda k: {"code": f"test.ping{n}_{k}", "name": "Ping", "direction": "outbound"},
        )
        event_type = add(
            "construction.sync.event.type",
            lambda k: {"code": f"test.pong{n}_{k}", "name": "Pong", "direction": "outbound"},
        )
        add(
            "construction.sync.system.mode",
            lambda k: {"system_id": system.id, "event_type_id": types[k].id, "mode": "batch"},
        )
        owned = ("construction.site", "construction.photo", "construction.defect")
        add(
            "construction.sync.ownership",
            lambda k: {"model_id": env["ir.model"]._get_id(owned[k]), "system_id": system.id},
        )
        add(
            "construction.sync.binding",
            lambda k: {
                "system_id": system.id,
                "res_model": "construction.cost.code",
                "res_id": codes[k].id,
                "external_id": f"C-{k}",
            },
        )
        add(
            "construction.sync.value.map",
            lambda k: {
                "system_id": system.id,
                "kind": "synonym",
                "external_value": f"S{k}",
                "internal_value": "pothole",
            },
        )
        event = add(
            "construction.sync.event",
            lambda k: {
                "system_id": system.id,
                "company_id": company.id,
                "event_type_id": event_type.id,
                "idempotency_key": f"access-{n}-{k}",
                "payload": "{}",
                "state": "needs_review",
            },
        )
        add(
            "construction.sync.event.link",
            lambda k: {
                "event_id": event.id,
                "res_model": "construction.cost.code",
                "res_id": codes[k].id,
            },
        )
        add(
            "construction.sync.delivery",
            lambda k: {"system_id": system.id, "event_type_id": event_type.id, "payload": "{}"},
        )
        alert_rule = add(
            "construction.sync.alert.rule",
            lambda k: {
                "system_id": system.id,
                "measure": ("queue_depth", "oldest_wait", "dead_count")[k],
                "threshold": 1,
            },
        )
        add(
            "construction.sync.alert",
            lambda k: {
                "rule_id": alert_rule.id,
                "system_id": system.id,
                "measure": "queue_depth",
                "severity": "warning",
            },
        )
        add(
            "construction.sync.schema.version",
            lambda k: {"event_type_id": event_type.id, "payload_schema": '{"type": "object"}'},
        )
        add(
            "construction.sync.signature",
            lambda k: {
                "system_id": system.id,
                "digest": f"{n:060d}{k:04d}",
                "expires_at": "2030-01-01",
            },
        )
        projects = triple(
            "project.project", lambda k: {"name": f"Lot {n}-{k}", "company_id": company.id}
        )
        project = projects[0]
        add(
            "construction.legal.hold.wizard",
            lambda k: {"project_id": projects[k].id, "reason": "Claim"},
        )
        add(
            "construction.sync.purge",
            lambda k: {"run_at": "2026-01-01 03:00:00", "kind": "event", "purged_count": k},
        )
        add(
            "construction.sync.variance",
            lambda k: {
                "system_id": system.id,
                "project_id": project.id,
                "cost_code_id": cost_code.id,
                "period": f"2025-0{k + 1}",
                "measure": "hours",
            },
        )
        add(
            "construction.sync.exchange",
            lambda k: {"system_id": system.id, "kind": "webhook", "body_sha256": f"{n}{k}"},
        )
        add(
            "construction.sync.pull",
            lambda k: {"system_id": system.id, "resource": f"resource_{k}"},
        )
        add(
            "construction.sync.backfill",
            lambda k: {"system_id": system.id, "since": f"2026-01-0{k + 1} 00:00:00"},
        )
        # construction_samsara
        add(
            "construction.equipment.assignment",
            lambda k: {
                "equipment_id": equipment.id,
                "project_id": project.id,
                "cost_code_id": cost_code.id,
                "date_from": f"203{k}-01-01",
                "date_to": f"203{k}-12-31",
            },
        )
        add(
            "construction.samsara.asset",
            lambda k: {"system_id": system.id, "samsara_id": f"2814749{n:03d}{k}", "name": "EX"},
        )
        # construction_procore
        add(
            "construction.procore.match",
            lambda k: {"system_id": system.id, "kind": "project", "procore_id": f"70{n}{k}"},
        )
        # construction_assist
        add(
            "construction.assist.model",
            lambda k: {"company_id": company.id, "line_count": k},
        )
        add(
            "construction.assist.decision",
            lambda k: {"company_id": company.id, "kind": "anomaly", "text": f"{k + 12} h"},
        )
        add(
            "construction.assist.triage",
            lambda k: {"system_id": system.id, "reference": f"EMP-{k}"},
        )
        env.flush_all()
        for model, domain in (
            ("construction.sync.monitor", [("system_id", "=", system.id)]),
            ("construction.sync.kpi", [("project_id", "=", project.id)]),
        ):
            samples[model] = (env[model].search(domain), {"company_id": company.id})

        # construction_field_evidence
        site = add(
            "construction.site", lambda k: {"name": f"Lot {n}-{k}", "company_id": company.id}
        )
        add(
            "construction.site.area",
            lambda k: {
                "name": f"Bay {n}-{k}",
                "site_id": site.id,
                "outline_geojson": '{"type": "Polygon", "coordinates": '
                "[[[-87.63, 41.88], [-87.62, 41.88], [-87.62, 41.89], [-87.63, 41.88]]]}",
            },
        )
        add(
            "construction.photo.stage",
            lambda k: {"name": f"Stage {n}-{k}", "code": f"stage_{n}_{k}"},
        )
        add("construction.photo.tag", lambda k: {"name": f"Tag {n}-{k}"})
        source = source_system or system
        photo = add(
            "construction.photo",
            lambda k: {"site_id": site.id, "image": image(k), "source_system_id": source.id},
        )
        category = add(
            "construction.defect.category",
            lambda k: {"name": f"Rut {n}-{k}", "code": f"rut_{n}_{k}", "company_id": company.id},
        )
        defect = add(
            "construction.defect",
            lambda k: {
                "site_id": site.id,
                "category_id": category.id,
                "company_id": company.id,
                "source_system_id": source.id,
            },
        )
        add(
            "construction.defect.annotation",
            lambda k: {
                "defect_id": defect.id,
                "photo_id": photo.id,
                "x": 0.1,
                "y": 0.1,
                "width": 0.2,
                "height": 0.2,
            },
        )
        link = add("construction.share.link", lambda k: {"site_id": site.id})
        add(
            "construction.share.answer",
            lambda k: {"link_id": link.id, "answer": "approved", "client_name": f"Client {k}"},
        )
        daily_log = add(
            "construction.daily.log",
            lambda k: {"project_id": project.id, "date": f"2026-0{k + 1}-01", "site_id": site.id},
        )
        add(
            "construction.daily.log.crew",
            lambda k: {"log_id": daily_log.id, "trade": f"Laborers {k}", "headcount": 3},
        )
        add(
            "construction.daily.log.equipment",
            lambda k: {"log_id": daily_log.id, "name": f"Roller {k}"},
        )
        add(
            "construction.review.wizard",
            lambda k: {"decision": "reject", "photo_ids": [Command.set(photo.ids)]},
        )

        # construction_estimate_bridge
        estimate = add(
            "construction.estimate",
            lambda k: {"name": "Repairs", "project_id": project.id, "company_id": company.id},
        )
        estimate_line = add(
            "construction.estimate.line",
            lambda k: {"estimate_id": estimate.id, "name": "Patch", "cost_code_id": cost_code.id},
        )
        profile = add(
            "construction.estimate.import.profile",
            lambda k: {"name": f"Profile {n}-{k}", "company_id": company.id},
        )
        file_source = add(
            "construction.sync.file.source",
            lambda k: {
                "name": f"Drops {k}",
                "system_id": system.id,
                "folder": "drops",
                "file_kind": "estimate",
                "estimate_profile_id": profile.id,
                "estimate_project_id": project.id,
            },
        )
        add(
            "construction.sync.file",
            lambda k: {
                "source_id": file_source.id,
                "name": f"export-{k}.csv",
                "sha256": f"{n:060d}{k:04d}",
                "state": "failed",
            },
        )
        wizard = add(
            "construction.estimate.import.wizard",
            lambda k: {
                "file": base64.b64encode(to_csv(BASE_ROWS)),
                "filename": "estimate.csv",
                "profile_id": profile.id,
                "project_id": project.id,
                "company_id": company.id,
            },
        )
        add(
            "construction.estimate.import.issue",
            lambda k: {"wizard_id": wizard.id, "row": 2, "message": "Unknown unit"},
        )
        add(
            "construction.estimate.import.change",
            lambda k: {"wizard_id": wizard.id, "kind": "added", "line_ref": "L9"},
        )
        budget = add(
            "construction.budget",
            lambda k: {"name": "Budget", "project_id": projects[k].id, "company_id": company.id},
        )
        budget_line = add(
            "construction.budget.line",
            lambda k: {"budget_id": budget.id, "cost_code_id": codes[k].id},
        )
        order = add(
            "construction.change.order",
            lambda k: {"title": "More", "budget_id": budget.id, "reason": "Scope"},
        )
        add(
            "construction.change.order.line",
            lambda k: {"change_order_id": order.id, "cost_code_id": cost_code.id},
        )
        rfq = add(
            "construction.budget.rfq.wizard",
            lambda k: {"budget_line_ids": [Command.set(budget_line.ids)]},
        )
        add(
            "construction.budget.rfq.wizard.line",
            lambda k: {"wizard_id": rfq.id, "estimate_line_id": estimate_line.id},
        )
        add(
            "construction.defect.pricing.wizard",
            lambda k: {"estimate_id": estimate.id, "defect_ids": [Command.set(defect.ids)]},
        )
        cls.build_billing_samples(samples, add, triple, company, project, cost_code)
        # construction_subcontract
        subcontractor = env["res.partner"].create({"name": f"Matrix Subs {n}", "is_company": True})
        work = env.ref("construction_subcontract.product_subcontract_work")
        subcontracts = env["purchase.order"].create(
            [
                {
                    "partner_id": subcontractor.id,
                    "company_id": company.id,
                    "construction_subcontract": True,
                    "project_id": projects[0].id,
                    "order_line": [
                        Command.create({"product_id": work.id, "product_qty": 100, "price_unit": 1})
                    ],
                }
                for _k in range(4)
            ]
        )
        subcontracts.button_confirm()
        application = add(
            "construction.subcontract.pay.application",
            lambda k: {"order_id": subcontracts[k].id},
        )
        add(
            "construction.subcontract.pay.application.line",
            lambda k: {
                "application_id": application.id,
                "purchase_line_id": subcontracts[k + 1].order_line.id,
            },
        )
        add(
            "construction.subcontract.back.charge",
            lambda k: {"order_id": subcontracts[0].id, "name": f"Clean-up {k}", "amount": 10.0},
        )
        add(
            "construction.subcontract.document",
            lambda k: {
                "name": f"COI {k}",
                "partner_id": subcontractor.id,
                "company_id": company.id,
                "date_expiry": "2031-01-01",
                "attachment": base64.b64encode(b"%PDF-1.4"),
            },
        )
        subcontract_wizard = add(
            "construction.subcontract.wizard", lambda k: {"partner_id": subcontractor.id}
        )
        add(
            "construction.subcontract.wizard.line",
            lambda k: {
                "wizard_id": subcontract_wizard.id,
                "budget_line_id": budget_line.id,
                "name": f"Paving {k}",
            },
        )
        accrual_account = env["account.account"].create(
            {
                "name": f"Accrued cost {n}",
                "code": f"2189{n:02d}",
                "account_type": "liability_current",
                "company_ids": [Command.set(company.ids)],
            }
        )
        accrual = add(
            "construction.subcontract.accrual.wizard",
            lambda k: {"company_id": company.id, "account_id": accrual_account.id},
        )
        add(
            "construction.subcontract.accrual.wizard.line",
            lambda k: {
                "wizard_id": accrual.id,
                "name": f"Accrual {k}",
                "account_id": accrual_account.id,
                "amount": 10.0,
            },
        )
        return samples

    @classmethod
    def build_billing_samples(cls, samples, add, triple, company, project, cost_code):
        """construction_billing: a contract per sample pay application (one
        may be open per contract), each the portal user's, sent to it."""
        env = cls.env
        client = (
            cls.users["portal"].partner_id
            if company == cls.company
            else env["res.partner"].create({"name": "Foreign Owner"})
        )
        product = env.ref("construction_billing.product_contract_work")
        contracts = triple(
            "sale.order",
            lambda k: {
                "partner_id": client.id,
                "company_id": company.id,
                "construction_project_id": project.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "construction_cost_code_id": cost_code.id,
                            "construction_original_value": 1000.0,
                            "price_unit": 1000.0,
                        }
                    )
                ],
            },
        )
        add(
            "construction.billing.markup",
            lambda k: {
                "company_id": company.id,
                "cost_type": ("labor", "material", "equipment")[k],
                "percent": 10,
            },
        )
        add(
            "construction.billing.progress",
            lambda k: {"sale_line_id": contracts[k].order_line.id, "percent": 10},
        )
        application = add(
            "construction.pay.application",
            lambda k: {"contract_id": contracts[k].id, "period_to": "2026-03-31"},
        )
        application.state = samples["construction.pay.application"][0].state = "certified"
        add(
            "construction.pay.application.line",
            lambda k: {
                "application_id": application.id,
                "sale_line_id": contracts[0].order_line.id,
                "name": f"Item {k}",
            },
        )
        add("construction.retainage.release", lambda k: {"contract_id": contracts[k].id})
        add(
            "construction.wip.line",
            lambda k: {"contract_id": contracts[0].id, "date": f"2026-0{k + 1}-28"},
        )

    def attempt(self, record, role, operation, create_vals):
        """Whether ``role`` may do ``operation`` on ``record``, and whether
        its ACL says so, as a pair of booleans."""
        model = self.env[record._name].with_user(self.users[role])
        acl = model.has_access(OPERATIONS[operation])
        done = self.allowed(record, role, operation, WRITE_VALUES[record._name], create_vals)
        return acl, done


class TestAccessMatrix(AccessMatrixCase):
    def test_the_matrix_has_a_row_for_every_model_and_a_column_for_every_role(self):
        model_ids = (
            self.env["ir.model.data"]
            .search([("model", "=", "ir.model"), ("module", "in", MODULES)])
            .mapped("res_id")
        )
        suite_models = {
            model
            for model in self.env["ir.model"].browse(model_ids).mapped("model")
            if self.env[model]._original_module in MODULES and not self.env[model]._abstract
        }
        self.assertEqual(set(MATRIX), suite_models)
        # Every group the suite defines, or gives rights to, is a column.
        groups = self.env["res.groups"].browse(
            self.env["ir.model.data"]
            .search([("model", "=", "res.groups"), ("module", "in", MODULES)])
            .mapped("res_id")
        )
        groups |= (
            self.env["ir.model.access"].search([("model_id.model", "in", list(MATRIX))]).group_id
        )
        columns = self.env["res.groups"].browse(
            [self.env.ref(MATRIX_GROUPS[role]).id for role in ROLES]
        )
        self.assertFalse(groups - columns, "a group with rights on the suite has no column")

    def test_each_role_may_do_exactly_what_the_matrix_says(self):
        samples = self.build_samples(self.company, source_system=self.api_system)
        for model, rights in MATRIX.items():
            record, create_vals = samples[model]
            self.assertTrue(record, f"no sample of {model}")
            for role, allowed in zip(ROLES, rights.split(), strict=True):
                for operation in OPERATIONS:
                    expected = operation in allowed
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            self.attempt(record, role, operation, create_vals),
                            (expected, expected),
                        )

    def test_no_role_touches_another_companys_records(self):
        """The same rights stop at the company boundary: records of a
        company the user is not in are neither found, read, written nor
        deleted, and nothing can be created there."""
        foreign = self.build_samples(self.other_company)
        for model, rights in MATRIX.items():
            record, create_vals = foreign[model]
            if model in GLOBAL_MODELS:
                self.assertNotIn("company_id", record._fields)
                continue
            for role, allowed in zip(ROLES, rights.split(), strict=True):
                as_user = record.with_user(self.users[role])
                with self.subTest(model=model, role=role):
                    if "r" in allowed:
                        self.assertFalse(as_user.search([("id", "=", record.id)]))
                    for operation in OPERATIONS:
                        self.assertEqual(
                            self.attempt(record, role, operation, create_vals),
                            (operation in allowed, False),
                            f"{role} may {OPERATIONS[operation]} another company's {model}",
                        )

    def test_field_api_reaches_only_its_own_systems_evidence(self):
        """Photos, defects and boxes of a system the field_api user does not
        serve (same company) are neither found, read, written nor deleted
        by it, and it cannot create any for that system; every other role
        keeps the rights of the matrix on them."""
        other_system = self.build_samples(self.company)
        photo = other_system["construction.photo"][0]
        self.assertTrue(photo.source_system_id)
        self.assertNotEqual(photo.source_system_id, self.api_system)
        for model in sorted(SYSTEM_SCOPED_MODELS):
            record, create_vals = other_system[model]
            for role, allowed in zip(ROLES, MATRIX[model].split(), strict=True):
                scoped = role == "field_api"
                with self.subTest(model=model, role=role):
                    if scoped:
                        as_user = record.with_user(self.users[role])
                        self.assertFalse(as_user.search([("id", "=", record.id)]))
                    for operation in OPERATIONS:
                        expected = operation in allowed
                        self.assertEqual(
                            self.attempt(record, role, operation, create_vals),
                            (expected, expected and not scoped),
                            f"{role} may {OPERATIONS[operation]} another system's {model}",
                        )

    def test_each_role_may_approve_exactly_what_the_approval_table_says(self):
        """Each approving action, tried for real as each role on a record
        another person proposed, then rolled back."""
        project = self.env["project.project"].create({"name": "Approval matrix lot"})
        code = self.env.ref("construction_sync.cost_code_32_12_16")
        estimate = self.env["construction.estimate"].create(
            {
                "name": "Awarded repairs",
                "project_id": project.id,
                "line_ids": [
                    Command.create(
                        {"name": "Patch", "cost_code_id": code.id, "quantity": 2, "unit_cost": 50}
                    )
                ],
            }
        )
        budget = self.env["construction.budget"].create(
            {"name": "Approval matrix budget", "project_id": project.id}
        )
        change_order = self.env["construction.change.order"].create(
            {
                "title": "More",
                "budget_id": budget.id,
                "reason": "Scope",
                "line_ids": [Command.create({"cost_code_id": code.id, "amount_delta": 10})],
            }
        )
        version = self.env["construction.sync.schema.version"].create(
            {
                "event_type_id": self.env.ref("construction_sync.event_type_cost_code_upserted").id,
                "payload_schema": '{"type": "object"}',
            }
        )
        purchase = self.env["purchase.order"].create(
            {"partner_id": self.env["res.partner"].create({"name": "Matrix vendor"}).id}
        )
        # a vendor from a system that does not own vendors, waiting for review
        vendor_type = self.env.ref("construction_sync.event_type_vendor_upserted")
        portal = self.env["construction.sync.system"].create(
            {
                "name": "Matrix portal",
                "code": "matrix_portal",
                "kind": "procurement",
                "inbound_event_type_ids": [Command.set(vendor_type.ids)],
            }
        )
        foreign_write = self.env["construction.sync.event"].create(
            {
                "system_id": portal.id,
                "company_id": self.company.id,
                "event_type_id": vendor_type.id,
                "idempotency_key": "matrix-foreign-write",
                "payload": '{"external_id": "SUP-1", "name": "Matrix vendor"}',
                "state": "needs_review",
                "error_code": "ownership_review",
            }
        )
        held = self.env["project.project"].create({"name": "Approval matrix hold"})
        held._construction_place_legal_hold("Matrix claim")
        records = {
            "construction.sync.event": foreign_write,
            "project.project": held,
            "construction.estimate": estimate,
            "construction.budget": budget,
            "construction.change.order": change_order,
            "purchase.order": purchase,
            "construction.sync.schema.version": version,
        }
        for action, rights in APPROVALS.items():
            model, method = action.rsplit(".", 1)
            for role, allowed in zip(ROLES, rights.split(), strict=True):
                with self.subTest(action=action, role=role):
                    try:
                        with self.env.cr.savepoint() as savepoint:
                            getattr(records[model].with_user(self.users[role]), method)()
                            self.env.flush_all()
                            savepoint.rollback()
                        done = True
                    except (AccessError, UserError):
                        done = False
                    finally:
                        self.env.invalidate_all()
                    self.assertEqual(done, allowed == "x")
