"""Engagement pages.

Catalog pages load the follow button, the favourite button and the comments as htmx fragments
(``hx-get`` on load) from here; each fragment then swaps itself after a POST. Without JavaScript
the same forms post normally and come back to the page.

Acting while logged out: the POST stores the intended act in the session and sends the person to
log in with ``?next=`` the resume page, which performs the act for the now signed-in customer and
returns to the page they were on. htmx requests get an ``HX-Redirect`` instead of a 302.
"""

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from etalase.accounts.auth import page_user, page_user_optional
from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.core.api import MAX_ID
from etalase.core.errors import DomainError, NotFound, ValidationError
from etalase.core.forms import form_add_domain_error
from etalase.core.pagination import page_number, paginate
from etalase.directory.models import Business
from etalase.directory.selectors import business_public_get, business_public_require
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from etalase.engagement.enums import CommentKind
from etalase.engagement.forms import CommentForm
from etalase.engagement.selectors import (
    PRODUCT,
    FeedItem,
    comment_list_public,
    comment_product_id,
    favourite_ids_among,
    favourite_list_for_user,
    feed_following,
    feed_for_you,
    follow_list_for_user,
    follower_count,
    follows_any,
    is_favourite,
    is_following,
    product_public_by_id,
)
from etalase.engagement.services import (
    comment_add,
    comment_answer,
    comment_hide,
    comment_permissions,
    favourite_add,
    favourite_remove,
    follow_add,
    follow_remove,
    share_record,
)
from etalase.engagement.templatetags.engagement_tags import product_path, shop_path

FEED_PAGE_SIZE = 12
LIST_PAGE_SIZE = 20
COMMENTS_PAGE_SIZE = 20
FOLLOWING, FOR_YOU = "following", "for-you"

PENDING_ACT = "engagement_pending_act"
PENDING_ACT_MAX_AGE = 30 * 60  # seconds: an act begun and abandoned at the login page is forgotten


def _local(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site, or None for anything pointing elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _page_url(request: HttpRequest, fallback: str) -> str:
    """The page the person is looking at: the form's ``next``, else the page that loaded the fragment."""
    for candidate in (request.POST.get("next"), request.GET.get("next"), request.headers.get("HX-Current-URL")):
        local = _local(request, candidate)
        if local and not local.startswith("/engage/"):
            return local
    return fallback


def _wanted(value: str | None, *, currently: bool) -> bool:
    """The state the button asked for ("1"/"0"), so a repeated tap repeats the same act; else a toggle."""
    if value in ("1", "0"):
        return value == "1"
    return not currently


def _ask_to_log_in(request: HttpRequest, act: dict[str, Any], message: str) -> HttpResponse:
    request.session[PENDING_ACT] = {**act, "at": int(time.time())}
    messages.info(request, message)
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': reverse('engagement:resume')})}"
    if _is_htmx(request):
        return HttpResponseClientRedirect(login_url)
    return redirect(login_url)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _member_context(request: HttpRequest, business: Business) -> BusinessContext | None:
    if not request.user.is_authenticated:
        return None
    try:
        return business_context_resolve(user=request.user, slug=business.slug)
    except NotFound:
        return None


# --- follow ---------------------------------------------------------------------------------------


def _follow_button(request: HttpRequest, business: Business, page_url: str) -> HttpResponse:
    return render(
        request,
        "engagement/follow_button.html",
        {
            "business": business,
            "following": is_following(request.user, business),
            "follower_count": follower_count(business),
            "page_url": page_url,
            "with_styles": request.method == "GET",
        },
    )


@require_http_methods(["GET", "POST"])
def follow_button(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    page_url = _page_url(request, shop_path(business.slug))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return _ask_to_log_in(
                request,
                {"act": "follow", "slug": business.slug, "next": page_url},
                _("Log in to follow %(shop)s. We will follow it for you right after.") % {"shop": business.name},
            )
        if _wanted(request.POST.get("following"), currently=is_following(request.user, business)):
            follow_add(user=page_user(request), business=business)
        else:
            follow_remove(user=page_user(request), business=business)
        if not _is_htmx(request):
            return redirect(page_url)
    return _follow_button(request, business, page_url)


# --- favourite ------------------------------------------------------------------------------------


def _favourite_button(request: HttpRequest, product: Product, page_url: str) -> HttpResponse:
    return render(
        request,
        "engagement/favourite_button.html",
        {
            "product": product,
            "favourite": is_favourite(request.user, product),
            "page_url": page_url,
            "with_styles": request.method == "GET",
        },
    )


@require_http_methods(["GET", "POST"])
def favourite_button(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_public_by_id(product_id)
    if product is None:
        raise Http404
    page_url = _page_url(request, product_path(product))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return _ask_to_log_in(
                request,
                {"act": "favourite", "product_id": product.pk, "next": page_url},
                _("Log in to keep %(product)s in your favourites. We will add it right after.")
                % {"product": product.title},
            )
        if _wanted(request.POST.get("favourite"), currently=is_favourite(request.user, product)):
            favourite_add(user=page_user(request), product_id=product.pk)
        else:
            favourite_remove(user=page_user(request), product_id=product.pk)
        if not _is_htmx(request):
            return redirect(page_url)
        product.refresh_from_db(fields=["favourite_count"])
    return _favourite_button(request, product, page_url)


# --- comments -------------------------------------------------------------------------------------


def _comments(
    request: HttpRequest,
    product: Product,
    *,
    page_url: str,
    form: CommentForm | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    permissions = comment_permissions(_member_context(request, product.business))
    page = paginate(comment_list_public(product), page=page_number(request), size=COMMENTS_PAGE_SIZE)
    # Loaded into a catalog page by htmx: the fragment; opened directly (no JavaScript): a page.
    template = "engagement/comments.html" if _is_htmx(request) else "engagement/comments_page.html"
    return render(
        request,
        template,
        {
            "product": product,
            "page": page,
            "form": form or _comment_form(product),
            "page_url": page_url,
            "notice": notice,
            "error": error,
            "with_styles": request.method == "GET" and page_number(request) == 1,
            **permissions,
        },
        status=status,
    )


def _comment_form(product: Product, data: Any = None) -> CommentForm:
    return CommentForm(data, auto_id=f"comment-{product.pk}-%s")


@require_http_methods(["GET", "POST"])
def comments(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_public_by_id(product_id)
    if product is None:
        raise Http404
    page_url = _page_url(request, product_path(product))
    if request.method == "GET":
        return _comments(request, product, page_url=page_url)
    form = _comment_form(product, request.POST)
    if form.is_valid():
        kind, body = form.cleaned_data["kind"], form.cleaned_data["body"]
        if not request.user.is_authenticated:
            return _ask_to_log_in(
                request,
                {"act": "comment", "product_id": product.pk, "kind": kind, "body": body, "next": page_url},
                _("Log in to post what you wrote. We will post it right after."),
            )
        try:
            comment_add(user=page_user(request), product_id=product.pk, body=body, kind=kind)
        except DomainError as error:
            if error.status == 404:
                raise
            form_add_domain_error(form, error)
        else:
            notice = (
                _("Your question is sent to the shop.")
                if kind == CommentKind.QUESTION
                else _("Your comment is posted.")
            )
            if not _is_htmx(request):
                messages.success(request, notice)
                return redirect(f"{page_url}#comments-{product.pk}")
            product.refresh_from_db(fields=["comment_count"])
            return _comments(request, product, page_url=page_url, notice=notice)
    # htmx swaps only successful answers, so a form with errors comes back as 200 to be shown.
    status = 200 if _is_htmx(request) else 400
    return _comments(request, product, page_url=page_url, form=form, status=status)


def _after_moderation(request: HttpRequest, comment_id: int, *, notice: str = "", error: str = "") -> HttpResponse:
    product_id = comment_product_id(comment_id)
    product = product_public_by_id(product_id) if product_id else None
    fallback = product_path(product) if product is not None else reverse("engagement:feed")
    page_url = _page_url(request, fallback)
    if not _is_htmx(request) or product is None:
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return redirect(page_url)
    return _comments(request, product, page_url=page_url, notice=notice, error=error)


@require_POST
def comment_answer_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(_page_url(request, reverse("engagement:feed")))
    try:
        comment_answer(user=page_user(request), comment_id=comment_id, body=request.POST.get("body", ""))
    except ValidationError as error:
        return _after_moderation(request, comment_id, error=str(error.message))
    return _after_moderation(request, comment_id, notice=_("Your answer is posted."))


@require_POST
def comment_hide_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(_page_url(request, reverse("engagement:feed")))
    comment_hide(user=page_user(request), comment_id=comment_id)
    return _after_moderation(request, comment_id, notice=_("The comment is hidden."))


# --- share ----------------------------------------------------------------------------------------


def _share_fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            raise ValidationError(_("The request is not valid JSON.")) from None
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _bounded_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        message = _("This is not a product number.")
        raise ValidationError(message, fields={"product_id": message})
    return number


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """The catalog's share buttons post here (form or JSON): ``what``, ``product_id`` or ``slug``, ``channel``."""
    try:
        data = _share_fields(request)
        product_id = _bounded_id(data.get("product_id", data.get("id")))
        slug = str(data.get("slug") or "")[:64]
        what = str(data.get("what") or ("product" if product_id else "business" if slug else ""))
        share_record(
            user=page_user_optional(request),
            what=what,
            product_id=product_id,
            business_slug=slug,
            share_channel=str(data.get("channel") or "other")[:16],
        )
    except DomainError as error:
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    accepts_page = "text/html" in request.headers.get("Accept", "") and not _is_htmx(request)
    if accepts_page:
        return redirect(_page_url(request, reverse("engagement:feed")))
    return HttpResponse(status=204)


# --- completing an act begun while logged out -----------------------------------------------------


def _act_perform(user: User, act: dict[str, Any]) -> str:
    """Do what the person asked for before logging in; the success message."""
    kind = act.get("act")
    if kind == "follow":
        business = business_public_get(slug=str(act.get("slug", "")))
        if business is None:
            raise NotFound(_("This shop is not available."))
        follow_add(user=user, business=business)
        return _("You follow %(shop)s now.") % {"shop": business.name}
    if kind == "favourite":
        favourite_add(user=user, product_id=int(act.get("product_id", 0)))
        return _("Added to your favourites.")
    if kind == "comment":
        comment_kind = str(act.get("kind", CommentKind.COMMENT))
        comment_add(
            user=user, product_id=int(act.get("product_id", 0)), body=str(act.get("body", "")), kind=comment_kind
        )
        if comment_kind == CommentKind.QUESTION:
            return _("Your question is sent to the shop.")
        return _("Your comment is posted.")
    raise NotFound()


@require_GET
def resume(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    act = request.session.pop(PENDING_ACT, None)
    if not isinstance(act, dict) or time.time() - float(act.get("at", 0)) > PENDING_ACT_MAX_AGE:
        return redirect("engagement:feed")
    try:
        messages.success(request, _act_perform(page_user(request), act))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(_local(request, act.get("next")) or reverse("engagement:feed"))


# --- the feed -------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def feed(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    tab = request.GET.get("tab", "")
    if tab not in (FOLLOWING, FOR_YOU):
        tab = FOLLOWING if signed_in and follows_any(request.user) else FOR_YOU
    before = request.GET.get("before", "")[:80]
    number = page_number(request)
    next_url = ""
    if tab == FOLLOWING:
        try:
            following = feed_following(request.user, before=before or None, size=FEED_PAGE_SIZE)
        except ValidationError:
            before = ""
            following = feed_following(request.user, size=FEED_PAGE_SIZE)
        items = following.items
        if following.next_cursor:
            next_url = f"?{urlencode({'tab': FOLLOWING, 'before': following.next_cursor})}"
        is_continuation = bool(before)
    else:
        ranked = feed_for_you(request.user, page=number, size=FEED_PAGE_SIZE)
        items = [FeedItem(PRODUCT, product.published_at, product) for product in ranked.items]
        if ranked.has_next:
            next_url = f"?{urlencode({'tab': FOR_YOU, 'page': ranked.next_number})}"
        is_continuation = ranked.number > 1
    favourites = favourite_ids_among(request.user, [item.object.pk for item in items if item.is_product])
    for item in items:
        if item.is_product:
            item.object.is_favourite = item.object.pk in favourites  # type: ignore[union-attr]
    context = {
        "nav": "feed",
        "tab": tab,
        "items": items,
        "next_url": next_url,
        "is_continuation": is_continuation,
        "has_follows": tab == FOLLOWING and (bool(items) or follows_any(request.user)),
        # A later page arrives by htmx: its buttons come back to the page the customer is scrolling.
        "page_url": _page_url(request, request.get_full_path()),
    }
    if _is_htmx(request) and is_continuation:
        return render(request, "engagement/_feed_page.html", context)
    return render(request, "engagement/feed.html", context)


# --- Me → Favourites, Following -------------------------------------------------------------------


@require_GET
def my_favourites(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = paginate(favourite_list_for_user(page_user(request)), page=page_number(request), size=LIST_PAGE_SIZE)
    for product in page.items:
        product.is_favourite = True
    return render(
        request,
        "engagement/my_favourites.html",
        {"nav": "me", "page": page, "page_url": request.get_full_path()},
    )


@require_GET
def my_following(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = paginate(follow_list_for_user(page_user(request)), page=page_number(request), size=LIST_PAGE_SIZE)
    return render(
        request,
        "engagement/my_following.html",
        {"nav": "me", "page": page, "page_url": request.get_full_path()},
    )
