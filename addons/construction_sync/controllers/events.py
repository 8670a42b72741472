import json
from datetime import UTC, datetime

from odoo import fields, http
from odoo.http import request
from odoo.modules.module import get_module_path

from ..lib import openapi
from ..lib.problem import ApiError
from .api import api_route, current_system, json_response, max_bytes, read_json

MAX_BATCH_ITEMS = 500
MAX_PAGE = 500
MAX_OFFSET = 2**31 - 1


def event_json(event):
    return {
        "id": event.id,
        "event_type": event.event_type_id.code,
        "idempotency_key": event.idempotency_key,
        "correlation_id": event.correlation_id,
        "state": event.state,
        "received_at": _iso(event.received_at),
        "applied_at": _iso(event.applied_at),
        "attempts": event.attempts,
        "error": (
            {"code": event.error_code, "message": event.error_message} if event.error_code else None
        ),
        "records": [
            {"model": link.res_model, "id": link.res_id, "name": link.display_name}
            for link in event.link_ids
        ],
    }


def _iso(value):
    return value.replace(tzinfo=UTC).isoformat() if value else None


class ConstructionSyncApi(http.Controller):
    @api_route("/events", ["POST"])
    def post_event(self):
        envelope = read_json(max_bytes("construction_sync.max_event_bytes"))
        system = current_system()
        if not isinstance(envelope, dict):
            raise ApiError("schema_violation", "The body must be a JSON object (one event).")
        envelope.setdefault(
            "idempotency_key", request.httprequest.headers.get("Idempotency-Key") or None
        )
        if envelope["idempotency_key"] is None:
            del envelope["idempotency_key"]
        system._check_rate(1)
        event, created = request.env["construction.sync.event"].sudo()._receive(system, envelope)
        return json_response(
            dict(event_json(event), duplicate=not created),
            202 if created else 200,
            headers=event._deprecation_headers(),
        )

    @api_route("/events/batch", ["POST"])
    def post_batch(self):
        body = read_json(max_bytes("construction_sync.max_batch_bytes", 8 * 1024 * 1024))
        system = current_system()
        items = body.get("events") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise ApiError(
                "schema_violation",
                'The body must be {"events": [...]} with at least one event.',
                errors=[{"pointer": "/events", "message": "a non-empty array is required"}],
            )
        limit = int(
            request.env["ir.config_parameter"]
            .sudo()
            .get_param("construction_sync.max_batch_items", MAX_BATCH_ITEMS)
        )
        if len(items) > limit:
            raise ApiError(
                "batch_too_large",
                f"A batch holds at most {limit} events; this one has {len(items)}.",
            )
        system._check_rate(len(items))
        Event = request.env["construction.sync.event"].sudo()
        outcomes, created_events = [], Event
        for index, outcome in enumerate(Event._receive_many(system, items, "/events")):
            if isinstance(outcome, ApiError):
                outcomes.append((index, "rejected", outcome))
                continue
            event, created = outcome
            created_events |= event if created else Event
            outcomes.append((index, "accepted" if created else "duplicate", event))
        created_events._queue()
        results = [
            {"index": index, "status": status, "error": outcome.to_dict()}
            if status == "rejected"
            else {"index": index, "status": status, "event": event_json(outcome)}
            for index, status, outcome in outcomes
        ]
        summary = {
            status: sum(1 for result in results if result["status"] == status)
            for status in ("accepted", "duplicate", "rejected")
        }
        return json_response({"summary": summary, "results": results})

    @api_route("/events/<int:event_id>", ["GET"])
    def get_event(self, event_id):
        system = current_system()
        event = request.env["construction.sync.event"].sudo().browse(event_id).exists()
        if not event or event.system_id != system:
            raise ApiError("not_found", f"Event {event_id} is not one of {system.code}'s events.")
        return json_response(event_json(event))

    @api_route("/cost-codes", ["GET"])
    def get_cost_codes(self, updated_since=None, limit="100", offset="0"):
        current_system()
        try:
            limit, offset = min(int(limit), MAX_PAGE), max(int(offset), 0)
            since = datetime.fromisoformat(updated_since) if updated_since else None
            if since and since.tzinfo:
                since = since.astimezone(UTC).replace(tzinfo=None)
            if limit < 1 or offset > MAX_OFFSET:
                raise ValueError(limit, offset)
        except (ValueError, OverflowError) as error:
            raise ApiError(
                "validation_error",
                f"limit is an integer from 1 to {MAX_PAGE}, offset one from 0 to {MAX_OFFSET}; "
                "updated_since is an ISO 8601 date-time.",
            ) from error
        domain = []
        if since:
            domain.append(("write_date", ">", since))
        CostCode = request.env["construction.cost.code"].with_context(active_test=False)
        codes = CostCode.search(domain, order="write_date, id", limit=limit + 1, offset=offset)
        page = codes[:limit]
        return json_response(
            {
                "items": [
                    {
                        "id": code.id,
                        "code": code.code,
                        "name": code.name,
                        "parent": code.parent_id.code or None,
                        "cost_type": code.cost_type or None,
                        "unit": code.uom_id.name or None,
                        "company_id": code.company_id.id or None,
                        "active": code.active,
                        "updated_at": _iso(code.write_date),
                    }
                    for code in page
                ],
                "next_offset": offset + limit if len(codes) > limit else None,
            }
        )

    @api_route("/health", ["GET"], auth="public")
    def health(self):
        """Liveness for anyone who asks: it names nothing of the server
        (no database, version or module) that could help an attacker."""
        request.env.cr.execute("SELECT 1")
        return json_response({"status": "ok", "time": _iso(fields.Datetime.now())})

    @api_route("/openapi.json", ["GET"], auth="public")
    def openapi_document(self):
        return json_response(openapi_document(request.env))


def openapi_document(env):
    """The suite's OpenAPI document: construction_sync's own, plus the
    fragment of every other installed module that ships one."""
    modules = (
        env["ir.module.module"]
        .sudo()
        .search([("state", "=", "installed"), ("name", "=like", "construction_%")])
    )
    documents = {}
    for module in modules.mapped("name"):
        path = get_module_path(module)
        try:
            with open(f"{path}/openapi/openapi.json", encoding="utf-8") as document:
                documents[module] = json.load(document)
        except FileNotFoundError:
            continue
    base = documents.pop("construction_sync")
    document = openapi.merge(base, sorted(documents.items()))
    document["components"]["schemas"].update(
        env["construction.sync.schema.version"].sudo()._openapi_schemas()
    )
    return document
