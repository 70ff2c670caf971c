from django.contrib import admin
from django.http import HttpRequest

from etalase.activity.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ["occurred_at", "verb", "business", "actor", "channel", "processed_at"]
    list_filter = ["verb", "channel"]
    search_fields = ["verb", "idempotency_key"]
    raw_id_fields = ["business", "actor"]
    date_hierarchy = "occurred_at"

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False  # append-only

    def has_delete_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False
