"""Bounding boxes made visible: drawn onto a photo rendition, and written
out as text for the tools that cannot show markup.

One convention for a box everywhere: ``x`` and ``y`` are the left and top
edges, ``width`` and ``height`` its size, all fractions (0 to 1) of the
photo as it is displayed (EXIF orientation applied), as the detection
model stores them. Pixels are derived from them only when drawing.
"""

import hashlib
import io
import json
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

# A magenta no pavement, paint or vegetation has: the client sees the box at
# once, and a test finds its pixels.
BOX_COLOUR = (255, 0, 170)
LABEL_TEXT_COLOUR = (255, 255, 255)
# Changes when the drawing changes, so that cached renditions are redrawn.
MARKUP_VERSION = "1"
FONT_PATHS = (
    "DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    label: str = ""
    confidence: float = 0.0

    @property
    def caption(self):
        """What the box says: its category and the detector's confidence."""
        if self.confidence:
            return f"{self.label} {self.confidence:.2f}".strip()
        return self.label

    def pixels(self, size):
        """(left, top, right, bottom) in pixels of an image of ``size``,
        right and bottom included, kept inside the image."""
        width, height = size
        left = min(max(round(self.x * width), 0), width - 1)
        top = min(max(round(self.y * height), 0), height - 1)
        right = min(max(round((self.x + self.width) * width) - 1, left), width - 1)
        bottom = min(max(round((self.y + self.height) * height) - 1, top), height - 1)
        return left, top, right, bottom

    def as_text(self):
        """The box as numbers: x,y,w,h, fractions of the photo."""
        return ",".join(f"{value:.3f}" for value in (self.x, self.y, self.width, self.height))


def line_width(size):
    """Edge thickness: seen on a phone screen and on paper alike."""
    return max(2, round(min(size) / 150))


def _font(size):
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def markup_key(image_checksum, boxes):
    """What a drawn rendition depends on: the image, the boxes and the drawing."""
    data = [MARKUP_VERSION, image_checksum, sorted(map(repr, boxes))]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def draw_boxes(image_bytes, boxes, quality=90):
    """JPEG bytes of the upright image ``image_bytes`` with each box drawn as
    an outline in :data:`BOX_COLOUR` and its caption on a label of the same
    colour, above the box (inside it when the box touches the top edge)."""
    image = Image.open(io.BytesIO(image_bytes))
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    width = line_width(image.size)
    font = _font(max(11, round(min(image.size) / 40)))
    for box in boxes:
        left, top, right, bottom = box.pixels(image.size)
        draw.rectangle((left, top, right, bottom), outline=BOX_COLOUR, width=width)
        if not box.caption:
            continue
        text_left, text_top, text_right, text_bottom = draw.textbbox((0, 0), box.caption, font=font)
        label_width = text_right - text_left + 2 * width
        label_height = text_bottom - text_top + 2 * width
        label_top = top - label_height if top >= label_height else top + width
        label_left = min(left, max(image.size[0] - label_width, 0))
        draw.rectangle(
            (label_left, label_top, label_left + label_width - 1, label_top + label_height - 1),
            fill=BOX_COLOUR,
        )
        draw.text(
            (label_left + width - text_left, label_top + width - text_top),
            box.caption,
            fill=LABEL_TEXT_COLOUR,
            font=font,
        )
    output = io.BytesIO()
    # No chroma subsampling: a thin coloured line keeps its colour.
    image.save(output, "JPEG", quality=quality, subsampling=0)
    return output.getvalue()


def flatten(box, photo_id):
    """One line a tool without markup keeps: "pothole 0.91, photo #123,
    box 0.120,0.300,0.250,0.200" (x,y,w,h as fractions of the photo)."""
    parts = [box.caption] if box.caption else []
    parts += [f"photo #{photo_id}", f"box {box.as_text()}"]
    return ", ".join(parts)
