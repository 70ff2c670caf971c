"""Operators' view of customer records: find a contact or a segment when a shop asks for help.

Read-only: shops change their customers through their own pages and the API (which keep the search
text, aggregates, consent ledger and audit log right); the operator only looks.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from etalase.customers.models import Contact, Segment


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin[Contact]):
    list_display = ["display_name", "business", "stage", "orders_count", "spent_minor", "last_seen_at", "merged_into"]
    list_filter = ["stage", "source", "rfm_segment"]
    search_fields = ["name", "phone", "email", "business__slug"]
    list_select_related = ["business"]
    raw_id_fields = ["business", "user", "merged_into"]
    show_full_result_count = False  # no COUNT over every contact of every shop


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin[Segment]):
    list_display = ["name", "business", "created_at"]
    search_fields = ["name", "business__slug"]
    list_select_related = ["business"]
