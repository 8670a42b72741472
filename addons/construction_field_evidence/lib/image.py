"""Inspection of uploaded images and generation of previews and thumbnails.

The pixel count is read from the image header and checked before any pixel
is decoded, so a "decompression bomb" costs nothing; :func:`inspect` decodes
no pixel at all. :func:`make_derivatives` decodes the image once: a PNG's
compressed pixels are first inflated (and dropped) only as far as its header
says they reach, so a stream that inflates to more, or a corrupt one, is
refused before Pillow decodes it. JPEG previews decode at a reduced scale
(``Image.draft``) instead of decoding full size first. PNG text chunks,
which Pillow inflates while opening the file, are capped in number and
size before it does. HEIC / HEIF (what phones write by default) are read
by ``pillow-heif``: libheif turns the picture upright while decoding and
resets its EXIF orientation, so it is never turned twice.
"""

import hashlib
import io
import warnings
import zlib
from dataclasses import dataclass

import pillow_heif
from PIL import Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError, WebPImagePlugin

from .errors import EvidenceError
from .exif import ORIENTATION_TRANSPOSE, ExifData, read_exif

MAX_PIXELS = 50_000_000
# A 1000 px box: the 4000 x 3000 frame of a 12-megapixel camera decodes
# straight to it at a quarter of its scale (JPEG draft), with no resampling.
PREVIEW_SIZE = 1000
THUMBNAIL_SIZE = 256
INFLATE_SLICE = 1024 * 1024  # bytes of PNG pixels inflated at a time while checking
# Text chunks (tEXt, zTXt, iTXt) a PNG may carry: a camera or an app writes a
# few short ones; Pillow would inflate up to 64 MB of them on opening.
MAX_PNG_TEXT_CHUNKS = 64
MAX_PNG_TEXT_BYTES = 256 * 1024
PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}
# Samples per pixel of each PNG colour type (PNG spec, 11.2.2 IHDR).
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 passes: (x start, y start, x step, y step).
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)

# Odoo stops Pillow from loading every plugin; these are the ones we read.
PLUGINS = (JpegImagePlugin, PngImagePlugin, WebPImagePlugin)
pillow_heif.register_heif_opener()
MIMETYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
}
ACCEPTED_TYPES = ", ".join(MIMETYPES.values())
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    # a HEIC is a HEIF whose pictures are HEVC: phones and browsers name it either way
    "image/heif": "image/heic",
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
# Brands of an ISO base media file (its ftyp box, ISO/IEC 23008-12 annex B):
# HEVC pictures (HEIC), any HEIF, and AV1 ones (AVIF, not accepted).
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
AVIF_BRANDS = {b"avif", b"avis"}
# Images of kinds the suite does not take, by their first bytes: refused as
# unsupported rather than as "not an image".
OTHER_IMAGE_SIGNATURES = {
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"BM": "BMP",
    b"\x00\x00\x01\x00": "ICO",
}


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


def _ftyp_brands(data):
    """The major and compatible brands of an ISO base media file, or an
    empty set when the bytes do not start with a file type box."""
    if data[4:8] != b"ftyp":
        return set()
    size = min(int.from_bytes(data[:4], "big"), len(data))
    return {data[8:12]} | {data[at : at + 4] for at in range(16, size - 3, 4)}


def sniff_format(data):
    """The format the bytes really hold (jpeg, png, webp, heic, heif), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    brands = _ftyp_brands(data)
    if brands & HEIC_BRANDS:
        return "heic"
    if brands & HEIF_BRANDS and not brands & AVIF_BRANDS:
        return "heif"
    return None


def other_image_kind(data):
    """The name of an image format the suite does not accept (GIF, AVIF,
    ...), or None when the bytes are no image known here."""
    if _ftyp_brands(data) & AVIF_BRANDS:
        return "AVIF"
    return next(
        (kind for magic, kind in OTHER_IMAGE_SIGNATURES.items() if data.startswith(magic)), None
    )


def normalize_mimetype(mimetype):
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    return ALIASES.get(mimetype, mimetype)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


READ_CHUNK = 1024 * 1024


def read_hashed(stream):
    """All the bytes of ``stream`` and their SHA-256 (hex), hashed chunk by
    chunk as they are read: the upload is not read a second time to hash it."""
    digest, chunks = hashlib.sha256(), []
    while chunk := stream.read(READ_CHUNK):
        digest.update(chunk)
        chunks.append(chunk)
    return b"".join(chunks), digest.hexdigest()


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


def _png_chunks(data):
    """``(kind, start, length)`` of each chunk, read by their lengths; the
    last may run past the end of a truncated file."""
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        yield data[position + 4 : position + 8], position + 8, length
        position += 12 + length


def _png_complete(data):
    """True when the chunks, read by their lengths, reach IEND."""
    for kind, start, length in _png_chunks(data):
        if start + length + 4 > len(data):
            return False
        if kind == b"IEND":
            return True
    return False


def _png_check_text(data):
    """Refuse more text chunks than a photo carries, before Pillow inflates them."""
    texts = [length for kind, _start, length in _png_chunks(data) if kind in PNG_TEXT_CHUNKS]
    if len(texts) > MAX_PNG_TEXT_CHUNKS or sum(texts) > MAX_PNG_TEXT_BYTES:
        raise EvidenceError(
            "not_an_image",
            f"The PNG carries {len(texts)} text chunks of {sum(texts)} bytes; a photo may "
            f"carry {MAX_PNG_TEXT_CHUNKS} of {MAX_PNG_TEXT_BYTES} bytes at most.",
        )


def _png_exif(data):
    """The PNG's EXIF as Pillow keeps it in ``info["exif"]`` (empty if none)."""
    for kind, start, length in _png_chunks(data):
        if kind == b"eXIf":
            return b"Exif\x00\x00" + data[start : start + length]
    return b""


def _png_raw_size(data):
    """Bytes the PNG's pixels inflate to, from its header: each row of each
    (Adam7) pass is a filter byte and its packed samples."""
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    depth, colour, interlaced = data[24], data[25], data[28]
    bits = depth * PNG_CHANNELS.get(colour, 4)
    passes = ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + -(-(columns * bits) // 8))
    return total


def _png_pixels_intact(data):
    """True when the PNG's compressed pixels (its IDAT chunks) inflate
    without error to exactly the size its header announces. Odoo lets
    Pillow decode a corrupt stream into a garbled picture without a word,
    so it is checked here, in slices: the inflated bytes are dropped as
    they come, and inflating stops as soon as it passes that size (a
    stream that inflates to gigabytes costs no more than the image)."""
    expected, inflated = _png_raw_size(data), 0
    stream = zlib.decompressobj()
    try:
        for kind, start, length in _png_chunks(data):
            if kind != b"IDAT":
                continue
            pending = data[start : start + length]
            while pending and not stream.eof:
                inflated += len(stream.decompress(pending, INFLATE_SLICE))
                if inflated > expected:
                    return False
                pending = stream.unconsumed_tail
    except zlib.error:
        return False
    return stream.eof and inflated == expected


def _boxes_complete(data):
    """True when the top-level boxes of an ISO base media file (HEIF), read
    by their sizes, end exactly where the bytes do."""
    position = 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        if size == 1:  # 64-bit size after the type
            size = int.from_bytes(data[position + 8 : position + 16], "big")
        elif size == 0:  # the last box runs to the end of the file
            return True
        if size < 8:
            return False
        position += size
    return position == len(data)


def is_complete(data, image_format):
    """Whether the bytes hold the whole image, judged from its structure
    (not from decoding: Odoo lets Pillow decode truncated images silently)."""
    if image_format == "jpeg":
        return _jpeg_complete(data)
    if image_format == "png":
        return _png_complete(data)
    if image_format in ("heic", "heif"):
        return _boxes_complete(data)
    return int.from_bytes(data[4:8], "little") + 8 <= len(data)  # RIFF size


def truncated(error):
    return EvidenceError(
        "truncated_image",
        f"The image is truncated or corrupt ({error}); upload the complete file again.",
    )


def inspect(data, declared_mimetype=None, max_pixels=MAX_PIXELS, checksum=None):
    """Check an upload without decoding its pixels and describe it;
    ``checksum``, the SHA-256 of ``data`` when it was hashed as it was read.

    Raises :class:`EvidenceError` ``not_an_image``, ``unsupported_image_type``,
    ``type_mismatch`` or ``too_many_pixels``; EXIF errors
    (``gps_out_of_range``) pass through.
    """
    if not data:
        raise EvidenceError(
            "not_an_image", f"The upload is empty; an image is expected ({ACCEPTED_TYPES})."
        )
    image_format = sniff_format(data)
    if image_format is None:
        kind = other_image_kind(data)
        if kind:
            raise EvidenceError(
                "unsupported_image_type",
                f"The upload is a {kind} image; the accepted types are {ACCEPTED_TYPES}.",
            )
        raise EvidenceError(
            "not_an_image",
            f"The upload is not an image of an accepted type ({ACCEPTED_TYPES}): its "
            "first bytes match none of them.",
        )
    declared = normalize_mimetype(declared_mimetype)
    if declared not in GENERIC_TYPES and declared != normalize_mimetype(MIMETYPES[image_format]):
        raise EvidenceError(
            "type_mismatch",
            f"The upload was declared as {declared} but its bytes are a "
            f"{image_format.upper()} image ({MIMETYPES[image_format]}).",
        )
    if not is_complete(data, image_format):
        raise truncated("the file ends before the image does")
    if image_format == "png":
        _png_check_text(data)
    try:
        image = _open(data)
    except Image.DecompressionBombError as error:
        raise EvidenceError(
            "too_many_pixels",
            f"The image has more than {max_pixels / 1e6:g} megapixels; resize it before upload.",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        # ValueError: Pillow's own caps on what it inflates while opening
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
    if image_format == "png":
        # Pillow decodes a whole PNG to look for EXIF after its pixels: hand
        # it the eXIf chunk found by walking the chunks instead.
        image.info.setdefault("exif", _png_exif(data))
    try:
        exif = read_exif(image)
    except OSError as error:
        raise truncated(error) from error
    return ImageInfo(
        format=image_format,
        mimetype=MIMETYPES[image_format],
        width=width,
        height=height,
        exif=exif,
        checksum=checksum or sha256(data),
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
    as Lanczos there for a third less time; more: reduced by box averaging
    to at most twice the size first (``reducing_gap``), then Lanczos.

    A gap of 2 would leave the 1000 px preview's reduction to its 256 px
    thumbnail (3.9 times) all to Lanczos, over 24 source pixels a side, for
    twice the time; at 1.5 the pixels differ from it by less than one level
    in 255 on average."""
    if size[0] * 2 > image.size[0]:
        return image.resize(size, Image.Resampling.BICUBIC)
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.5)


def make_derivatives(data, orientation=1, sizes=(PREVIEW_SIZE, THUMBNAIL_SIZE)):
    """Upright JPEG renditions fitting in each square box of ``sizes``.

    Decodes the image once, JPEGs at the smallest scale still larger than
    the biggest rendition. Raises ``truncated_image`` when the bytes stop
    before the image ends or a PNG's compressed pixels are corrupt (or
    inflate to more than its size).
    """
    image_format = sniff_format(data)
    if not is_complete(data, image_format):
        raise truncated("the file ends before the image does")
    if image_format == "png" and not _png_pixels_intact(data):
        raise truncated("its compressed pixel data is corrupt or larger than the image")
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
