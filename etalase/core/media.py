"""Public media served by the app itself, so a bare ``etalase serve`` shows photos in production too.

Only the folders named in ``PUBLIC_MEDIA_FOLDERS`` (product photos, post pictures, logos, covers) and
only pictures: no directory listing, no hidden files, nothing outside ``MEDIA_ROOT`` (``..`` and
symbolic links are resolved first), never the private root. A web server in front may serve the same
folders itself (docs/deploy.md); this view then never sees those requests.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# Every public upload is a picture Etalase wrote itself (WebP since the photos are normalised).
CONTENT_TYPES = {
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".avif": "image/avif",
}
BLOCK_SIZE = 64 * 1024


def public_media_file(path: str) -> Path:
    """The file a public media URL names, or ``Http404`` when it is not one that may be served."""
    parts = path.split("/")
    if not parts or parts[0] not in settings.PUBLIC_MEDIA_FOLDERS:
        raise Http404
    if any(not part or part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    try:
        candidate = root.joinpath(*parts).resolve()
    except (OSError, ValueError) as error:
        raise Http404 from error
    if not candidate.is_relative_to(root / parts[0]) or candidate.is_relative_to(private):
        raise Http404
    if candidate.suffix.lower() not in CONTENT_TYPES or not candidate.is_file():
        raise Http404
    return candidate


@require_safe
def public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """One public picture, with its type, size, last change and a week's cache (uploads get new names)."""
    file = public_media_file(path)
    stat = file.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(stat.st_mtime)):
        return HttpResponseNotModified()
    response = FileResponse(file.open("rb"), content_type=CONTENT_TYPES[file.suffix.lower()])
    response.block_size = BLOCK_SIZE
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_MEDIA_MAX_AGE}"
    return response
