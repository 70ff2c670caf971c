"""Products, their photos and showcase posts. Counters are kept by the engagement services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etalase.catalog.enums import ProductStatus
from etalase.core.models import TimeStampedModel

MAX_PRODUCT_IMAGES = 8


class Product(TimeStampedModel):
    business = models.ForeignKey(
        "directory.Business", on_delete=models.CASCADE, related_name="products", verbose_name=_("business")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    price_minor = models.BigIntegerField(_("price"))
    compare_at_minor = models.BigIntegerField(_("price before discount"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    stock = models.IntegerField(_("stock"), null=True, blank=True, help_text=_("Empty means unlimited."))
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus, default=ProductStatus.DRAFT)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    position = models.IntegerField(_("position"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    search_text = models.TextField(blank=True, default="", editable=False)
    favourite_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["position", "-id"]
        indexes = [
            models.Index(fields=["business", "status", "position"], name="product_business_status"),
            models.Index(fields=["status", "-published_at"], name="product_status_published"),
            # What the public pages' cache is keyed by: the newest change of a shop's products, of any.
            models.Index(fields=["business", "-updated_at"], name="product_business_updated"),
            models.Index(fields=["-updated_at"], name="product_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at_minor__isnull=True) | Q(compare_at_minor__gte=0),
                name="product_compare_at_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="product_stock_not_negative"
            ),
            models.UniqueConstraint(
                fields=["business", "sku"], condition=~Q(sku=""), name="product_sku_unique_per_business"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ProductStatus.PUBLISHED and not self.is_hidden

    @property
    def is_draft(self) -> bool:
        return self.status == ProductStatus.DRAFT

    @property
    def is_archived(self) -> bool:
        return self.status == ProductStatus.ARCHIVED

    @property
    def is_in_stock(self) -> bool:
        return self.stock is None or self.stock > 0

    @property
    def cover(self) -> "ProductImage | None":
        """The first photo; selectors prefetch it as ``cover_images`` so lists cost no extra query."""
        images = getattr(self, "cover_images", None)
        if images is None:
            images = getattr(self, "ordered_images", None)
        if images is None and "images" in getattr(self, "_prefetched_objects_cache", {}):
            images = list(self.images.all())  # ProductImage's own ordering puts the cover first
        if images is None:
            images = list(self.images.order_by("position", "id")[:1])
        return images[0] if images else None

    @property
    def is_discounted(self) -> bool:
        return self.compare_at_minor is not None and self.compare_at_minor > self.price_minor


class ProductImage(models.Model):
    """One photo, stored as WebP in two sizes; the lowest ``position`` is the cover."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    detail = models.ImageField(_("photo"), upload_to="products/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class Post(TimeStampedModel):
    """A showcase post: a picture and a caption, optionally tagging products (news, promotions)."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    caption = models.TextField(_("caption"), max_length=2200)
    image = models.ImageField(_("picture"), upload_to="posts/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="posts/%Y/%m/")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    products = models.ManyToManyField(Product, blank=True, related_name="posts", verbose_name=_("tagged products"))
    is_hidden = models.BooleanField(_("hidden"), default=False)
    published_at = models.DateTimeField(_("published at"), db_index=True)
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["business", "-published_at"], name="post_business_published")]

    def __str__(self) -> str:
        return self.caption[:40]
