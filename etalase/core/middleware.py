"""Turn a service's DomainError escaping a page view into the right error page, never a 500."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return None
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "web/error.html")
        return render(request, template, {"error": exception}, status=exception.status)


API_PREFIX = "/api/"
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
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
