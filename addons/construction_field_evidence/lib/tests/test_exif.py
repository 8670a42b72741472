import io
import math
from datetime import datetime, timedelta

import pytest
from PIL import ExifTags, Image, ImageOps
from PIL.TiffImagePlugin import IFDRational

from ..errors import EvidenceError
from ..exif import (
    check_coordinates,
    dms_to_degrees,
    parse_exif_datetime,
    parse_gps_time,
    parse_offset,
    rational,
    read_exif,
    resolve_capture_time,
    to_utc,
)
from ..image import make_derivatives
from .images import make_exif, make_image


def exif_of(data):
    return read_exif(Image.open(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(41.881832, -87.623177), (-33.856784, 151.215297), (51.5007, -0.1246), (-22.95, -43.21)],
)
def test_gps_rationals_with_hemisphere_references(latitude, longitude):
    exif = exif_of(make_image(exif=make_exif(latitude=latitude, longitude=longitude, accuracy=4.5)))
    assert exif.latitude == pytest.approx(latitude, abs=1e-6)
    assert exif.longitude == pytest.approx(longitude, abs=1e-6)
    assert exif.gps_accuracy == pytest.approx(4.5)


def test_dms_accepts_tuple_rationals_and_byte_references():
    assert dms_to_degrees(((41, 1), (30, 1), (0, 1)), b"S\x00") == pytest.approx(-41.5)
    assert dms_to_degrees(((41, 1), (30, 0), (0, 1)), "N") is None
    assert dms_to_degrees((), "N") is None


def test_datetime_original_with_offset_is_converted_to_utc():
    exif = exif_of(make_image(exif=make_exif(taken="2026:05:04 13:45:10", offset="-05:00")))
    assert exif.captured_local == datetime(2026, 5, 4, 13, 45, 10)
    assert exif.utc_offset == "-05:00"
    assert exif.captured_utc == datetime(2026, 5, 4, 18, 45, 10)


def test_datetime_original_without_offset_has_no_utc_time():
    exif = exif_of(make_image(exif=make_exif(taken="2026:05:04 13:45:10")))
    assert exif.captured_local == datetime(2026, 5, 4, 13, 45, 10)
    assert exif.utc_offset is None
    assert exif.captured_utc is None
    assert to_utc(exif.captured_local, "America/Chicago") == datetime(2026, 5, 4, 18, 45, 10)


def test_blank_or_broken_datetime_is_ignored():
    exif = exif_of(make_image(exif=make_exif(taken="0000:00:00 00:00:00")))
    assert exif.captured_local is None


@pytest.mark.parametrize(
    ("text", "minutes"), [("+02:00", 120), ("-0530", -330), ("Z", 0), ("+15:00", None), ("x", None)]
)
def test_offsets(text, minutes):
    offset = parse_offset(text)
    assert (None if offset is None else offset.total_seconds() / 60) == minutes


def test_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        to_utc(datetime(2026, 1, 1), "Mars/Olympus")


def test_photo_without_exif():
    exif = exif_of(make_image())
    assert (exif.orientation, exif.latitude, exif.captured_local) == (1, None, None)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_orientations_are_read_and_applied(orientation):
    data = make_image(
        size=(80, 40),
        colour=(0, 0, 255),
        quadrant=(255, 0, 0),
        exif=make_exif(orientation=orientation),
    )
    assert exif_of(data).orientation == orientation
    preview, _thumbnail = make_derivatives(data, orientation, sizes=(80, 20))
    ours = Image.open(io.BytesIO(preview)).convert("RGB")
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    assert ours.size == expected.size
    assert ours.size == ((40, 80) if orientation >= 5 else (80, 40))
    for corner in [
        (2, 2),
        (ours.width - 3, 2),
        (2, ours.height - 3),
        (ours.width - 3, ours.height - 3),
    ]:
        red_ours = ours.getpixel(corner)[0] > 128
        red_expected = expected.getpixel(corner)[0] > 128
        assert red_ours == red_expected, corner


def test_gps_out_of_range_in_exif_is_refused():
    data = make_image(exif=make_exif(latitude=95.0, longitude=10.0))
    with pytest.raises(EvidenceError) as caught:
        exif_of(data)
    assert caught.value.code == "gps_out_of_range"


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(91, 0), (0, 181), (-90.5, 0), (float("nan"), 0), (None, 1)]
)
def test_check_coordinates(latitude, longitude):
    with pytest.raises(EvidenceError) as caught:
        check_coordinates(latitude, longitude)
    assert caught.value.code == "gps_out_of_range"


def test_exif_values_of_the_wrong_type_are_ignored():
    # Cameras and tools write numbers where text belongs and rationals over
    # zero: such values are unreadable, never a crash.
    exif = make_exif(orientation=6)
    exif[ExifTags.IFD.Exif] = {0x9003: 20261120, 0x9011: 5}
    zero = (IFDRational(1, 0),) * 3
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: zero, 3: "E", 4: zero, 6: IFDRational(1, 0)}
    found = exif_of(make_image(exif=exif))
    assert found.orientation == 6
    assert (found.captured_local, found.utc_offset) == (None, None)
    assert (found.latitude, found.longitude, found.altitude) == (None, None, None)


@pytest.mark.parametrize("value", ["abc", b"1/2", None, [1], (1, 0), (1, 2, 3)])
def test_unreadable_rationals_are_nan(value):
    assert math.isnan(rational(value))


def test_gps_and_times_as_text_or_numbers_are_unreadable():
    assert dms_to_degrees("abc", "N") is None
    assert dms_to_degrees(("4", "5", "6"), "N") is None
    assert dms_to_degrees((41, 52, 0), 7) == pytest.approx(41.8667, abs=1e-4)
    assert parse_exif_datetime(20261120) is None
    assert parse_offset(5) is None


GPS_UTC = datetime(2026, 11, 20, 15, 15, 0)
FIVE_MINUTES = timedelta(minutes=5)


def camera(offset=None, gps_time=None, taken="2026:11:20 09:15:00"):
    """EXIF of a Chicago phone (UTC-6 in November) at 09:15 local."""
    data = make_image(
        exif=make_exif(
            taken=taken, offset=offset, latitude=41.88, longitude=-87.63, gps_time=gps_time
        )
    )
    return exif_of(data)


def test_gps_clock_is_read_from_its_date_and_time_stamps():
    assert camera(gps_time=GPS_UTC).gps_utc == GPS_UTC
    assert camera().gps_utc is None
    assert parse_gps_time("2026:11:20", (IFDRational(15, 1), IFDRational(15, 1), 0)) == GPS_UTC
    assert parse_gps_time("2026:11:20", (25, 0, 0)) is None
    assert parse_gps_time("", (15, 15, 0)) is None
    assert parse_gps_time("2026:11:20", "15:15:00") is None


@pytest.mark.parametrize(
    ("exif", "device", "site", "company", "expected"),
    [
        # the offset the camera wrote beats every other zone
        (camera("-06:00", GPS_UTC), "Asia/Tokyo", "Europe/Paris", "UTC", ("exif", GPS_UTC)),
        # no offset: the device's zone, then the GPS clock, then the site's, then the company's
        (camera(), "America/Chicago", "Europe/Paris", None, ("exif_local", GPS_UTC)),
        (camera(gps_time=GPS_UTC), None, "Europe/Paris", "UTC", ("gps", GPS_UTC)),
        (camera(), None, "America/Chicago", "UTC", ("site_zone", GPS_UTC)),
        (camera(), None, None, "America/Chicago", ("company_zone", GPS_UTC)),
        (camera(), None, None, None, ("exif_unzoned", datetime(2026, 11, 20, 9, 15))),
    ],
)
def test_camera_time_zone_is_resolved_in_order(exif, device, site, company, expected):
    capture = resolve_capture_time(exif, device, site, company, FIVE_MINUTES)
    assert (capture.source, capture.utc) == expected


def test_camera_clock_off_the_gps_clock_keeps_gps_and_is_flagged():
    slow = camera("-06:00", GPS_UTC + timedelta(minutes=20), taken="2026:11:20 09:15:00")
    capture = resolve_capture_time(slow, tolerance=FIVE_MINUTES)
    assert (capture.source, capture.utc, capture.clock_mismatch) == (
        "gps",
        GPS_UTC + timedelta(minutes=20),
        True,
    )
    assert capture.clock_drift == timedelta(minutes=-20)
    # a GPS fix a few minutes old is no disagreement
    close = camera("-06:00", GPS_UTC - timedelta(minutes=4))
    capture = resolve_capture_time(close, tolerance=FIVE_MINUTES)
    assert (capture.source, capture.utc, capture.clock_mismatch) == ("exif", GPS_UTC, False)


def test_no_camera_time_resolves_to_nothing():
    assert resolve_capture_time(camera(taken=None), "UTC") is None
