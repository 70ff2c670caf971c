"""Catalog pages: the owner's products and posts (business side, More tab) and the public storefront
and product pages that customers open from a shared link."""

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from etalase.accounts.auth import page_user_optional
from etalase.catalog.forms import PhotosForm, PostForm, ProductForm
from etalase.catalog.models import Post, Product
from etalase.catalog.pages import changed_at, parts_cached, read_started
from etalase.catalog.selectors import (
    post_list_for_business,
    post_public_list,
    product_choices_for_business,
    product_get_for_business,
    product_list_for_business,
    product_photos,
    product_public_find,
    product_public_list,
    storefront_business_get,
)
from etalase.catalog.services import (
    post_create,
    post_hide,
    product_archive,
    product_create,
    product_hide,
    product_image_remove,
    product_image_set_cover,
    product_images_add,
    product_move,
    product_publish,
    product_show,
    product_update,
    view_record,
)
from etalase.core.errors import DomainError
from etalase.core.formats import money_format
from etalase.core.forms import form_add_domain_error
from etalase.core.pagination import MAX_PAGE_NUMBER, Page, page_number, paginate
from etalase.core.visitors import visitor_key, visitor_key_ensure
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import business_opening_status, business_public_require
from etalase.directory.tenancy import business_context_of, business_view

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
STOREFRONT_POSTS = 6
OWNER_FILTERS = ("", "draft", "published", "hidden", "archived")
# Link previews (WhatsApp, Telegram, Facebook...) and crawlers open pages too; they are not visitors.
NOT_A_VISITOR = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|whatsapp|telegram|skype|curl|wget|python-", re.IGNORECASE
)


def _raise_not_found(error: DomainError) -> None:
    if error.status == 404:
        raise Http404 from error


@contextmanager
def _missing_is_404() -> Iterator[None]:
    """A product, photo or post that is missing (or another shop's) answers the 404 page."""
    try:
        yield
    except DomainError as error:
        _raise_not_found(error)
        raise


# --- the owner's products ------------------------------------------------------------------------


def _owner_filter(request: HttpRequest) -> str:
    value = request.GET.get("status") or request.POST.get("status") or ""
    return value if value in OWNER_FILTERS else ""


def _product_list_context(request: HttpRequest, *, number: int, status: str) -> dict[str, Any]:
    business = business_context_of(request).business
    page = paginate(product_list_for_business(business, status=status or None), page=number, size=PAGE_SIZE)
    query = urlencode({"status": status}) + "&" if status else ""
    return {
        "nav": "more",
        "page": page,
        "status": status,
        "querystring_base": query,
        "can_move": status == "",
        "filters": [
            ("", _("Not archived")),
            ("published", _("Published")),
            ("draft", _("Drafts")),
            ("hidden", _("Hidden")),
            ("archived", _("Archived")),
        ],
    }


@business_view(Permission.CATALOG_MANAGE)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    context = _product_list_context(request, number=page_number(request), status=_owner_filter(request))
    return render(request, "catalog/product_list.html", context)


def _after_product_action(request: HttpRequest, product_id: int, notice: str, *, failed: bool = False) -> HttpResponse:
    """Answer a publish/hide/show/archive/move button: the refreshed list for htmx, else a redirect."""
    slug = business_context_of(request).business.slug
    status = _owner_filter(request)
    try:
        number = max(1, min(int(request.POST.get("page", "1")), MAX_PAGE_NUMBER))
    except ValueError:
        number = 1
    if request.POST.get("from") == "edit":
        (messages.error if failed else messages.success)(request, notice)
        return redirect("catalog:product_edit", slug=slug, product_id=product_id)
    if getattr(request, "htmx", False):
        context = _product_list_context(request, number=number, status=status)
        context.update(notice=notice, notice_failed=failed)
        # 200 even when the action failed: htmx swaps only successful answers, and the notice explains.
        return render(request, "catalog/product_list.html#product-list", context)
    (messages.error if failed else messages.success)(request, notice)
    query = {key: value for key, value in (("status", status), ("page", number)) if value and value != 1}
    url = reverse("catalog:product_list", args=[slug])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _product_button(request: HttpRequest, product_id: int, press: Callable[[], str]) -> HttpResponse:
    """Run a button's service through ``press`` (which returns the notice); a refusal becomes the notice."""
    try:
        notice = press()
    except DomainError as error:
        _raise_not_found(error)
        return _after_product_action(request, product_id, str(error.message), failed=True)
    return _after_product_action(request, product_id, notice)


def _product_action(request: HttpRequest, product_id: int, action: Any, done: str) -> HttpResponse:
    def press() -> str:
        product = action(context=business_context_of(request), product_id=product_id)
        return done % {"title": product.title}

    return _product_button(request, product_id, press)


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_publish_view(request: HttpRequest, product_id: int) -> HttpResponse:
    return _product_action(request, product_id, product_publish, _("“%(title)s” is published."))


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_hide_view(request: HttpRequest, product_id: int) -> HttpResponse:
    return _product_action(request, product_id, product_hide, _("“%(title)s” is hidden from customers."))


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_show_view(request: HttpRequest, product_id: int) -> HttpResponse:
    return _product_action(request, product_id, product_show, _("“%(title)s” is shown to customers again."))


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_archive_view(request: HttpRequest, product_id: int) -> HttpResponse:
    return _product_action(request, product_id, product_archive, _("“%(title)s” is archived."))


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_move_view(request: HttpRequest, product_id: int) -> HttpResponse:
    offset = -1 if request.POST.get("direction") == "up" else 1

    def press() -> str:
        product_move(context=business_context_of(request), product_id=product_id, offset=offset)
        return _("Moved up.") if offset < 0 else _("Moved down.")

    return _product_button(request, product_id, press)


def _product_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The product form's answers, as the product services take them."""
    return {name: data[name] for name in ("title", "price_minor", "compare_at_minor", "stock", "sku", "description")}


@business_view(Permission.CATALOG_MANAGE)
@require_http_methods(["GET", "POST"])
def product_create_view(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    business = context.business
    form = ProductForm(request.POST or None, request.FILES or None, currency=business.currency, with_photos=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publish = "publish" in request.POST
        try:
            product = product_create(
                context=context, **_product_fields(data), images=data.get("images") or [], publish=publish
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if publish:
                messages.success(request, _("“%(title)s” is published.") % {"title": product.title})
            else:
                messages.success(request, _("“%(title)s” is saved as a draft.") % {"title": product.title})
            return redirect("catalog:product_edit", slug=business.slug, product_id=product.pk)
    return render(
        request,
        "catalog/product_form.html",
        {"nav": "more", "form": form, "title": _("New product")},
        status=400 if form.is_bound else 200,
    )


def _product_for_owner(request: HttpRequest, product_id: int) -> Product:
    product = product_get_for_business(business_context_of(request).business, product_id)
    if product is None:
        raise Http404
    return product


def _edit_page(
    request: HttpRequest,
    product: Product,
    *,
    form: ProductForm | None = None,
    photos_form: PhotosForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = ProductForm(
            initial={
                "title": product.title,
                "price_minor": str(product.price_minor),
                "compare_at_minor": "" if product.compare_at_minor is None else str(product.compare_at_minor),
                "stock": product.stock,
                "sku": product.sku,
                "description": product.description,
            },
            currency=product.currency,
        )
    photos = product_photos(product)
    return render(
        request,
        "catalog/product_form.html",
        {
            "nav": "more",
            "form": form,
            "photos_form": photos_form or PhotosForm(),
            "product": product,
            "photos": photos,
            "photo_room": max(0, 8 - len(photos)),
            "title": _("Edit product"),
        },
        status=status,
    )


@business_view(Permission.CATALOG_MANAGE)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    context = business_context_of(request)
    product = _product_for_owner(request, product_id)
    if request.method != "POST":
        return _edit_page(request, product)
    form = ProductForm(request.POST, currency=product.currency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            product = product_update(context=context, product_id=product.pk, **_product_fields(data))
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:product_edit", slug=context.business.slug, product_id=product.pk)
    return _edit_page(request, product, form=form, status=400)


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_images_add_view(request: HttpRequest, product_id: int) -> HttpResponse:
    context = business_context_of(request)
    product = _product_for_owner(request, product_id)
    photos_form = PhotosForm(request.POST, request.FILES)
    if photos_form.is_valid():
        try:
            added = product_images_add(
                context=context, product_id=product.pk, uploads=photos_form.cleaned_data["images"]
            )
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(photos_form, error)
        else:
            count = len(added)
            messages.success(
                request, ngettext("%(count)d photo added.", "%(count)d photos added.", count) % {"count": count}
            )
            return redirect("catalog:product_edit", slug=context.business.slug, product_id=product.pk)
    return _edit_page(request, product, photos_form=photos_form, status=400)


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_image_remove_view(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    context = business_context_of(request)
    with _missing_is_404():
        product_image_remove(context=context, product_id=product_id, image_id=image_id)
    messages.success(request, _("Photo removed."))
    return redirect("catalog:product_edit", slug=context.business.slug, product_id=product_id)


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def product_image_cover_view(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    context = business_context_of(request)
    with _missing_is_404():
        product_image_set_cover(context=context, product_id=product_id, image_id=image_id)
    messages.success(request, _("This photo is now the cover."))
    return redirect("catalog:product_edit", slug=context.business.slug, product_id=product_id)


@business_view(Permission.CATALOG_MANAGE)
@require_GET
def product_preview(request: HttpRequest, product_id: int) -> HttpResponse:
    """The product as customers will see it, whatever its status (drafts included)."""
    product = _product_for_owner(request, product_id)
    business = business_context_of(request).business
    return render(request, "catalog/product.html", _product_page_context(request, business, product, preview=True))


# --- the owner's posts ---------------------------------------------------------------------------


@business_view(Permission.CATALOG_MANAGE)
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    page = paginate(post_list_for_business(business), page=page_number(request), size=PAGE_SIZE)
    return render(request, "catalog/post_list.html", {"nav": "more", "page": page})


@business_view(Permission.CATALOG_MANAGE)
@require_http_methods(["GET", "POST"])
def post_create_view(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    choices = product_choices_for_business(context.business)
    form = PostForm(request.POST or None, request.FILES or None, product_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post_create(context=context, image=data["image"], caption=data["caption"], product_ids=data["products"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your post is published."))
            return redirect("catalog:post_list", slug=context.business.slug)
    return render(
        request,
        "catalog/post_form.html",
        {"nav": "more", "form": form, "has_products": bool(choices)},
        status=400 if form.is_bound else 200,
    )


@business_view(Permission.CATALOG_MANAGE)
@require_POST
def post_hide_view(request: HttpRequest, post_id: int) -> HttpResponse:
    context = business_context_of(request)
    with _missing_is_404():
        post_hide(context=context, post_id=post_id)
    messages.success(request, _("The post is hidden from customers."))
    return redirect("catalog:post_list", slug=context.business.slug)


# --- what customers see --------------------------------------------------------------------------


def _count_view(request: HttpRequest, business: Business, product: Product | None = None) -> None:
    """Count the visit (buffered, see ``catalog.visits``) unless it is a link preview or a crawler."""
    if request.method != "GET" or NOT_A_VISITOR.search(request.headers.get("user-agent", "")):
        return
    try:
        view_record(
            request_visitor_key=visitor_key(request),
            business=business,
            product=product,
            user=page_user_optional(request),
        )
    except DatabaseError:
        # Counting a visit must never cost the customer the page (reading the user may still fail).
        logger.exception("Could not record a view of %s", business.slug)


def _whatsapp_url(business: Business, text: str) -> str:
    digits = "".join(ch for ch in business.whatsapp if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text)}"


def _one_line(text: str, limit: int = 180) -> str:
    """Text for a meta description or a link preview: one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url)


def _business_image(request: HttpRequest, business: Business) -> str:
    if business.cover:
        return _absolute(request, business.cover.url)
    if business.logo:
        return _absolute(request, business.logo.url)
    return _absolute(request, static("web/icons/icon-512.png"))


def _storefront_parts(request: HttpRequest, business: Business, number: int, page_url: str) -> dict[str, str]:
    """The storefront's parts that are the same for every visitor (see ``catalog.pages``)."""
    page = paginate(product_public_list(business), page=number, size=PAGE_SIZE)
    posts: list[Post] = []
    has_more_posts = False
    if page.number == 1:
        recent = list(post_public_list(business)[: STOREFRONT_POSTS + 1])
        posts, has_more_posts = recent[:STOREFRONT_POSTS], len(recent) > STOREFRONT_POSTS
    og_image = _business_image(request, business)
    if not business.cover and not business.logo and page.items and page.items[0].cover:
        og_image = _absolute(request, page.items[0].cover.detail.url)
    context = {
        "business": business,
        "page": page,
        "posts": posts,
        "has_more_posts": has_more_posts,
        "page_url": page_url,
        "whatsapp_url": _whatsapp_url(
            business,
            _("Hello %(shop)s, I found your shop on Etalase: %(url)s") % {"shop": business.name, "url": page_url},
        ),
    }
    parts: dict[str, str] = {
        name: render_to_string(f"catalog/storefront.html#shop-{name}", context, request)
        for name in ("head", "about", "actions", "listing")
    }
    parts["og_image"] = og_image
    return parts


@require_safe
def storefront(request: HttpRequest, slug: str) -> HttpResponse:
    read_at = read_started()
    business = storefront_business_get(slug=slug)
    if business is None:
        raise Http404
    number = page_number(request)
    page_url = _absolute(request, reverse("catalog:storefront", args=[business.slug]))
    parts = parts_cached(
        "storefront",
        key=(business.pk, number, page_url),
        changed=changed_at(
            business.updated_at,
            getattr(business, "products_changed_at", None),
            getattr(business, "posts_changed_at", None),
        ),
        read_at=read_at,
        render=lambda: _storefront_parts(request, business, number, page_url),
    )
    _count_view(request, business)
    response = render(
        request,
        "catalog/storefront.html",
        {
            "nav": "discover",
            "business": business,
            "parts": parts,
            "opening": business_opening_status(business),
            "meta_description": _one_line(business.description)
            or f"{business.name} · {business.category.name} · {business.city}",
            "page_url": page_url,
            "og_type": "website",
            "og_title": business.name,
            "og_image": parts["og_image"],
        },
    )
    visitor_key_ensure(request, response)
    return response


@require_safe
def business_posts(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    page: Page = paginate(post_public_list(business), page=page_number(request), size=PAGE_SIZE)
    return render(request, "catalog/posts.html", {"nav": "discover", "business": business, "page": page})


def _product_parts(request: HttpRequest, business: Business, product: Product, *, preview: bool) -> dict[str, str]:
    """The product page's parts that are the same for every visitor (see ``catalog.pages``)."""
    page_url = _absolute(request, reverse("catalog:product", args=[business.slug, product.pk]))
    photos = product_photos(product)
    price = money_format(product.price_minor, product.currency)
    message = _("Hello %(shop)s, I am interested in “%(product)s” (%(price)s): %(url)s") % {
        "shop": business.name,
        "product": product.title,
        "price": price,
        "url": page_url,
    }
    context = {
        "business": business,
        "product": product,
        "photos": photos,
        "preview": preview,
        "page_url": page_url,
        "whatsapp_url": _whatsapp_url(business, message),
    }
    parts: dict[str, str] = {
        name: render_to_string(f"catalog/product.html#product-{name}", context, request)
        for name in ("showcase", "details")
    }
    parts["og_image"] = _absolute(request, photos[0].detail.url) if photos else _business_image(request, business)
    parts["og_title"] = f"{product.title} · {price}"
    parts["meta_description"] = _one_line(product.description) or f"{product.title} · {price} · {business.name}"
    return parts


def _product_page_context(
    request: HttpRequest,
    business: Business,
    product: Product,
    *,
    preview: bool = False,
    read_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The product page's context; its visitor-independent parts come from the cache unless ``preview``."""
    page_url = _absolute(request, reverse("catalog:product", args=[business.slug, product.pk]))
    if preview or read_at is None:
        parts: dict[str, str] = _product_parts(request, business, product, preview=preview)
    else:
        parts = parts_cached(
            "product",
            key=(business.pk, product.pk, page_url),
            changed=changed_at(business.updated_at, product.updated_at),
            read_at=read_at,
            render=lambda: _product_parts(request, business, product, preview=False),
        )
    return {
        "nav": "more" if preview else "discover",
        "business": business,
        "product": product,
        "parts": parts,
        "preview": preview,
        "page_url": page_url,
        "meta_description": parts["meta_description"],
        "og_type": "product",
        "og_title": parts["og_title"],
        "og_image": parts["og_image"],
    }


@require_safe
def product_detail(request: HttpRequest, slug: str, product_id: int) -> HttpResponse:
    read_at = read_started()
    product = product_public_find(slug=slug, product_id=product_id)
    if product is None:
        raise Http404
    business = product.business
    _count_view(request, business, product)
    context = _product_page_context(request, business, product, read_at=read_at)
    response = render(request, "catalog/product.html", context)
    visitor_key_ensure(request, response)
    return response
