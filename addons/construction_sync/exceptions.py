"""Errors a handler raises to tell the engine what became of an event."""

from odoo.exceptions import UserError


class UnknownReferenceError(UserError):
    """An external reference with no binding, value map or natural key
    match: the event waits for a person to add the mapping and replay it."""


class AmbiguousReferenceError(UnknownReferenceError):
    """An external reference two or more records match equally well: the
    event waits for a person to bind the one meant and replay it, never a
    guess."""


class LockedPeriodError(UserError):
    """The change falls in a period the company's accounting has locked: the
    event waits until an adviser moves the lock date or the date is corrected."""


class StaleEventError(UserError):
    """The event is older than the last one applied to the same object: it
    is skipped, never applied over the newer fact."""
