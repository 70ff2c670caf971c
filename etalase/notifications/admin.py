from django.contrib import admin

from etalase.notifications.models import Notification, NotificationPreference, PushSubscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["id", "recipient", "business", "kind", "priority", "title", "count", "created_at", "read_at"]
    list_filter = ["kind", "priority"]
    search_fields = ["title", "recipient__phone", "recipient__email"]
    raw_id_fields = ["recipient", "business", "activity"]
    list_select_related = ["recipient", "business"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ["user", "business", "quiet_start", "quiet_end", "digest_enabled", "digest_hour", "updated_at"]
    raw_id_fields = ["user", "business"]
    list_select_related = ["user", "business"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin[PushSubscription]):
    list_display = ["user", "endpoint", "created_at", "last_success_at", "failure_count"]
    readonly_fields = ["endpoint", "p256dh", "auth", "user_agent", "created_at", "last_success_at", "failure_count"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
