"""Links from engagement pieces to the pages that show a shop or a product."""

from django import template
from django.urls import reverse

from etalase.catalog.models import Product
from etalase.directory.models import Business

register = template.Library()


def shop_path(slug: str) -> str:
    """The public storefront of a shop: /b/<slug>/."""
    return reverse("catalog:storefront", args=[slug])


def product_path(product: Product, business: Business | None = None) -> str:
    """A product's public page, /b/<slug>/p/<id>/; pass its ``business`` when it is not loaded with it."""
    return reverse("catalog:product", args=[(business or product.business).slug, product.pk])


@register.simple_tag
def shop_url(business: Business) -> str:
    return shop_path(business.slug)


@register.simple_tag
def product_url(product: Product, business: Business | None = None) -> str:
    return product_path(product, business)
