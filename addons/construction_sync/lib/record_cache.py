"""Values already known, put in the ORM's cache so that reading them costs
no query: what an ``ormcache`` keeps of the configuration every request
reads (its system, its event type), and what a raw ``INSERT`` wrote.

The ORM's cache holds a field's values in its own format (a many2one as the
id, a one2many as a tuple of ids); :func:`cache_values` reads them in that
format, which holds no record and no environment and so may outlive the
request in an ``ormcache``; :func:`remember` puts them back.
"""


def cache_values(record, names):
    """``((name, value), ...)`` of the fields ``names`` of ``record``, as
    the ORM caches them."""
    record.ensure_one()
    cache = record.env.cache
    return tuple((name, cache.get(record, record._fields[name])) for name in names)


def remember(records, values):
    """``records`` with ``values`` (``(name, value)`` pairs, each value as
    the ORM caches it: an id, a tuple of ids, ``None`` for an empty one)
    in the ORM's cache, where it holds none yet: a value the transaction
    changed stays."""
    cache = records.env.cache
    for name, value in values:
        cache.insert_missing(records, records._fields[name], [value] * len(records))
    return records
