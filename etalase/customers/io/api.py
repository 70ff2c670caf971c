"""The customers API: import contacts from a file (CSV, XLSX, vCard) and export the contact list.

An import is a job: upload the file (``POST .../customers/imports``, multipart field ``file``); read
the guessed mapping in ``columns``, change it with ``PATCH``; check the first rows with ``GET
.../preview``; ``POST .../start``; poll ``GET`` for ``processed_rows`` until ``status`` is ``done``;
download the per-row report (CSV: row, outcome, reason, contact_id). Every operation needs
``customers.manage`` (exports are personal data); another business's job answers 404.

Uploaded files are not kept for ever: an upload never started is deleted after 24 hours (its job then
answers 404), and a finished or failed import's file after 7 days; the job and its report stay, and
what needs the file (preview, mapping, starting again) answers 409 ``file_gone``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from etalase.accounts.auth import api_auth, api_user
from etalase.core.api import Id, Slug, errors
from etalase.core.errors import Conflict, NotFound
from etalase.customers.enums import ImportStatus
from etalase.customers.io.exports import XLSX_TYPE, contacts_export_csv, contacts_export_xlsx
from etalase.customers.io.imports import (
    import_mapping_set,
    import_preview,
    import_report_chunks,
    import_start,
    import_upload,
)
from etalase.customers.io.jobs import SOURCE_GONE
from etalase.customers.io.schemas import ExportIn, ImportJobOut, MappingIn, PreviewOut
from etalase.customers.io.selectors import import_job_get
from etalase.customers.models import ImportJob
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_for

router = Router(tags=["customers"])


IMPORTS = "/businesses/{slug}/customers/imports"
JOB = IMPORTS + "/{job_id}"
READ = errors(401, 403, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)


def _job(request: HttpRequest, slug: str, job_id: int) -> ImportJob:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    job = import_job_get(business=context.business, job_id=job_id)
    if job is None:
        raise NotFound()
    return job


def _with_source(job: ImportJob) -> ImportJob:
    """The job, when its uploaded file is still kept (``imports_purge`` deletes it after a while)."""
    if not job.file:
        raise Conflict(SOURCE_GONE, code="file_gone")
    return job


@contextmanager
def _not_purged_meanwhile() -> Iterator[None]:
    """A job that ``imports_purge`` deleted while this request ran answers 404."""
    try:
        yield
    except ImportJob.DoesNotExist:
        raise NotFound() from None


@router.post(IMPORTS, response={201: ImportJobOut, **WRITE}, auth=api_auth, summary="Upload a file to import")
def import_create(request: HttpRequest, slug: Slug, file: File[UploadedFile]) -> Status[ImportJob]:
    """Upload a CSV, XLSX or vCard file (multipart, field ``file``, at most 20 MB). The content is
    checked (a picture renamed .xlsx is refused); CSV encoding and delimiter are detected, and the
    columns are mapped to customer fields from their names. Nothing is imported yet."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    job = import_upload(business=context.business, actor=api_user(request), upload=file)
    return Status(201, job)


@router.get(JOB, response={200: ImportJobOut, **READ}, auth=api_auth, summary="An import: mapping and progress")
def import_detail(request: HttpRequest, slug: Slug, job_id: Id) -> ImportJob:
    return _job(request, slug, job_id)


@router.patch(JOB, response={200: ImportJobOut, **WRITE}, auth=api_auth, summary="Change an import's mapping")
def import_mapping(request: HttpRequest, slug: Slug, job_id: Id, payload: MappingIn) -> ImportJob:
    """Say which column holds which customer field (the columns not named are left out). A column may
    be a phone, email or tags column more than once; every other field takes one column. 409 once the
    import has started, or when its uploaded file is no longer kept."""
    job = _job(request, slug, job_id)
    if job.status in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        _with_source(job)
    with _not_purged_meanwhile():
        return import_mapping_set(job=job, fields=payload.fields, has_header=payload.has_header)


@router.get(
    JOB + "/preview",
    response={200: PreviewOut, **errors(401, 403, 404, 409, 422)},
    auth=api_auth,
    summary="Preview an import",
)
def import_preview_rows(request: HttpRequest, slug: Slug, job_id: Id) -> dict[str, Any]:
    """The first 20 rows as they would import: cleaned values (phones in E.164), whether each makes a
    new customer, completes an existing one (same phone or email) or is rejected, and why. 409
    ``file_gone`` when the uploaded file is no longer kept."""
    job = _with_source(_job(request, slug, job_id))
    preview = import_preview(job=job)
    return {
        "total_rows": preview.total_rows,
        "error": preview.error,
        "columns": [column.__dict__ for column in preview.columns],
        "rows": [
            {
                "row": item.row.number,
                "outcome": item.outcome,
                "reasons": item.reasons,
                "contact_id": item.contact.pk if item.contact is not None else None,
                "values": {
                    "name": item.row.name,
                    "phones": item.row.phones,
                    "emails": item.row.emails,
                    "city": item.row.city,
                    "address": item.row.address,
                    "birthday": item.row.birthday,
                    "tags": item.row.tags,
                    "consent": item.row.consent,
                },
            }
            for item in preview.rows
        ],
    }


@router.post(JOB + "/start", response={202: ImportJobOut, **WRITE}, auth=api_auth, summary="Start an import")
def import_begin(request: HttpRequest, slug: Slug, job_id: Id) -> Status[ImportJob]:
    """Import in the background; poll the job for ``processed_rows`` and ``status``. A failed import
    can be started again: rows already imported are merged, never duplicated."""
    job = _job(request, slug, job_id)
    with _not_purged_meanwhile():
        return Status(202, import_start(job=job, actor=api_user(request)))


@router.get(
    JOB + "/report",
    response={200: None, **errors(401, 403, 404, 409, 422)},
    auth=api_auth,
    url_name="customers_import_report",
    summary="An import's per-row report (CSV)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def import_report(request: HttpRequest, slug: Slug, job_id: Id) -> StreamingHttpResponse:
    """One line per row: ``row`` (number in the file), ``outcome`` (created, merged, rejected),
    ``reason``, ``contact_id``. 409 while the import has not run yet."""
    job = _job(request, slug, job_id)
    response = StreamingHttpResponse(import_report_chunks(job=job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


@router.get(
    "/businesses/{slug}/customers/export",
    response={200: None, **errors(400, 401, 403, 404, 422)},
    auth=api_auth,
    summary="Export customers (CSV or XLSX)",
    openapi_extra={
        "responses": {200: {"description": "The customer list", "content": {"text/csv": {}, XLSX_TYPE: {}}}}
    },
)
def export(request: HttpRequest, slug: Slug, options: Query[ExportIn]) -> StreamingHttpResponse | FileResponse:
    """The customers matching the same filters as the customer list (``q``, ``tag``, ``stage``,
    ``segment``, ``city``, ``last_seen_days``, ``spent_min``/``spent_max``, ``orders_min``/``orders_max``,
    ``info_min``/``info_max``, ``personal_min``/``personal_max`` (0–100),
    ``consent``, ``sort``), as CSV (UTF-8 with BOM, streamed) or XLSX. A bad filter answers 400 naming
    it. Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are
    prefixed with ``'``; an E.164 phone number is left as it is. Every export is written to the audit
    log with its filters and row count."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    query = request.GET
    name = f"customers-{context.business.slug}.{options.format}"
    if options.format == "xlsx":
        output = contacts_export_xlsx(
            business=context.business,
            actor=api_user(request),
            query=query,
            strict=True,
        )
        return FileResponse(output, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    lines = contacts_export_csv(
        business=context.business,
        actor=api_user(request),
        query=query,
        strict=True,
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
