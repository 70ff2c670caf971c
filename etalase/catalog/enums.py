from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Verb(models.TextChoices):
    PRODUCT_CREATED = "product_created", _("added a product")
    PRODUCT_UPDATED = "product_updated", _("updated a product")
    PRODUCT_PUBLISHED = "product_published", _("published a product")
    PRODUCT_HIDDEN = "product_hidden", _("hid a product")
    PRODUCT_SHOWN = "product_shown", _("showed a product again")
    PRODUCT_ARCHIVED = "product_archived", _("archived a product")
    PRODUCTS_REORDERED = "products_reordered", _("reordered the products")
    POST_PUBLISHED = "post_published", _("published a post")
    POST_HIDDEN = "post_hidden", _("hid a post")
    VIEWED_BUSINESS = "viewed_business", _("viewed the storefront")
    VIEWED_PRODUCT = "viewed_product", _("viewed a product")
