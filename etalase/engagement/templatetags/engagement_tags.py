"""Links from engagement pieces to the pages that show a shop or a product."""

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


def shop_path(slug: str) -> str:
    """The public storefront of a shop: /b/<slug>/."""
    return reverse("catalog:storefront", args=[slug])


def product_path(product: Any, business: Any = None) -> str:
    """A product's public page, /b/<slug>/p/<id>/; pass its ``business`` when it is not loaded with it."""
    return reverse("catalog:product", args=[(business or product.business).slug, product.pk])


@register.simple_tag
def shop_url(business: Any) -> str:
    return shop_path(business.slug)


@register.simple_tag
def product_url(product: Any, business: Any = None) -> str:
    return product_path(product, business)
