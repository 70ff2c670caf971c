"""Reads of import jobs; always the business first."""

from django.db.models import QuerySet

from etalase.customers.models import ImportJob
from etalase.directory.models import Business


def import_job_get(*, business: Business, job_id: int) -> ImportJob | None:
    """One of the business's import jobs; another business's job is None, like a missing one."""
    return ImportJob.objects.select_related("business").filter(business=business, pk=job_id).first()


def import_job_list(*, business: Business, limit: int = 10) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(business=business).select_related("created_by").order_by("-created_at", "-pk")[:limit]
    )
