from odoo import api, fields, models
from odoo.tools import SQL


class ConstructionSyncEventLink(models.Model):
    _name = "construction.sync.event.link"
    _description = "Record Produced by a Sync Event"
    _order = "id"

    event_id = fields.Many2one(
        "construction.sync.event", required=True, ondelete="cascade", index=True
    )
    correlation_id = fields.Char(
        related="event_id.correlation_id", store=True, index=True, precompute=True
    )
    res_model = fields.Char("Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="res_model", required=True, index=True
    )

    _sql_constraints = [
        (
            "record_uniq",
            "unique (event_id, res_model, res_id)",
            "A record is linked once to the event that produced it.",
        ),
    ]

    @api.depends("res_model", "res_id")
    def _compute_display_name(self):
        for link in self:
            record = self.env[link.res_model].browse(link.res_id).exists()
            link.display_name = record.display_name if record else f"{link.res_model},{link.res_id}"

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.model
    def _insert_produced(self, produced):
        """Link what each event of ``produced`` (``{event: records}``) made,
        with one INSERT: the engine's bookkeeping of a chunk applied at once,
        as superuser. Raw SQL, measured with :meth:`construction.sync.resolver._bind_new`
        (``bench/labor_apply.py``): the ORM's ``create`` of a chunk's links
        and bindings, each computing a related field, was a tenth of the
        chunk's CPU. The events' ``link_ids`` are read again after it."""
        rows = [
            (event.id, event.correlation_id or None, record._name, record.id)
            for event, records in produced.items()
            for record in records
        ]
        if not rows:
            return
        events, correlations, models, ids = (list(column) for column in zip(*rows, strict=True))
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO construction_sync_event_link
                    (event_id, correlation_id, res_model, res_id,
                     create_uid, create_date, write_uid, write_date)
                SELECT item.event_id, item.correlation_id, item.res_model, item.res_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(events)s::int[], %(correlations)s::varchar[],
                              %(models)s::varchar[], %(ids)s::int[])
                       AS item(event_id, correlation_id, res_model, res_id)
                """,
                uid=self.env.uid,
                now=now,
                events=events,
                correlations=correlations,
                models=models,
                ids=ids,
            )
        )
        self.env["construction.sync.event"].browse(events).invalidate_recordset(["link_ids"])

    @api.model
    def _events_of(self, records):
        """The sync events that produced ``records``."""
        return self.search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        ).event_id

    @api.model
    def _of_projects(self, projects):
        """The links to ``projects`` and to the records that belong to one of
        them (any model with a ``project_id``): what a legal hold keeps."""
        if not projects:
            return self.browse()
        links = self.browse()
        Purge = self.env["construction.sync.purge"]
        for (res_model,) in self._read_group([], ["res_model"]):
            record_ids = Purge._ids_of_projects(res_model, projects)
            if record_ids:
                links |= self.search([("res_model", "=", res_model), ("res_id", "in", record_ids)])
        return links

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the links made before ``cutoff`` by applied events (an
        event's links otherwise go with it); links of events that still need
        a person, and those of projects on legal hold, stay."""
        held_events = self.env["construction.sync.event"]._retention_held_ids(held_projects)
        return self.env["construction.sync.purge"]._in_batches(
            self,
            [
                ("event_id.state", "=", "done"),
                ("create_date", "<", cutoff),
                ("id", "not in", self._of_projects(held_projects).ids),
                ("event_id", "not in", list(held_events)),
            ],
            batch_size,
            max_batches,
        )
