"""Import and export pages: upload a file, map its columns and preview, watch the import, download
its report; download the customer list (with the list's filters) as CSV or XLSX."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from etalase.accounts.auth import page_user
from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error
from etalase.customers.enums import ImportStatus
from etalase.customers.io.exports import XLSX_TYPE, contacts_export_csv, contacts_export_xlsx
from etalase.customers.io.forms import MappingForm, UploadForm
from etalase.customers.io.imports import (
    import_mapping_set,
    import_preview,
    import_report_chunks,
    import_start,
    import_upload,
)
from etalase.customers.io.jobs import SOURCE_GONE, import_job_editable, job_settings
from etalase.customers.io.parsers import FileFormat
from etalase.customers.io.selectors import import_job_get, import_job_list
from etalase.customers.models import ImportJob
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_of, business_view


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    job = import_job_get(business=business_context_of(request).business, job_id=job_id)
    if job is None:
        raise Http404
    return job


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def import_upload_page(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_upload(
                    business=context.business, actor=page_user(request), upload=form.cleaned_data["file"]
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                return redirect("customers_io:import_job", slug=context.business.slug, job_id=job.pk)
        status = 400
    else:
        form = UploadForm()
    return render(
        request,
        "customers/io_upload.html",
        {"nav": "customers", "form": form, "jobs": import_job_list(business=context.business)},
        status=status,
    )


def _mapping_form(job: ImportJob, data: object = None) -> tuple[MappingForm, object]:
    preview = import_preview(job=job)
    settings_ = job_settings(job)
    initial: dict[str, object] = {f"column_{key}": value for key, value in settings_.fields.items()}
    initial["has_header"] = settings_.has_header
    form = MappingForm(
        data,
        initial=initial,
        headers=settings_.headers,
        samples=[column.samples for column in preview.columns],
        show_header=settings_.source.file_format != FileFormat.VCARD,
    )
    return form, preview


@business_view(Permission.CUSTOMERS_MANAGE)
@require_http_methods(["GET", "POST"])
def import_job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    context = business_context_of(request)
    job = _job(request, job_id)
    status = 200
    form = preview = None
    if request.method == "POST" and import_job_editable(job):
        form, preview = _mapping_form(job, request.POST)
        if form.is_valid():
            try:
                has_header = form.cleaned_data.get("has_header") if "has_header" in form.fields else None
                job = import_mapping_set(job=job, fields=form.mapping(), has_header=has_header)
                if request.POST.get("action") == "start":
                    import_start(job=job, actor=page_user(request))
                    return redirect("customers_io:import_job", slug=context.business.slug, job_id=job.pk)
            except ImportJob.DoesNotExist:
                raise Http404 from None  # deleted by imports_purge while this request ran
            except DomainError as error:
                form_add_domain_error(form, error)
                status = 400
            else:
                return redirect("customers_io:import_job", slug=context.business.slug, job_id=job.pk)
        else:
            status = 400
    elif request.method == "POST":
        return redirect("customers_io:import_job", slug=context.business.slug, job_id=job.pk)
    if form is None and import_job_editable(job):
        form, preview = _mapping_form(job)
    elif form is None and job.status in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        messages.info(request, SOURCE_GONE)  # its counts and report are still shown
    return render(
        request,
        "customers/io_job.html",
        {"nav": "customers", "job": job, "form": form, "preview": preview, **_progress(job)},
        status=status,
    )


def _progress(job: ImportJob) -> dict[str, object]:
    total = max(job.total_rows, job.processed_rows, 1)
    return {"percent": min(100, job.processed_rows * 100 // total), "progress_max": total}


@business_view(Permission.CUSTOMERS_MANAGE)
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "customers/io_job.html#progress", {"job": job, **_progress(job)})


@business_view(Permission.CUSTOMERS_MANAGE)
@require_GET
def import_report(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    response = StreamingHttpResponse(import_report_chunks(job=job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response  # type: ignore[return-value]  # a streamed download


def _export_name(request: HttpRequest, extension: str) -> str:
    return f"customers-{business_context_of(request).business.slug}-{timezone.localdate():%Y%m%d}.{extension}"


@business_view(Permission.CUSTOMERS_MANAGE)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    lines = contacts_export_csv(business=context.business, actor=page_user(request), query=request.GET)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(request, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed download


@business_view(Permission.CUSTOMERS_MANAGE)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    output = contacts_export_xlsx(business=context.business, actor=page_user(request), query=request.GET)
    response = FileResponse(output, as_attachment=True, filename=_export_name(request, "xlsx"), content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed download
