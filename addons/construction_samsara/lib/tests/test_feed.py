"""The equipment stats feed as Samsara documents it: API reference "Follow a
feed of equipment stats" (GET /fleet/equipment/stats/feed, 200 response
schema: data[] of {id, name, <stat>: [{time, value}]}, pagination
{endCursor, hasNextPage}), samsarahq/api-docs
markdown/readme/getequipmentstatsfeed.md."""

from datetime import UTC, datetime

import pytest

from ..feed import FeedError, Reading, meter_type, parse_page

# The documented example item, trimmed to the engine-seconds stats.
DOCUMENTED = {
    "data": [
        {
            "id": "112",
            "name": "Crane A7",
            "gatewayEngineSeconds": [{"time": "2019-05-03T04:30:31Z", "value": 22374000}],
            "obdEngineSeconds": [{"time": "2019-05-03T04:30:31Z", "value": 22374000}],
        }
    ],
    "pagination": {"endCursor": "MjkY", "hasNextPage": True},
}


def test_a_documented_page_reads_into_assets_readings_and_cursor():
    page = parse_page(DOCUMENTED)
    assert (page.end_cursor, page.has_next_page) == ("MjkY", True)
    (crane,) = page.assets
    assert (crane.asset_id, crane.name) == ("112", "Crane A7")
    at = datetime(2019, 5, 3, 4, 30, 31, tzinfo=UTC)
    assert crane.series["obdEngineSeconds"] == (Reading(at, 22374000),)
    assert meter_type(crane.series) == "obdEngineSeconds", "on-board diagnostics are exact"


def test_readings_come_in_time_order_and_offsets_become_utc():
    page = parse_page(
        {
            "data": [
                {
                    "id": "7",
                    "gatewayEngineSeconds": [
                        {"time": "2026-03-10T09:00:00-05:00", "value": 3600},
                        {"time": "2026-03-10T13:30:00.250Z", "value": 1800},
                    ],
                }
            ],
            "pagination": {"endCursor": "", "hasNextPage": False},
        }
    )
    (asset,) = page.assets
    assert asset.name == "7", "an asset without a name is known by its id"
    assert meter_type(asset.series) == "gatewayEngineSeconds"
    first, second = asset.series["gatewayEngineSeconds"]
    assert first.time == datetime(2026, 3, 10, 13, 30, tzinfo=UTC), "kept to the second"
    assert second.time == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_an_asset_without_engine_seconds_has_no_meter():
    page = parse_page(
        {"data": [{"id": "9", "name": "Trailer"}], "pagination": {"hasNextPage": False}}
    )
    assert meter_type(page.assets[0].series) is None
    assert page.end_cursor == "", "Samsara may send no cursor when nothing is left"


def test_hours_keep_coming_from_the_diagnostics_once_an_asset_reported_them():
    assert meter_type({"gatewayEngineSeconds": ()}) == "gatewayEngineSeconds"
    assert meter_type({"gatewayEngineSeconds": ()}, "obdEngineSeconds") == "obdEngineSeconds"
    assert meter_type({"obdEngineSeconds": ()}, "gatewayEngineSeconds") == "obdEngineSeconds"
    assert meter_type({}, "gatewayEngineSeconds") == "gatewayEngineSeconds"
    assert meter_type({}) is None


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ([], ""),
        ({"pagination": {"hasNextPage": False}}, "/data"),
        ({"data": []}, "/pagination"),
        ({"data": [], "pagination": {"hasNextPage": "no"}}, "/pagination/hasNextPage"),
        (
            {"data": [], "pagination": {"endCursor": 3, "hasNextPage": False}},
            "/pagination/endCursor",
        ),
        ({"data": [{"name": "x"}], "pagination": {"hasNextPage": False}}, "/data/0/id"),
        (
            {"data": [{"id": "1", "obdEngineSeconds": {}}], "pagination": {"hasNextPage": False}},
            "/data/0/obdEngineSeconds",
        ),
        (
            {
                "data": [{"id": "1", "obdEngineSeconds": [{"time": "soon", "value": 1}]}],
                "pagination": {"hasNextPage": False},
            },
            "/data/0/obdEngineSeconds/0/time",
        ),
        (
            {
                "data": [
                    {"id": "1", "obdEngineSeconds": [{"time": "2026-03-10T09:00:00", "value": 1}]}
                ],
                "pagination": {"hasNextPage": False},
            },
            "/data/0/obdEngineSeconds/0/time",
        ),
        (
            {
                "data": [
                    {
                        "id": "1",
                        "gatewayEngineSeconds": [{"time": "2026-03-10T09:00:00Z", "value": -5}],
                    }
                ],
                "pagination": {"hasNextPage": False},
            },
            "/data/0/gatewayEngineSeconds/0/value",
        ),
    ],
)
def test_an_answer_of_another_shape_is_refused_with_where(body, pointer):
    with pytest.raises(FeedError) as caught:
        parse_page(body)
    assert caught.value.pointer == pointer
