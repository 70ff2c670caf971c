"""Uploaded pictures: verified, bounded in bytes and pixels, re-encoded without EXIF (location)."""

import io
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from etalase.core.errors import ValidationError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class InvalidImage(ValidationError):
    code = "invalid_image"
    default_message = _("Upload a picture in JPEG, PNG, WebP or GIF format.")


def image_normalize(
    upload: Any,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
    name: str = "image",
) -> ContentFile[bytes]:
    """Return the picture re-encoded as WebP, at most ``max_side`` px on its longer side.

    Raises :class:`InvalidImage` for anything that is not a real picture, is larger than
    ``max_bytes``, or would decode to more than ``max_pixels`` (decompression bombs).
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise InvalidImage(
            _("The picture is too large: at most %(megabytes)s MB.") % {"megabytes": f"{max_bytes / 1024 / 1024:g}"},
            code="image_too_large",
        )
    read = upload.read
    if hasattr(upload, "seek"):
        upload.seek(0)
    raw = read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise InvalidImage(
            _("The picture is too large: at most %(megabytes)s MB.") % {"megabytes": f"{max_bytes / 1024 / 1024:g}"},
            code="image_too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise InvalidImage()
                if probe.width * probe.height > max_pixels:
                    raise InvalidImage(
                        _("The picture has too many pixels; use a smaller picture."),
                        code="image_too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(raw)) as opened:
                opened.load()
                picture: Image.Image = ImageOps.exif_transpose(opened)
                picture = picture.convert("RGBA" if picture.mode in {"RGBA", "LA", "P"} else "RGB")
                picture.thumbnail((max_side, max_side))
                output = io.BytesIO()
                # Saving a fresh image without passing ``exif`` drops every metadata block.
                picture.save(output, format="WEBP", quality=85, method=4)
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(
            _("The picture has too many pixels; use a smaller picture."), code="image_too_many_pixels"
        ) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise InvalidImage() from exc
    return ContentFile(output.getvalue(), name=f"{name}.webp")
