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
from ninja.openapi.schema import OpenAPISchema
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


WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

_COMMON_ERRORS: dict[int, str] = {
    400: "Bad Request: an upload that is not readable multipart/form-data (code `malformed_multipart`).",
    401: "Unauthorized: no valid API token or session (code `unauthenticated`).",
    403: (
        "Forbidden: a role without the permission (`permission_denied`), or a write sent with the "
        "session cookie and no CSRF token (`csrf_failed`)."
    ),
    413: "Content Too Large: a body over the upload limit, 5 MB (code `too_large`).",
    422: "Unprocessable Content: a parameter or the body is not of the documented shape (code `invalid`).",
    503: "Service Unavailable: the database could not take a write in time (code `busy`); retry after Retry-After.",
}


def _error_answer(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": _COMMON_ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    if status == 503:
        answer["headers"] = {
            "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
        }
    return answer


def _common_errors_of(method: str, operation: dict[str, Any]) -> list[int]:
    """The error answers any operation of this kind may give, whatever its own code does."""
    body = operation.get("requestBody", {}).get("content", {})
    statuses = [503]  # any request may write (a token's last use, a visit), and so find the database busy
    if operation.get("security"):
        statuses.append(401)
        if method in WRITE_METHODS:
            statuses.append(403)  # the browser session without its CSRF token
    if body:
        statuses += [413, 422]
    if operation.get("parameters"):
        statuses.append(422)
    if "multipart/form-data" in body:
        statuses.append(400)
    return statuses


def document_common_errors(document: dict[str, Any]) -> None:
    """Declare in each operation of an OpenAPI ``document`` the error answers the API's shared
    handlers give (authentication, CSRF, size, shape, a busy database), so the document lists every
    status a client can receive, not only the ones an operation names itself."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in error_schema.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("ErrorOut", error_schema)
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            declared = {str(status) for status in responses}
            for status in _common_errors_of(method, operation):
                if str(status) not in declared:
                    responses[status] = _error_answer(status)
                    declared.add(str(status))


class DocumentedNinjaAPI(NinjaAPI):
    """The API whose OpenAPI document also declares the shared error answers (``document_common_errors``)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_common_errors(document)
        return document


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
