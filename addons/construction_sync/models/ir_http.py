import logging

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, Unauthorized

from odoo import models
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.http import SessionExpiredException, request

from ..controllers.api import API_PREFIX, problem_response
from ..lib.problem import ApiError

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        if request and request.httprequest.path.startswith(API_PREFIX + "/"):
            return problem_response(_as_problem(exception), request.httprequest.path)
        return super()._handle_error(exception)

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """On API paths, keep the raw bytes of a form body (a multipart
        upload) before Odoo parses it for the route: parsing consumes the
        stream, and the request signature covers those bytes. The form is
        then parsed from the kept bytes."""
        result = super()._pre_dispatch(rule, args)
        httprequest = request.httprequest
        if httprequest.path.startswith(API_PREFIX + "/") and httprequest.mimetype in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            httprequest.get_data(cache=True, parse_form_data=False)
        return result

    @classmethod
    def _match(cls, path_info):
        """On API paths a wrong method becomes a 404 that remembers it was a
        405: Odoo serves a NotFound through ``_handle_error`` (hence as a
        problem), but answers MethodNotAllowed with an HTML page."""
        try:
            return super()._match(path_info)
        except MethodNotAllowed as error:
            if not path_info.startswith(API_PREFIX + "/"):
                raise
            not_found = NotFound()
            not_found.construction_method_not_allowed = error
            raise not_found from error


def _as_problem(exception):
    """The API problem for any exception raised while serving an API path."""
    if isinstance(exception, ApiError):
        return exception
    if isinstance(exception, Unauthorized | SessionExpiredException | AccessDenied):
        return ApiError(
            "unauthorized",
            "Send a valid API key of the system's service user: Authorization: Bearer <key>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if isinstance(exception, AccessError):
        # Odoo's message may name the records refused (to users in debug
        # mode): it is logged, not answered.
        _logger.info("Access refused on %s: %s", request.httprequest.path, exception)
        return ApiError("forbidden", "The API key's user may not do this.")
    wrong_method = getattr(exception.__context__, "construction_method_not_allowed", None)
    if wrong_method:
        return ApiError(
            "method_not_allowed",
            f"Use {', '.join(sorted(wrong_method.valid_methods or []))} on this path.",
            headers={"Allow": ", ".join(sorted(wrong_method.valid_methods or []))},
        )
    if isinstance(exception, NotFound | MissingError):
        return ApiError("not_found", "No such resource.")
    if isinstance(exception, HTTPException) and exception.code == 413:
        return ApiError("payload_too_large", "The request is too large.")
    if isinstance(exception, UserError):
        return ApiError("validation_error", str(exception))
    _logger.exception("Unexpected error on %s", request.httprequest.path)
    return ApiError("internal_error", "The server failed; the error is logged.")
