"""Catalog reads. Lists prefetch what their pages show (business, field, cover photo, tagged
products), so a page costs the same number of queries whatever its length.

``product_public_queryset`` and ``post_public_queryset`` are the one definition of "what the public
may see"; the storefront, search and the engagement feed all start from them.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Post, Product, ProductImage
from etalase.core.text import search_filter
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business, Category


def cover_prefetch(lookup: str = "images") -> Prefetch[str, QuerySet[ProductImage], str]:
    """Each product's first photo only, in one query (a window function), read by ``Product.cover``.

    Another app listing rows that point at products prefetches ``cover_prefetch("product__images")``.
    """
    return Prefetch(lookup, queryset=ProductImage.objects.order_by("position", "id")[:1], to_attr="cover_images")


def _all_photos_prefetch() -> Prefetch[str, QuerySet[ProductImage], str]:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"), to_attr="ordered_images")


def product_photos(product: Product) -> list[ProductImage]:
    """The product's photos in order, cover first: the ones its selector prefetched, else one query."""
    return list(getattr(product, "ordered_images", None) or product.images.order_by("position", "id"))


# --- the owner's side ----------------------------------------------------------------------------


def product_list_for_business(business: Business, status: str | None = None) -> QuerySet[Product]:
    """Every product of the business in the shop's order; archived ones only when asked for.

    ``status`` is a :class:`ProductStatus` value, or ``"hidden"`` for published products hidden
    from the storefront.
    """
    queryset = Product.objects.filter(business=business)
    if status == "hidden":
        queryset = queryset.filter(status=ProductStatus.PUBLISHED, is_hidden=True)
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=ProductStatus.ARCHIVED)
    return queryset.select_related("business").prefetch_related(cover_prefetch()).order_by("position", "-id")


def product_get_for_business(business: Business, product_id: int) -> Product | None:
    """One product of the business, any status, with all its photos in order."""
    return (
        Product.objects.filter(business=business, pk=product_id)
        .select_related("business")
        .prefetch_related(_all_photos_prefetch())
        .first()
    )


def post_list_for_business(business: Business) -> QuerySet[Post]:
    return (
        Post.objects.filter(business=business)
        .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("position", "-id")))
        .order_by("-published_at", "-id")
    )


def product_choices_for_business(business: Business, *, limit: int = 200) -> list[tuple[int, str]]:
    """Products a post may tag: the shop's non-archived ones, in the shop's order."""
    rows = (
        Product.objects.filter(business=business)
        .exclude(status=ProductStatus.ARCHIVED)
        .order_by("position", "-id")
        .values_list("id", "title")[:limit]
    )
    return list(rows)


# --- what the public sees ------------------------------------------------------------------------


def product_public_queryset() -> QuerySet[Product]:
    """Published, not hidden, of an active business; newest first, with the business and the cover."""
    return (
        Product.objects.filter(status=ProductStatus.PUBLISHED, is_hidden=False, business__status=BusinessStatus.ACTIVE)
        .select_related("business", "business__category")
        .prefetch_related(cover_prefetch())
        .order_by("-published_at", "-id")
    )


def product_public_list(business: Business) -> QuerySet[Product]:
    """The storefront's products, in the order the shop chose."""
    return product_public_queryset().filter(business=business).order_by("position", "-id")


def product_public_get(business: Business, product_id: int) -> Product | None:
    """A product anyone may see, with all its photos in order; None for anything else."""
    return (
        product_public_queryset()
        .filter(business=business, pk=product_id)
        .prefetch_related(None)  # every photo instead of the cover only; ``cover`` reads the first
        .prefetch_related(_all_photos_prefetch())
        .first()
    )


def product_search(*, query: str, category_slug: str | None = None, city: str | None = None) -> QuerySet[Product]:
    """Public products matching every word of ``query`` (any case or accent, part of a word, or its
    Indonesian/English translation: "coffee" finds "Kopi Gayo"), optionally in one business field
    (or its sub-fields) and one city; newest first. An empty query lists every public product."""
    queryset = product_public_queryset()
    condition = search_filter(query or "")
    if condition is not None:
        queryset = queryset.filter(condition)
    if category_slug:
        queryset = queryset.filter(
            Q(business__category__slug=category_slug) | Q(business__category__parent__slug=category_slug)
        )
    if city:
        queryset = queryset.filter(business__city__iexact=city.strip())
    return queryset


def post_public_queryset() -> QuerySet[Post]:
    """Visible posts of active businesses, newest first, with the business and the tagged products
    customers may open."""
    tagged = Prefetch(
        "products",
        queryset=Product.objects.filter(status=ProductStatus.PUBLISHED, is_hidden=False).order_by("position", "-id"),
        to_attr="public_products",
    )
    return (
        Post.objects.filter(is_hidden=False, business__status=BusinessStatus.ACTIVE)
        .select_related("business", "business__category")
        .prefetch_related(tagged)
        .order_by("-published_at", "-id")
    )


def post_public_list(business: Business) -> QuerySet[Post]:
    return post_public_queryset().filter(business=business)


# --- what the public pages' cache is keyed by (``catalog.pages``) ---------------------------------

# A storefront or product page served from the cache runs one or two small queries, and building and
# compiling them with the ORM costs several times what running them does. These queries are compiled
# once per process and database, then run with the request's values in place of the placeholders.
_SLUG = "\x00slug"
_ID = -7_418_529_630


def _prepared(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


@functools.cache
def _storefront_business_sql(alias: str) -> tuple[str, tuple[Any, ...]]:
    latest_product = Product.objects.filter(business=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    latest_post = Post.objects.filter(business=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    category = {f"field_{field.attname}": F(f"category__{field.attname}") for field in _category_fields()}
    queryset = (
        Business.objects.using(alias)
        .filter(status=BusinessStatus.ACTIVE, slug=_SLUG)
        .annotate(products_changed_at=Subquery(latest_product), posts_changed_at=Subquery(latest_post), **category)
        .order_by()[:1]
    )
    return _prepared(queryset)


def _category_fields() -> list[Any]:
    return list(Category._meta.concrete_fields)


def _with_values(params: tuple[Any, ...], **values: Any) -> list[Any]:
    sentinels = {_SLUG: values.get("slug"), _ID: values.get("id"), _ID + 1: values.get("business_id")}
    return [sentinels[param] if isinstance(param, str | int) and param in sentinels else param for param in params]


def storefront_business_get(*, slug: str) -> Business | None:
    """A business anyone may see (as ``business_public_get``), with its business field, and when its
    products and posts last changed (``products_changed_at``, ``posts_changed_at``: None without any):
    one query, compiled once."""
    sql, params = _storefront_business_sql(DEFAULT_DB_ALIAS)
    business = next(iter(Business.objects.raw(sql, _with_values(params, slug=slug))), None)
    if business is None:
        return None
    fields = _category_fields()
    values = [getattr(business, f"field_{field.attname}") for field in fields]
    business.category = Category.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], values)
    for name in ("products_changed_at", "posts_changed_at"):
        setattr(business, name, _moment(getattr(business, name)))
    return business


def _moment(value: Any) -> dt.datetime | None:
    """A time read from a raw column: SQLite gives its text or a naive datetime (in UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value if isinstance(value, dt.datetime) else None


@functools.cache
def _product_public_sql(alias: str) -> tuple[str, tuple[Any, ...]]:
    queryset = (
        Product.objects.using(alias)
        .filter(pk=_ID, business_id=_ID + 1, status=ProductStatus.PUBLISHED, is_hidden=False)
        .order_by()[:1]
    )
    return _prepared(queryset)


def product_public_find(*, slug: str, product_id: int) -> Product | None:
    """A product anyone may see, of the public business ``slug``, with that business (as
    ``storefront_business_get`` reads it) and no photos (``product_photos`` reads them when the page is
    not cached): two queries, compiled once."""
    business = storefront_business_get(slug=slug)
    if business is None:
        return None
    sql, params = _product_public_sql(DEFAULT_DB_ALIAS)
    product = next(iter(Product.objects.raw(sql, _with_values(params, id=product_id, business_id=business.pk))), None)
    if product is not None:
        product.business = business
    return product


@functools.cache
def _public_lists_sql(alias: str) -> tuple[str, tuple[Any, ...], str, tuple[Any, ...]]:
    businesses = (
        Business.objects.using(alias)
        .filter(status=BusinessStatus.ACTIVE)
        .values("status")
        .annotate(changed=Max("updated_at"), count=Count("pk"))
        .values("changed", "count")
        .order_by()
    )
    products = Product.objects.using(alias).order_by("-updated_at").values("updated_at")[:1]
    return (*_prepared(businesses), *_prepared(products))


def public_lists_changed(*, with_products: bool) -> tuple[dt.datetime | None, int]:
    """When the public lists (Discover) last changed, and how many public businesses there are.

    The newest ``updated_at`` of the public businesses and, ``with_products``, of any product (a
    product leaving the public, hidden or archived, changes too); the count notices a business
    deleted. One query, two with products; compiled once (see above).
    """
    business_sql, business_params, product_sql, product_params = _public_lists_sql(DEFAULT_DB_ALIAS)
    with connection.cursor() as cursor:
        cursor.execute(business_sql, business_params)
        row = cursor.fetchone()
        changed, count = (_moment(row[0]), int(row[1])) if row else (None, 0)
        if with_products:
            cursor.execute(product_sql, product_params)
            latest = cursor.fetchone()
            moment = _moment(latest[0]) if latest else None
            if moment is not None and (changed is None or moment > changed):
                changed = moment
    return changed, count
