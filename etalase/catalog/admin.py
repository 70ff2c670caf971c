"""Operators' view of the catalog: find products and posts, and hide what breaks the rules."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from etalase.catalog.models import Post, Product, ProductImage
from etalase.catalog.services import post_moderate, product_moderate


class ProductImageInline(admin.TabularInline[ProductImage, Product]):
    model = ProductImage
    extra = 0
    fields = ["preview", "position", "alt_text", "width", "height"]
    readonly_fields = ["preview", "width", "height"]
    can_delete = False
    max_num = 0  # photos are added by the shop, through its pages or the API

    @admin.display(description=_("photo"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.thumbnail:
            return "–"
        return format_html('<img src="{}" alt="" width="96" height="96" loading="lazy">', obj.thumbnail.url)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["title", "business", "price_minor", "currency", "status", "is_hidden", "published_at"]
    list_filter = ["status", "is_hidden", "currency"]
    search_fields = ["title", "sku", "business__name", "business__slug"]
    list_select_related = ["business"]
    raw_id_fields = ["business"]
    readonly_fields = ["status", "is_hidden", "published_at", "favourite_count", "comment_count", "created_at"]
    inlines = [ProductImageInline]
    actions = ["hide", "show"]
    date_hierarchy = "created_at"

    @admin.action(description=_("Hide selected products from the public"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset.select_related("business"):
            product_moderate(product=product, operator=request.user, hidden=True)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d product hidden.", "%d products hidden.", count) % count, messages.WARNING
        )

    @admin.action(description=_("Show selected products again"))
    def show(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset.select_related("business"):
            product_moderate(product=product, operator=request.user, hidden=False)
        count = queryset.count()
        self.message_user(request, ngettext("%d product shown.", "%d products shown.", count) % count, messages.SUCCESS)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ["__str__", "business", "author", "is_hidden", "published_at"]
    list_filter = ["is_hidden"]
    search_fields = ["caption", "business__name", "business__slug"]
    list_select_related = ["business", "author"]
    raw_id_fields = ["business", "author", "products"]
    readonly_fields = ["is_hidden", "published_at", "created_at"]
    actions = ["hide"]
    date_hierarchy = "published_at"

    @admin.action(description=_("Hide selected posts from the public"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset.select_related("business"):
            post_moderate(post=post, operator=request.user)
        count = queryset.count()
        self.message_user(request, ngettext("%d post hidden.", "%d posts hidden.", count) % count, messages.WARNING)
