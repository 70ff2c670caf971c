"""Errors that escape a view become the right answer, never a 500: a service's DomainError (its page),
a database too busy to take a write (503 with Retry-After), and any error under /api/ in the API's
JSON format."""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import DomainError

API_PREFIX = "/api/"

RETRY_AFTER_SECONDS = 5
"""What a busy answer tells the client to wait: about one SQLite busy_timeout."""

BUSY_MESSAGE = _("Etalase is very busy right now and could not save this. Please try again in a moment.")

# PostgreSQL's SQLSTATEs for a write that waited too long or lost a race: lock_not_available (a
# lock_timeout), serialization_failure and deadlock_detected. Trying again later is the answer.
_POSTGRES_BUSY = frozenset({"55P03", "40001", "40P01"})


def is_database_busy(exception: BaseException) -> bool:
    """Whether ``exception`` says the database could not take the write in time, not that it is broken:
    SQLite's "database is locked" after its busy_timeout, or a PostgreSQL lock or serialization timeout."""
    if not isinstance(exception, OperationalError):
        return False
    if getattr(exception.__cause__, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    return "database is locked" in str(exception).lower() or "database table is locked" in str(exception).lower()


def busy_json_response() -> JsonResponse:
    body = {"error": {"code": "busy", "message": str(BUSY_MESSAGE), "fields": {}}}
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def busy_page_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "web/error.html", {"error": {"message": BUSY_MESSAGE}}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            # Nothing was written: the transaction rolled back. The session middleware saves no
            # session on a 5xx answer, so it does not wait for the lock a second time.
            return busy_json_response() if request.path.startswith(API_PREFIX) else busy_page_response(request)
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith(API_PREFIX):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/error.html")
        return render(request, template, {"error": exception}, status=exception.status)


_STATUS_CODES = {
    400: ("invalid", _("The request could not be completed.")),
    401: ("unauthenticated", _("Log in or send a valid API token (Authorization: Bearer …).")),
    403: ("permission_denied", _("You do not have permission to do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This address does not accept this method.")),
    413: ("too_large", _("The request is too large.")),
}


class ApiJsonErrorsMiddleware:
    """Every error answer under /api/ is JSON in the API's format, even the ones Django or the
    API framework make themselves (unknown address, wrong method, CSRF failure)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _STATUS_CODES.get(response.status_code, ("error", _("The request could not be completed.")))
            body = {"error": {"code": code, "message": str(message), "fields": {}}}
            replacement = JsonResponse(body, status=response.status_code)
            for header in ("Allow", "Retry-After"):
                if response.has_header(header):
                    replacement[header] = response[header]
            return replacement
        return response
