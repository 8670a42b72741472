from odoo import http
from odoo.addons.construction_sync.controllers.api import (
    api_route,
    current_system,
    json_response,
    max_bytes,
    read_json,
)
from odoo.addons.construction_sync.exceptions import UnknownReferenceError
from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.addons.construction_sync.models.construction_sync_event import payload_hash
from odoo.exceptions import UserError
from odoo.http import request

from ..exceptions import EstimateImportError

EVENT_TYPE = "estimate.approved"
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def estimate_json(estimate):
    return {
        "id": estimate.id,
        "name": estimate.name,
        "project": {"id": estimate.project_id.id, "name": estimate.project_id.name},
        "external_ref": estimate.external_ref,
        "revision": estimate.revision,
        "previous_revision_id": estimate.previous_revision_id.id or None,
        "state": estimate.state,
        "amount_total": estimate.amount_total,
        "currency": estimate.currency_id.name,
        "line_count": len(estimate.line_ids),
    }


def import_problem(error, payload):
    """The ``validation_error`` of an estimate that cannot be imported, with
    a pointer into the request body for each line problem."""
    positions = {
        line.get("line_id"): index
        for index, line in enumerate(payload["lines"])
        if isinstance(line, dict)
    }
    errors = [
        {"pointer": f"/lines/{issue.row - 1}/{issue.column}", "message": issue.message}
        for issue in error.issues
    ] + [
        {
            "pointer": (
                f"/lines/{positions[change.line_id]}" if change.line_id in positions else "/lines"
            ),
            "message": f"line {change.line_id} {change.blocked}",
        }
        for change in error.blocked
    ]
    return ApiError(
        "validation_error",
        f"Nothing was imported: the estimate has {len(errors)} problems.",
        errors=errors,
    )


class ConstructionEstimateApi(http.Controller):
    @api_route("/estimates", ["POST"])
    def post_estimate(self):
        """Import and approve an estimate at once: all lines or nothing."""
        payload = read_json(
            max_bytes("construction_estimate_bridge.max_estimate_bytes", DEFAULT_MAX_BYTES)
        )
        system = current_system()
        system._check_rate(1)
        Event = request.env["construction.sync.event"].sudo()
        # The grant, the schema and the ownership rules, as for any event;
        # the body is the payload of an estimate.approved event.
        Event._admit(system, EVENT_TYPE, payload, payload_pointer="")
        digest = payload_hash(EVENT_TYPE, payload)
        key = request.httprequest.headers.get("Idempotency-Key") or digest
        known = Event.search([("system_id", "=", system.id), ("idempotency_key", "=", key)])
        if known:
            if known.payload_hash != digest:
                raise ApiError(
                    "idempotency_conflict",
                    f"Idempotency key {key!r} was first used with another estimate.",
                )
            link = known.link_ids.filtered(lambda link: link.res_model == "construction.estimate")
            estimate = Event.env["construction.estimate"].browse(link.res_id)
            return json_response(dict(estimate_json(estimate), duplicate=True), 200)
        try:
            # imported with the rights the system is granted, as its events are
            handler_env = system._handler_env()
            estimate = handler_env["construction.estimate"]._import_payload(system, payload)
        except EstimateImportError as error:
            raise import_problem(error, payload) from error
        except UnknownReferenceError as error:
            raise ApiError(
                "validation_error",
                str(error),
                errors=[{"pointer": "/project", "message": "unknown or ambiguous project"}],
            ) from error
        except UserError as error:
            raise ApiError("validation_error", str(error)) from error
        Event._record_applied(system, EVENT_TYPE, key, payload, estimate)
        return json_response(dict(estimate_json(estimate), duplicate=False), 201)
