from odoo import api, models


class ConstructionSyncMasterMixin(models.AbstractModel):
    """Master data the suite shares with its systems (customers, vendors,
    sites, projects, employees, equipment): a change of one of its
    :meth:`_construction_master_fields` is published as the record's
    ``<kind>.upserted`` events to the systems subscribed to them, except the
    system the change came from."""

    _name = "construction.sync.master.mixin"
    _description = "Master Data Published to External Systems"

    def _construction_master_fields(self):
        """Fields whose change is published."""
        return set()

    def _construction_master_codes(self):
        """Outbound event codes this record is published as."""
        return []

    def _construction_master_payload(self):
        """What the subscribed systems are told of this record."""
        return {"id": self.id, "name": self.display_name}

    @api.model
    def _construction_master_vals(self, data, fields_by_key, record, company):
        """Values of an ``<kind>.upserted`` payload ``data``: its name and
        each key of ``fields_by_key`` it holds (payload key -> field); a new
        record (``record`` empty) is of ``company``."""
        vals = {field: data[key] for key, field in fields_by_key.items() if key in data}
        vals["name"] = data["name"]
        if not record:
            vals["company_id"] = company.id
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._construction_master_publish()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._construction_master_fields() & vals.keys():
            self._construction_master_publish()
        return result

    def _construction_master_publish(self):
        subscribed = self.env["construction.sync.event.type"]._subscribed_codes()
        if not subscribed:
            return
        by_code = {}
        for record in self:
            for code in set(record._construction_master_codes()) & subscribed:
                company = record.company_id if "company_id" in record._fields else None
                by_code.setdefault(code, []).append(
                    (company, record._construction_master_payload())
                )
        Delivery = self.env["construction.sync.delivery"]
        for code, payloads in by_code.items():
            Delivery._emit(code, payloads)
