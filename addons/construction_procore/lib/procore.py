"""Procore's dialect, without Odoo: its OAuth token answer, its webhook
deliveries, and its timecard entries and change orders as the suite's
canonical event envelopes.

Shapes follow Procore's public developer documentation
(https://developers.procore.com): "Procore API Authentication Endpoints"
(``POST /oauth/token`` with ``grant_type=client_credentials`` answers
``{access_token, token_type, expires_in, created_at}``), "How Webhooks Work"
(a delivery is ``{id, ulid, timestamp, user_id, company_id, project_id,
api_version, event_type, resource_name, resource_id, metadata}``, carrying
no record and no signature: the hook's ``destination_headers`` are sent back
with every delivery), "Field Productivity" (Timecard Entry: ``id, date,
hours, approval_status, cost_code {id, full_code, name}, party {id, name},
project {id}, description, updated_at``) and the Construction Financials
reference (Commitment Change Order: ``id, number, title, status,
contract_id, description, line_items [{id, amount, quantity, description,
cost_code {id, full_code}}], updated_at``; Purchase Order Contract and Work
Order Contract: ``id, number, title, status, executed, retainage_percent,
vendor {id}, line_items [...], updated_at``).
"""

import hmac
from datetime import UTC, datetime, timedelta

PRODUCTION = {"api": "https://api.procore.com", "login": "https://login.procore.com"}
SANDBOX = {"api": "https://sandbox.procore.com", "login": "https://login-sandbox.procore.com"}
COMPANY_HEADER = "Procore-Company-Id"
# The header Procore sends back with every delivery of a hook registered
# with it in ``destination_headers``.
SECRET_HEADER = "Authorization"
# A token is asked again this long before Procore says it expires.
TOKEN_MARGIN = timedelta(minutes=5)
# Procore's resource names (webhook ``resource_name``) -> what the suite
# fetches for them.
RESOURCES = {
    "Timecard Entries": "labor.approved",
    "Commitment Change Orders": "change_order.approved",
    "Prime Contract Change Orders": "change_order.approved",
    "Purchase Order Contracts": "commitment.upserted",
    "Work Order Contracts": "commitment.upserted",
}
COMMITMENT_PATHS = {
    "Purchase Order Contracts": "purchase_order_contracts",
    "Work Order Contracts": "work_order_contracts",
}
CHANGE_ORDER_PATHS = {
    "Commitment Change Orders": "commitment_change_orders",
    "Prime Contract Change Orders": "prime_change_orders",
}
WEBHOOK_EVENTS = ("create", "update")


class Unmappable(ValueError):
    """The body is not something the suite can take in; the reason says why."""


def token_expiry(answer, now):
    """``(access token, naive UTC datetime it is renewed at)`` of a token
    answer: ``expires_in`` seconds from ``now`` (a naive UTC datetime),
    minus :data:`TOKEN_MARGIN`."""
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        raise Unmappable("the token answer has no access_token")
    seconds = int(answer.get("expires_in") or 0)
    return token, now + max(timedelta(seconds=seconds) - TOKEN_MARGIN, timedelta(0))


def secret_header(secret):
    """The value of :data:`SECRET_HEADER` a hook is registered with."""
    return f"Bearer {secret}"


def verify_secret(secret, header):
    """Whether the delivery's ``header`` carries ``secret``; constant time."""
    if not secret or not header:
        return False
    return hmac.compare_digest(secret_header(secret).encode(), header.strip().encode())


def _id(value):
    return str(value) if value not in (None, "") else None


def notification(document):
    """``(vendor event, delivery ulid, payload)`` of a webhook delivery: what
    Procore says changed, to fetch in a job. Raises :class:`Unmappable`."""
    if not isinstance(document, dict):
        raise Unmappable("a Procore webhook body is a JSON object")
    ulid = document.get("ulid")
    resource_name = document.get("resource_name")
    event_type = document.get("event_type")
    if not isinstance(ulid, str) or not ulid:
        raise Unmappable("a Procore webhook body has a ulid")
    if resource_name not in RESOURCES:
        raise Unmappable(f"Procore resource {resource_name!r} is not one the suite takes in")
    if event_type not in (*WEBHOOK_EVENTS, "delete"):
        raise Unmappable(f"Procore event {event_type!r} is not create, update or delete")
    resource_id = _id(document.get("resource_id"))
    if not resource_id:
        raise Unmappable("a Procore webhook body names its resource_id")
    payload = {
        "ulid": ulid,
        "resource_name": resource_name,
        "resource_id": resource_id,
        "project_id": _id(document.get("project_id")),
        "company_id": _id(document.get("company_id")),
        "event_type": event_type,
    }
    return f"{resource_name}.{event_type}", ulid, payload


def occurred(value):
    """ISO 8601 UTC of Procore's ``updated_at``, or None."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _envelope(event_type, key, updated_at, payload):
    envelope = {"event_type": event_type, "idempotency_key": key, "payload": payload}
    stamp = occurred(updated_at)
    if stamp:
        envelope["occurred_at"] = stamp
    return envelope


def _text(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


def timecard_envelopes(entry, project_id=None, corrected=False):
    """The labor envelope of an approved Timecard Entry (none for one not
    approved yet): ``labor.approved`` the first time, ``labor.corrected``
    once an entry was applied (``corrected``). The dedupe key is the
    entry's id and version, so the same version pushed and pulled is one
    event."""
    if not isinstance(entry, dict) or not entry.get("id"):
        raise Unmappable("a Procore timecard entry needs its id")
    if entry.get("approval_status") != "approved":
        return []
    entry_id = str(entry["id"])
    party = entry.get("party") or entry.get("login_information") or {}
    project = _id((entry.get("project") or {}).get("id")) or _id(project_id)
    if not party.get("id"):
        raise Unmappable(f"Procore timecard entry {entry_id} names no party")
    if not project:
        raise Unmappable(f"Procore timecard entry {entry_id} names no project")
    try:
        hours = float(entry.get("hours"))
    except (TypeError, ValueError):
        raise Unmappable(f"Procore timecard entry {entry_id} has no hours") from None
    payload = {
        "source_entry_id": entry_id,
        "employee": str(party["id"]),
        "project": project,
        "work_date": entry.get("date"),
        "hours": hours,
    }
    cost_code = (entry.get("cost_code") or {}).get("full_code")
    if _text(cost_code):
        payload["cost_code"] = cost_code.strip()
    if _text(entry.get("description")):
        payload["description"] = entry["description"].strip()[:512]
    if corrected:
        payload["reason"] = "Changed in Procore"
    event_type = "labor.corrected" if corrected else "labor.approved"
    key = f"timecard:{entry_id}@{entry.get('updated_at') or ''}"
    return [_envelope(event_type, key, entry.get("updated_at"), payload)]


def change_order_envelopes(order, resource_name, project_id):
    """The ``change_order.approved`` envelope of an approved commitment or
    prime contract change order (none before it is approved)."""
    if not isinstance(order, dict) or not order.get("id"):
        raise Unmappable("a Procore change order needs its id")
    if order.get("status") != "approved":
        return []
    order_id = str(order["id"])
    prime = resource_name == "Prime Contract Change Orders"
    lines = []
    for item in order.get("line_items") or []:
        code = _text((item.get("cost_code") or {}).get("full_code"))
        if not code:
            raise Unmappable(f"a line of Procore change order {order_id} has no cost code")
        line = {"cost_code": code, "amount": float(item.get("amount") or 0.0)}
        if item.get("quantity") not in (None, ""):
            line["quantity"] = float(item["quantity"])
        if _text(item.get("description")):
            line["description"] = item["description"].strip()[:256]
        lines.append(line)
    if not lines:
        raise Unmappable(f"Procore change order {order_id} has no line items")
    kind = "prime" if prime else "commitment"
    payload = {
        "external_id": f"{kind}:{order_id}",
        "project": str(project_id),
        "number": _text(str(order.get("number") or "")) or order_id,
        "title": _text(order.get("title")) or f"Procore change order {order_id}",
        "reason": _text(order.get("description")) or "Approved in Procore",
        "source": "client" if prime else "field",
        "lines": lines,
    }
    if not prime and _id(order.get("contract_id")):
        payload["commitment"] = _id(order["contract_id"])
    key = f"{kind}_change_order:{order_id}@{order.get('updated_at') or ''}"
    return [_envelope("change_order.approved", key, order.get("updated_at"), payload)]


def commitment_envelopes(commitment, resource_name, project_id):
    """The ``commitment.upserted`` envelope of a purchase order contract or
    a work order contract (a subcontract) with its line items (its schedule
    of values) and its ``retainage_percent`` when Procore gives one; a
    draft one too (it becomes a request for quotation), a void one none."""
    if not isinstance(commitment, dict) or not commitment.get("id"):
        raise Unmappable("a Procore commitment needs its id")
    status = str(commitment.get("status") or "").lower()
    if status in ("void", "terminated"):
        return []
    commitment_id = str(commitment["id"])
    vendor = _id((commitment.get("vendor") or {}).get("id"))
    if not vendor:
        raise Unmappable(f"Procore commitment {commitment_id} names no vendor")
    lines = []
    for item in commitment.get("line_items") or []:
        code = _text((item.get("cost_code") or {}).get("full_code"))
        if not code:
            raise Unmappable(f"a line of Procore commitment {commitment_id} has no cost code")
        quantity = float(item.get("quantity") or 1.0) or 1.0
        amount = float(item.get("amount") or 0.0)
        unit_cost = item.get("unit_cost")
        lines.append(
            {
                "line_id": str(item.get("id") or len(lines) + 1),
                "cost_code": code,
                "description": (_text(item.get("description")) or code)[:256],
                "quantity": quantity,
                "unit_cost": float(unit_cost) if unit_cost not in (None, "") else amount / quantity,
            }
        )
    payload = {
        "external_id": f"commitment:{commitment_id}",
        "project": str(project_id),
        "vendor": vendor,
        "kind": "subcontract" if resource_name == "Work Order Contracts" else "purchase_order",
        "number": _text(str(commitment.get("number") or "")) or commitment_id,
        "title": _text(commitment.get("title")) or f"Procore commitment {commitment_id}",
        "approved": status in ("approved", "complete"),
        "lines": lines,
    }
    if commitment.get("retainage_percent") not in (None, ""):
        retainage = float(commitment["retainage_percent"])
        if not 0 <= retainage <= 100:
            raise Unmappable(
                f"Procore commitment {commitment_id} has a retainage of {retainage}%, "
                "not a percent between 0 and 100"
            )
        payload["retainage_percent"] = retainage
    key = f"commitment:{commitment_id}@{commitment.get('updated_at') or ''}"
    return [_envelope("commitment.upserted", key, commitment.get("updated_at"), payload)]


def cost_code_body(project_id, code, name, origin_id):
    """Body of ``POST /rest/v1.0/cost_codes`` (and of its ``PATCH``):
    the Odoo id as ``origin_id``, so the code is found again, never doubled."""
    return {
        "project_id": int(project_id),
        "cost_code": {"code": code, "name": name, "origin_id": str(origin_id)},
    }


def direct_cost_line(cost_code_id, origin_id, code, amount):
    """A line of a direct cost: the amount booked on a Procore cost code."""
    return {
        "cost_code_id": int(cost_code_id),
        "amount": f"{amount:.2f}",
        "description": f"Job cost on {code}",
        "origin_id": str(origin_id),
    }


def direct_cost_body(origin_id, day, month, lines):
    """Body of ``POST /rest/v1.1/projects/{id}/direct_costs`` (and of its
    ``PATCH``): the month's actual cost from Odoo, found again by
    ``origin_id``."""
    return {
        "direct_cost": {
            "direct_cost_type": "expense",
            "status": "approved",
            "description": f"Actual job cost from Odoo, {month}",
            "direct_cost_date": day,
            "received_date": day,
            "origin_id": origin_id,
            "line_items": sorted(lines, key=lambda line: line["origin_id"]),
        }
    }


def same_direct_cost(current, body):
    """Whether Procore's direct cost already holds ``body``'s lines."""

    def lines(items):
        return sorted(
            (str(item.get("origin_id")), f"{float(item.get('amount') or 0):.2f}")
            for item in items or []
        )

    return lines(current.get("line_items")) == lines(body["direct_cost"]["line_items"])
