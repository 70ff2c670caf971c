"""Catalog helpers: the business context a member's request resolves to, and pictures and files to
upload (a phone photo with its GPS position, a decompression bomb, a text file)."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from etalase.directory.models import Business, Membership
from etalase.directory.tenancy import BusinessContext, business_context_resolve


def context_of(business: Business, user: Any = None) -> BusinessContext:
    """The business context a member's request resolves to (the owner's when ``user`` is None)."""
    if user is None:
        user = Membership.objects.filter(business=business, role="owner").earliest("created_at").user
    return business_context_resolve(user=user, slug=business.slug)


def picture_bytes(
    format_: str = "PNG", size: tuple[int, int] = (64, 48), color: str = "teal", mode: str = "RGB", **save: Any
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color if mode == "RGB" else 1).save(buffer, format=format_, **save)
    return buffer.getvalue()


def picture(name: str = "photo.png", *, size: tuple[int, int] = (64, 48), color: str = "teal") -> SimpleUploadedFile:
    format_ = {"jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}.get(name.rsplit(".", 1)[-1], "PNG")
    content_type = {"JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}.get(format_, "image/png")
    return SimpleUploadedFile(name, picture_bytes(format_, size, color), content_type=content_type)


def jpeg_with_gps(name: str = "camera.jpg", size: tuple[int, int] = (1600, 1200)) -> SimpleUploadedFile:
    """A phone photo that says where it was taken (Yogyakarta) and with which camera."""
    image = Image.new("RGB", size, "orange")
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "HP Murah"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 47.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 21.0, 53.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_bomb() -> SimpleUploadedFile:
    """20000 x 20000 pixels of one colour: some kilobytes on disk, 400 million pixels once decoded."""
    content = picture_bytes("PNG", size=(20_000, 20_000), mode="1", optimize=True)
    return SimpleUploadedFile("bomb.png", content, content_type="image/png")


def text_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("price-list.txt", b"Kopi Gayo 15000\n" * 50, content_type="text/plain")
