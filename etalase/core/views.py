"""Views of the shared base: the health probe a load balancer or supervisor asks."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """ "ok" while the process answers; touches no database, so it is also the smallest page (a baseline)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-store"})
