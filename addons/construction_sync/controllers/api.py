"""Plumbing shared by every route of the suite's HTTP API.

Routes raise :class:`~odoo.addons.construction_sync.lib.problem.ApiError`;
``ir.http`` turns it, and any other error on an API path, into an
``application/problem+json`` answer. Raising also rolls the request's
transaction back, so nothing is half-written.
"""

import functools
import inspect
import json
import time

from odoo import http
from odoo.http import request

from ..lib import schema, signature
from ..lib.problem import ApiError

API_PREFIX = "/construction/api/v1"
DEFAULT_MAX_BYTES = 1024 * 1024


def api_route(path, methods, auth="bearer", **routing):
    """``http.route`` for a JSON API path below :data:`API_PREFIX`.

    A parameter the route does not name (the fields of a multipart upload,
    a query parameter it does not know) is left out quietly: Odoo would
    log a warning on every such request, naming the parameters in the
    caller's own words."""
    route = http.route(
        API_PREFIX + path,
        type="http",
        auth=auth,
        methods=list(methods),
        csrf=False,
        save_session=False,
        **routing,
    )

    def decorator(endpoint):
        named = inspect.signature(endpoint).parameters.keys()

        @functools.wraps(endpoint)
        def endpoint_of_named_parameters(self, *args, **params):
            return endpoint(self, *args, **{name: params[name] for name in named & params.keys()})

        # Odoo reads the signature that takes any parameter, not the endpoint's.
        del endpoint_of_named_parameters.__wrapped__
        return route(endpoint_of_named_parameters)

    return decorator


def json_response(data, status=200, headers=None):
    return request.make_json_response(data, headers=headers, status=status)


def problem_response(error, instance=None):
    headers = dict(error.headers, **{"Content-Type": "application/problem+json"})
    return request.make_response(
        json.dumps(error.to_dict(instance), ensure_ascii=False),
        headers=list(headers.items()),
        status=error.status,
    )


def max_bytes(parameter, default=DEFAULT_MAX_BYTES):
    value = request.env["ir.config_parameter"].sudo().get_param(parameter)
    return int(value) if value else default


def raw_body(limit):
    """The request body, refused with ``payload_too_large`` past ``limit``."""
    length = request.httprequest.content_length
    if length is not None and length > limit:
        raise ApiError("payload_too_large", f"The body has {length} bytes; the limit is {limit}.")
    body = request.httprequest.get_data(cache=True)
    if len(body) > limit:
        raise ApiError(
            "payload_too_large", f"The body has {len(body)} bytes; the limit is {limit}."
        )
    return body


def read_json(limit):
    """The JSON body, checked for size, media type and syntax."""
    body = raw_body(limit)
    if request.httprequest.mimetype != "application/json":
        raise ApiError(
            "unsupported_media_type",
            f"Send JSON with Content-Type: application/json, not {request.httprequest.mimetype!r}.",
        )
    return parse_json(body, "The body")


def parse_json(text, what):
    """``text`` received from a client, parsed as strict JSON (no ``NaN``
    or ``Infinity``: see :func:`schema.loads`) with no NUL in its strings;
    ``what`` names it in the problem."""
    try:
        document = schema.loads(text)
    except (ValueError, RecursionError) as error:
        raise ApiError("invalid_json", f"{what} is not valid JSON: {error}") from error
    check_text(document)
    return document


def check_text(document):
    """Refuse JSON whose text the database cannot store (NUL characters)."""
    problems = schema.nul_violations(document)
    if problems:
        raise ApiError(
            "schema_violation",
            "Text may not contain NUL (U+0000) characters.",
            errors=problems,
        )


def current_system():
    """The external system the bearer's service user serves.

    From here on the request works in the system's company only, even when
    its service user may enter others: a platform reaches what its
    company holds, never another company's sites, photos or projects.
    When the system has a webhook secret, the request must carry its
    signature (:func:`check_signature`).
    """
    user = request.env.user
    system = request.env["construction.sync.system"]._for_user(user)
    if not system:
        raise ApiError(
            "no_system",
            f"User {user.login} is not the service user of any external system.",
        )
    if system.company_id.id not in user._get_company_ids():
        raise ApiError(
            "forbidden",
            f"User {user.login} serves {system.code} but may not work in its company.",
        )
    request.update_context(allowed_company_ids=system.company_id.ids)
    check_signature(system)
    return system


def check_signature(system):
    """Refuse the request unless it carries a good, fresh signature of its
    method, path, query, Idempotency-Key and body made with the system's
    webhook secret (v2; v1 only where an administrator still accepts it),
    and that signature was not used before (``replayed_signature``)."""
    secret = system._signature_secret()
    if not secret:
        return
    httprequest = request.httprequest
    headers = httprequest.headers
    signed = signature.SignedRequest(
        httprequest.method,
        httprequest.path,
        tuple(httprequest.args.items(multi=True)),
        headers.get(signature.IDEMPOTENCY_HEADER, ""),
        httprequest.get_data(cache=True),
    )
    try:
        verified = signature.verify(
            secret,
            headers.get(signature.TIMESTAMP_HEADER),
            headers.get(signature.SIGNATURE_HEADER),
            signed,
            time.time(),
            accept_v1=system.sudo().signature_v1_accepted,
        )
    except signature.SignatureError as error:
        raise ApiError(error.code, str(error)) from error
    if not request.env["construction.sync.signature"].sudo()._spend(system, verified):
        raise ApiError(
            "replayed_signature",
            "This signature was used before; sign each request anew, with its own timestamp.",
        )
