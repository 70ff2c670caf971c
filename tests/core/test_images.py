"""Uploaded pictures: only real pictures, bounded in bytes and pixels, without EXIF location."""

import io
from typing import TypedDict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from etalase.core.images import InvalidImage, image_normalize


class Limits(TypedDict):
    max_bytes: int
    max_pixels: int
    max_side: int


LIMITS: Limits = {"max_bytes": 2 * 1024 * 1024, "max_pixels": 4096 * 4096, "max_side": 512}


def picture_bytes(format_: str = "PNG", size: tuple[int, int] = (64, 48), mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 1).save(buffer, format=format_, **save)
    return buffer.getvalue()


def jpeg_with_gps_bytes() -> bytes:
    picture = Image.new("RGB", (80, 40), "orange")
    exif = picture.getexif()
    exif[ExifTags.Base.Make] = "HP Murah"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 47.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 21.0, 53.0)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(content: bytes, name: str = "picture.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("format_", ["PNG", "JPEG", "WEBP", "GIF"])
def test_a_real_picture_becomes_a_webp_no_larger_than_the_limit(format_):
    source = upload(picture_bytes(format_, size=(1200, 600)), name=f"p.{format_.lower()}")

    result = image_normalize(source, **LIMITS, name="logo")

    assert result.name == "logo.webp"
    with Image.open(io.BytesIO(result.read())) as saved:
        assert saved.format == "WEBP"
        assert saved.size == (512, 256)


def test_a_text_file_is_refused(english):
    with pytest.raises(InvalidImage) as caught:
        image_normalize(upload(b"not a picture at all\n" * 10, "notes.txt", "text/plain"), **LIMITS)

    assert caught.value.code == "invalid_image"
    assert "JPEG, PNG, WebP or GIF" in str(caught.value.message)


def test_a_picture_in_another_format_is_refused():
    with pytest.raises(InvalidImage) as caught:
        image_normalize(upload(picture_bytes("BMP"), "p.bmp", "image/bmp"), **LIMITS)

    assert caught.value.code == "invalid_image"


def test_a_huge_file_is_refused_by_its_size(english):
    huge = picture_bytes("PNG") + b"\0" * (LIMITS["max_bytes"] + 1)

    with pytest.raises(InvalidImage) as caught:
        image_normalize(upload(huge), **LIMITS)

    assert caught.value.code == "image_too_large"
    assert "at most 2 MB" in str(caught.value.message)


def test_a_huge_stream_without_a_declared_size_is_refused_after_reading_past_the_limit():
    stream = io.BytesIO(picture_bytes("PNG") + b"\0" * (LIMITS["max_bytes"] + 1))

    with pytest.raises(InvalidImage) as caught:
        image_normalize(stream, **LIMITS)

    assert caught.value.code == "image_too_large"


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # 20000 x 20000 pixels of one colour: a few dozen kilobytes on disk, 400 million pixels decoded.
    bomb = picture_bytes("PNG", size=(20_000, 20_000), mode="1", optimize=True)
    assert len(bomb) < LIMITS["max_bytes"]

    with pytest.raises(InvalidImage):
        image_normalize(upload(bomb), **LIMITS)


def test_a_picture_with_more_pixels_than_allowed_is_refused_with_its_own_message():
    large = picture_bytes("PNG", size=(5000, 5000), mode="1", optimize=True)

    with pytest.raises(InvalidImage) as caught:
        image_normalize(upload(large), **LIMITS)

    assert caught.value.code == "image_too_many_pixels"


def test_a_truncated_picture_is_refused():
    whole = picture_bytes("JPEG", size=(300, 300))

    with pytest.raises(InvalidImage):
        image_normalize(upload(whole[: len(whole) // 2], "p.jpg", "image/jpeg"), **LIMITS)


def test_exif_and_the_gps_location_are_stripped():
    original = jpeg_with_gps_bytes()
    with Image.open(io.BytesIO(original)) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test picture must carry a location"

    result = image_normalize(upload(original, "p.jpg", "image/jpeg"), **LIMITS)

    content = result.read()
    with Image.open(io.BytesIO(content)) as saved:
        assert "exif" not in saved.info
        assert len(saved.getexif()) == 0
    assert b"HP Murah" not in content


def test_the_camera_orientation_is_applied_before_exif_is_dropped():
    picture = Image.new("RGB", (80, 40), "purple")
    exif = picture.getexif()
    exif[ExifTags.Base.Orientation] = 6  # taken with the phone turned: shown rotated by 90°
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif)

    result = image_normalize(upload(buffer.getvalue(), "p.jpg", "image/jpeg"), **LIMITS)

    with Image.open(io.BytesIO(result.read())) as saved:
        assert saved.size == (40, 80)
