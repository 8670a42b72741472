from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.addons.construction_sync.lib.vendor_http import VendorRefused
from odoo.addons.construction_sync.models.construction_sync_adapter import (
    PulledPage,
    UnmappableError,
)
from odoo.exceptions import UserError

from ..lib import procore

API = "/rest/v1.0"
PER_PAGE = 100
# Procore's default budget: 3,600 requests an hour per app and company
# ("Rate Limiting"); spikes are answered 429 with X-Rate-Limit-Reset.
REQUESTS_PER_MINUTE = 60
# Resources pulled per bound project: change orders and commitments, each
# list of them (webhooks name them by these paths' resource names).
PROJECT_RESOURCES = (
    *procore.CHANGE_ORDER_PATHS.values(),
    *procore.COMMITMENT_PATHS.values(),
)


class ConstructionSyncAdapterProcore(models.AbstractModel):
    """Procore (REST v1.0) with a service account's client credentials:
    webhooks that only say what changed, authenticated by the secret header
    the hook was registered with, each fetched in a job; scheduled pulls
    that catch what a webhook missed; cost codes pushed to the projects
    bound to Procore, found again by their ``origin_id``."""

    _name = "construction.sync.adapter.procore"
    _inherit = "construction.sync.adapter"
    _description = "Procore Adapter"

    def _pull_resources(self):
        return [
            ("timecard_entries", self.env._("Timecard entries")),
            ("commitment_change_orders", self.env._("Commitment change orders")),
            ("prime_change_orders", self.env._("Prime contract change orders")),
            ("purchase_order_contracts", self.env._("Purchase order contracts")),
            ("work_order_contracts", self.env._("Work order contracts (subcontracts)")),
            ("projects", self.env._("Projects (to match)")),
            ("vendors", self.env._("Vendors (to match)")),
        ]

    def _event_type_codes(self):
        return [
            *super()._event_type_codes(),
            "procore.notification",
            "labor.approved",
            "labor.corrected",
            "change_order.approved",
            "commitment.upserted",
        ]

    def _requests_per_minute(self):
        return REQUESTS_PER_MINUTE

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _access_token(self, system, renew=False):
        """The service account's access token, asked for with the client
        credentials when there is none or it expires within five minutes;
        kept on the system (administrators only), never logged."""
        credentials = system.sudo()
        now = fields.Datetime.now()
        if (
            not renew
            and credentials.procore_access_token
            and credentials.procore_token_expires_at
            and credentials.procore_token_expires_at > now
        ):
            return credentials.procore_access_token
        if not (credentials.procore_client_id and credentials.api_token):
            raise UserError(
                self.env._(
                    "Set the Procore client ID and the client secret (Credentials) of "
                    "%(system)s (Connector tab, administrators) first.",
                    system=system.name,
                )
            )
        login = (system.procore_login_url or procore.PRODUCTION["login"]).rstrip("/")
        answer = system._vendor_http(
            "POST",
            login + "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": credentials.procore_client_id,
                "client_secret": credentials.api_token,
            },
            headers={"Accept": "application/json"},
        )
        try:
            token, renew_at = procore.token_expiry(answer.json(), now)
        except (ValueError, procore.Unmappable):
            raise VendorRefused("POST /oauth/token answered no access token", 200) from None
        credentials.write({"procore_access_token": token, "procore_token_expires_at": renew_at})
        return token

    def _call(self, system, method, path, params=None, json=None):
        """A Procore request with the access token and the company header;
        the answer's JSON. A token Procore no longer takes (401) is renewed
        once."""
        if not system.procore_company_id:
            raise UserError(
                self.env._("Set the Procore company ID of %(system)s first.", system=system.name)
            )
        url = (system.base_url or procore.PRODUCTION["api"]).rstrip("/") + path
        for renew in (False, True):
            headers = {
                "Authorization": f"Bearer {self._access_token(system, renew=renew)}",
                procore.COMPANY_HEADER: str(system.procore_company_id),
                "Accept": "application/json",
            }
            try:
                response = system._vendor_http(
                    method, url, params=params, json=json, headers=headers
                )
            except VendorRefused as error:
                if error.status == 401 and not renew:
                    continue
                raise
            break
        return response.document(f"{method} {path}")

    def _test_connection(self, system):
        """Procore's who-am-I: ``GET /rest/v1.0/me``."""
        me = self._call(system, "GET", f"{API}/me")
        return self.env._(
            "Connected to Procore as %(name)s (%(login)s).",
            name=me.get("name") or "?",
            login=me.get("login") or "?",
        )

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def _webhook_verify(self, system, headers, body):
        if not procore.verify_secret(
            system.sudo().webhook_secret, headers.get(procore.SECRET_HEADER)
        ):
            raise ApiError(
                "invalid_signature",
                f"The {procore.SECRET_HEADER} header is missing or does not carry the "
                "secret this hook was registered with.",
            )

    def _webhook_map(self, system, document):
        try:
            vendor_event, ulid, payload = procore.notification(document)
        except procore.Unmappable as error:
            raise UnmappableError(str(error)) from error
        company = payload["company_id"]
        if company and company != str(system.procore_company_id):
            raise UnmappableError(
                self.env._(
                    "The delivery is about Procore company %(company)s; %(system)s is "
                    "connected to company %(own)s.",
                    company=company,
                    system=system.name,
                    own=system.procore_company_id,
                )
            )
        if payload["event_type"] == "delete":
            return vendor_event, ulid, []
        envelope = {
            "event_type": "procore.notification",
            "idempotency_key": f"procore:{ulid}",
            "payload": payload,
        }
        stamp = procore.occurred(document.get("timestamp"))
        if stamp:
            envelope["occurred_at"] = stamp
        return vendor_event, ulid, [envelope]

    def _webhook_register(self, system, url, token):
        """The hook of this system (``POST /rest/v1.0/webhooks/hooks``) with
        ``token`` as its destination header, and a trigger per resource and
        create/update; registering again rotates the header of the same hook
        (``PATCH``), after which the old one is refused."""
        company = system.procore_company_id
        hook = {
            "namespace": "construction-sync",
            "destination_url": url,
            "destination_headers": {procore.SECRET_HEADER: procore.secret_header(token)},
        }
        hooks = f"{API}/webhooks/hooks"
        previous = system.webhook_external_id
        if previous:
            self._call(
                system, "PATCH", f"{hooks}/{previous}", json={"company_id": company, "hook": hook}
            )
            return previous
        created = self._call(system, "POST", hooks, json={"company_id": company, "hook": hook})
        hook_id = str(created.get("id") or "")
        if not hook_id:
            raise VendorRefused(f"POST {hooks} answered no id", 200)
        for resource_name in procore.RESOURCES:
            for event_type in procore.WEBHOOK_EVENTS:
                self._call(
                    system,
                    "POST",
                    f"{hooks}/{hook_id}/triggers",
                    json={
                        "company_id": company,
                        "api_version": "v2",
                        "trigger": {"resource_name": resource_name, "event_type": event_type},
                    },
                )
        return hook_id

    def _sync_apply_notification(self, event):
        """Handler of ``procore.notification``, in its job: fetch what the
        delivery names and apply the events it gives at once."""
        data = event._payload()
        wanted = procore.RESOURCES[data["resource_name"]]
        name = data["resource_name"]
        path = (
            procore.CHANGE_ORDER_PATHS.get(name)
            or procore.COMMITMENT_PATHS.get(name)
            or "timecard_entries"
        )
        if not data.get("project_id"):
            raise UserError(
                self.env._(
                    "The Procore delivery %(ulid)s names no project: its %(resource)s cannot "
                    "be fetched. The next pull brings it.",
                    ulid=data["ulid"],
                    resource=data["resource_name"],
                )
            )
        # The exchange and the events it brings are the engine's own
        # bookkeeping; each fetched event is applied by its own handler with
        # the system's rights.
        return (
            self.env["construction.sync.exchange"]
            .sudo()
            ._fetch_and_apply(
                event.system_id, wanted, f"{path}/{data['project_id']}/{data['resource_id']}"
            )
        )

    # ------------------------------------------------------------------
    # Fetches and pulls
    # ------------------------------------------------------------------

    def _fetch(self, system, event_type, external_id):
        """``external_id`` is ``<resource path>/<project id>/<id>``."""
        if event_type not in ("labor.approved", "change_order.approved", "commitment.upserted"):
            return super()._fetch(system, event_type, external_id)
        resource, project_id, record_id = external_id.split("/")
        if resource in procore.COMMITMENT_PATHS.values():
            # commitments are addressed with the project as a parameter
            path, params = f"{API}/{resource}/{record_id}", {"project_id": project_id}
            request = f"GET {path}?project_id={project_id}"
        else:
            path, params = f"{API}/projects/{project_id}/{resource}/{record_id}", None
            request = f"GET {path}"
        item = self._call(system, "GET", path, params)
        envelopes, unmapped = self._envelopes(system, resource, [item], project_id)
        if unmapped:
            raise UserError(unmapped[0][0])
        return envelopes, request

    def _envelopes(self, system, resource, items, project_id=None):
        """``(envelopes, unmapped)`` of Procore ``items`` of ``resource``."""
        envelopes, unmapped = [], []
        applied = set()
        if resource == "timecard_entries":
            ids = [str(item.get("id")) for item in items if isinstance(item, dict)]
            applied = set(
                self.env["construction.sync.resolver"]._bindings(
                    system, "account.analytic.line", ids
                )
            )
        names = {
            path: name
            for name, path in (procore.CHANGE_ORDER_PATHS | procore.COMMITMENT_PATHS).items()
        }
        for item in items:
            try:
                if resource == "timecard_entries":
                    envelopes += procore.timecard_envelopes(
                        item, project_id, corrected=str(item.get("id")) in applied
                    )
                elif resource in procore.COMMITMENT_PATHS.values():
                    envelopes += procore.commitment_envelopes(item, names[resource], project_id)
                else:
                    envelopes += procore.change_order_envelopes(item, names[resource], project_id)
            except procore.Unmappable as error:
                unmapped.append((str(error), item))
        return envelopes, unmapped

    def _bound_projects(self, system):
        """Procore ids of the projects bound to Odoo projects (bookkeeping,
        as superuser)."""
        bindings = (
            self.env["construction.sync.binding"]
            .sudo()
            .search([("system_id", "=", system.id), ("res_model", "=", "project.project")])
        )
        return bindings.mapped("external_id")

    def _pull_start_cursor(self, pull, since):
        cursor = pull._cursor_value() or {}
        since = since.isoformat() + "Z" if since else cursor.get("since")
        return {"page": 1, "project": 0, "since": since, "high_water": since}

    def _pull_page(self, pull, cursor):
        """One page of a company's timecard entries, projects or vendors, or
        of one bound project's change orders or commitments (the projects one
        after another), updated since the last run (``filters[updated_at]``,
        a range); a page shorter than ``per_page`` ends a list, and the next
        run starts from the newest ``updated_at`` seen."""
        system, resource = pull.system_id, pull.resource
        cursor = cursor or {"page": 1, "project": 0, "since": None, "high_water": None}
        params = {"page": cursor["page"], "per_page": PER_PAGE}
        if cursor.get("since"):
            now = fields.Datetime.now().isoformat() + "Z"
            params["filters[updated_at]"] = f"{cursor['since']}...{now}"
        company = system.procore_company_id
        project_id = None
        if resource == "timecard_entries":
            path = f"{API}/companies/{company}/timecard_entries"
        elif resource == "projects":
            path = f"{API}/companies/{company}/projects"
        elif resource == "vendors":
            path = f"{API}/vendors"
            params["company_id"] = company
        elif resource in PROJECT_RESOURCES:
            projects = sorted(self._bound_projects(system), key=int)
            if cursor["project"] >= len(projects):
                return PulledPage(
                    [], self._next_run(cursor), True, 0, f"(no project of {resource})"
                )
            project_id = projects[cursor["project"]]
            if resource in procore.COMMITMENT_PATHS.values():
                # commitments are listed with the project as a parameter
                path = f"{API}/{resource}"
                params["project_id"] = project_id
            else:
                path = f"{API}/projects/{project_id}/{resource}"
        else:
            raise UserError(self.env._("Procore has no resource %(r)s here.", r=resource))
        items = self._call(system, "GET", path, params)
        if not isinstance(items, list):
            raise VendorRefused(f"GET {path} answered no list", 200)
        if resource in ("projects", "vendors"):
            self.env["construction.procore.match"]._take_page(system, resource, items)
            envelopes, unmapped = [], []
        else:
            envelopes, unmapped = self._envelopes(system, resource, items, project_id)
        high_water = cursor.get("high_water")
        for item in items:
            stamp = procore.occurred(item.get("updated_at")) if isinstance(item, dict) else None
            if stamp:
                stamp = stamp.replace("+00:00", "Z")
                high_water = max(high_water or stamp, stamp)
        cursor = dict(cursor, high_water=high_water)
        full = len(items) >= PER_PAGE
        if full:
            next_cursor, done = dict(cursor, page=cursor["page"] + 1), False
        elif resource in PROJECT_RESOURCES:
            next_cursor, done = dict(cursor, page=1, project=cursor["project"] + 1), False
        else:
            next_cursor, done = self._next_run(cursor), True
        return PulledPage(
            envelopes=envelopes,
            cursor=next_cursor,
            done=done,
            item_count=len(items),
            request=f"GET {path}?{urlencode(params)}",
            unmapped=unmapped,
        )

    @staticmethod
    def _next_run(cursor):
        mark = cursor.get("high_water") or cursor.get("since")
        return {"page": 1, "project": 0, "since": mark, "high_water": mark}

    # ------------------------------------------------------------------
    # Out: cost codes
    # ------------------------------------------------------------------

    def _push_cost_codes(self, system, cost_codes):
        """Each active code on each project bound to Procore. Returns what
        was done."""
        done = []
        for project_id in sorted(self._bound_projects(system), key=int):
            for code in cost_codes.filtered("active"):
                _procore_code, what = self._procore_cost_code(system, project_id, code)
                if what:
                    done.append(f"{project_id}: {what} {code.code}")
        return "; ".join(done) or "nothing to push"

    def _procore_cost_code(self, system, project_id, code):
        """``(Procore cost code, what was done)`` of ``code`` on the Procore
        project: found by its ``origin_id`` (the Odoo id) and changed if it
        differs, else created. Asked first every time, so a retry after an
        answer lost never makes a second one."""
        body = procore.cost_code_body(project_id, code.code, code.name, code.id)
        found = self._call(
            system,
            "GET",
            f"{API}/cost_codes",
            {"project_id": project_id, "filters[origin_id]": str(code.id)},
        )
        current = found[0] if isinstance(found, list) and found else None
        if current is None:
            return self._call(system, "POST", f"{API}/cost_codes", json=body), "created"
        if (current.get("code"), current.get("name")) != (code.code, code.name):
            path = f"{API}/cost_codes/{current['id']}"
            return self._call(system, "PATCH", path, json=body), "changed"
        return current, None

    # ------------------------------------------------------------------
    # Out: actual job cost
    # ------------------------------------------------------------------

    def _push_job_cost(self, system, since):
        """The actual cost booked here (timesheets, equipment, material,
        vendor bills: every analytic entry of a bound project on a cost code)
        as one Procore direct cost per project and month, a line per cost
        code, for each month with entries written since ``since`` (all when
        None). Found by its ``origin_id`` and changed when its lines
        differ, else created: never doubled. Returns what was done."""
        Line = self.env["account.analytic.line"].sudo()
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        projects = {
            binding.external_id: binding._record()
            for binding in self.env["construction.sync.binding"]
            .sudo()
            .search([("system_id", "=", system.id), ("res_model", "=", "project.project")])
        }
        accounts = {
            project.account_id.id: procore_id
            for procore_id, project in projects.items()
            if project.account_id
        }
        domain = [("account_id", "in", list(accounts)), (column, "!=", False)]
        changed = Line._read_group(
            domain + ([("write_date", ">=", since)] if since else []),
            ["account_id", "date:month"],
        )
        done = []
        CostCode = self.env["construction.cost.code"].sudo().with_context(active_test=False)
        for account, month in changed:
            start = month.replace(day=1)
            end = (start + relativedelta(months=1)) - relativedelta(days=1)
            month_domain = [
                ("account_id", "=", account.id),
                ("date", ">=", start),
                ("date", "<=", end),
            ]
            totals = Line._read_group(
                [*domain, *month_domain],
                [column],
                ["amount:sum"],
            )
            project_id = accounts[account.id]
            lines = []
            for cost_account, amount in totals:
                code = CostCode.search([("analytic_account_id", "=", cost_account.id)], limit=1)
                procore_code, _what = self._procore_cost_code(system, project_id, code)
                lines.append(
                    procore.direct_cost_line(procore_code["id"], code.id, code.code, -amount)
                )
            origin = f"odoo-job-cost:{projects[project_id].id}:{start:%Y-%m}"
            body = procore.direct_cost_body(origin, end.isoformat(), f"{start:%Y-%m}", lines)
            path = f"/rest/v1.1/projects/{project_id}/direct_costs"
            found = self._call(system, "GET", path, {"filters[origin_id]": origin})
            current = found[0] if isinstance(found, list) and found else None
            if current is None:
                self._call(system, "POST", path, json=body)
                done.append(f"{project_id}: created {start:%Y-%m}")
            elif not procore.same_direct_cost(current, body):
                self._call(system, "PATCH", f"{path}/{current['id']}", json=body)
                done.append(f"{project_id}: changed {start:%Y-%m}")
        return "; ".join(done) or "nothing to push"
