"""A site plan as SVG: the boundary, its named areas and numbered markers,
no map tiles."""

from xml.sax.saxutils import escape, quoteattr

from shapely.geometry import Point

from .geometry import project

# Fill and outline of the areas, in turn.
AREA_COLOURS = ("#7e57c2", "#00897b", "#f4511e", "#6d4c41", "#3949ab", "#c0ca33")

SEVERITY_COLOURS = {
    "low": "#2e7d32",
    "medium": "#f9a825",
    "high": "#ef6c00",
    "critical": "#c62828",
}


def _rings(geometry):
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        yield polygon.exterior
        yield from polygon.interiors


def _path(rings, to_svg):
    return " ".join(
        "M " + " L ".join("{:.1f},{:.1f}".format(*to_svg(x, y)) for x, y in ring.coords) + " Z"
        for ring in rings
    )


def render_svg(geometry=None, markers=(), width=640, height=420, margin=24, areas=()):
    """SVG text of the site.

    ``markers``: iterable of ``(latitude, longitude, label, severity)``;
    ``areas``: iterable of ``(polygon, name)`` drawn over the boundary, each
    in its colour and named at its centre.
    Returns an empty string when there is nothing to draw.
    """
    areas = list(areas)
    markers = [marker for marker in markers if marker[0] is not None and marker[1] is not None]
    if geometry is None and not markers and not areas:
        return ""
    if geometry is None and areas:
        geometry = areas[0][0]
        for polygon, _name in areas[1:]:
            geometry = geometry.union(polygon)
        outline_only = True
    else:
        outline_only = False
    if geometry is not None:
        origin = geometry.centroid
        latitude0, longitude0 = origin.y, origin.x
    else:
        latitude0 = sum(marker[0] for marker in markers) / len(markers)
        longitude0 = sum(marker[1] for marker in markers) / len(markers)
    planar = project(geometry, latitude0, longitude0) if geometry is not None else None
    points = [
        project(Point(longitude, latitude), latitude0, longitude0)
        for latitude, longitude, _label, _severity in markers
    ]
    xs = [point.x for point in points]
    ys = [point.y for point in points]
    if planar is not None:
        min_x, min_y, max_x, max_y = planar.bounds
        xs += [min_x, max_x]
        ys += [min_y, max_y]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    span = max(max_x - min_x, max_y - min_y, 10.0)
    scale = min(
        (width - 2 * margin) / max(max_x - min_x, span / 10),
        (height - 2 * margin) / max(max_y - min_y, span / 10),
    )
    offset_x = (width - (max_x - min_x) * scale) / 2
    offset_y = (height - (max_y - min_y) * scale) / 2

    def to_svg(x, y):
        return offset_x + (x - min_x) * scale, height - (offset_y + (y - min_y) * scale)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="o_construction_site_plan" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Site plan">',
        f'<rect width="{width}" height="{height}" fill="#f8f9fa"/>',
    ]
    if planar is not None and not outline_only:
        parts.append(
            f'<path d="{_path(_rings(planar), to_svg)}" fill="#cfe3f7" fill-rule="evenodd" '
            'stroke="#1f5fa8" stroke-width="2"/>'
        )
    for index, (polygon, name) in enumerate(areas):
        colour = quoteattr(AREA_COLOURS[index % len(AREA_COLOURS)])
        planar_area = project(polygon, latitude0, longitude0)
        label_x, label_y = to_svg(
            planar_area.representative_point().x, planar_area.representative_point().y
        )
        parts.append(
            f'<g class="o_construction_site_plan_area"><title>{escape(str(name))}</title>'
            f'<path d="{_path(_rings(planar_area), to_svg)}" fill={colour} fill-opacity="0.18" '
            f'fill-rule="evenodd" stroke={colour} stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="12" font-family="sans-serif" '
            f'text-anchor="middle" fill={colour}>{escape(str(name))}</text></g>'
        )
    for number, (point, marker) in enumerate(zip(points, markers, strict=True), start=1):
        x, y = to_svg(point.x, point.y)
        colour = SEVERITY_COLOURS.get(marker[3], "#555555")
        parts.append(
            f'<g class="o_construction_site_plan_marker"><title>{escape(str(marker[2]))}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill={quoteattr(colour)} '
            'stroke="white" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-family="sans-serif" '
            f'text-anchor="middle" fill="white">{number}</text></g>'
        )
    scale_m = _nice_length(span / 4)
    bar = scale_m * scale
    parts.append(
        f'<g class="o_construction_site_plan_scale"><line x1="{margin}" y1="{height - 10}" '
        f'x2="{margin + bar:.1f}" y2="{height - 10}" stroke="#333" stroke-width="2"/>'
        f'<text x="{margin}" y="{height - 14}" font-size="10" font-family="sans-serif" '
        f'fill="#333">{scale_m:g} m</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _nice_length(length):
    """1, 2 or 5 times a power of ten, at most ``length``."""
    power = 1.0
    while power * 10 <= length:
        power *= 10
    while power > length and power > 0.01:
        power /= 10
    for factor in (5, 2, 1):
        if factor * power <= length:
            return factor * power
    return power
