"""The API's shared pieces: one error format, its exception handlers, path parameters, pagination."""

from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field, StrictInt

from etalase.core.errors import DomainError
from etalase.core.middleware import busy_json_response, is_database_busy
from etalase.core.pagination import MAX_PAGE_NUMBER, MAX_PAGE_SIZE, Page, paginate


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The error answers an operation documents, e.g. ``response={200: X, **errors(400, 404)}``."""
    return dict.fromkeys(codes, ErrorOut)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _location(loc: Any) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or "request"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        detail = exc.as_dict()
        return error_response(api, request, exc.status, exc.code, detail["message"], detail["fields"])  # type: ignore[arg-type]

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for item in exc.errors:
            fields.setdefault(
                _location(item.get("loc", ())),
                _("This value is not valid: %(reason)s") % {"reason": item.get("msg", "")},
            )
        return error_response(api, request, 422, "invalid", _("Some fields are not valid."), fields)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            401,
            "unauthenticated",
            _("Log in or send a valid API token (Authorization: Bearer …)."),
        )

    @api.exception_handler(AuthorizationError)
    def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(api, request, 403, "permission_denied", _("You do not have permission to do this."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):
            return error_response(
                api,
                request,
                403,
                "csrf_failed",
                _("The form expired or the CSRF token is missing. Reload and try again."),
            )
        if exc.status_code == 400:  # e.g. a body that is not JSON
            return error_response(
                api,
                request,
                422,
                "invalid",
                _("The request body could not be read. Send JSON with Content-Type: application/json."),
            )
        return error_response(api, request, exc.status_code, "error", str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = _("The request body is larger than %(size)d MB, the most the API accepts.") % {"size": megabytes}
        return error_response(api, request, 413, "too_large", message)

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = _("The upload could not be read. Send it as multipart/form-data with its boundary.")
        return error_response(api, request, 400, "malformed_multipart", message)

    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def too_many_parts(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 400, "too_many_fields", _("The request has too many fields or files."))

    @api.exception_handler(OperationalError)
    def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        """A write that waited too long for the database: 503 with Retry-After, nothing changed."""
        if not is_database_busy(exc):
            raise exc
        return busy_json_response()


class PageMeta(Schema):
    page: int
    size: int
    next_page: int | None


MAX_ID = 2**53
"""Identifiers in paths are bounded so a huge number answers 404/422, never a database overflow."""

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row's id in a path (``/products/{product_id}``)."""

IdIn = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
"""A row's id in a JSON body (alone or in a list): a number beyond ``MAX_ID`` answers 422."""

FormId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row's id in a multipart form field (sent as text)."""

Slug = Annotated[str, Path(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
"""A business's slug in a path (``/businesses/{slug}/...``)."""


class PageIn(Schema):
    """``?page=&size=`` of a list operation."""

    page: int = Field(1, ge=1, le=MAX_PAGE_NUMBER)
    size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def page_out(page: Page) -> dict[str, Any]:
    """A page in the shape of a :class:`PageMeta` answer (``items``, ``page``, ``size``, ``next_page``)."""
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


def page_answer(queryset: QuerySet[Any], *, page: int, size: int) -> dict[str, Any]:
    """One page of ``queryset`` as a :class:`PageMeta` answer."""
    return page_out(paginate(queryset, page=page, size=size))
