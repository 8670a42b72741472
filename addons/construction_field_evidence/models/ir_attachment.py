"""A photo's images are evidence, kept as attachments of its image fields.

What marks an attachment as evidence is where it is attached: the image
fields of a photo (``res_model`` ``construction.photo``, ``res_field`` one
of :data:`EVIDENCE_FIELDS`). Those attachments are created only when the
photo is created, and removed only by the retention purge; no one, not even
code running as superuser, replaces their bytes, moves them to another
record or field, publishes them or deletes them otherwise. The two allowed
changes open a window for the records they name through
:func:`evidence_change`, a context variable of the running code that no
caller can set through RPC or a context key.

Filestore files written by an upload that is then refused are removed at
once (:meth:`IrAttachment._discard_files`), not left for the nightly
garbage collection.
"""

import base64
import contextlib
import contextvars
import functools
import hashlib
import logging
import os

import psycopg2

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)

EVIDENCE_FIELDS = {"construction.photo": frozenset({"image", "image_preview", "image_thumbnail"})}
# Attachment fields that say what the evidence is, how it is served, where
# it belongs and who sees it.
PROTECTED_FIELDS = frozenset(
    {
        "datas",
        "mimetype",
        "raw",
        "db_datas",
        "store_fname",
        "url",
        "type",
        "res_model",
        "res_id",
        "res_field",
        "public",
        "access_token",
    }
)
# A write of the same bytes (moving them to another storage) changes nothing.
CONTENT_FIELDS = frozenset({"datas", "raw", "mimetype"})

_allowed = contextvars.ContextVar("construction_evidence_change", default=None)
# The SHA-1 of the bytes objects being stored, by their identity (see
# known_checksums): Odoo hashes each blob again to name its file.
_known_checksums = contextvars.ContextVar("construction_evidence_checksums", default=None)


@contextlib.contextmanager
def evidence_change(operation, res_ids):
    """Let the code inside the block ``create`` or ``unlink`` the evidence
    attachments of the photos ``res_ids``, and nothing else."""
    token = _allowed.set((operation, frozenset(res_ids)))
    try:
        yield
    finally:
        _allowed.reset(token)


@contextlib.contextmanager
def evidence_savepoint(env):
    """A savepoint whose rollback also removes the filestore files that the
    photos created inside it wrote, as no attachment refers to them any more."""
    try:
        with env.cr.savepoint():
            yield
    except Exception:
        attachments = env["ir.attachment"].sudo()
        attachments._discard_files(attachments._pending_files())
        raise


@contextlib.contextmanager
def known_checksums(hashed):
    """Inside the block, the SHA-1 of each bytes object of ``hashed``
    (``(bytes, checksum)`` pairs, from :meth:`IrAttachment._hold_files`) is
    taken from there instead of being computed again: the very object, not
    equal bytes, so nothing from outside the running code is trusted."""
    token = _known_checksums.set({id(data): (data, checksum) for data, checksum in hashed})
    try:
        yield
    finally:
        _known_checksums.reset(token)


def evidence_change_allowed(operation, res_ids):
    """Whether the running code opened :func:`evidence_change` for them."""
    allowed = _allowed.get()
    return bool(allowed and allowed[0] == operation and set(res_ids) <= allowed[1])


def is_evidence(res_model, res_field):
    return res_field in EVIDENCE_FIELDS.get(res_model, ())


def _discard_after_rollback(dbname, fnames):
    """Remove the files a rolled back transaction wrote, in a transaction
    of its own. A failure here must not fail the rollback: the files are
    marked for Odoo's nightly garbage collection anyway."""
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["ir.attachment"]._discard_files(sorted(fnames))
    except (psycopg2.Error, OSError):
        _logger.warning("Files of a rolled back upload are left to the garbage collection")


def _lock_key(fname):
    """A 63-bit advisory lock key for a filestore name."""
    return int(hashlib.sha256(fname.encode()).hexdigest()[:15], 16)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _evidence(self):
        """The attachments of ``self`` that are evidence."""
        return self.sudo().filtered(lambda attachment: is_evidence(*attachment._target()))

    def _target(self):
        return self.res_model, self.res_field

    def _refuse(self, operation):
        raise AccessError(
            self.env._(
                "A photo's original and its renditions are evidence: they cannot be "
                "%(operation)s. Upload a new photo instead; only the retention purge "
                "removes a photo.",
                operation=operation,
            )
        )

    def _check_evidence_change(self, operation, res_ids):
        if not evidence_change_allowed(operation, res_ids):
            self._refuse(
                self.env._("created outside their photo's upload")
                if operation == "create"
                else self.env._("deleted")
            )

    @api.model_create_multi
    def create(self, vals_list):
        evidence_ids = [
            vals.get("res_id")
            for vals in vals_list
            if is_evidence(vals.get("res_model"), vals.get("res_field"))
        ]
        if evidence_ids:
            self._check_evidence_change("create", evidence_ids)
        return super().create(vals_list)

    def write(self, vals):
        if {"res_model", "res_field"} & vals.keys():
            for attachment in self.sudo():
                target = (
                    vals.get("res_model", attachment.res_model),
                    vals.get("res_field", attachment.res_field),
                )
                if is_evidence(*target) and target != attachment._target():
                    self._refuse(self.env._("made from another attachment"))
        evidence = self._evidence()
        if evidence and PROTECTED_FIELDS & vals.keys() and not evidence._unchanged_by(vals):
            self._refuse(self.env._("replaced, moved or published"))
        return super().write(vals)

    def _unchanged_by(self, vals):
        """Whether ``vals`` only writes the bytes and type each attachment
        already has, as moving attachments between storages does."""
        if not vals.keys() <= CONTENT_FIELDS:
            return False
        if "raw" in vals:
            data = vals["raw"].encode() if isinstance(vals["raw"], str) else vals["raw"]
        elif "datas" in vals:
            data = base64.b64decode(vals["datas"] or b"")
        else:
            data = None
        return all(
            (data is None or self._compute_checksum(data or b"") == attachment.checksum)
            and vals.get("mimetype", attachment.mimetype) == attachment.mimetype
            for attachment in self
        )

    def unlink(self):
        evidence = self._evidence()
        if evidence:
            self._check_evidence_change("unlink", evidence.mapped("res_id"))
        return super().unlink()

    # ------------------------------------------------------------------
    # Files of refused uploads
    # ------------------------------------------------------------------

    @api.model
    def _hold_files(self, blobs):
        """Before ``blobs`` are stored: lock their filestore names for this
        transaction and have the files removed if it rolls back.

        The filestore is shared by content: another upload of the same bytes
        uses the same file. The lock makes a concurrent upload of the same
        bytes wait until this transaction ends, and the removal
        (:meth:`_discard_files`) takes the lock again before it removes a
        file no attachment refers to, so it never removes a file another
        transaction is about to use. Returns each blob with its SHA-1 (see
        :func:`known_checksums`)."""
        if self._storage() != "file":
            return []
        hashed = [(data, self._compute_checksum(data)) for data in blobs]
        fnames = sorted({self._fname(checksum) for _data, checksum in hashed})
        keys = sorted({_lock_key(fname) for fname in fnames})
        # PostgreSQL's advisory locks have no ORM counterpart.
        self.env.cr.execute("SELECT pg_advisory_xact_lock(key) FROM unnest(%s) AS key", [keys])
        cr = self.env.cr
        pending = cr.postrollback.data.setdefault("construction_field_evidence.files", set())
        if not pending:
            cr.postrollback.add(functools.partial(_discard_after_rollback, cr.dbname, pending))
        pending.update(fnames)
        return hashed

    @api.model
    def _pending_files(self):
        """Names of the files this transaction's photos wrote (see :meth:`_hold_files`)."""
        return sorted(self.env.cr.postrollback.data.get("construction_field_evidence.files", ()))

    @api.model
    def _fname_of(self, data):
        return self._fname(self._compute_checksum(data))

    @api.model
    def _fname(self, checksum):
        return f"{checksum[:2]}/{checksum}"

    @api.model
    def _compute_checksum(self, bin_data):
        known = (_known_checksums.get() or {}).get(id(bin_data))
        if known and known[0] is bin_data:
            return known[1]
        return super()._compute_checksum(bin_data)

    @api.model
    def _discard_files(self, fnames):
        """Remove the files of ``fnames`` that no attachment refers to and
        no other transaction holds (see :meth:`_hold_files`)."""
        removed = []
        for fname in fnames:
            self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(fname)])
            if not self.env.cr.fetchone()[0]:
                continue
            # As Odoo's filestore garbage collection asks: the ORM's search
            # of attachments hides those of binary fields.
            self.env.cr.execute(
                "SELECT 1 FROM ir_attachment WHERE store_fname = %s LIMIT 1", [fname]
            )
            if self.env.cr.fetchone():
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._full_path(fname))
                removed.append(fname)
        if removed:
            _logger.info("Removed %d filestore files of a refused upload", len(removed))
        return removed
