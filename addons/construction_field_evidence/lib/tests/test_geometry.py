import json

import pytest

from ..errors import EvidenceError
from ..geometry import (
    area_finder,
    area_m2,
    check_bbox,
    degree_box,
    haversine_m,
    locate,
    parse_area,
    parse_boundary,
)
from ..site_plan import render_svg

# About 100 m x 50 m near Chicago (0.0009 deg latitude ~ 100 m).
LOT = [[-87.6300, 41.8800], [-87.6294, 41.8800], [-87.6294, 41.8809], [-87.6300, 41.8809]]


def polygon(ring, close=True):
    return json.dumps({"type": "Polygon", "coordinates": [ring + ([ring[0]] if close else [])]})


def code_of(function, *args):
    with pytest.raises(EvidenceError) as caught:
        function(*args)
    return caught.value.code


def test_valid_polygon_area_and_normalized_text():
    geometry, text, repaired = parse_boundary(polygon(LOT))
    assert not repaired
    assert area_m2(geometry) == pytest.approx(49.7 * 100.1, rel=0.01)
    assert json.loads(text)["type"] == "Polygon"


def test_feature_wrapper_is_accepted():
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(polygon(LOT))}
    assert parse_boundary(json.dumps(feature))[0].area > 0


def test_bow_tie_is_repaired():
    bow_tie = [LOT[0], LOT[2], LOT[1], LOT[3]]
    geometry, text, repaired = parse_boundary(polygon(bow_tie))
    assert repaired
    assert geometry.is_valid
    assert json.loads(text)["type"] == "MultiPolygon"
    assert area_m2(geometry) == pytest.approx(49.7 * 100.1 / 2, rel=0.02)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        json.dumps({"type": "Point", "coordinates": [1, 2]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
        polygon([[0, 0], [1, 1], [2, 2]]),
        polygon([[0, 0], [0, 95], [1, 95]]),
        json.dumps({"type": "FeatureCollection", "features": []}),
    ],
)
def test_bad_boundaries_are_refused(text):
    assert code_of(parse_boundary, text) == "invalid_geometry"


def test_inside_outside_and_distance_to_boundary():
    geometry = parse_boundary(polygon(LOT))[0]
    inside, distance = locate(geometry, 41.88045, -87.6297)
    assert inside
    assert distance == pytest.approx(24.9, abs=0.5)
    outside, distance = locate(geometry, 41.8818, -87.6297)  # 100 m north of the north edge
    assert not outside
    assert distance == pytest.approx(100.1, abs=1)
    assert code_of(locate, geometry, 123, 0) == "gps_out_of_range"


def test_haversine_and_degree_box():
    assert haversine_m(41.88, -87.63, 41.89, -87.63) == pytest.approx(1112, abs=2)
    min_lat, max_lat, min_lon, max_lon = degree_box(41.88, -87.63, 1000)
    assert haversine_m(41.88, -87.63, max_lat, -87.63) == pytest.approx(1000, abs=1)
    assert haversine_m(41.88, -87.63, 41.88, max_lon) == pytest.approx(1000, abs=1)
    assert min_lat < 41.88 < max_lat and min_lon < -87.63 < max_lon


@pytest.mark.parametrize(
    "box", [(0.5, 0.5, 0.6, 0.1), (-0.1, 0, 0.5, 0.5), (0, 0, 0, 0.5), (0, 0.9, 0.1, 0.2)]
)
def test_bbox_outside_image(box):
    assert code_of(check_bbox, *box) == "bbox_outside_image"


def test_bbox_inside_image():
    check_bbox(0, 0, 1, 1)
    check_bbox(0.25, 0.5, 0.5, 0.5)


def test_site_plan_draws_boundary_and_escaped_markers():
    geometry = parse_boundary(polygon(LOT))[0]
    svg = render_svg(geometry, [(41.88045, -87.6297, "Pothole <5 cm>", "high")])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<path" in svg and 'fill="#ef6c00"' in svg
    assert "Pothole &lt;5 cm&gt;" in svg
    assert render_svg(None, []) == ""
    assert "<circle" in render_svg(None, [(41.88, -87.63, "Only a marker", "low")])


# The lot's southern and northern halves.
SOUTH = [[-87.6300, 41.8800], [-87.6294, 41.8800], [-87.6294, 41.88045], [-87.6300, 41.88045]]
NORTH = [[-87.6300, 41.88045], [-87.6294, 41.88045], [-87.6294, 41.8809], [-87.6300, 41.8809]]


def test_area_outline_inside_its_site_is_kept():
    site = parse_boundary(polygon(LOT))[0]
    outline, text = parse_area(polygon(SOUTH), site)
    assert area_m2(outline) == pytest.approx(49.7 * 50, rel=0.01)
    assert json.loads(text)["type"] == "Polygon"


@pytest.mark.parametrize(
    ("outline", "words"),
    [
        (polygon(SOUTH, close=False), "not closed"),
        (polygon([SOUTH[0], SOUTH[2], SOUTH[1], SOUTH[3]]), "crosses itself"),
        (polygon([[-87.6300, 41.8800], [-87.6294, 41.8800], [-87.6297, 41.8800]]), "no area"),
        (polygon([[-87.6300, 41.8800], [-87.6290, 41.8800], [-87.6290, 41.8805]]), "outside"),
        (json.dumps({"type": "Point", "coordinates": [-87.63, 41.88]}), "Polygon"),
        (polygon([[-87.63, 41.88], [-87.63, 95.0], [-87.62, 41.88]]), "out of range"),
        ("[[1, 2]", "not valid JSON"),
    ],
)
def test_bad_area_outlines_are_refused_with_the_reason(outline, words):
    site = parse_boundary(polygon(LOT))[0]
    with pytest.raises(EvidenceError) as caught:
        parse_area(outline, site)
    assert caught.value.code == "invalid_geometry"
    assert words in caught.value.message


def test_a_point_falls_into_the_area_covering_it():
    find = area_finder(
        [("south", parse_area(polygon(SOUTH))[0]), ("north", parse_area(polygon(NORTH))[0])]
    )
    assert find(41.8802, -87.6297) == "south"
    assert find(41.8807, -87.6297) == "north"
    assert find(41.88045, -87.6297) == "south"  # on the shared edge: the first one
    assert find(41.8830, -87.6297) is None


def test_site_plan_draws_each_area_with_its_name():
    site = parse_boundary(polygon(LOT))[0]
    areas = [
        (parse_area(polygon(SOUTH))[0], "South <bay>"),
        (parse_area(polygon(NORTH))[0], "North"),
    ]
    svg = render_svg(site, [(41.8802, -87.6297, "Pothole", "high")], areas=areas)
    assert svg.count('class="o_construction_site_plan_area"') == 2
    assert "South &lt;bay&gt;" in svg and "<bay>" not in svg
    assert "<circle" in svg
    assert 'class="o_construction_site_plan_area"' in render_svg(None, [], areas=areas[:1])
