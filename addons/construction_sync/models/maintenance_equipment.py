from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import field_cost


class MaintenanceEquipment(models.Model):
    _name = "maintenance.equipment"
    _inherit = ["maintenance.equipment", "construction.sync.master.mixin"]

    construction_rate_ids = fields.One2many(
        "construction.equipment.rate", "equipment_id", "Hourly Rates"
    )
    construction_meter_hours = fields.Float(
        "Hour Meter",
        tracking=True,
        help="Last hour-meter reading (hours): set the starting reading, the field "
        "readings then move it forward.",
    )
    construction_meter_read_at = fields.Datetime("Meter Read At", readonly=True)

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the serial number, exactly."""
        return self.search(
            [("serial_no", "=", reference), ("company_id", "in", [company.id, False])]
        )

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``equipment.upserted``: the equipment bound to the
        system's id, else the one of that serial number, updated; else a
        new one."""
        data = event._payload()
        company = event.company_id

        def by_serial():
            if not data.get("serial"):
                return self.browse()
            return self._construction_sync_match(data["serial"], company)

        return self.env["construction.sync.resolver"]._upsert(
            event,
            self._name,
            data["external_id"],
            [(self.env._("serial number"), by_serial)],
            lambda equipment: self._construction_master_vals(
                data, {"serial": "serial_no", "model": "model"}, equipment, company
            ),
        )

    def _construction_master_fields(self):
        return {"name", "serial_no", "model", "active"}

    def _construction_master_codes(self):
        return ["equipment.upserted"]

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name,
            "serial": self.serial_no or None,
            "model": self.model or None,
            "active": self.active,
        }

    def _construction_rate_on(self, day):
        self.ensure_one()
        rate = field_cost.rate_on(
            [(rate.date_from, rate.hourly_rate) for rate in self.construction_rate_ids], day
        )
        if rate is None:
            raise UserError(
                self.env._(
                    "%(equipment)s has no hourly rate in force on %(day)s: add one in its "
                    "Hourly Rates, then replay the event.",
                    equipment=self.name,
                    day=day,
                )
            )
        return rate

    def _construction_take_reading(self, reading, event):
        """Hours run since the last reading; the reading becomes the last one."""
        self.ensure_one()
        try:
            hours = field_cost.meter_hours(self.construction_meter_hours, reading)
        except field_cost.FieldCostError as error:
            raise UserError(
                self.env._(
                    "Refused for %(equipment)s: %(reason)s (last read at %(read_at)s UTC). "
                    "Check the meter, then replay or discard the event.",
                    equipment=self.name,
                    reason=str(error),
                    read_at=self.construction_meter_read_at or "-",
                )
            ) from error
        self.write(
            {"construction_meter_hours": reading, "construction_meter_read_at": event.occurred_at}
        )
        return hours
