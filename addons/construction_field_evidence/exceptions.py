"""The ``ValidationError`` the models raise for bad field evidence.

It keeps the stable ``code`` of :class:`lib.errors.EvidenceError` so that
the field API can answer with that code while the UI shows the message.
"""

from contextlib import contextmanager

from odoo.exceptions import ValidationError

from .lib.errors import EvidenceError


class EvidenceValidationError(ValidationError):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@contextmanager
def evidence_errors():
    """Turn a ``lib`` EvidenceError raised inside the block into a ValidationError."""
    try:
        yield
    except EvidenceError as error:
        raise EvidenceValidationError(error.code, error.message) from error
