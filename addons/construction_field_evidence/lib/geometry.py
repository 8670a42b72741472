"""Site boundaries (GeoJSON polygons, WGS 84) and distances in metres.

Distances and areas use a local equirectangular projection centred on the
site, accurate to well under a percent over the few kilometres a site spans.
"""

import json
import math

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.validation import explain_validity

from .errors import EvidenceError
from .exif import check_coordinates

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi / 180 * EARTH_RADIUS_M


def invalid(message):
    return EvidenceError("invalid_geometry", message)


def _polygonal(geometry):
    """The polygons of any geometry, empty ones and slivers dropped."""
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty and geometry.area > 0 else []
    if hasattr(geometry, "geoms"):
        return [part for member in geometry.geoms for part in _polygonal(member)]
    return []


def _geometry_object(data):
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise invalid("A site boundary FeatureCollection must hold exactly one feature.")
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if data.get("type") not in ("Polygon", "MultiPolygon"):
        raise invalid(
            f"A site boundary must be a GeoJSON Polygon or MultiPolygon, not {data.get('type')!r}."
        )
    return data


def parse_boundary(text):
    """``(geometry, geojson_text, repaired)`` from GeoJSON text.

    Self-intersections and other invalid rings are repaired with shapely's
    ``make_valid``; what cannot become a polygon with an area is refused.
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise invalid(f"The site boundary is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise invalid("The site boundary must be a GeoJSON object.")
    data = _geometry_object(data)
    try:
        geometry = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise invalid(
            f"The site boundary's coordinates are malformed ({error}): each ring needs "
            "at least four [longitude, latitude] positions, the last equal to the first."
        ) from error
    if geometry.is_empty:
        raise invalid("The site boundary has no coordinates.")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise invalid(
            "The site boundary's positions must be [longitude, latitude] within "
            "-180..180 and -90..90 (GeoJSON puts longitude first)."
        )
    repaired = not geometry.is_valid
    if repaired:
        geometry = unary_union(_polygonal(shapely.make_valid(geometry)))
    parts = _polygonal(geometry)
    if not parts:
        raise invalid("The site boundary encloses no area (its points are all on one line).")
    geometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    geometry = (
        orient(geometry) if isinstance(geometry, Polygon) else MultiPolygon(map(orient, parts))
    )
    return geometry, json.dumps(mapping(geometry)), repaired


def _outline_ring(ring, number):
    """The ring's ``(longitude, latitude)`` positions; refused unless it is
    a closed ring of at least four positions within range."""
    if not isinstance(ring, list) or len(ring) < 4:
        raise invalid(
            f"Ring {number} of the area outline needs at least four [longitude, latitude] "
            "positions, the last equal to the first."
        )
    positions = []
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(
                isinstance(value, int | float) and math.isfinite(value) for value in position[:2]
            )
        ):
            raise invalid(f"Ring {number} of the area outline holds {position!r}, not a position.")
        longitude, latitude = position[:2]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise invalid(
                f"Position {list(position[:2])} of the area outline is out of range: "
                "[longitude, latitude] within -180..180 and -90..90 (longitude first)."
            )
        positions.append((float(longitude), float(latitude)))
    if positions[0] != positions[-1]:
        raise invalid(
            f"Ring {number} of the area outline is not closed: its last position "
            f"{list(positions[-1])} must repeat its first {list(positions[0])}."
        )
    return positions


def parse_area(text, site_geometry=None, tolerance_m=0.5):
    """``(polygon, geojson_text)`` of an area's outline within a site.

    The outline is a GeoJSON Polygon (or a Feature holding one): closed
    rings, no edge crossing another, enclosing an area, and inside
    ``site_geometry`` when there is one (``tolerance_m`` for rounding).
    Unlike a site boundary it is refused rather than repaired: an area is
    drawn by the office, and a guessed repair would move defects between
    areas.
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise invalid(f"The area outline is not valid JSON: {error}.") from error
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise invalid(f"An area outline must be a GeoJSON Polygon, not {kind!r}.")
    rings = data.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise invalid("The area outline has no coordinates.")
    rings = [_outline_ring(ring, number) for number, ring in enumerate(rings, start=1)]
    polygon = Polygon(rings[0], rings[1:])
    if polygon.convex_hull.area <= 0:
        raise invalid("The area outline encloses no area (its points are all on one line).")
    if not polygon.is_valid:
        raise invalid(
            f"The area outline crosses itself or its holes ({explain_validity(polygon)}): "
            "draw it as one ring whose edges do not cross."
        )
    if site_geometry is not None:
        origin = site_geometry.centroid
        planar_site = project(site_geometry, origin.y, origin.x)
        planar_area = project(polygon, origin.y, origin.x)
        if not planar_site.buffer(tolerance_m).covers(planar_area):
            outside = planar_area.difference(planar_site).area
            raise invalid(
                f"The area outline reaches {outside:.0f} m² outside the site boundary: "
                "an area lies within its site."
            )
    polygon = orient(polygon)
    return polygon, json.dumps(mapping(polygon))


def area_finder(outlines):
    """A function ``(latitude, longitude) -> key``: the key of the first of
    ``outlines`` (``(key, polygon)`` pairs, in order) covering the point,
    edges included, or None."""
    prepared = [(key, prep(polygon)) for key, polygon in outlines]

    def find(latitude, longitude):
        point = Point(longitude, latitude)
        return next((key for key, outline in prepared if outline.covers(point)), None)

    return find


def project(geometry, latitude0, longitude0):
    """The geometry in metres east/north of (latitude0, longitude0)."""
    scale = (METRES_PER_DEGREE * math.cos(math.radians(latitude0)), METRES_PER_DEGREE)
    return shapely.transform(geometry, lambda coords: (coords - (longitude0, latitude0)) * scale)


def area_m2(geometry):
    centroid = geometry.centroid
    return project(geometry, centroid.y, centroid.x).area


def locate(geometry, latitude, longitude):
    """``(inside, distance_m)``: whether the point is within the boundary
    (edges included) and its distance to the boundary line in metres."""
    check_coordinates(latitude, longitude)
    planar = project(geometry, latitude, longitude)
    point = Point(0, 0)
    return planar.covers(point), planar.boundary.distance(point)


def haversine_m(latitude1, longitude1, latitude2, longitude2):
    phi1, phi2 = math.radians(latitude1), math.radians(latitude2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(longitude2 - longitude1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degree_box(latitude, longitude, radius_m):
    """(min_lat, max_lat, min_lon, max_lon) around a point, for a coarse search."""
    d_lat = radius_m / METRES_PER_DEGREE
    d_lon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 1e-6))
    return latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon


def check_bbox(x, y, width, height):
    """Raise ``bbox_outside_image`` unless the normalized box lies in the image."""
    values = (x, y, width, height)
    tolerance = 1e-9
    if (
        not all(isinstance(value, int | float) and math.isfinite(value) for value in values)
        or x < 0
        or y < 0
        or width <= 0
        or height <= 0
        or x + width > 1 + tolerance
        or y + height > 1 + tolerance
    ):
        raise EvidenceError(
            "bbox_outside_image",
            f"Bounding box x={x}, y={y}, w={width}, h={height} is not inside the image: "
            "coordinates are fractions of the image size, x and y from 0, "
            "width and height above 0, and x + w and y + h at most 1.",
        )
