"""Generated photos of asphalt pavement with the defects drawn into it.

Plain Pillow, no Odoo: the demo story asks for a photo and gets JPEG bytes
and the bounding box of each defect drawn, as a detector would report it
(fractions of the image's width and height). The same seed gives the same
bytes."""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

# What a crack looks like per defect kind: how many strokes, how they run.
KINDS = ("alligator_cracking", "longitudinal_cracking", "transverse_cracking", "pothole")


def _noise(rng, width, height):
    """Uniform grey noise from ``rng`` (Pillow's own noise ignores seeds)."""
    return Image.frombytes("L", (width, height), rng.randbytes(width * height))


def _texture(rng, width, height):
    """Grey asphalt: aggregate speckles over a slightly uneven base."""
    base = rng.randint(70, 105)
    # Noise at a quarter of the size, scaled up, gives the coarse aggregate.
    coarse = _noise(rng, width // 4, height // 4).resize((width, height), Image.Resampling.BICUBIC)
    grey = Image.blend(coarse, _noise(rng, width, height), 0.35)
    grey = Image.blend(grey, Image.new("L", (width, height), base), 0.7)
    return Image.merge("RGB", (grey, grey, grey.point(lambda value: max(0, value - 6))))


def _crack(draw, rng, start, heading, length, width):
    """One meandering crack from ``start``; returns the points it passes."""
    x, y = start
    points = [(x, y)]
    step = 6
    for _ in range(max(2, int(length / step))):
        heading += rng.uniform(-0.45, 0.45)
        x += step * math.cos(heading)
        y += step * math.sin(heading)
        points.append((x, y))
    draw.line(points, fill=(28, 28, 30), width=width)
    return points


def _draw_defect(draw, rng, kind, width, height):
    """Draw one defect of ``kind``; its bounding box in pixels."""
    cx = rng.uniform(0.25, 0.75) * width
    cy = rng.uniform(0.25, 0.75) * height
    points = []
    if kind == "pothole":
        rx, ry = rng.uniform(0.06, 0.12) * width, rng.uniform(0.05, 0.1) * height
        outline = [
            (
                cx + rx * rng.uniform(0.8, 1.15) * math.cos(angle),
                cy + ry * rng.uniform(0.8, 1.15) * math.sin(angle),
            )
            for angle in (i * math.pi / 8 for i in range(16))
        ]
        draw.polygon(outline, fill=(38, 36, 34), outline=(20, 20, 20))
        for _ in range(12):
            px, py = cx + rng.uniform(-rx, rx) * 0.7, cy + rng.uniform(-ry, ry) * 0.7
            draw.ellipse((px - 3, py - 3, px + 3, py + 3), fill=(120, 118, 112))
        points = outline
    elif kind == "alligator_cracking":
        size = rng.uniform(0.12, 0.2) * width
        for _ in range(9):
            start = (cx + rng.uniform(-size, size) / 2, cy + rng.uniform(-size, size) / 2)
            points += _crack(draw, rng, start, rng.uniform(0, 2 * math.pi), size * 0.6, 2)
    else:
        heading = 0.0 if kind == "transverse_cracking" else math.pi / 2
        length = rng.uniform(0.35, 0.6) * (width if heading == 0.0 else height)
        start = (cx - length / 2 * math.cos(heading), cy - length / 2 * math.sin(heading))
        points = _crack(draw, rng, start, heading, length, 3)
    xs = [min(max(x, 0), width) for x, _y in points]
    ys = [min(max(y, 0), height) for _x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def pavement_photo(seed, defects=(), size=(640, 480), quality=80):
    """``(jpeg bytes, boxes)`` of a pavement photo made from ``seed`` with
    ``defects`` (kinds of :data:`KINDS`) drawn in; each box is
    ``{"label", "x", "y", "w", "h"}`` in fractions of the image, a margin
    around the drawn defect, as a detector reports it."""
    rng = random.Random(seed)
    width, height = size
    image = _texture(rng, width, height)
    draw = ImageDraw.Draw(image)
    # A painted stall line: parking lots have them, and they show scale.
    if rng.random() < 0.6:
        x = rng.uniform(0.1, 0.9) * width
        draw.line([(x, 0), (x + rng.uniform(-20, 20), height)], fill=(214, 206, 150), width=9)
    boxes = []
    for kind in defects:
        left, top, right, bottom = _draw_defect(draw, rng, kind, width, height)
        margin = 8
        left, top = max(0, left - margin), max(0, top - margin)
        right, bottom = min(width, right + margin), min(height, bottom + margin)
        boxes.append(
            {
                "label": kind,
                "x": round(left / width, 4),
                "y": round(top / height, 4),
                "w": round((right - left) / width, 4),
                "h": round((bottom - top) / height, 4),
            }
        )
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue(), boxes
