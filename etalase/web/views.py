"""The shell's own pages: home, the customer tabs, the offline page, manifest and service worker."""

import hashlib
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from etalase.accounts.auth import page_user
from etalase.accounts.forms import ProfileForm
from etalase.accounts.services import user_update_profile
from etalase.catalog.pages import parts_cached, read_started
from etalase.catalog.selectors import product_search, public_lists_changed
from etalase.core.pagination import page_number, paginate
from etalase.directory.selectors import (
    business_public_list,
    category_list,
    city_list,
    membership_list_for_user,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"nav": "discover"})


def _near(request: HttpRequest) -> tuple[Decimal, Decimal] | None:
    """The phone's location, when it shared one (?lat=&lng=); ignored when malformed."""
    try:
        latitude = Decimal(request.GET.get("lat", "")[:20])
        longitude = Decimal(request.GET.get("lng", "")[:20])
    except (InvalidOperation, ValueError):
        return None
    if not (latitude.is_finite() and longitude.is_finite() and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude.quantize(Decimal("0.0001")), longitude.quantize(Decimal("0.0001"))


def _discover_parts(
    request: HttpRequest,
    *,
    query: str,
    city: str,
    category: str,
    near: tuple[Decimal, Decimal] | None,
    kind: str,
    number: int,
) -> dict[str, str]:
    """Discover's lists, the same for every visitor asking the same question (see ``catalog.pages``)."""
    products = product_search(query=query, category_slug=category or None, city=city or None)
    if kind == "products":
        page = paginate(products, page=number, size=20)
        product_preview: list[object] = []
    else:
        page = paginate(
            business_public_list(category_slug=category or None, city=city or None, query=query or None, near=near),
            page=number,
            size=20,
        )
        # A few matching products above the shops, so a search for "kopi" shows coffee at once.
        product_preview = list(products[:4]) if query else []
    base = {key: value for key, value in (("q", query), ("city", city), ("category", category)) if value}
    if near:
        base.update(lat=str(near[0]), lng=str(near[1]))
    filters = urlencode(base)
    if kind == "products":
        base["kind"] = "products"
    context = {
        "page": page,
        "query": query,
        "city": city,
        "category": category,
        "near": near,
        "categories": category_list(),
        "cities": city_list(),
        "querystring_base": urlencode(base) + "&" if base else "",
        "filters": filters,
        "kind": kind,
        "product_preview": product_preview,
    }
    return {"body": render_to_string("web/discover.html#discover-body", context, request)}


@require_GET
def discover(request: HttpRequest) -> HttpResponse:
    read_at = read_started()
    query = request.GET.get("q", "").strip()[:80]
    city = request.GET.get("city", "").strip()[:80]
    category = request.GET.get("category", "").strip()[:64]
    near = _near(request)
    kind = "products" if request.GET.get("kind") == "products" else "shops"
    number = page_number(request)
    changed, count = public_lists_changed(with_products=kind == "products" or bool(query))
    parts = parts_cached(
        "discover",
        key=(query, city, category, near, kind, number, count),
        changed=changed,
        read_at=read_at,
        render=lambda: _discover_parts(
            request, query=query, city=city, category=category, near=near, kind=kind, number=number
        ),
    )
    return render(request, "web/discover.html", {"nav": "discover", "parts": parts})


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "web/offline.html")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Etalase",
        "short_name": "Etalase",
        "description": _("Find local shops, follow them, order and pay from your phone."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("web:home") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f7fa",
        "theme_color": "#0f766e",
        "categories": ["shopping", "business"],
        "icons": [
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("web/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("Discover"), "url": reverse("web:discover")},
            {"name": _("My business"), "url": reverse("directory:business_home")},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


def _shell_version() -> str:
    source = "|".join([settings.STATIC_URL, getattr(settings, "ETALASE_VERSION", "0.1.0")])
    return hashlib.sha256(source.encode()).hexdigest()[:12]


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render_to_string("web/sw.js", {"version": _shell_version(), "static_prefix": settings.STATIC_URL})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/me_anonymous.html", {"nav": "me"})
    user = page_user(request)
    form = ProfileForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=user, name=form.cleaned_data["name"])
        messages.success(request, _("Your profile is saved."))
        return redirect("web:me")
    return render(
        request,
        "web/me.html",
        {"nav": "me", "form": form, "memberships": membership_list_for_user(user=user)},
        status=400 if form.is_bound else 200,
    )
