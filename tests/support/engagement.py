"""Engagement helpers: products (a draft, or published with its photo), hidden products and posts,
made by the catalog's own services as a shop makes them."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from etalase.catalog.models import Post, Product
from etalase.catalog.services import post_create, product_create, product_hide, product_images_add
from etalase.directory.models import Business
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from tests.factories import business_owner


def picture(colour: str = "navy", name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def owner_context(business: Business) -> BusinessContext:
    return business_context_resolve(user=business_owner(business), slug=business.slug)


def product_made(
    business: Business,
    title: str = "Batik Parang",
    *,
    price_minor: int = 150_000,
    publish: bool = True,
    photo: bool = True,
    published_at: dt.datetime | None = None,
) -> Product:
    """A product made by the catalog's services: a draft, or published with its photo."""
    context = owner_context(business)
    product = product_create(context=context, title=title, price_minor=price_minor, publish=publish)
    if photo:
        product_images_add(context=context, product_id=product.pk, uploads=[picture()])
    if published_at is not None:
        Product.objects.filter(pk=product.pk).update(published_at=published_at)
    return Product.objects.get(pk=product.pk)


def product_hidden(product: Product) -> Product:
    product_hide(context=owner_context(product.business), product_id=product.pk)
    return Product.objects.get(pk=product.pk)


def post_made(
    business: Business,
    caption: str = "Koleksi baru minggu ini",
    *,
    products: tuple[Product, ...] = (),
    published_at: dt.datetime | None = None,
) -> Post:
    post = post_create(
        context=owner_context(business),
        image=picture("teal", "post.png"),
        caption=caption,
        product_ids=[product.pk for product in products],
    )
    if published_at is not None:
        Post.objects.filter(pk=post.pk).update(published_at=published_at)
    return Post.objects.get(pk=post.pk)


def minutes_ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)
