"""Plain-Python helpers of field evidence: no ``odoo`` import, no database.

Every check raises :class:`EvidenceError` with a stable ``code`` so that the
models can turn it into a ``ValidationError`` and the field API into an
error code.
"""
