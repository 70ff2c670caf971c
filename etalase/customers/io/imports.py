"""Import of contacts from CSV, XLSX and vCard files: upload, mapping, preview, start, report.

An import is a job: upload (the file is checked and described), mapping (columns to contact
fields, guessed from the headers), preview (the first rows validated), then the import itself in
the background (``importer``). Every import is written to the customer-data audit log.
"""

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.core import dispatch
from etalase.core.errors import Conflict, DomainError
from etalase.customers.enums import ImportRowOutcome, ImportStatus
from etalase.customers.io.fields import (
    CleanRow,
    cell_text,
    mapping_guess,
    mapping_guess_from_values,
    mapping_validate,
    row_clean,
)
from etalase.customers.io.importer import TWO_CUSTOMERS, contacts_matching, row_matches
from etalase.customers.io.jobs import SOURCE_GONE, job_data_rows, job_file_read, job_settings
from etalase.customers.io.parsers import (
    VCARD_COLUMNS,
    FileFormat,
    ImportFileError,
    Source,
    import_max_bytes,
    source_inspect,
)
from etalase.customers.models import Contact, ImportJob
from etalase.directory.models import Business

PREVIEW_ROWS = 20
FILE_EXTENSIONS = {FileFormat.CSV: "csv", FileFormat.XLSX: "xlsx", FileFormat.VCARD: "vcf"}


def _initial_mapping(source: Source) -> dict[str, Any]:
    if source.file_format == FileFormat.VCARD:
        fields = {str(index): key for index, (key, _label) in enumerate(VCARD_COLUMNS)}
        has_header = False
    else:
        has_header = source.header_suggested
        fields = mapping_guess(source.first_row) if has_header else mapping_guess_from_values(source.first_row)
    return {"source": source.as_dict(), "fields": fields, "has_header": has_header}


@transaction.atomic
def import_upload(*, business: Business, actor: User | None, upload: Any) -> ImportJob:
    """Check an uploaded file (content, not just its name) and make an import job waiting for its mapping."""
    filename = (getattr(upload, "name", "") or "contacts").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", None)
    limit = import_max_bytes()
    if size is not None and size > limit:
        raise ImportFileError(
            _("This file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": limit // (1024 * 1024) or 1},
            code="too_large",
        )
    data = upload.read(limit + 1)
    source = source_inspect(data, filename)
    mapping = _initial_mapping(source)
    job = ImportJob(
        business=business,
        created_by=actor if getattr(actor, "pk", None) else None,
        filename=filename,
        file_format=source.file_format,
        mapping=mapping,
        total_rows=source.data_rows(has_header=mapping["has_header"]),
    )
    extension = FILE_EXTENSIONS[FileFormat(source.file_format)]
    job.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    job.save()
    return job


def _editable(job: ImportJob) -> None:
    if job.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        raise Conflict(_("This import has already started; its mapping can no longer change."), code="import_started")
    if not job.file:
        raise Conflict(SOURCE_GONE, code="file_gone")


@transaction.atomic
def import_mapping_set(*, job: ImportJob, fields: Mapping[str, str], has_header: bool | None = None) -> ImportJob:
    """Choose which column feeds which contact field (``{"<column index>": "<field>"}``; "" skips a column)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    _editable(job)
    current = job_settings(job)
    if current.source.file_format == FileFormat.VCARD:
        has_header = False
    elif has_header is None:
        has_header = current.has_header
    clean = mapping_validate(dict(fields), columns=current.source.columns)
    job.mapping = {**(job.mapping or {}), "fields": clean, "has_header": has_header}
    job.total_rows = current.source.data_rows(has_header=has_header)
    job.save(update_fields=["mapping", "total_rows"])
    return job


@dataclass
class Column:
    index: int
    header: str
    field: str
    samples: list[str]


@dataclass
class PreviewRow:
    row: CleanRow
    outcome: str
    reasons: list[str] = field(default_factory=list)
    contact: Contact | None = None

    @property
    def consent_labels(self) -> list[tuple[str, bool]]:
        return [(str(CONSENT_LABELS.get(key, key)), granted) for key, granted in self.row.consent.items()]


CONSENT_LABELS = {
    "whatsapp_marketing": _("WhatsApp promotions"),
    "sms_marketing": _("SMS promotions"),
    "email_marketing": _("Email promotions"),
}


@dataclass
class Preview:
    columns: list[Column]
    rows: list[PreviewRow]
    total_rows: int
    error: str = ""


def import_preview(*, job: ImportJob, limit: int = PREVIEW_ROWS) -> Preview:
    """The file's columns (with their mapping and sample values) and its first rows as they would import."""
    settings_ = job_settings(job)
    headers = settings_.headers
    records: list[tuple[int, list[Any]]] = []
    error = ""
    try:
        for record in job_data_rows(job_file_read(job), settings_):
            records.append(record)
            if len(records) >= limit:
                break
    except DomainError as exc:
        error = str(exc.message)
    columns = []
    for index, header in enumerate(headers):
        samples = []
        for _number, cells in records[:3]:
            value = cells[index] if index < len(cells) else None
            samples.append(cell_text(value)[:60])
        columns.append(Column(index=index, header=header, field=settings_.fields.get(str(index), ""), samples=samples))
    rows = [row_clean(number, cells, settings_.fields) for number, cells in records]
    return Preview(
        columns=columns,
        rows=_preview_plan(job.business_id, rows) if settings_.fields else [],
        total_rows=job.total_rows,
        error=error,
    )


def _preview_plan(business_id: int, rows: list[CleanRow]) -> list[PreviewRow]:
    phones = {phone for row in rows for phone in row.phones}
    emails = {email for row in rows for email in row.emails}
    by_phone, by_email = contacts_matching(business_id, phones, emails)
    earlier: dict[str, int] = {}
    planned = []
    for row in rows:
        if not row.is_valid:
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.REJECTED, reasons=list(row.errors)))
            continue
        matches = row_matches(row, by_phone, by_email)
        keys = [f"p:{p}" for p in row.phones] + [f"e:{e}" for e in row.emails]
        if len(matches) > 1:
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.REJECTED, reasons=[str(TWO_CUSTOMERS)]))
            continue
        if matches:
            reason = gettext("Already a customer: %(name)s. Empty fields will be filled in.") % {
                "name": matches[0].display_name
            }
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.MERGED, reasons=[reason], contact=matches[0]))
        elif any(key in earlier for key in keys):
            number = next(earlier[key] for key in keys if key in earlier)
            reason = gettext("Same customer as row %(row)s.") % {"row": number}
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.MERGED, reasons=[reason]))
        else:
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.CREATED, reasons=list(row.notes)))
        for key in keys:
            earlier.setdefault(key, row.number)
    return planned


@transaction.atomic
def import_start(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Start importing in the background (after this transaction commits)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.RUNNING:
        raise Conflict(_("This import is already running."), code="import_running")
    if job.status == ImportStatus.DONE:
        raise Conflict(
            _("This import has finished. To import the file again, upload it again."), code="import_finished"
        )
    settings_ = job_settings(job)
    mapping_validate(settings_.fields, columns=settings_.source.columns)
    if not job.file or not job.file.storage.exists(str(job.file.name)):
        raise Conflict(SOURCE_GONE, code="file_gone")
    job.mapping = {
        **(job.mapping or {}),
        "started_by": (actor.pk or None) if actor is not None else None,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    job.status = ImportStatus.RUNNING
    job.processed_rows = job.created_count = job.merged_count = job.rejected_count = 0
    job.error = ""
    job.finished_at = None
    if job.report:
        job.report.delete(save=False)
    job.save()
    from etalase.customers.io.tasks import import_contacts

    dispatch.on_commit(import_contacts, job.pk)
    return job


def import_report_chunks(*, job: ImportJob) -> Iterator[bytes]:
    """The per-row report (CSV: row, outcome, reason, contact_id) of a finished or failed import."""
    if not job.report:
        raise Conflict(_("The report is ready when the import has finished."), code="report_not_ready")
    return _report_chunks(job)


def _report_chunks(job: ImportJob) -> Iterator[bytes]:
    with job.report.open("rb") as handle:
        yield b"\xef\xbb\xbf"  # Excel reads a UTF-8 file with a BOM correctly
        while chunk := handle.read(64 * 1024):
            yield chunk
