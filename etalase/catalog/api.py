"""Catalog API: the public storefront, products, posts and product search; the members' catalog.

Public operations need no authentication. The ``/catalog/`` operations are for members with
``catalog.manage``; a product or post of another business answers 404 like a missing one.
Money is an integer of minor units (whole rupiah for IDR), never a decimal number.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictInt

from etalase.accounts.auth import api_auth
from etalase.activity.enums import Channel
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Post, Product, ProductImage
from etalase.catalog.selectors import (
    post_list_for_business,
    post_public_list,
    product_get_for_business,
    product_list_for_business,
    product_photos,
    product_public_get,
    product_public_list,
    product_search,
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
    product_publish,
    product_reorder,
    product_show,
    product_update,
)
from etalase.core.api import FormId, Id, IdIn, PageIn, PageMeta, Slug, errors, page_answer
from etalase.core.errors import NotFound
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import business_opening_status, business_public_require
from etalase.directory.tenancy import BusinessContext, business_context_for

router = Router(tags=["catalog"])

Money = Annotated[StrictInt, Field(description="Integer minor units: whole rupiah for IDR (15000 = Rp 15.000).")]

PUBLIC_READ = errors(404, 422)
MEMBER_READ = errors(401, 403, 404, 422)
MEMBER_WRITE = errors(400, 401, 403, 404, 409, 422)


def _owner_product(context: BusinessContext, product_id: int) -> Product:
    product = product_get_for_business(context.business, product_id)
    if product is None:
        raise NotFound()
    return product


# --- schemas -------------------------------------------------------------------------------------


class PhotoOut(Schema):
    id: int
    position: int
    url: str = Field(..., description="The photo, WebP, at most 1080 px on its longer side.")
    thumbnail_url: str = Field(..., description="WebP, at most 480 px.")
    width: int
    height: int
    alt_text: str

    @staticmethod
    def resolve_url(obj: ProductImage) -> str:
        return obj.detail.url

    @staticmethod
    def resolve_thumbnail_url(obj: ProductImage) -> str:
        return obj.thumbnail.url


class StorefrontProductOut(Schema):
    id: int
    business: str = Field(..., alias="business.slug")
    title: str = Field(..., description="As the shop typed it; escape it when showing it as HTML.")
    description: str
    price_minor: int
    compare_at_minor: int | None
    currency: str
    stock: int | None = Field(..., description="None: unlimited; 0: sold out.")
    is_in_stock: bool
    cover: PhotoOut | None
    favourite_count: int
    comment_count: int
    published_at: datetime | None
    url: str

    @staticmethod
    def resolve_url(obj: Product) -> str:
        return reverse("catalog:product", args=[obj.business.slug, obj.pk])


class ProductDetailOut(StorefrontProductOut):
    business_name: str = Field(..., alias="business.name")
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj: Product) -> list[ProductImage]:
        return product_photos(obj)


class StorefrontProductPage(PageMeta):
    items: list[StorefrontProductOut]


class OwnerProductOut(StorefrontProductOut):
    sku: str
    status: ProductStatus
    is_hidden: bool
    is_public: bool
    position: int
    created_at: datetime
    updated_at: datetime


class OwnerProductDetailOut(OwnerProductOut):
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj: Product) -> list[ProductImage]:
        return product_photos(obj)


class OwnerProductPage(PageMeta):
    items: list[OwnerProductOut]


class TaggedProductOut(Schema):
    id: int
    title: str
    price_minor: int
    currency: str


class StorefrontPostOut(Schema):
    id: int
    business: str = Field(..., alias="business.slug")
    caption: str
    image_url: str
    thumbnail_url: str
    width: int
    height: int
    published_at: datetime
    products: list[TaggedProductOut]

    @staticmethod
    def resolve_image_url(obj: Post) -> str:
        return obj.image.url

    @staticmethod
    def resolve_thumbnail_url(obj: Post) -> str:
        return obj.thumbnail.url

    @staticmethod
    def resolve_products(obj: Post) -> list[Product]:
        public = getattr(obj, "public_products", None)
        return list(public) if public is not None else list(obj.products.all())


class OwnerPostOut(StorefrontPostOut):
    is_hidden: bool


class PostPage(PageMeta):
    items: list[StorefrontPostOut]


class OwnerPostPage(PageMeta):
    items: list[OwnerPostOut]


class OpeningOut(Schema):
    is_open: bool | None = Field(..., description="None when the shop gave no opening hours.")
    label: str


class StorefrontBusinessOut(Schema):
    slug: str
    name: str
    category: str = Field(..., alias="category.slug")
    category_name: str = Field(..., alias="category.name")
    city: str
    description: str
    address: str
    whatsapp: str
    logo_url: str | None
    cover_url: str | None
    is_verified: bool
    opening: OpeningOut
    url: str

    @staticmethod
    def resolve_logo_url(obj: Business) -> str | None:
        return obj.logo.url if obj.logo else None

    @staticmethod
    def resolve_cover_url(obj: Business) -> str | None:
        return obj.cover.url if obj.cover else None

    @staticmethod
    def resolve_opening(obj: Business) -> dict[str, Any]:
        status = business_opening_status(obj)
        return {"is_open": status.get("is_open"), "label": str(status.get("label", ""))}

    @staticmethod
    def resolve_url(obj: Business) -> str:
        return reverse("catalog:storefront", args=[obj.slug])


class StorefrontOut(Schema):
    business: StorefrontBusinessOut
    products: StorefrontProductPage
    posts: list[StorefrontPostOut]


class SearchIn(PageIn):
    q: str = Field("", max_length=200, description="Words to find, any case or accent; Indonesian or English.")
    category: str | None = Field(None, max_length=64, description="A business field's slug.")
    city: str | None = Field(None, max_length=80)


class OwnerFilterIn(PageIn):
    status: ProductStatus | None = Field(None, description="Without it, every product except archived ones.")


class ProductIn(Schema):
    title: str = Field(..., max_length=1000)
    price_minor: Money
    compare_at_minor: Money | None = None
    stock: StrictInt | None = Field(None, description="None: unlimited.")
    sku: str = Field("", max_length=200)
    description: str = Field("", max_length=20_000)
    publish: bool = Field(False, description="Publish at once instead of saving a draft.")


class ProductPatchIn(Schema):
    title: str | None = Field(None, max_length=1000)
    price_minor: Money | None = None
    compare_at_minor: Money | None = None
    stock: StrictInt | None = None
    sku: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)


class ReorderIn(Schema):
    ids: list[IdIn] = Field(..., max_length=2000, description="Product ids to put first, in this order.")


class ProductReorderOut(Schema):
    ids: list[int]


def _page(queryset: Any, paging: PageIn) -> dict[str, Any]:
    return page_answer(queryset, page=paging.page, size=paging.size)


# --- public --------------------------------------------------------------------------------------


@router.get("/businesses/{slug}/storefront", response={200: StorefrontOut, **PUBLIC_READ}, auth=None)
def storefront(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The shop with the first page of its products (in the shop's order) and its latest posts."""
    business = business_public_require(slug=slug)
    return {
        "business": business,
        "products": _page(product_public_list(business), PageIn(page=1, size=20)),
        "posts": list(post_public_list(business)[:6]),
    }


@router.get("/businesses/{slug}/products", response={200: StorefrontProductPage, **PUBLIC_READ}, auth=None)
def products(request: HttpRequest, slug: Slug, paging: Query[PageIn]) -> dict[str, Any]:
    return _page(product_public_list(business_public_require(slug=slug)), paging)


@router.get("/businesses/{slug}/products/{product_id}", response={200: ProductDetailOut, **PUBLIC_READ}, auth=None)
def product_detail(request: HttpRequest, slug: Slug, product_id: Id) -> Product:
    product = product_public_get(business_public_require(slug=slug), product_id)
    if product is None:
        raise NotFound()
    return product


@router.get("/businesses/{slug}/posts", response={200: PostPage, **PUBLIC_READ}, auth=None)
def posts(request: HttpRequest, slug: Slug, paging: Query[PageIn]) -> dict[str, Any]:
    return _page(post_public_list(business_public_require(slug=slug)), paging)


@router.get("/search/products", response={200: StorefrontProductPage, **errors(422)}, auth=None)
def search_products(request: HttpRequest, filters: Query[SearchIn]) -> dict[str, Any]:
    """Public products of active shops matching every word of ``q``: "coffee" finds "Kopi Gayo"."""
    queryset = product_search(query=filters.q, category_slug=filters.category, city=filters.city)
    return _page(queryset, filters)


# --- members -------------------------------------------------------------------------------------

CATALOG = "/businesses/{slug}/catalog"


@router.get(CATALOG + "/products", response={200: OwnerProductPage, **MEMBER_READ}, auth=api_auth)
def owner_products(request: HttpRequest, slug: Slug, filters: Query[OwnerFilterIn]) -> dict[str, Any]:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return _page(product_list_for_business(context.business, status=filters.status), filters)


@router.post(CATALOG + "/products", response={201: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth)
def owner_product_create(request: HttpRequest, slug: Slug, payload: ProductIn) -> Status[Product]:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product = product_create(context=context, channel=Channel.API, **payload.dict())
    return Status(201, _owner_product(context, product.pk))


@router.post(CATALOG + "/products/reorder", response={200: ProductReorderOut, **MEMBER_WRITE}, auth=api_auth)
def owner_products_reorder(request: HttpRequest, slug: Slug, payload: ReorderIn) -> dict[str, Any]:
    """Put these products first, in this order; the others follow in their current order."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return {"ids": product_reorder(context=context, ordered_ids=payload.ids, channel=Channel.API)}


@router.get(CATALOG + "/products/{product_id}", response={200: OwnerProductDetailOut, **MEMBER_READ}, auth=api_auth)
def owner_product_detail(request: HttpRequest, slug: Slug, product_id: Id) -> Product:
    return _owner_product(business_context_for(request, slug, Permission.CATALOG_MANAGE), product_id)


@router.patch(CATALOG + "/products/{product_id}", response={200: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth)
def owner_product_update(request: HttpRequest, slug: Slug, product_id: Id, payload: ProductPatchIn) -> Product:
    """Change only the fields sent; send ``null`` to clear the discount price or make stock unlimited."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product_update(context=context, product_id=product_id, channel=Channel.API, **payload.dict(exclude_unset=True))
    return _owner_product(context, product_id)


@router.delete(CATALOG + "/products/{product_id}", response={204: None, **MEMBER_WRITE}, auth=api_auth)
def owner_product_archive(request: HttpRequest, slug: Slug, product_id: Id) -> Status[None]:
    """Archive the product: customers no longer see it; publish it again to bring it back."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product_archive(context=context, product_id=product_id, channel=Channel.API)
    return Status(204, None)


def _status_change(context: BusinessContext, product_id: int, action: Any) -> Product:
    action(context=context, product_id=product_id, channel=Channel.API)
    return _owner_product(context, product_id)


@router.post(
    CATALOG + "/products/{product_id}/publish", response={200: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth
)
def owner_product_publish(request: HttpRequest, slug: Slug, product_id: Id) -> Product:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return _status_change(context, product_id, product_publish)


@router.post(
    CATALOG + "/products/{product_id}/hide", response={200: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth
)
def owner_product_hide(request: HttpRequest, slug: Slug, product_id: Id) -> Product:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return _status_change(context, product_id, product_hide)


@router.post(
    CATALOG + "/products/{product_id}/show", response={200: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth
)
def owner_product_show(request: HttpRequest, slug: Slug, product_id: Id) -> Product:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return _status_change(context, product_id, product_show)


@router.post(
    CATALOG + "/products/{product_id}/images", response={201: OwnerProductDetailOut, **MEMBER_WRITE}, auth=api_auth
)
def owner_product_images_add(
    request: HttpRequest, slug: Slug, product_id: Id, images: File[list[UploadedFile]]
) -> Status[Product]:
    """Upload photos (multipart, field ``images``, repeatable): at most 8 per product, 8 MB each;
    stored as WebP without EXIF. All are added, or none when one is refused."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product_images_add(context=context, product_id=product_id, uploads=images, channel=Channel.API)
    return Status(201, _owner_product(context, product_id))


@router.delete(
    CATALOG + "/products/{product_id}/images/{image_id}", response={204: None, **MEMBER_WRITE}, auth=api_auth
)
def owner_product_image_remove(request: HttpRequest, slug: Slug, product_id: Id, image_id: Id) -> Status[None]:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product_image_remove(context=context, product_id=product_id, image_id=image_id, channel=Channel.API)
    return Status(204, None)


@router.post(
    CATALOG + "/products/{product_id}/images/{image_id}/cover",
    response={200: OwnerProductDetailOut, **MEMBER_WRITE},
    auth=api_auth,
)
def owner_product_image_cover(request: HttpRequest, slug: Slug, product_id: Id, image_id: Id) -> Product:
    """Make this photo the cover (first place)."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    product_image_set_cover(context=context, product_id=product_id, image_id=image_id, channel=Channel.API)
    return _owner_product(context, product_id)


@router.get(CATALOG + "/posts", response={200: OwnerPostPage, **MEMBER_READ}, auth=api_auth)
def owner_posts(request: HttpRequest, slug: Slug, paging: Query[PageIn]) -> dict[str, Any]:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    return _page(post_list_for_business(context.business), paging)


@router.post(CATALOG + "/posts", response={201: OwnerPostOut, **MEMBER_WRITE}, auth=api_auth)
def owner_post_create(
    request: HttpRequest,
    slug: Slug,
    image: File[UploadedFile],
    caption: Form[str] = "",
    products: Form[list[FormId]] = [],  # noqa: B006  (ninja reads the default, never mutates it)
) -> Status[Post]:
    """Publish a post (multipart): ``image``, ``caption`` (at most 2200 characters) and ``products``
    (repeatable: ids of this shop's products to tag)."""
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    post = post_create(context=context, image=image, caption=caption, product_ids=products, channel=Channel.API)
    return Status(201, post_list_for_business(context.business).get(pk=post.pk))


@router.post(CATALOG + "/posts/{post_id}/hide", response={200: OwnerPostOut, **MEMBER_WRITE}, auth=api_auth)
def owner_post_hide(request: HttpRequest, slug: Slug, post_id: Id) -> Post:
    context = business_context_for(request, slug, Permission.CATALOG_MANAGE)
    post_hide(context=context, post_id=post_id, channel=Channel.API)
    return post_list_for_business(context.business).get(pk=post_id)
