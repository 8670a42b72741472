"""One job at a time for work that gathers whatever waits: the mapping of
webhook deliveries acknowledged first, the queueing of grouped events.

A request that leaves work waiting calls :func:`queue_once`: while a job of
that kind has not started, the request finds it by its queue_job identity
and adds no job of its own, so a burst of requests costs one job. The job
takes what waits (``FOR UPDATE SKIP LOCKED``) and, with
:func:`waiting_elsewhere`, sees what came in while it started, which its own
snapshot does not show, and queues the next job for it.
"""

from odoo.tools import SQL

WAITING_STATES = ("wait_dependencies", "pending", "enqueued")


def job_waits(records, method):
    """SQL: whether a job of ``method`` of ``records``' model waits to
    start; a statement of the caller's may ask it on the way
    (:func:`queue_once`'s ``waits``)."""
    return SQL(
        "EXISTS (SELECT 1 FROM queue_job WHERE identity_key = %s AND state IN %s)",
        _identity(records, method),
        WAITING_STATES,
    )


def queue_once(records, method, description, waits=None):
    """Queue ``method`` of ``records``' model, on an empty recordset, unless
    a job of it waits to start: that job will take this work too.
    ``waits``: what :func:`job_waits` answered in the caller's statement,
    when it asked."""
    if waits is None:
        records.env.cr.execute(SQL("SELECT %s", job_waits(records, method)))
        waits = records.env.cr.fetchone()[0]
    if not waits:
        delayable = records.browse().with_delay(
            identity_key=_identity(records, method), description=description
        )
        getattr(delayable, method)()


def _identity(records, method):
    return f"{records._name}.{method}"


def take_waiting(cr, waiting, alias, limit):
    """The ids of at most ``limit`` rows of ``waiting`` (SQL selecting the
    ``id`` of the waiting rows of the table it names ``alias``), oldest
    first, locked; rows another transaction holds are skipped."""
    cr.execute(
        SQL(
            "%s ORDER BY %s LIMIT %s FOR UPDATE OF %s SKIP LOCKED",
            waiting,
            SQL.identifier(alias, "id"),
            limit,
            SQL.identifier(alias),
        )
    )
    return [row[0] for row in cr.fetchall()]


def waiting_elsewhere(env, waiting, held_ids):
    """Whether rows of ``waiting`` other than ``held_ids`` wait, committed
    since this transaction began: read over a cursor of its own, which sees
    them where this transaction's snapshot does not."""
    with env.registry.cursor() as cr:
        cr.execute(
            SQL(
                "SELECT 1 FROM (%s) AS waiting WHERE NOT waiting.id = ANY(%s) LIMIT 1",
                waiting,
                list(held_ids),
            )
        )
        return bool(cr.fetchone())
