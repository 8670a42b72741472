"""EXIF metadata of field photos: orientation, capture time, GPS."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import ExifTags, Image

from .errors import EvidenceError

TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF = 1
GPS_LATITUDE = 2
GPS_LONGITUDE_REF = 3
GPS_LONGITUDE = 4
GPS_ALTITUDE_REF = 5
GPS_ALTITUDE = 6
GPS_TIME_STAMP = 7
GPS_DATE_STAMP = 29
GPS_HORIZONTAL_ERROR = 31

# Orientation tag -> the transposition that shows the image upright.
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class ExifData:
    orientation: int = 1
    captured_local: datetime | None = None  # naive, as the camera wrote it
    utc_offset: str | None = None  # "+02:00" from OffsetTimeOriginal
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    gps_accuracy: float | None = None  # metres, from GPSHPositioningError
    gps_utc: datetime | None = None  # naive UTC, from GPSDateStamp and GPSTimeStamp

    @property
    def captured_utc(self):
        """Naive UTC capture time, when the offset is known."""
        if self.captured_local is None or self.utc_offset is None:
            return None
        return to_utc(self.captured_local, self.utc_offset)


def rational(value):
    """A float from an EXIF rational (IFDRational or (numerator, denominator)),
    or NaN for anything else a camera may have written there (a zero
    denominator, text, a list)."""
    try:
        if isinstance(value, tuple):
            numerator, denominator = value
            return numerator / denominator
        if isinstance(value, str | bytes):
            return math.nan
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def text(value):
    """An EXIF text value as ``str`` without padding; "" when it is not text."""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def dms_to_degrees(dms, ref):
    """Degrees from (degrees, minutes, seconds) rationals; S and W are negative.
    None unless the value is three finite numbers."""
    if not isinstance(dms, tuple | list) or len(dms) != 3:
        return None
    degrees, minutes, seconds = (rational(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    return -value if text(ref).upper() in ("S", "W") else value


def parse_exif_datetime(value):
    """``2026:05:04 13:45:10`` as a naive datetime; None when blank or invalid."""
    value = text(value)
    try:
        return datetime.strptime(value, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def parse_offset(value):
    """``+02:00`` / ``-0530`` / ``Z`` as a timedelta; None when invalid."""
    value = text(value)
    if value.upper() == "Z":
        return timedelta(0)
    if len(value) not in (5, 6) or value[0] not in "+-":
        return None
    digits = value[1:].replace(":", "")
    if len(digits) != 4 or not digits.isdigit():
        return None
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if value[0] == "-" else delta


def parse_gps_time(date_stamp, time_stamp):
    """Naive UTC from GPSDateStamp (``2026:05:04``) and GPSTimeStamp (three
    rationals: hours, minutes, seconds); None unless both are whole."""
    try:
        day = datetime.strptime(text(date_stamp), "%Y:%m:%d")
    except ValueError:
        return None
    if not isinstance(time_stamp, tuple | list) or len(time_stamp) != 3:
        return None
    hours, minutes, seconds = (rational(part) for part in time_stamp)
    if not all(math.isfinite(part) and part >= 0 for part in (hours, minutes, seconds)):
        return None
    if hours >= 24 or minutes >= 60 or seconds >= 61:
        return None
    return day + timedelta(hours=int(hours), minutes=int(minutes), seconds=round(seconds))


def format_offset(delta):
    total = int(delta.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def to_utc(local, zone):
    """Naive UTC from a naive local time and an offset (``+02:00``) or an
    IANA zone name (``America/Chicago``)."""
    offset = parse_offset(zone)
    if offset is not None:
        aware = local.replace(tzinfo=timezone(offset))
    else:
        try:
            aware = local.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {zone!r}") from error
    return aware.astimezone(UTC).replace(tzinfo=None)


def read_exif(image):
    """:class:`ExifData` of an opened PIL image. JPEG and WebP keep EXIF in
    their header; Pillow reads a PNG's whole file to find its eXIf chunk."""
    exif = image.getexif()
    orientation = exif.get(TAG_ORIENTATION, 1)
    if orientation not in range(1, 9):
        orientation = 1
    details = exif.get_ifd(ExifTags.IFD.Exif)
    captured = parse_exif_datetime(details.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME))
    offset = parse_offset(details.get(TAG_OFFSET_TIME_ORIGINAL))
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    latitude = dms_to_degrees(gps.get(GPS_LATITUDE), gps.get(GPS_LATITUDE_REF))
    longitude = dms_to_degrees(gps.get(GPS_LONGITUDE), gps.get(GPS_LONGITUDE_REF))
    if latitude is None or longitude is None:
        latitude = longitude = None
    elif not coordinates_valid(latitude, longitude):
        raise EvidenceError(
            "gps_out_of_range",
            f"The photo's EXIF GPS position ({latitude:.6f}, {longitude:.6f}) is "
            "outside the range of latitudes (-90..90) and longitudes (-180..180).",
        )
    altitude = None
    if GPS_ALTITUDE in gps:
        altitude = rational(gps[GPS_ALTITUDE])
        reference = gps.get(GPS_ALTITUDE_REF)
        if reference in (1, b"\x01"):
            altitude = -altitude
        altitude = altitude if math.isfinite(altitude) else None
    accuracy = rational(gps[GPS_HORIZONTAL_ERROR]) if GPS_HORIZONTAL_ERROR in gps else None
    return ExifData(
        gps_utc=parse_gps_time(gps.get(GPS_DATE_STAMP), gps.get(GPS_TIME_STAMP)),
        orientation=orientation,
        captured_local=captured,
        utc_offset=format_offset(offset) if offset is not None else None,
        latitude=latitude,
        longitude=longitude,
        altitude=altitude,
        gps_accuracy=accuracy if accuracy is not None and math.isfinite(accuracy) else None,
    )


def coordinates_valid(latitude, longitude):
    return (
        isinstance(latitude, int | float)
        and isinstance(longitude, int | float)
        and math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def check_coordinates(latitude, longitude):
    """Raise ``gps_out_of_range`` unless both values are real coordinates."""
    if not coordinates_valid(latitude, longitude):
        raise EvidenceError(
            "gps_out_of_range",
            f"GPS position ({latitude}, {longitude}) is not a position on Earth: "
            "latitude must be within -90..90 and longitude within -180..180.",
        )


@dataclass(frozen=True)
class CaptureTime:
    utc: datetime  # naive UTC
    source: str  # exif, exif_local, gps, site_zone, company_zone, exif_unzoned
    zone: str | None  # the offset or zone name the camera's local time was read in
    clock_drift: timedelta | None = None  # camera clock minus GPS clock, when both are known
    clock_mismatch: bool = False  # drift beyond the tolerance: the GPS time was kept


def resolve_capture_time(exif, device_zone=None, site_zone=None, company_zone=None, tolerance=None):
    """The capture time of a photo whose EXIF carries a camera time, or
    None when it carries none.

    The camera writes its local time; its zone is, in this order: the EXIF
    offset (OffsetTimeOriginal), the device's zone as the uploader sent it,
    else the GPS clock (UTC, from the satellites) is taken as the time
    itself, else the site's zone, else the company's. With none of them the
    local time is read as UTC (``exif_unzoned``). When the camera time, in
    the best zone known, and the GPS time are further apart than
    ``tolerance`` (a timedelta), the camera clock is wrong: the GPS time is
    kept and the mismatch flagged."""
    local = exif.captured_local
    if local is None:
        return None
    zones = [
        (source, zone)
        for source, zone in (
            ("exif", exif.utc_offset),
            ("exif_local", device_zone),
            ("site_zone", site_zone),
            ("company_zone", company_zone),
        )
        if zone
    ]
    source, zone = zones[0] if zones else ("exif_unzoned", None)
    camera_utc = to_utc(local, zone) if zone else local
    if not exif.gps_utc:
        return CaptureTime(camera_utc, source, zone)
    drift = camera_utc - exif.gps_utc if zone else None
    mismatch = drift is not None and tolerance is not None and abs(drift) > tolerance
    if source in ("exif", "exif_local") and not mismatch:
        return CaptureTime(camera_utc, source, zone, drift)
    return CaptureTime(exif.gps_utc, "gps", zone, drift, mismatch)
