import contextlib
from datetime import UTC
from urllib.parse import urlencode

from odoo import models
from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.addons.construction_sync.lib.vendor_http import VendorRefused
from odoo.addons.construction_sync.models.construction_sync_adapter import (
    PulledPage,
    UnmappableError,
)
from odoo.exceptions import UserError

from ..lib import companycam

# Page sizes: photos at CompanyCam's documented maximum (100); projects at 50.
PER_PAGE = {"photos": 100, "projects": 50}


class ConstructionSyncAdapterCompanycam(models.AbstractModel):
    """CompanyCam (Core API v2): signed webhooks for projects and photos,
    pulls of ``GET /projects`` and ``GET /photos`` page by page until a
    short page, 240 requests a minute."""

    _name = "construction.sync.adapter.companycam"
    _inherit = "construction.sync.adapter"
    _description = "CompanyCam Adapter"

    def _pull_resources(self):
        return [("projects", self.env._("Projects")), ("photos", self.env._("Photos"))]

    def _event_type_codes(self):
        return ["site.upserted", "photo.published", "connector.unmapped"]

    def _requests_per_minute(self):
        return 240

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _base_url(self, system):
        return (system.base_url or companycam.DEFAULT_BASE_URL).rstrip("/")

    def _headers(self, system):
        token = system.sudo().api_token
        if not token:
            raise UserError(
                self.env._(
                    "Set the API token of %(system)s (Connector tab, administrators) first.",
                    system=system.name,
                )
            )
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _get(self, system, path, params=None):
        return system._vendor_http(
            "GET", self._base_url(system) + path, params=params, headers=self._headers(system)
        )

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def _webhook_verify(self, system, headers, body):
        if not companycam.verify(
            system.sudo().webhook_secret, headers.get(companycam.SIGNATURE_HEADER), body
        ):
            raise ApiError(
                "invalid_signature",
                f"The {companycam.SIGNATURE_HEADER} header is missing or does not match the body.",
            )

    def _webhook_map(self, system, document):
        try:
            return companycam.webhook_envelopes(document)
        except companycam.Unmappable as error:
            raise UnmappableError(str(error)) from error

    def _webhook_register(self, system, url, token):
        base, headers = self._base_url(system), self._headers(system)
        created = system._vendor_http(
            "POST",
            base + "/webhooks",
            json={"url": url, "scopes": companycam.WEBHOOK_SCOPES, "enabled": True, "token": token},
            headers=headers,
        ).json()
        webhook_id = str(created["id"])
        previous = system.webhook_external_id
        if previous and previous != webhook_id:
            # already deleted at CompanyCam: nothing left to replace
            with contextlib.suppress(VendorRefused):
                system._vendor_http("DELETE", f"{base}/webhooks/{previous}", headers=headers)
        return webhook_id

    # ------------------------------------------------------------------
    # Pulls and fetches
    # ------------------------------------------------------------------

    def _pull_start_cursor(self, pull, since):
        if since:
            epoch = int(since.replace(tzinfo=UTC).timestamp())
            return {"page": 1, "since": epoch, "high_water": epoch}
        return pull._cursor_value() or {"page": 1, "since": None, "high_water": None}

    def _pull_page(self, pull, cursor):
        """One page of ``GET /projects`` (``modified_since``) or ``GET
        /photos`` (``start_date``, photos captured since), newest first; a
        page shorter than ``per_page`` ends the run, and the next run starts
        from the newest time seen (its items come again and are recognised)."""
        resource = pull.resource
        if resource not in PER_PAGE:
            raise UserError(self.env._("CompanyCam has no resource %(r)s.", r=resource))
        cursor = cursor or {"page": 1, "since": None, "high_water": None}
        per_page = PER_PAGE[resource]
        params = {"page": cursor.get("page") or 1, "per_page": per_page}
        since = cursor.get("since")
        if resource == "photos":
            build, stamp = companycam.photo_envelope, "captured_at"
            if since is not None:
                params["start_date"] = str(since)
        else:
            build, stamp = companycam.project_envelope, "updated_at"
            if since is not None:
                params["modified_since"] = companycam.iso(since)
        path = f"/{resource}"
        items = self._get(pull.system_id, path, params).json()
        if not isinstance(items, list):
            raise UserError(self.env._("CompanyCam answered %(path)s without a list.", path=path))
        envelopes, unmapped = [], []
        high_water = cursor.get("high_water")
        for item in items:
            try:
                envelopes.append(build(item))
            except companycam.Unmappable as error:
                unmapped.append((str(error), item))
                continue
            if item.get(stamp):
                high_water = max(high_water or 0, int(item[stamp]))
        done = len(items) < per_page
        next_cursor = (
            {"page": 1, "since": high_water, "high_water": high_water}
            if done
            else {"page": params["page"] + 1, "since": since, "high_water": high_water}
        )
        return PulledPage(
            envelopes=envelopes,
            cursor=next_cursor,
            done=done,
            item_count=len(items),
            request=f"GET {path}?{urlencode(params)}",
            unmapped=unmapped,
        )

    def _fetch(self, system, event_type, external_id):
        if event_type != "site.upserted":
            return super()._fetch(system, event_type, external_id)
        path = f"/projects/{external_id}"
        project = self._get(system, path).json()
        try:
            return [companycam.project_envelope(project)], f"GET {path}"
        except companycam.Unmappable as error:
            raise UserError(str(error)) from error

    def _fetch_details(self, system, event_type, payload):
        """A photo's tags: ``GET /photos/{id}/tags`` (they are not part of
        the Photo object)."""
        if event_type != "photo.published" or "tags" in payload:
            return {}
        tags = self._get(system, f"/photos/{payload['external_id']}/tags", {"per_page": 100}).json()
        return {"tags": companycam.tag_names(tags if isinstance(tags, list) else [])}

    def _test_connection(self, system):
        user = self._get(system, "/users/current").json()
        return self.env._(
            "Connected to CompanyCam as %(name)s (%(email)s).",
            name=" ".join(filter(None, [user.get("first_name"), user.get("last_name")])) or "?",
            email=user.get("email_address") or "?",
        )
