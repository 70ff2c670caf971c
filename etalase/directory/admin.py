from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from etalase.accounts.auth import page_user
from etalase.accounts.models import User
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.services import business_set_status, business_verify


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["slug", "name_id", "name_en", "parent", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["slug", "name_id", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


class MembershipInline(admin.TabularInline[Membership, Business]):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin[Business]):
    list_display = ["name", "slug", "category", "city", "status", "is_verified", "created_at"]
    list_filter = ["status", "is_verified", "category"]
    search_fields = ["name", "slug", "city", "whatsapp"]
    readonly_fields = ["verified_at", "created_at", "updated_at", "created_by", "status", "is_verified"]
    raw_id_fields = ["category"]
    inlines = [MembershipInline]
    actions = ["verify", "suspend", "reinstate"]

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Business],
        act: Callable[[Business, User], object],
        done: Callable[[int], str],
        level: int,
    ) -> None:
        """Run ``act`` on each selected business as the operator, then say how many were done."""
        operator = page_user(request)
        for business in queryset:
            act(business, operator)
        count = queryset.count()
        self.message_user(request, done(count) % count, level)

    @admin.action(description=_("Verify selected businesses"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Business]) -> None:
        self._each(
            request,
            queryset,
            lambda business, operator: business_verify(business=business, operator=operator),
            lambda count: ngettext("%d business verified.", "%d businesses verified.", count),
            messages.SUCCESS,
        )

    @admin.action(description=_("Suspend selected businesses"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Business]) -> None:
        self._each(
            request,
            queryset,
            lambda business, operator: business_set_status(
                business=business, operator=operator, status=BusinessStatus.SUSPENDED
            ),
            lambda count: ngettext("%d business suspended.", "%d businesses suspended.", count),
            messages.WARNING,
        )

    @admin.action(description=_("Reinstate selected businesses"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Business]) -> None:
        self._each(
            request,
            queryset,
            lambda business, operator: business_set_status(
                business=business, operator=operator, status=BusinessStatus.ACTIVE
            ),
            lambda count: ngettext("%d business reinstated.", "%d businesses reinstated.", count),
            messages.SUCCESS,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["business", "phone", "email", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["phone", "email", "business__name"]
    raw_id_fields = ["business", "invited_by", "accepted_by"]
