from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..exceptions import AmbiguousReferenceError, StaleEventError, UnknownReferenceError


class ConstructionSyncResolver(models.AbstractModel):
    """The one resolver of external references, and the handlers' toolkit.

    Every handler, import and API route turns what an external system calls
    a record (an id, a code, a name) into an Odoo record here, in this order:

    1. the system's **binding** of that external id (exact);
    2. a **value map** of the given kind, the system's own before a shared
       one, compared after :func:`..lib.reference.value_key` (blanks around
       it and case do not matter);
    3. when the caller allows it, the target model's **natural key**: its
       ``_construction_sync_match(reference, company)`` returns the records
       whose key equals the reference (exact values, never a pattern).

    Whatever a step finds must belong to the system's company or be shared
    (no company), and be readable by the user the work runs as: a system's
    handler user in a job, the service user in an API request. A shared
    value map or a stray binding cannot reach into another company.

    Bindings and value maps are the engine's own records: they are read and
    written as superuser, always filtered by the system. The records they
    point to are only ever handed over in the caller's environment.
    """

    _name = "construction.sync.resolver"
    _description = "External Reference Resolver"

    # ------------------------------------------------------------------
    # Resolving
    # ------------------------------------------------------------------

    @api.model
    def _resolve(self, system, model, reference, pointer, kind=None, natural=False, company=None):
        """The record of ``model`` that ``system`` calls ``reference``;
        :class:`UnknownReferenceError` when no step finds one."""
        record = self._find(system, model, reference, kind, natural, company)
        if not record:
            raise UnknownReferenceError(
                self.env._(
                    "Unknown %(model)s %(value)r at %(pointer)s from %(system)s: bind it or add "
                    "a value map (Synchronization → Value Maps), then replay the event.",
                    model=self.env[model]._description,
                    value=reference,
                    pointer=pointer,
                    system=system.name or self.env._("this import"),
                )
            )
        return record

    @api.model
    def _find(self, system, model, reference, kind=None, natural=False, company=None):
        """Like :meth:`_resolve`, but an empty recordset when nothing matches."""
        return self._find_many(system, model, [reference], kind, natural, company).get(
            reference, self.env[model]
        )

    @api.model
    def _find_many(self, system, model, references, kind=None, natural=False, company=None):
        """``{reference: record}`` of the ``references`` found, each resolved
        as :meth:`_resolve` does; one query per step for bindings and maps.
        ``system`` may be empty (a file imported by hand): only the natural
        key of ``company`` is then tried."""
        company = company or system.company_id
        references = {reference for reference in references if reference}
        if not references:
            return {}
        found = {}
        if system:
            bindings = self._bindings(system, model, references)
            found.update(
                (reference, self.env[model].browse(binding.res_id))
                for reference, binding in bindings.items()
            )
        if kind:
            for reference, value_map in self._value_maps(
                system, kind, references - found.keys()
            ).items():
                if value_map.internal_reference._name == model:
                    found[reference] = value_map.internal_reference
        if natural:
            for reference in references - found.keys():
                found[reference] = self._natural(model, reference, company)
        return self._checked_many(found, company, system)

    @api.model
    def _match(self, system, model, external_id, steps):
        """``(binding, record, step)``: the record of ``model`` that
        ``system``'s ``external_id`` names, for a platform object that may
        exist in Odoo before any binding (a site the office created).

        The binding first (step ``"binding"``); else each of ``steps`` in
        order, ``(label, finder)`` pairs whose finder returns the candidate
        records, none already bound to another id of ``system``: the first
        step finding one record is the match; a step finding two or more
        raises :class:`AmbiguousReferenceError` naming them, for a person
        to bind the one meant. ``record`` is empty when no step finds one.
        """
        binding, record = self._binding(system, model, external_id)
        if record:
            return binding, record, "binding"
        Binding = self.env["construction.sync.binding"].sudo()
        for label, finder in steps:
            candidates = finder()
            if candidates:
                bound = Binding.search(
                    [
                        ("system_id", "=", system.id),
                        ("res_model", "=", model),
                        ("res_id", "in", candidates.ids),
                    ]
                ).mapped("res_id")
                candidates = candidates.filtered(
                    lambda candidate, bound=bound: candidate.id not in bound
                )
            if len(candidates) > 1:
                raise AmbiguousReferenceError(
                    self.env._(
                        "%(system)s's %(external)r matches %(count)s records of %(model)s by "
                        "%(step)s (%(names)s): they look like duplicates. Merge them, or bind "
                        "it to the one meant (Synchronization → Bindings), then replay the event.",
                        system=system.name,
                        external=external_id,
                        count=len(candidates),
                        model=candidates._description,
                        step=label,
                        names=", ".join(
                            f"{candidate.display_name} (#{candidate.id})"
                            for candidate in candidates[:5]
                        ),
                    )
                )
            if candidates:
                return (
                    binding,
                    self._checked(candidates, system.company_id, system, external_id),
                    label,
                )
        return binding, self.env[model], None

    @api.model
    def _upsert(self, event, model, external_id, steps, prepare):
        """Create or update the record of ``model`` that ``event``'s system
        calls ``external_id``: matched by its binding, then by ``steps``
        (see :meth:`_match`; duplicates wait for a person), an older fact
        arriving late changing nothing; bound afterwards. ``prepare(record)``
        gives the values to write on the match, or to create with when it
        is empty."""
        binding, record, _step = self._match(event.system_id, model, external_id, steps)
        self._lock(binding)
        self._check_sequence(event, binding)
        vals = prepare(record)
        if record:
            record.write(vals)
        else:
            record = self.env[model].create(vals)
        self._bind(event, binding, record, external_id)
        return record

    @api.model
    def _natural(self, model, reference, company):
        """The record of ``model`` whose natural key is ``reference``
        (``_construction_sync_match`` of the model), the company's own
        before a shared one; refused when two of the same rank match."""
        records = self.env[model]._construction_sync_match(reference, company)
        if "company_id" in records._fields:
            own = records.filtered(lambda record: record.company_id == company)
            records = own or records.filtered(lambda record: not record.company_id)
        if len(records) > 1:
            raise UserError(
                self.env._(
                    "%(value)r matches %(count)s records of %(model)s (%(names)s): bind the "
                    "reference to the one meant, then replay the event.",
                    value=reference,
                    count=len(records),
                    model=records._description,
                    names=", ".join(records[:5].mapped("display_name")),
                )
            )
        return records

    @api.model
    def _value(self, system, kind, reference, pointer):
        """What ``system``'s ``reference`` stands for in a value map of
        ``kind``: a record, or the internal value of kinds with no record
        (synonyms); :class:`UnknownReferenceError` when unmapped."""
        value_map = self._value_maps(system, kind, [reference]).get(reference)
        if not value_map:
            raise UnknownReferenceError(
                self.env._(
                    "Unknown %(kind)s %(value)r at %(pointer)s from %(system)s: add a value "
                    "map (Synchronization → Value Maps), then replay the event.",
                    kind=kind,
                    value=reference,
                    pointer=pointer,
                    system=system.name,
                )
            )
        if value_map.internal_reference:
            return self._checked(value_map.internal_reference, system.company_id, system, reference)
        return value_map.internal_value

    @api.model
    def _label(self, system, kinds, reference):
        """``reference`` in the suite's words: the first value map of
        ``kinds`` (a record's ``code`` or the internal value), else itself."""
        return self._labels(system, kinds, [reference]).get(reference, reference)

    @api.model
    def _labels(self, system, kinds, references):
        """``{reference: label}`` of the ``references`` a value map of one of
        ``kinds`` names (the first kind that maps it), as :meth:`_label`
        says; one query per kind."""
        labels = {}
        company = system.company_id or self.env.company
        for kind in kinds:
            pending = set(references) - labels.keys()
            for reference, value_map in self._value_maps(system, kind, pending).items():
                target = value_map.internal_reference
                labels[reference] = (
                    self._checked(target, company, system, reference).code
                    if target
                    else value_map.internal_value
                )
        return labels

    @api.model
    def _bindings(self, system, model, external_ids):
        """``{external id: binding}`` of ``system`` (bookkeeping, as superuser)."""
        bindings = (
            self.env["construction.sync.binding"]
            .sudo()
            .search(
                [
                    ("system_id", "=", system.id),
                    ("res_model", "=", model),
                    ("external_id", "in", list(external_ids)),
                ]
            )
        )
        return {binding.external_id: binding for binding in bindings}

    @api.model
    def _value_maps(self, system, kind, references):
        """``{reference: value map}``: the system's own map before a shared one."""
        return self.env["construction.sync.value.map"].sudo()._lookup_many(system, kind, references)

    @api.model
    def _checked(self, record, company, system, reference):
        """``record`` in the caller's environment, once it is known to be of
        ``company`` or shared and readable by the caller; empty when it no
        longer exists."""
        empty = record.browse().with_env(self.env)
        return self._checked_many({reference: record}, company, system).get(reference, empty)

    @api.model
    def _checked_many(self, found, company, system):
        """``{reference: record}`` of ``found`` (one record or none each, all
        of one model) in the caller's environment, for the records that
        exist, once each is known to be of ``company`` or shared and all are
        readable by the caller: read together, one query per check."""
        found = {reference: record for reference, record in found.items() if record}
        if not found:
            return {}
        Model = self.env[next(iter(found.values()))._name]
        ids = list(dict.fromkeys(record.id for record in found.values()))
        existing = {record.id: record for record in Model.browse(ids).exists()}
        checked = {
            reference: existing[record.id]
            for reference, record in found.items()
            if record.id in existing
        }
        for reference, record in checked.items():
            record_company = record.sudo().company_id if "company_id" in record._fields else None
            if record_company and record_company != company:
                raise UserError(
                    self.env._(
                        "%(value)r from %(system)s points to %(record)s of %(other)s; "
                        "%(system)s works for %(company)s only. Fix the binding or value map.",
                        value=reference,
                        system=system.name or company.name,
                        record=record.sudo().display_name,
                        other=record_company.name,
                        company=company.name,
                    )
                )
        Model.browse(list(existing)).check_access("read")
        return checked

    # ------------------------------------------------------------------
    # Bindings of what a handler produces: lock, order, bind
    # ------------------------------------------------------------------

    @api.model
    def _binding(self, system, model, external_id):
        """``(binding, record)`` of ``external_id``; both empty when unbound.
        The record is checked like any resolved one."""
        binding = self._bindings(system, model, [external_id]).get(
            external_id, self.env["construction.sync.binding"].sudo()
        )
        record = self.env[model].browse(binding.res_id if binding else ())
        return binding, self._checked(record, system.company_id, system, external_id)

    @api.model
    def _source_entry(self, event, model):
        """``(payload, source entry id, binding, record)`` of an event about
        one source entry (a labor, usage or consumption record), its
        binding locked and the event checked to be no older than the last
        one applied through it."""
        data = event._payload()
        entry = data["source_entry_id"]
        binding, record = self._binding(event.system_id, model, entry)
        self._lock(binding)
        self._check_sequence(event, binding)
        return data, entry, binding, record

    @api.model
    def _lock(self, binding):
        """Lock the binding row so that two workers applying events of the
        same object take turns. Raw SQL: the ORM has no row lock; NOWAIT
        turns a busy row into a transient error the job retries."""
        if binding:
            self.env.cr.execute(
                "SELECT id FROM construction_sync_binding WHERE id = %s FOR UPDATE NOWAIT",
                [binding.id],
            )

    @api.model
    def _check_sequence(self, event, binding):
        """Raise StaleEventError when a newer event than this one was
        applied through ``binding`` already."""
        applied = binding.source_occurred_at if binding else None
        if applied and event.occurred_at < applied:
            raise StaleEventError(
                self.env._(
                    "Skipped: this event happened at %(occurred)s UTC, before the one already "
                    "applied to %(external)s (%(applied)s UTC). An older fact never undoes "
                    "a newer one.",
                    occurred=event.occurred_at,
                    external=binding.external_id,
                    applied=binding.source_occurred_at,
                )
            )

    @api.model
    def _bind_new(self, system, model, bound):
        """Bind each ``(event, record id, external id)`` of ``bound``, none
        bound yet, as :meth:`_bind` does, with one INSERT: a chunk of
        entries seen for the first time. Raw SQL, for the reason
        :meth:`construction.sync.event.link._insert_produced` gives. An
        external id a concurrent job bound meanwhile violates the unique
        constraint, as with ``create``."""
        if not bound:
            return
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO construction_sync_binding
                    (system_id, company_id, res_model, res_id, external_id, sync_hash,
                     synced_at, source_occurred_at, create_uid, create_date, write_uid, write_date)
                SELECT %(system)s, %(company)s, %(model)s, item.res_id, item.external_id,
                       item.sync_hash, %(now)s, item.occurred_at, %(uid)s, %(now)s, %(uid)s,
                       %(now)s
                  FROM unnest(%(ids)s::int[], %(externals)s::varchar[], %(hashes)s::varchar[],
                              %(occurred)s::timestamp[])
                       AS item(res_id, external_id, sync_hash, occurred_at)
                """,
                system=system.id,
                company=system.company_id.id,
                model=model,
                uid=self.env.uid,
                now=now,
                ids=[record_id for _event, record_id, _external in bound],
                externals=[external for _event, _record_id, external in bound],
                hashes=[event.payload_hash for event, _record_id, _external in bound],
                occurred=[event.occurred_at for event, _record_id, _external in bound],
            )
        )

    @api.model
    def _bind(self, event, binding, record, external_id):
        """Create or refresh the binding of ``record`` to ``external_id``,
        remembering when the fact applied through it happened."""
        vals = {
            "res_id": record.id,
            "sync_hash": event.payload_hash,
            "synced_at": fields.Datetime.now(),
            "source_occurred_at": event.occurred_at,
        }
        if binding:
            binding.sudo().write(vals)
            return binding
        return (
            self.env["construction.sync.binding"]
            .sudo()
            .create(
                dict(
                    vals,
                    system_id=event.system_id.id,
                    res_model=record._name,
                    external_id=external_id,
                )
            )
        )
