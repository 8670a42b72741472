"""Images built with Pillow (and pillow-heif for HEIC / HEIF) for the
tests: no binary fixture in the repository."""

import io
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

pillow_heif.register_heif_opener()


def degrees_to_dms(value):
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 10000))


def make_exif(
    orientation=None,
    taken=None,
    offset=None,
    latitude=None,
    longitude=None,
    accuracy=None,
    description=None,
    gps_time=None,
):
    """EXIF as a camera writes it; ``gps_time`` (a naive UTC datetime) is
    the GPS receiver's clock (GPSDateStamp and GPSTimeStamp)."""
    exif = Image.Exif()
    if description:
        exif[0x010E] = description  # ImageDescription
    if orientation:
        exif[0x0112] = orientation
    if taken:
        details = {0x9003: taken}
        if offset:
            details[0x9011] = offset
        exif[ExifTags.IFD.Exif] = details
    if latitude is not None:
        gps = {
            1: "N" if latitude >= 0 else "S",
            2: degrees_to_dms(latitude),
            3: "E" if longitude >= 0 else "W",
            4: degrees_to_dms(longitude),
        }
        if accuracy is not None:
            gps[31] = IFDRational(round(accuracy * 100), 100)
        if gps_time is not None:
            gps[29] = gps_time.strftime("%Y:%m:%d")
            gps[7] = tuple(
                IFDRational(part, 1) for part in (gps_time.hour, gps_time.minute, gps_time.second)
            )
        exif[ExifTags.IFD.GPSInfo] = gps
    return exif


def make_image(size=(64, 48), colour=(200, 120, 40), image_format="JPEG", exif=None, quadrant=None):
    """Bytes of an image; ``quadrant`` paints its top-left quarter that colour."""
    image = Image.new("RGB", size, colour)
    if quadrant:
        image.paste(quadrant, (0, 0, size[0] // 2, size[1] // 2))
    output = io.BytesIO()
    options = {"quality": 95} if image_format in ("JPEG", "HEIF") else {}
    if exif is not None:
        options["exif"] = exif.tobytes()
    image.save(output, image_format, **options)
    return output.getvalue()


def huge_png_header(width, height):
    """A PNG whose header announces ``width`` x ``height`` pixels while its
    data holds one tiny image: decoding it would fail, reading the header not."""
    data = bytearray(make_image((4, 4), image_format="PNG"))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def png_chunk(kind, payload):
    """One PNG chunk: length, type, payload and its CRC."""
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def corrupt_png():
    """A PNG whole in structure (every chunk, every CRC right, IEND last)
    whose compressed pixels are noise."""
    good = make_image((64, 48), image_format="PNG")
    pixels_at = good.index(b"IDAT") - 4
    noise = bytes((index * 73 + 11) % 256 for index in range(400))
    return good[:pixels_at] + png_chunk(b"IDAT", noise) + png_chunk(b"IEND", b"")
