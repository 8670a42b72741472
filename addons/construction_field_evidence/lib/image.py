"""Inspection of uploaded images and generation of previews and thumbnails.

The pixel count is read from the image header and checked before any pixel
is decoded, so a "decompression bomb" costs nothing. JPEG previews decode
at a reduced scale (``Image.draft``) instead of decoding full size first.
"""

import hashlib
import io
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError, WebPImagePlugin

from .errors import EvidenceError
from .exif import ORIENTATION_TRANSPOSE, ExifData, read_exif

MAX_PIXELS = 50_000_000
# A 1000 px box: the 4000 x 3000 frame of a 12-megapixel camera decodes
# straight to it at a quarter of its scale (JPEG draft), with no resampling.
PREVIEW_SIZE = 1000
THUMBNAIL_SIZE = 256
INFLATE_SLICE = 1024 * 1024  # bytes of PNG pixels inflated at a time while checking

# Odoo stops Pillow from loading every plugin; these are the ones we read.
PLUGINS = (JpegImagePlugin, PngImagePlugin, WebPImagePlugin)
MIMETYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # jpeg, png, webp
    mimetype: str
    width: int  # as stored, before orientation
    height: int
    exif: ExifData
    checksum: str  # SHA-256 of the bytes, hex

    @property
    def pixels(self):
        return self.width * self.height


def sniff_format(data):
    """The format the bytes really hold (jpeg, png, webp), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def normalize_mimetype(mimetype):
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    return ALIASES.get(mimetype, mimetype)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _open(data):
    with warnings.catch_warnings():
        # Pillow's own, much higher bomb limit; ours is checked right after.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def _jpeg_complete(data):
    """True when an end-of-image marker follows the first scan. Segments
    before the scan are skipped by their length, so an EXIF thumbnail's own
    marker does not count; inside scans 0xFF is always escaped."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: searched from the end, where it is
            return data.rfind(b"\xff\xd9", position) != -1
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
    return False


def _png_complete(data):
    """True when the chunks, read by their lengths, reach IEND."""
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if position > len(data):
            return False
        if kind == b"IEND":
            return True
    return False


def _png_pixels_intact(data):
    """True when the PNG's compressed pixels (its IDAT chunks) inflate
    without error to their end. Odoo lets Pillow decode a corrupt stream
    into a garbled picture without a word, so it is checked here, in
    slices: the inflated bytes are dropped as they come."""
    stream, position = zlib.decompressobj(), 8
    try:
        while position + 8 <= len(data):
            length = int.from_bytes(data[position : position + 4], "big")
            kind = data[position + 4 : position + 8]
            if kind == b"IDAT":
                pending = data[position + 8 : position + 8 + length]
                while pending and not stream.eof:
                    stream.decompress(pending, INFLATE_SLICE)
                    pending = stream.unconsumed_tail
            position += 12 + length
    except zlib.error:
        return False
    return stream.eof


def is_complete(data, image_format):
    """Whether the bytes hold the whole image, judged from its structure
    (not from decoding: Odoo lets Pillow decode truncated images silently)."""
    if image_format == "jpeg":
        return _jpeg_complete(data)
    if image_format == "png":
        return _png_complete(data)
    return int.from_bytes(data[4:8], "little") + 8 <= len(data)  # RIFF size


def truncated(error):
    return EvidenceError(
        "truncated_image",
        f"The image is truncated or corrupt ({error}); upload the complete file again.",
    )


def inspect(data, declared_mimetype=None, max_pixels=MAX_PIXELS):
    """Check an upload without decoding its pixels and describe it.

    Raises :class:`EvidenceError` ``not_an_image``, ``type_mismatch`` or
    ``too_many_pixels``; EXIF errors (``gps_out_of_range``) pass through.
    """
    if not data:
        raise EvidenceError("not_an_image", "The upload is empty; a JPEG, PNG or WebP is expected.")
    image_format = sniff_format(data)
    if image_format is None:
        raise EvidenceError(
            "not_an_image",
            "The upload is not a JPEG, PNG or WebP image (its first bytes match none of them).",
        )
    declared = normalize_mimetype(declared_mimetype)
    if declared not in GENERIC_TYPES and declared != MIMETYPES[image_format]:
        raise EvidenceError(
            "type_mismatch",
            f"The upload was declared as {declared} but its bytes are a "
            f"{image_format.upper()} image ({MIMETYPES[image_format]}).",
        )
    if not is_complete(data, image_format):
        raise truncated("the file ends before the image does")
    try:
        image = _open(data)
    except Image.DecompressionBombError as error:
        raise EvidenceError(
            "too_many_pixels",
            f"The image has more than {max_pixels / 1e6:g} megapixels; resize it before upload.",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise EvidenceError(
            "not_an_image", f"The {image_format.upper()} image cannot be read: {error}"
        ) from error
    width, height = image.size
    if width * height > max_pixels:
        raise EvidenceError(
            "too_many_pixels",
            f"The image is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
            f"the limit is {max_pixels / 1e6:g} megapixels.",
        )
    if image_format == "png" and not _png_pixels_intact(data):
        raise truncated("its compressed pixel data is corrupt")
    try:
        exif = read_exif(image)  # PNG keeps EXIF after the pixels: Pillow reads them
    except OSError as error:
        raise truncated(error) from error
    return ImageInfo(
        format=image_format,
        mimetype=MIMETYPES[image_format],
        width=width,
        height=height,
        exif=exif,
        checksum=sha256(data),
    )


def _fit(size, box):
    width, height = size
    scale = min(box / width, box / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image):
    # Huffman optimisation would cost twice the encoding for 3 % of size.
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def _shrink(image, size):
    """Less than a halving (what draft decoding leaves): bicubic, as sharp
    as Lanczos there for a third less time; more: halved by box averaging
    first (reducing_gap), then Lanczos."""
    if size[0] * 2 > image.size[0]:
        return image.resize(size, Image.Resampling.BICUBIC)
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def make_derivatives(data, orientation=1, sizes=(PREVIEW_SIZE, THUMBNAIL_SIZE)):
    """Upright JPEG renditions fitting in each square box of ``sizes``.

    Decodes the image once, JPEGs at the smallest scale still larger than
    the biggest rendition. Raises ``truncated_image`` when the bytes stop
    before the image ends.
    """
    if not is_complete(data, sniff_format(data)):
        raise truncated("the file ends before the image does")
    image = _open(data)
    largest = _fit(image.size, max(sizes))
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        image.draft("RGB", largest)
    try:
        image.load()
    except OSError as error:
        raise truncated(error) from error
    if image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    if orientation in ORIENTATION_TRANSPOSE:
        image = image.transpose(ORIENTATION_TRANSPOSE[orientation])
    renditions = {}
    # Largest first, each one resized from the previous: less work per step.
    for box in sorted(set(sizes), reverse=True):
        size = _fit(image.size, box)
        if size != image.size:
            image = _shrink(image, size)
        renditions[box] = _encode(image)
    return [renditions[box] for box in sizes]


def upright_size(width, height, orientation):
    """Displayed size: orientations 5 to 8 swap width and height."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
