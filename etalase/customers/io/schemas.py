"""API schemas for contact import jobs."""

import datetime as dt
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from etalase.customers.io.fields import ImportField
from etalase.customers.io.jobs import job_settings
from etalase.customers.models import ImportJob

FIELDS_HELP = "Customer fields: " + ", ".join(ImportField.values) + '; "" leaves a column out.'


class ColumnOut(Schema):
    index: int
    header: str = Field(..., description="The column's name in the file, or “Column N” without a header row.")
    field: str = Field(..., description="The customer field it feeds, or empty when it is not imported.")


class ImportJobOut(Schema):
    id: int
    filename: str
    file_format: str = Field(..., description="csv, xlsx or vcard (found from the content, not the name).")
    status: str = Field(..., description="uploaded (waiting for its mapping), running, done or failed.")
    has_header: bool
    columns: list[ColumnOut]
    total_rows: int
    processed_rows: int
    progress_percent: int
    created_count: int
    merged_count: int
    rejected_count: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    report_url: str | None = Field(..., description="The per-row report (CSV) once the import has run.")

    @staticmethod
    def resolve_has_header(obj: ImportJob) -> bool:
        return job_settings(obj).has_header

    @staticmethod
    def resolve_columns(obj: ImportJob) -> list[dict[str, Any]]:
        settings_ = job_settings(obj)
        return [
            {"index": index, "header": header, "field": settings_.fields.get(str(index), "")}
            for index, header in enumerate(settings_.headers)
        ]

    @staticmethod
    def resolve_progress_percent(obj: ImportJob) -> int:
        total = max(obj.total_rows, obj.processed_rows, 1)
        return min(100, obj.processed_rows * 100 // total)

    @staticmethod
    def resolve_report_url(obj: ImportJob) -> str | None:
        if not obj.report:
            return None
        return reverse("api:customers_import_report", args=[obj.business.slug, obj.pk])


class MappingIn(Schema):
    fields: dict[str, str] = Field(
        ...,
        max_length=100,
        description='Column index → customer field, e.g. {"0": "name", "1": "phone"}. ' + FIELDS_HELP,
    )
    has_header: bool | None = Field(None, description="Whether the first row holds column names (not for vCard).")


class PreviewValuesOut(Schema):
    name: str
    phones: list[str]
    emails: list[str]
    city: str
    address: str
    birthday: dt.date | None
    tags: list[str]
    consent: dict[str, bool]


class PreviewRowOut(Schema):
    row: int = Field(..., description="The row number in the file (the n-th card for a vCard).")
    outcome: Literal["created", "merged", "rejected"]
    reasons: list[str]
    values: PreviewValuesOut
    contact_id: int | None = Field(..., description="The existing customer this row completes, if any.")


class PreviewColumnOut(ColumnOut):
    samples: list[str]


class PreviewOut(Schema):
    total_rows: int
    columns: list[PreviewColumnOut]
    rows: list[PreviewRowOut]
    error: str


class ExportIn(Schema):
    format: Literal["csv", "xlsx"] = Field("csv", description="csv (UTF-8 with BOM) or xlsx.")
