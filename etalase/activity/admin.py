from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from etalase.activity.models import Activity, HandlerRun, WorkerBeat


class ProcessingFilter(admin.SimpleListFilter):
    """Where an activity is in the pipeline: the operator's view of the queue."""

    title = _("processing")
    parameter_name = "processing"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Activity]) -> list[tuple[str, str]]:
        return [
            ("waiting", str(_("Waiting"))),
            ("failing", str(_("Failing, retried"))),
            ("processed", str(_("Processed"))),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        if self.value() == "waiting":
            return queryset.filter(processed_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(processed_at__isnull=True).exclude(last_error="")
        if self.value() == "processed":
            return queryset.filter(processed_at__isnull=False)
        return queryset


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ["occurred_at", "verb", "business", "actor", "channel", "processed_at", "attempts", "error_short"]
    list_filter = [ProcessingFilter, "verb", "channel"]
    search_fields = ["verb", "idempotency_key"]
    raw_id_fields = ["business", "actor"]
    readonly_fields = ["attempts", "next_attempt_at", "claimed_by", "last_error"]
    date_hierarchy = "occurred_at"

    @admin.display(description=_("last error"))
    def error_short(self, obj: Activity) -> str:
        return obj.last_error[:80]

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False  # append-only

    def has_delete_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False


@admin.register(HandlerRun)
class HandlerRunAdmin(admin.ModelAdmin[HandlerRun]):
    list_display = ["activity", "handler", "done_at"]
    search_fields = ["handler"]
    raw_id_fields = ["activity"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: HandlerRun | None = None) -> bool:
        return False


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin[WorkerBeat]):
    list_display = ["worker_id", "host", "pid", "started_at", "beat_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkerBeat | None = None) -> bool:
        return False
