"""The ``ValidationError`` the models raise for bad field evidence, and the
check that only reviewers review it.

The error keeps the stable ``code`` of :class:`lib.errors.EvidenceError` so
that the field API can answer with that code while the UI shows the message.
"""

from contextlib import contextmanager

from odoo.exceptions import AccessError, ValidationError

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


REVIEWER_GROUP = "construction_sync.group_construction_sync_reviewer"


def check_reviewer(env, action):
    """Raise ``AccessError`` unless the user of ``env`` is a field reviewer:
    reviewing evidence (its state and what the review decides) is office
    work. A platform's service user sends evidence through the field API,
    which routes it to the review queue; over RPC it can do no more."""
    if env.su or env.user.has_group(REVIEWER_GROUP):
        return
    raise AccessError(
        env._(
            "Only field reviewers may %(action)s; %(user)s is not one.",
            action=action,
            user=env.user.name,
        )
    )


def check_review_vals(records, vals, review_fields):
    """Refuse values of the review's fields from a user who is not a reviewer."""
    touched = sorted(review_fields & vals.keys())
    if touched:
        check_reviewer(
            records.env,
            records.env._(
                "set %(fields)s of %(model)s",
                fields=", ".join(touched),
                model=records._description,
            ),
        )
