import io
import zlib
from unittest import mock

import pytest
from PIL import Image, ImageFile

from .. import image as image_lib
from ..errors import EvidenceError
from ..image import inspect, make_derivatives, sha256, sniff_format
from .images import corrupt_png, huge_png_header, make_exif, make_image, png_chunk

PNG_WITHOUT_HEADER = (
    b"\x89PNG\r\n\x1a\n" + bytes(4) + b"IEND" + zlib.crc32(b"IEND").to_bytes(4, "big")
)


def code_of(function, *args, **kwargs):
    with pytest.raises(EvidenceError) as caught:
        function(*args, **kwargs)
    return caught.value.code


@pytest.mark.parametrize(
    ("image_format", "expected"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")]
)
def test_format_is_sniffed_from_bytes(image_format, expected):
    data = make_image(image_format=image_format)
    assert sniff_format(data) == expected
    info = inspect(data, None)
    assert (info.format, info.width, info.height) == (expected, 64, 48)
    assert info.checksum == sha256(data)


def test_declared_type_must_match_bytes():
    data = make_image(image_format="PNG")
    assert code_of(inspect, data, "image/jpeg") == "type_mismatch"
    assert inspect(data, "image/png").mimetype == "image/png"
    assert inspect(make_image(), "image/jpg; charset=binary").mimetype == "image/jpeg"
    assert inspect(make_image(), "application/octet-stream").format == "jpeg"


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7 not a photo", PNG_WITHOUT_HEADER])
def test_not_an_image(data):
    assert code_of(inspect, data, None) == "not_an_image"


def test_a_phone_heic_is_read_without_decoding_and_named_by_its_brand():
    data = make_image((64, 48), image_format="HEIF", exif=make_exif(taken="2026:05:04 13:45:10"))
    assert data[4:12] == b"ftypheic"  # what an iPhone writes
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")):
        info = inspect(data, "image/heic")
    assert (info.format, info.mimetype, info.width, info.height) == ("heic", "image/heic", 64, 48)
    assert info.exif.captured_local.isoformat() == "2026-05-04T13:45:10"
    assert inspect(data, "image/heif").checksum == sha256(data), "either name of the type"
    assert code_of(inspect, data, "image/jpeg") == "type_mismatch"


def test_heic_previews_are_upright_jpegs_and_the_original_is_untouched():
    # A portrait taken with the phone held upright: the pixels lie on their
    # side and EXIF says turn them (6); libheif turns them while decoding.
    data = make_image((300, 200), exif=make_exif(orientation=6), image_format="HEIF")
    before = bytes(data)
    info = inspect(data, None)
    preview, thumbnail = make_derivatives(data, info.exif.orientation)
    assert data == before
    assert Image.open(io.BytesIO(preview)).format == "JPEG"
    assert Image.open(io.BytesIO(preview)).size == (200, 300)
    assert Image.open(io.BytesIO(thumbnail)).size == (171, 256)


def test_a_truncated_heic_is_refused():
    data = make_image((400, 300), image_format="HEIF")
    for cut in (len(data) // 2, len(data) - 2):
        assert code_of(inspect, data[:cut], None) == "truncated_image"


def test_webp_previews_are_made_from_it():
    data = make_image((120, 80), colour=(10, 200, 30), image_format="WEBP")
    preview, _thumbnail = make_derivatives(data)
    pixel = Image.open(io.BytesIO(preview)).getpixel((60, 40))
    assert abs(pixel[1] - 200) < 10 and pixel[0] < 30


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"GIF89a" + bytes(40), "GIF"),
        (make_image(image_format="TIFF"), "TIFF"),
        (make_image(image_format="BMP"), "BMP"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1avifmiaf" + bytes(40), "AVIF"),
    ],
)
def test_other_image_types_are_unsupported_and_the_accepted_ones_named(data, kind):
    with pytest.raises(EvidenceError) as caught:
        inspect(data, None)
    assert caught.value.code == "unsupported_image_type"
    assert kind in caught.value.message
    for accepted in ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"):
        assert accepted in caught.value.message


def test_pixel_count_is_checked_before_decoding():
    data = huge_png_header(10_000, 5_001)  # 50.01 megapixels announced
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")) as load:
        assert code_of(inspect, data, "image/png") == "too_many_pixels"
    load.assert_not_called()


def test_pixel_limit_is_inclusive_and_configurable():
    assert inspect(make_image((100, 100)), None, max_pixels=10_000).pixels == 10_000
    assert code_of(inspect, make_image((100, 100)), None, max_pixels=9_999) == "too_many_pixels"


def test_pillow_bomb_guard_is_reported_as_too_many_pixels():
    assert code_of(inspect, huge_png_header(20_000, 20_000), None) == "too_many_pixels"


def noisy_image(image_format):
    output = io.BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(output, image_format)
    return output.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("lenient", [False, True])
def test_truncated_image_is_detected(monkeypatch, image_format, lenient):
    # Odoo's report module makes Pillow accept truncated images: our check
    # must hold either way.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    data = noisy_image(image_format)
    assert inspect(data, None).width == 400
    for cut in (len(data) // 2, len(data) - 2):
        assert code_of(inspect, data[:cut], None) == "truncated_image"


def test_jpeg_with_exif_thumbnail_and_trailer_is_complete():
    exif = make_exif(orientation=3)
    thumbnail = make_image((8, 8))
    exif_bytes = exif.tobytes() + thumbnail  # an end marker inside APP1
    output = io.BytesIO()
    Image.new("RGB", (50, 40), "red").save(output, "JPEG", exif=exif_bytes)
    data = output.getvalue() + b"vendor trailer"
    assert inspect(data, None).exif.orientation == 3
    truncated = output.getvalue()[:-200]
    assert code_of(inspect, truncated, None) == "truncated_image"


@pytest.mark.parametrize("lenient", [False, True])
def test_png_with_corrupt_pixel_data_is_refused(monkeypatch, lenient):
    # Under Odoo (lenient) Pillow decodes the noise into a garbled picture.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    assert code_of(make_derivatives, corrupt_png()) == "truncated_image"


def with_pixels(png, compressed):
    """``png`` with its pixel data replaced by ``compressed`` (one IDAT)."""
    pixels_at = png.index(b"IDAT") - 4
    return png[:pixels_at] + png_chunk(b"IDAT", compressed) + png_chunk(b"IEND", b"")


def test_png_whose_pixels_inflate_past_its_size_is_refused_early():
    # A 4 x 4 header over a stream that inflates to 256 MB: the check stops
    # after the first slice instead of inflating it all.
    bomb = with_pixels(make_image((4, 4), image_format="PNG"), zlib.compress(bytes(256 << 20), 9))
    assert len(bomb) < 300_000
    assert inspect(bomb, "image/png").pixels == 16  # the header is all inspect reads
    inflate = zlib.decompressobj
    with mock.patch.object(image_lib.zlib, "decompressobj", wraps=inflate) as made:
        assert code_of(make_derivatives, bomb) == "truncated_image"
    made.assert_called_once()


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGB", {"interlace": 1}), ("P", {}), ("I;16", {}), ("1", {}), ("LA", {"interlace": 1})],
)
def test_png_pixel_check_knows_every_layout(mode, options):
    image = Image.new(mode, (13, 7))
    output = io.BytesIO()
    image.save(output, "PNG", **options)
    preview, _thumbnail = make_derivatives(output.getvalue())
    assert Image.open(io.BytesIO(preview)).size == (13, 7)


def test_png_text_chunks_are_capped_before_pillow_inflates_them():
    png = make_image((4, 4), image_format="PNG")
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(1 << 20)))
    many = png[:33] + text * (image_lib.MAX_PNG_TEXT_CHUNKS + 1) + png[33:]
    assert code_of(inspect, many, "image/png") == "not_an_image"
    assert inspect(png[:33] + text + png[33:], "image/png").pixels == 16


def test_inspect_decodes_no_pixel():
    data = make_image((400, 300), image_format="PNG")
    with (
        mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")),
        mock.patch.object(image_lib, "_png_pixels_intact", side_effect=AssertionError("inflated")),
    ):
        assert inspect(data, "image/png").pixels == 120_000


@pytest.mark.parametrize("lenient", [False, True])
def test_derivatives_refuse_a_truncated_image(monkeypatch, lenient):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    data = noisy_image("JPEG")
    assert code_of(make_derivatives, data[: len(data) // 2]) == "truncated_image"


def test_derivatives_fit_their_boxes_and_are_jpegs():
    data = make_image((3000, 2000), exif=make_exif(orientation=6))
    preview, thumbnail = make_derivatives(data, orientation=6)
    preview_image = Image.open(io.BytesIO(preview))
    thumbnail_image = Image.open(io.BytesIO(thumbnail))
    assert preview_image.format == thumbnail_image.format == "JPEG"
    assert preview_image.size == (667, 1000)
    assert thumbnail_image.size == (171, 256)


def test_jpeg_is_decoded_in_draft_mode():
    data = make_image((4000, 3000))
    with mock.patch.object(
        image_lib.JpegImagePlugin.JpegImageFile,
        "draft",
        autospec=True,
        side_effect=image_lib.JpegImagePlugin.JpegImageFile.draft,
    ) as draft:
        make_derivatives(data)
    draft.assert_called_once()
    assert draft.call_args.args[1:] == ("RGB", (1000, 750))


def test_small_images_are_not_enlarged_and_transparency_becomes_white():
    image = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
    output = io.BytesIO()
    image.save(output, "PNG")
    preview, _thumbnail = make_derivatives(output.getvalue())
    result = Image.open(io.BytesIO(preview))
    assert result.size == (30, 20)
    assert result.convert("RGB").getpixel((5, 5)) >= (250, 250, 250)


def test_an_upload_is_hashed_as_it_is_read_to_the_same_checksum():
    data = make_image(size=(1200, 900)) + bytes(range(256)) * 9000  # past one read chunk
    assert len(data) > image_lib.READ_CHUNK
    read, checksum = image_lib.read_hashed(io.BytesIO(data))
    assert (read, checksum) == (data, sha256(data))
    # the checksum given is the one inspect reports, the bytes are not hashed again
    with mock.patch.object(image_lib, "sha256", side_effect=AssertionError("hashed twice")):
        assert inspect(read, "image/jpeg", checksum=checksum).checksum == sha256(data)
