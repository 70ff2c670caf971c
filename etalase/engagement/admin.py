"""Operators moderate comments (hide or show again, counters kept right) and look at follows and
favourites; they never edit them."""

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from etalase.accounts.auth import page_user
from etalase.engagement.models import Comment, Favourite, Follow
from etalase.engagement.privacy import ERASED_TEXT
from etalase.engagement.services import comment_moderate


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin[Comment]):
    list_display = ["created_at", "product", "business", "author", "kind", "short_body", "is_hidden"]
    list_filter = ["is_hidden", "kind"]
    search_fields = ["body", "product__title", "business__name", "author__phone", "author__email"]
    list_select_related = ["product", "business", "author"]
    raw_id_fields = ["business", "product", "author", "parent", "hidden_by"]
    date_hierarchy = "created_at"
    actions = ["hide", "show"]

    @admin.display(description=_("text"))
    def short_body(self, obj: Comment) -> str:
        if obj.is_erased:
            return str(ERASED_TEXT)
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False  # hide instead: counters and the activity trail stay right

    @admin.action(description=_("Hide selected comments"))
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_moderate(operator=page_user(request), comment_id=comment.pk, hidden=True)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d comment hidden.", "%d comments hidden.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Show selected comments again"))
    def show(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            comment_moderate(operator=page_user(request), comment_id=comment.pk, hidden=False)
        count = queryset.count()
        self.message_user(request, ngettext("%d comment shown.", "%d comments shown.", count) % count, messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin[Follow]):
    list_display = ["created_at", "user", "business"]
    search_fields = ["business__name", "business__slug", "user__phone", "user__email"]
    list_select_related = ["user", "business"]
    raw_id_fields = ["user", "business"]


@admin.register(Favourite)
class FavouriteAdmin(ReadOnlyAdmin[Favourite]):
    list_display = ["created_at", "user", "product", "business"]
    search_fields = ["product__title", "business__name", "user__phone", "user__email"]
    list_select_related = ["user", "product", "business"]
    raw_id_fields = ["user", "product", "business"]
