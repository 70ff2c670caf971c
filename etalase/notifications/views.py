"""Pages of the notification centre, its live stream, and the device opt-in for web push."""

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etalase.accounts.auth import page_user
from etalase.core.errors import DomainError
from etalase.core.pagination import page_number, paginate
from etalase.directory.selectors import invitation_list_for_user
from etalase.notifications import push, rules, stream
from etalase.notifications.enums import Channel, Kind
from etalase.notifications.forms import PreferenceForm
from etalase.notifications.selectors import (
    notification_latest_id,
    notification_list_for_user,
    notification_unread_count,
    preference_scopes_for_user,
    push_subscription_list,
)
from etalase.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preference_update,
    push_subscription_delete,
    push_subscription_save,
)

PAGE_SIZE = 20
JSON_BODY_MAX = 4096


@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    """The notification centre: pending team invitations, then notifications, the latest acts first."""
    if not request.user.is_authenticated:
        return render(request, "notifications/centre_anonymous.html", {"nav": "notifications"})
    user = page_user(request)
    page = paginate(notification_list_for_user(user=user), page=page_number(request), size=PAGE_SIZE)
    invitations = list(invitation_list_for_user(user=user)) if page.number == 1 else []
    unread = notification_unread_count(user_id=user.pk)
    return render(
        request,
        "notifications/centre.html",
        {
            "nav": "notifications",
            "page": page,
            "invitations": invitations,
            "unread": unread,
            "live": page.number == 1,
            # The stream goes on after the newest row written (the list is sorted by the acts' times).
            "last_id": notification_latest_id(user_id=user.pk) if page.items and page.number == 1 else "",
        },
    )


@require_GET
@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to what the notification is about (the centre when it links nowhere safe)."""
    row = notification_mark_read(user=page_user(request), notification_id=notification_id)
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(row.url)
    return redirect("notifications:centre")


@require_POST
@login_required
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=page_user(request), notification_id=notification_id)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return redirect("notifications:centre")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=page_user(request))
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:centre")


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The tab bar's unread badge as an HTML fragment (empty for anonymous visitors)."""
    count = notification_unread_count(user_id=request.user.pk) if request.user.is_authenticated else 0
    response = render(request, "notifications/_badge.html", {"unread": count})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
async def live_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Server-Sent Events of the signed-in person's notifications (see ``stream``)."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(_("Log in to receive notifications."), status=401, content_type="text/plain; charset=utf-8")
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    requested = stream.last_event_id_parse(raw)
    after = await sync_to_async(stream.start_after)(user_id=user.pk, requested=requested)
    if isinstance(request, ASGIRequest):
        content: Any = stream.stream_async(user_id=user.pk, after=after)
    else:  # a WSGI server cannot stream an async iterator: poll in its thread instead
        content = stream.stream_sync(user_id=user.pk, after=after)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


# --- preferences and devices ---------------------------------------------------------------------


SHORT_CHANNEL_LABELS = {
    Channel.IN_APP: gettext_lazy("App"),
    Channel.PUSH: gettext_lazy("Push"),
    Channel.SMS: gettext_lazy("SMS"),
    Channel.WHATSAPP: pgettext_lazy("short for WhatsApp", "WA"),
    Channel.EMAIL: gettext_lazy("Email"),
}
"""Column heads that fit a 360 px screen; each checkbox carries the full name for screen readers."""


def _grid(scope: Any) -> list[dict[str, Any]]:
    kinds = rules.MEMBER_KINDS if scope.business_id else rules.CUSTOMER_KINDS
    rows = []
    for kind in [*kinds, Kind.DIGEST]:
        enabled = rules.channels_for(scope, kind)
        rows.append(
            {
                "kind": kind,
                "label": Kind(kind).label,
                "channels": [
                    {
                        "value": channel.value,
                        "label": channel.label,
                        "short": SHORT_CHANNEL_LABELS[channel],
                        "checked": channel.value in enabled,
                    }
                    for channel in Channel
                ],
            }
        )
    return rows


def _scope_form(scope: Any, data: Any = None) -> PreferenceForm:
    initial = {
        "business": scope.business.slug if scope.business_id else "",
        "quiet_start": scope.quiet_start,
        "quiet_end": scope.quiet_end,
        "digest_enabled": scope.digest_enabled,
        "digest_hour": scope.digest_hour,
    }
    return PreferenceForm(data, initial=initial, prefix=f"s{scope.business_id or 0}")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    scopes = preference_scopes_for_user(user=user)
    status = 200
    errors: dict[int, DomainError] = {}
    bound_prefix = request.POST.get("scope", "") if request.method == "POST" else ""
    sections = []
    for scope in scopes:
        prefix = f"s{scope.business_id or 0}"
        form = _scope_form(scope, request.POST if prefix == bound_prefix else None)
        if form.is_bound:
            if form.is_valid():
                kinds = [*(rules.MEMBER_KINDS if scope.business_id else rules.CUSTOMER_KINDS), Kind.DIGEST]
                channels = {
                    kind: [channel for channel in Channel.values if f"{prefix}-{kind}:{channel}" in request.POST]
                    for kind in kinds
                }
                try:
                    notification_preference_update(
                        user=user,
                        business=scope.business,
                        channels=channels,
                        quiet_start=form.cleaned_data["quiet_start"],
                        quiet_end=form.cleaned_data["quiet_end"],
                        digest_enabled=form.cleaned_data["digest_enabled"],
                        digest_hour=form.cleaned_data["digest_hour"],
                    )
                except DomainError as exc:
                    errors[scope.business_id or 0] = exc
                else:
                    messages.success(request, _("Your notification choices are saved."))
                    return redirect("notifications:preferences")
            status = 400
        sections.append(
            {
                "scope": scope,
                "prefix": prefix,
                "form": form,
                "grid": _grid(scope),
                "error": errors.get(scope.business_id or 0),
            }
        )
    config = push.vapid_config()
    return render(
        request,
        "notifications/preferences.html",
        {
            "nav": "notifications",
            "sections": sections,
            "vapid_public_key": config.public_key if config.is_configured else "",
            "devices": push_subscription_list(user=user),
        },
        status=status,
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > JSON_BODY_MAX:
        return {}
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return {}
    return body if isinstance(body, dict) else {}


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=exc.status if exc.status != 400 else 422)


@require_POST
@login_required
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """This browser's PushSubscription (its ``toJSON()``), posted by push.js."""
    body = _json_body(request)
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    try:
        subscription = push_subscription_save(
            user=page_user(request),
            endpoint=body.get("endpoint"),
            p256dh=keys.get("p256dh"),  # type: ignore[union-attr]
            auth=keys.get("auth"),  # type: ignore[union-attr]
            user_agent=request.headers.get("User-Agent", ""),
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"id": subscription.pk, "endpoint": subscription.endpoint}, status=201)


@require_POST
@login_required
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    try:
        removed = push_subscription_delete(user=page_user(request), endpoint=_json_body(request).get("endpoint"))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"removed": removed})
