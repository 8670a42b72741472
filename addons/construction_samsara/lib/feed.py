"""Samsara's equipment stats feed, read into plain values.

``GET /fleet/equipment/stats/feed?types=...&after=<cursor>`` answers
``{"data": [...], "pagination": {"endCursor": "...", "hasNextPage": bool}}``
(Samsara API reference, "Follow a feed of equipment stats"): one item per
unit of equipment, ``{"id", "name", "<stat type>": [{"time", "value"}]}``,
each stat a time series of RFC 3339 UTC times and integer values. The next
call passes ``endCursor`` as ``after`` and gets what changed since; when
``hasNextPage`` is false nothing more is ready yet, and ``endCursor`` is
where the next pull starts.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

FEED_PATH = "/fleet/equipment/stats/feed"
# Engine seconds since new, as Samsara reports them: read from on-board
# diagnostics, or approximated by the gateway from the time its aux cable is
# powered. An asset's hours come from on-board diagnostics when it reports
# them (exact), else from the gateway's approximation.
ENGINE_SECONDS_TYPES = ("obdEngineSeconds", "gatewayEngineSeconds")


class FeedError(ValueError):
    """A feed answer that is not of the documented shape; ``pointer`` is a
    JSON Pointer to the offending part."""

    def __init__(self, pointer, message):
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer


@dataclass(frozen=True, order=True)
class Reading:
    """One engine-seconds reading: when (aware, UTC) and the meter's value."""

    time: datetime
    seconds: int


@dataclass(frozen=True)
class AssetStats:
    asset_id: str
    name: str
    series: dict  # stat type -> tuple of Readings in time order


def meter_type(reported, current=None):
    """The engine-seconds type an asset's hours come from, given the types
    it ``reported`` now and the one they came from so far (``current``):
    on-board diagnostics as soon as the asset has reported them, and from
    then on, even in a page where only the gateway's approximation moved
    (two meters never both cost the same run); None when it has neither."""
    return next(
        (kind for kind in ENGINE_SECONDS_TYPES if kind in reported or kind == current), None
    )


@dataclass(frozen=True)
class FeedPage:
    assets: tuple
    end_cursor: str
    has_next_page: bool


def parse_time(text, pointer):
    """An RFC 3339 timestamp as an aware UTC datetime, to the second (as
    Samsara sends them and as Odoo keeps them)."""
    if not isinstance(text, str):
        raise FeedError(pointer, "a time must be an RFC 3339 string")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(pointer, f"{text!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise FeedError(pointer, f"{text!r} has no time zone")
    return moment.astimezone(UTC).replace(microsecond=0)


def _readings(points, pointer):
    if not isinstance(points, list):
        raise FeedError(pointer, "a stat must be a list of {time, value} points")
    readings = []
    for index, point in enumerate(points):
        here = f"{pointer}/{index}"
        if not isinstance(point, dict):
            raise FeedError(here, "a point must be an object with time and value")
        value = point.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FeedError(f"{here}/value", "engine seconds must be a whole number >= 0")
        readings.append(Reading(parse_time(point.get("time"), f"{here}/time"), value))
    return tuple(sorted(readings))


def parse_page(body):
    """A :class:`FeedPage` from the decoded JSON of one feed answer."""
    if not isinstance(body, dict):
        raise FeedError("", "the answer must be a JSON object")
    data = body.get("data")
    if not isinstance(data, list):
        raise FeedError("/data", "data must be a list of equipment")
    pagination = body.get("pagination")
    if not isinstance(pagination, dict):
        raise FeedError("/pagination", "pagination must be an object")
    end_cursor = pagination.get("endCursor")
    if end_cursor is None:
        end_cursor = ""
    if not isinstance(end_cursor, str):
        raise FeedError("/pagination/endCursor", "endCursor must be a string")
    has_next_page = pagination.get("hasNextPage")
    if not isinstance(has_next_page, bool):
        raise FeedError("/pagination/hasNextPage", "hasNextPage must be true or false")
    assets = []
    for index, item in enumerate(data):
        here = f"/data/{index}"
        if not isinstance(item, dict):
            raise FeedError(here, "an equipment item must be an object")
        asset_id = item.get("id")
        if not isinstance(asset_id, str) or not asset_id:
            raise FeedError(f"{here}/id", "the Samsara id must be a non-empty string")
        series = {
            kind: _readings(item[kind], f"{here}/{kind}")
            for kind in ENGINE_SECONDS_TYPES
            if item.get(kind) is not None
        }
        name = str(item.get("name") or asset_id)
        assets.append(
            AssetStats(asset_id, name, {kind: seq for kind, seq in series.items() if seq})
        )
    return FeedPage(tuple(assets), end_cursor, has_next_page)
