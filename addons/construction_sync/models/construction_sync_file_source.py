import hashlib
import json
import logging
from functools import partial

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import file_drop
from ..lib.problem import ApiError
from .construction_sync_exchange import _refusal

_logger = logging.getLogger(__name__)

ROOT_PARAMETER = "construction_sync.file_source_root"


class ConstructionSyncFileSource(models.Model):
    """A server folder a system that only exports files drops them in,
    watched by a scheduled action. Each new file is imported once (its
    content's SHA-256), all of it or nothing, then moved aside: into
    ``processed/`` when imported (or already known), into ``failed/`` with a
    file record that keeps the reason when not.

    The folder lies below the root an Odoo administrator sets in the system
    parameter ``construction_sync.file_source_root``; a source names it
    relative to that root, and only a Construction administrator sets it."""

    _name = "construction.sync.file.source"
    _description = "File Source"
    _inherit = ["mail.thread"]
    _order = "system_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="cascade", tracking=True
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True, tracking=True)
    folder = fields.Char(
        required=True,
        tracking=True,
        help="Folder the system drops its files in, relative to the file sources' root "
        "(system parameter construction_sync.file_source_root), e.g. bidmaster/exports.",
    )
    pattern = fields.Char(
        "File Pattern", required=True, default="*.csv", help="Files taken, e.g. *.csv."
    )
    file_kind = fields.Selection(
        [("events", "Rows as Inbox Events")],
        "Files Hold",
        required=True,
        default="events",
        tracking=True,
        help="Rows as Inbox Events: each row of a CSV file becomes an inbound event of the "
        "chosen type, its columns mapped to the payload.",
    )
    event_type_id = fields.Many2one(
        "construction.sync.event.type",
        domain=[("direction", "=", "inbound")],
        help="The event each row becomes; the system must be granted it.",
    )
    column_map = fields.Text(
        "Column Mapping",
        help="One payload key a line, written key = Column, e.g. hours = Hours Worked.",
    )
    last_scan_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    file_ids = fields.One2many("construction.sync.file", "source_id", "Files")
    failed_count = fields.Integer(compute="_compute_failed_count")

    @api.depends("file_ids.state")
    def _compute_failed_count(self):
        for source in self:
            source.failed_count = len(source.file_ids.filtered(lambda f: f.state == "failed"))

    @api.constrains("folder")
    def _check_folder(self):
        root = self._root()
        for source in self:
            try:
                file_drop.resolve_folder(root, source.folder)
            except file_drop.FolderError as error:
                raise ValidationError(
                    self.env._(
                        "Folder %(folder)s of %(name)s cannot be used: %(reason)s.",
                        folder=source.folder,
                        name=source.name,
                        reason=error,
                    )
                ) from error

    @api.constrains("file_kind", "event_type_id", "column_map", "system_id")
    def _check_mapping(self):
        for source in self.filtered(lambda source: source.file_kind == "events"):
            if not source.event_type_id or not source.column_map:
                raise ValidationError(
                    self.env._(
                        "Choose the event type and map its columns for %(s)s.", s=source.name
                    )
                )
            if source.event_type_id not in source.system_id.inbound_event_type_ids:
                raise ValidationError(
                    self.env._(
                        "%(system)s is not granted %(type)s.",
                        system=source.system_id.name,
                        type=source.event_type_id.code,
                    )
                )
            try:
                file_drop.parse_mapping(source.column_map)
            except ValueError as error:
                raise ValidationError(str(error)) from error

    @api.model
    def _root(self):
        return self.env["ir.config_parameter"].sudo().get_param(ROOT_PARAMETER) or ""

    # ------------------------------------------------------------------
    # Scanning
    # ------------------------------------------------------------------

    @api.model
    def _cron_scan(self):
        """Take the new files of every active source."""
        self.search([("active", "=", True)])._scan()

    def action_scan_now(self):
        self._scan()
        return True

    def _scan(self):
        """Import the files waiting in each source's folder, oldest first;
        returns the file records made."""
        made = self.env["construction.sync.file"]
        for source in self:
            try:
                path = file_drop.resolve_folder(self._root(), source.folder)
                names = file_drop.waiting_files(path, source.pattern)
            except (file_drop.FolderError, OSError) as error:
                source.write({"last_error": str(error), "last_scan_at": fields.Datetime.now()})
                continue
            for name in names:
                made |= source._take_file(path, name)
            source.write({"last_error": False, "last_scan_at": fields.Datetime.now()})
        return made

    def _take_file(self, path, name):
        """Import one file once: a content already seen is only moved
        aside; a file that cannot be imported leaves nothing but its file
        record (failed, with the reason) and goes to ``failed/``. The file
        moves once the transaction is committed, so that a rolled-back
        import finds it again."""
        self.ensure_one()
        File = self.env["construction.sync.file"]
        try:
            content = file_drop.read_file(path, name)
        except OSError as error:
            _logger.warning("File source %s: %s unreadable: %s", self.id, name, error)
            return File
        digest = hashlib.sha256(content).hexdigest()
        if File.search_count([("source_id", "=", self.id), ("sha256", "=", digest)]):
            self._move_after_commit(path, name, file_drop.PROCESSED, digest)
            return File
        vals = {"source_id": self.id, "name": name, "sha256": digest, "size": len(content)}
        try:
            with self.env.cr.savepoint():
                vals.update(getattr(self, f"_import_{self.file_kind}")(name, content))
                vals["state"] = "done"
        except (UserError, ValidationError) as error:
            vals.update(state="failed", error=str(error))
        record = File.create(vals)
        self._move_after_commit(
            path,
            name,
            file_drop.FAILED if record.state == "failed" else file_drop.PROCESSED,
            digest,
        )
        return record

    def _move_after_commit(self, path, name, where, digest):
        self.env.cr.postcommit.add(partial(file_drop.move_aside, path, name, where, digest[:12]))

    def _import_events(self, name, content):
        """Rows as inbound events of the source's type, received through the
        inbox's one method (one pulled-like exchange for the file): every
        row, or none when one is refused."""
        event_type = self.event_type_id
        properties = json.loads(event_type.payload_schema or "{}").get("properties") or {}
        rows, problems = file_drop.csv_payloads(
            content, file_drop.parse_mapping(self.column_map), properties
        )
        Event = self.env["construction.sync.event"].sudo()
        exchange = (
            self.env["construction.sync.exchange"]
            .sudo()
            .create(
                {
                    "system_id": self.system_id.id,
                    "kind": "file",
                    "resource": name,
                    "item_count": len(rows),
                }
            )
        )
        created = Event
        for number, payload in rows:
            key = "row:" + hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            try:
                event, new = Event._receive(
                    self.system_id,
                    {"event_type": event_type.code, "idempotency_key": key, "payload": payload},
                    enqueue=False,
                    exchange=exchange,
                )
            except ApiError as error:
                problems.append((number, _refusal(error)))
                continue
            created |= event if new else Event
        if problems:
            raise UserError(
                self.env._(
                    "Nothing was imported from %(file)s: %(count)s problems.\n%(problems)s",
                    file=name,
                    count=len(problems),
                    problems="\n".join(
                        self.env._("row %(row)s: %(message)s", row=row, message=message)
                        for row, message in problems[:20]
                    ),
                )
            )
        exchange.write({"event_count": len(created), "duplicate_count": len(rows) - len(created)})
        created._queue()
        return {"exchange_id": exchange.id, "event_count": len(created)}
