from datetime import UTC
from urllib.parse import urlencode

from odoo import models
from odoo.addons.construction_sync.models.construction_sync_adapter import PulledPage
from odoo.exceptions import UserError

from ..lib import raken

# resource -> (path, extra query, envelopes of one item)
RESOURCES = {
    "time_cards": ("/timeCards", {"status": "APPROVED"}, raken.time_card_envelopes),
    "daily_reports": (
        "/dailyReports",
        {},
        lambda report: [raken.daily_report_envelope(report)],
    ),
}


class ConstructionSyncAdapterRaken(models.AbstractModel):
    """Raken (no webhooks): scheduled pulls of approved time cards and of
    daily reports, ``offset`` / ``limit`` pages of items updated since the
    newest one seen, with the account's access token as bearer."""

    _name = "construction.sync.adapter.raken"
    _inherit = "construction.sync.adapter"
    _description = "Raken Adapter"

    def _pull_resources(self):
        return [
            ("time_cards", self.env._("Approved Time Cards")),
            ("daily_reports", self.env._("Daily Reports")),
        ]

    def _event_type_codes(self):
        return ["labor.approved", "daily_log.reported", "photo.published", "connector.unmapped"]

    def _requests_per_minute(self):
        return 60

    def _base_url(self, system):
        return (system.base_url or raken.DEFAULT_BASE_URL).rstrip("/")

    def _pull_start_cursor(self, pull, since):
        if since:
            moment = since.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
            return {"offset": 0, "since": moment, "high_water": moment}
        return pull._cursor_value() or {"offset": 0, "since": None, "high_water": None}

    def _pull_page(self, pull, cursor):
        """One page of ``GET /timeCards`` (approved ones) or ``GET
        /dailyReports`` updated after the cursor's time, ``limit`` items from
        ``offset``; the last page (short, or the total reached) ends the run
        and the next run starts from the newest ``updatedAt`` seen (its items
        come again and are recognised by their dedupe keys)."""
        if pull.resource not in RESOURCES:
            raise UserError(self.env._("Raken has no resource %(r)s.", r=pull.resource))
        path, extra, build = RESOURCES[pull.resource]
        cursor = cursor or {"offset": 0, "since": None, "high_water": None}
        params = dict(extra, offset=cursor.get("offset") or 0, limit=raken.PAGE_LIMIT)
        if cursor.get("since"):
            params["updatedAfter"] = cursor["since"]
        system = pull.system_id
        document = system._vendor_http(
            "GET",
            self._base_url(system) + path,
            params=params,
            headers=self._bearer_headers(system),
        ).json()
        try:
            items, total = raken.page_items(document)
        except raken.Unmappable as error:
            raise UserError(str(error)) from error
        envelopes, unmapped = [], []
        high_water = cursor.get("high_water")
        for item in items:
            try:
                envelopes += build(item)
            except raken.Unmappable as error:
                unmapped.append((str(error), item))
                continue
            if item.get("updatedAt"):
                high_water = max(high_water or "", item["updatedAt"])
        offset = raken.next_offset(params["offset"], raken.PAGE_LIMIT, len(items), total)
        done = offset is None
        next_cursor = (
            {"offset": 0, "since": high_water, "high_water": high_water}
            if done
            else dict(cursor, offset=offset, high_water=high_water)
        )
        return PulledPage(
            envelopes=envelopes,
            cursor=next_cursor,
            done=done,
            item_count=len(items),
            request=f"GET {path}?{urlencode(params)}",
            unmapped=unmapped,
        )
