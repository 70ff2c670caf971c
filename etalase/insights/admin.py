from django.contrib import admin
from django.http import HttpRequest

from etalase.insights.models import DailyMetric


@admin.register(DailyMetric)
class DailyMetricAdmin(admin.ModelAdmin[DailyMetric]):
    """Read-only: rollups are written by activity processing and ``rollups_rebuild`` only."""

    list_display = ["business", "day", "metric", "product", "value"]
    list_filter = ["metric"]
    date_hierarchy = "day"
    raw_id_fields = ["business", "product"]
    list_select_related = ["business", "product"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DailyMetric | None = None) -> bool:
        return False
