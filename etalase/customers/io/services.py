"""Import of contacts from CSV, XLSX and vCard files, and export of contact lists to CSV and XLSX.

An import is a job: upload (the file is checked and described), mapping (columns to contact
fields, guessed from the headers), preview (the first rows validated), then the import itself in
the background, in chunks: one query per chunk finds the contacts that a chunk's phones and emails
already belong to, new contacts are bulk-created, matches are merged (empty fields filled, never
overwritten; tags added), and the job's progress is written after every chunk. Importing the same
file twice creates nothing the second time: every row merges into the contact the first run made.

Exports neutralise spreadsheet formulas: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading ``'`` (an E.164 phone number such as ``+6281234567890`` is left
alone: a plus sign followed only by digits is a number, never a formula). Every import and every
export is written to the customer-data audit log.
"""

import csv
import datetime as dt
import io
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from etalase.core import dispatch
from etalase.core.errors import Conflict, DomainError
from etalase.customers.enums import AuditAction, ConsentSource, ContactSource, ImportRowOutcome, ImportStatus
from etalase.customers.filters import ContactFilter, contact_filter_parse
from etalase.customers.io.fields import (
    CleanRow,
    ImportField,
    cell_text,
    mapping_guess,
    mapping_guess_from_values,
    mapping_validate,
    row_clean,
)
from etalase.customers.io.parsers import (
    VCARD_COLUMNS,
    FileFormat,
    ImportFileError,
    Source,
    import_max_bytes,
    source_inspect,
    source_records,
)
from etalase.customers.models import Consent, Contact, ContactTag, ImportJob, Tag
from etalase.customers.selectors import contact_export_rows, contact_list
from etalase.customers.services import audit_record, contact_search_text

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
PREVIEW_ROWS = 20
REPORT_HEADER = ("row", "outcome", "reason", "contact_id")
ANALYZE_FIRST_AT = 2000
CHUNK_ATTEMPTS = 3
"""A chunk whose new contacts collide with contacts made at the same moment (a customer's first
order, another import) is planned again against the database, at most this many times."""


# --- the job's stored description -----------------------------------------------------------------


@dataclass(frozen=True)
class JobSettings:
    """What ``ImportJob.mapping`` holds: the file's description, the column mapping, the header flag."""

    source: Source
    fields: dict[str, str]
    has_header: bool

    @property
    def headers(self) -> list[str]:
        return self.source.headers(has_header=self.has_header)


def job_settings(job: ImportJob) -> JobSettings:
    mapping = job.mapping or {}
    source = Source.from_dict(mapping.get("source") or {"file_format": job.file_format})
    return JobSettings(
        source=source,
        fields={str(k): str(v) for k, v in (mapping.get("fields") or {}).items()},
        has_header=bool(mapping.get("has_header", source.header_suggested)),
    )


def _initial_mapping(source: Source) -> dict[str, Any]:
    if source.file_format == FileFormat.VCARD:
        fields = {str(index): key for index, (key, _label) in enumerate(VCARD_COLUMNS)}
        has_header = False
    else:
        has_header = source.header_suggested
        fields = mapping_guess(source.first_row) if has_header else mapping_guess_from_values(source.first_row)
    return {"source": source.as_dict(), "fields": fields, "has_header": has_header}


def _read(job: ImportJob) -> bytes:
    if not job.file:
        raise Conflict(_("The uploaded file of this import is no longer kept. Upload it again."))
    with job.file.open("rb") as handle:
        return handle.read()


def _data_rows(data: bytes, settings_: JobSettings) -> Iterator[tuple[int, list[Any]]]:
    records = source_records(data, settings_.source)
    if settings_.has_header and settings_.source.file_format != FileFormat.VCARD:
        next(records, None)
    yield from records


# --- upload, mapping, preview, start ----------------------------------------------------------------


FILE_EXTENSIONS = {FileFormat.CSV: "csv", FileFormat.XLSX: "xlsx", FileFormat.VCARD: "vcf"}


@transaction.atomic
def import_upload(*, business: Any, actor: Any, upload: Any) -> ImportJob:
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


SOURCE_GONE = _("The uploaded file of this import is no longer kept. Upload it again.")


def import_job_editable(job: ImportJob) -> bool:
    """Whether the mapping can change and the import start (again): not started yet, or stopped and
    still holding its uploaded file (``imports_purge`` deletes a finished import's file after a while)."""
    return job.status in (ImportStatus.UPLOADED, ImportStatus.FAILED) and bool(job.file)


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
        for record in _data_rows(_read(job), settings_):
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
    by_phone, by_email = _existing(business_id, phones, emails)
    earlier: dict[str, int] = {}
    planned = []
    for row in rows:
        if not row.is_valid:
            planned.append(PreviewRow(row=row, outcome=ImportRowOutcome.REJECTED, reasons=list(row.errors)))
            continue
        matches = _distinct(
            [by_phone[p] for p in row.phones if p in by_phone] + [by_email[e] for e in row.emails if e in by_email]
        )
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


MATCH_FIELDS: tuple[str, ...] = ("business_id", "merged_into_id", "erased_at", "updated_at", "search_text", "consent")
MATCH_FIELDS += ("name", "phone", "email", "city", "address", "birthday")
"""What merging reads and writes (search text is made from name, phone, email and city)."""


def _existing(business_id: int, phones: set[str], emails: set[str]) -> tuple[dict[str, Contact], dict[str, Contact]]:
    """The business's contacts having one of these phones or emails, by phone and by email (two queries).

    A contact merged into another keeps the phone or email the other already had one of; such a
    number finds the contact it was merged into (one more query, only when there is one).
    """
    by_phone: dict[str, Contact] = {}
    by_email: dict[str, Contact] = {}
    if not (phones or emails):
        return by_phone, by_email
    # One query per kind, each through its unique index: "phone IN (...) OR email IN (...)" uses
    # neither index (they are partial, for non-empty values) and scans the whole business.
    contacts = Contact.objects.filter(business_id=business_id).only(*MATCH_FIELDS).order_by()
    found: list[Contact] = []
    if phones:
        found += contacts.filter(phone__in=phones).exclude(phone="")
    if emails:
        found += contacts.filter(email__in=emails).exclude(email="")
    survivors: dict[int, Contact] = {}
    pending = {c.merged_into_id for c in found if c.merged_into_id}
    for _hop in range(10):
        if not pending:
            break
        rows = list(Contact.objects.filter(business_id=business_id, pk__in=pending).only(*MATCH_FIELDS))
        survivors.update({row.pk: row for row in rows})
        pending = {row.merged_into_id for row in rows if row.merged_into_id and row.merged_into_id not in survivors}

    def surviving(contact: Contact) -> Contact:
        for _hop in range(10):
            if contact.merged_into_id is None or contact.merged_into_id not in survivors:
                return contact
            contact = survivors[contact.merged_into_id]
        return contact

    for contact in found:
        target = surviving(contact)
        if contact.phone:
            by_phone[contact.phone] = target
        if contact.email:
            by_email[contact.email] = target
    return by_phone, by_email


def _distinct(contacts: Iterable[Contact]) -> list[Contact]:
    seen: list[Contact] = []
    for contact in contacts:
        if not any(contact is other for other in seen):
            seen.append(contact)
    return seen


TWO_CUSTOMERS = _("The phone number and the email belong to two different customers. Merge them first.")


@transaction.atomic
def import_start(*, job: ImportJob, actor: Any) -> ImportJob:
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
        "started_by": actor.pk if getattr(actor, "pk", None) else None,
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


# --- the import itself ---------------------------------------------------------------------------


FIELD_LABELS = {
    "name": ImportField.NAME.label,
    "phone": ImportField.PHONE.label,
    "email": ImportField.EMAIL.label,
    "city": ImportField.CITY.label,
    "address": ImportField.ADDRESS.label,
    "birthday": ImportField.BIRTHDAY.label,
}


@dataclass
class _Line:
    number: int
    outcome: str
    reason: str
    contact: Contact | None = None


class _Importer:
    """Runs one job chunk by chunk. Tags and the rows that created contacts are remembered across chunks."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.settings = job_settings(job)
        self.business_id = job.business_id
        started_by = (job.mapping or {}).get("started_by")
        self.actor_id: int | None = started_by or job.created_by_id
        self.tags: dict[str, int] = {}
        self.created_rows: dict[int, int] = {}
        self.analyzed_at = 0
        self.counts: dict[str, int] = {
            ImportRowOutcome.CREATED: 0,
            ImportRowOutcome.MERGED: 0,
            ImportRowOutcome.REJECTED: 0,
        }

    def run(self) -> None:
        tags = Tag.objects.filter(business_id=self.business_id).values_list("pk", "name")
        self.tags = {name.casefold(): pk for pk, name in tags}
        data = _read(self.job)
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as report:
            writer = csv.writer(report)
            writer.writerow(REPORT_HEADER)
            try:
                chunk: list[CleanRow] = []
                for number, cells in _data_rows(data, self.settings):
                    chunk.append(row_clean(number, cells, self.settings.fields))
                    if len(chunk) >= CHUNK_SIZE:
                        self._chunk(chunk, writer)
                        chunk = []
                if chunk:
                    self._chunk(chunk, writer)
            finally:
                report.seek(0)
                self.job.report.save(
                    f"report-{uuid.uuid4().hex}.csv", File(io.BytesIO(report.read().encode("utf-8"))), save=False
                )
                ImportJob.objects.filter(pk=self.job.pk).update(report=self.job.report.name)
        self._finish()

    def _chunk(self, rows: list[CleanRow], writer: Any) -> None:
        for attempt in range(CHUNK_ATTEMPTS):
            try:
                with transaction.atomic():
                    self._commit_without_waiting()
                    lines, new_tags = self._apply(rows)
                    self._progress(lines)
            except IntegrityError:
                if attempt == CHUNK_ATTEMPTS - 1:
                    raise
                continue
            self.tags.update(new_tags)
            for line in lines:
                contact_id = line.contact.pk if line.contact is not None else ""
                writer.writerow([line.number, line.outcome, cell_safe(line.reason), contact_id])
            self._statistics_refresh()
            return

    @staticmethod
    def _commit_without_waiting() -> None:
        """On PostgreSQL, do not wait for each chunk's commit to reach the disk. A crash may lose the
        last chunks' commits, never half of one (each chunk and its progress commit together), and
        importing the file again completes them without duplicates."""
        connection = connections[router.db_for_write(Contact)]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def _statistics_refresh(self) -> None:
        """Let PostgreSQL see how many contacts the business now has, after 2,000, 10,000, 50,000...
        new ones. With statistics from before the import, the planner reads every contact of the
        business for each chunk's phone lookup instead of using the (business, phone) index, and an
        import into a new business slows down chunk after chunk. Autovacuum catches up only later."""
        created = self.counts[ImportRowOutcome.CREATED]
        if created < self.analyzed_at * 5 or created < ANALYZE_FIRST_AT:
            return
        self.analyzed_at = created
        connection = connections[router.db_for_write(Contact)]
        if connection.vendor != "postgresql":
            return  # SQLite plans these lookups by the index without statistics
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Contact._meta.db_table)}")

    def _progress(self, lines: list[_Line]) -> None:
        counts = {outcome: 0 for outcome in self.counts}
        for line in lines:
            counts[line.outcome] += 1
        ImportJob.objects.filter(pk=self.job.pk).update(
            processed_rows=F("processed_rows") + len(lines),
            created_count=F("created_count") + counts[ImportRowOutcome.CREATED],
            merged_count=F("merged_count") + counts[ImportRowOutcome.MERGED],
            rejected_count=F("rejected_count") + counts[ImportRowOutcome.REJECTED],
        )
        for outcome, count in counts.items():
            self.counts[outcome] += count

    def _apply(self, rows: list[CleanRow]) -> tuple[list[_Line], dict[str, int]]:
        phones = {phone for row in rows if row.is_valid for phone in row.phones}
        emails = {email for row in rows if row.is_valid for email in row.emails}
        by_phone, by_email = _existing(self.business_id, phones, emails)
        now = timezone.now()
        created: list[Contact] = []
        created_here: dict[int, int] = {}  # id(contact) -> row that created it, within this chunk
        changed: dict[int, Contact] = {}
        consents: list[Consent] = []
        links: list[tuple[Contact, str]] = []
        lines: list[_Line] = []
        for row in rows:
            if not row.is_valid:
                lines.append(_Line(row.number, ImportRowOutcome.REJECTED, " ".join(row.errors)))
                continue
            matches = _distinct(
                [by_phone[p] for p in row.phones if p in by_phone] + [by_email[e] for e in row.emails if e in by_email]
            )
            if len(matches) > 1:
                lines.append(_Line(row.number, ImportRowOutcome.REJECTED, str(TWO_CUSTOMERS)))
                continue
            if matches:
                contact = matches[0]
                filled = self._fill(contact, row, by_phone, by_email)
                reasons = [self._merge_reason(contact, created_here)]
                if filled:
                    reasons.append(
                        gettext("Filled in: %(fields)s.") % {"fields": ", ".join(str(FIELD_LABELS[f]) for f in filled)}
                    )
                if filled and contact.pk is not None:
                    changed[id(contact)] = contact
                outcome = ImportRowOutcome.MERGED
            else:
                contact = Contact(
                    business_id=self.business_id,
                    source=ContactSource.IMPORT,
                    name=row.name,
                    phone=row.phone,
                    email=row.email,
                    city=row.city,
                    address=row.address,
                    birthday=row.birthday,
                    consent={},
                )
                created.append(contact)
                created_here[id(contact)] = row.number
                reasons = []
                outcome = ImportRowOutcome.CREATED
            reasons.extend(row.notes)
            if contact.phone:
                by_phone.setdefault(contact.phone, contact)
            if contact.email:
                by_email.setdefault(contact.email, contact)
            for key, granted in row.consent.items():
                if key in contact.consent:
                    continue  # never overwrite consent the customer gave or withdrew
                contact.consent[key] = granted
                channel, purpose = key.split("_", 1)
                consents.append(
                    Consent(
                        business_id=self.business_id,
                        contact=contact,
                        channel=channel,
                        purpose=purpose,
                        granted=granted,
                        source=ConsentSource.IMPORT,
                        recorded_by_id=self.actor_id,
                        occurred_at=now,
                    )
                )
                if contact.pk is not None:
                    changed[id(contact)] = contact
            links.extend((contact, name) for name in row.tags)
            lines.append(_Line(row.number, outcome, " ".join(reason for reason in reasons if reason), contact))

        for contact in created:
            contact.search_text = contact_search_text(contact)
        for contact in changed.values():
            contact.search_text = contact_search_text(contact)
            contact.updated_at = now
        _bulk_insert(created, columns=CONTACT_COLUMNS, now=now, returning=True)
        if changed:
            _bulk_update(list(changed.values()), columns=MERGED_COLUMNS)
        for consent in consents:
            consent.contact_id = consent.contact.pk
        _bulk_insert(consents, columns=CONSENT_COLUMNS, now=now)
        new_tags = self._tags_link(links, now)
        for contact in created:
            self.created_rows[contact.pk] = created_here[id(contact)]
        return lines, new_tags

    def _merge_reason(self, contact: Contact, created_here: dict[int, int]) -> str:
        row = created_here.get(id(contact)) or (self.created_rows.get(contact.pk) if contact.pk else None)
        if row is not None:
            return gettext("Same customer as row %(row)s.") % {"row": row}
        return gettext("Already a customer.")

    @staticmethod
    def _fill(contact: Contact, row: CleanRow, by_phone: dict[str, Contact], by_email: dict[str, Contact]) -> list[str]:
        """Fill the contact's empty fields from the row; never overwrite what the business already has."""
        filled = []
        if not contact.name and row.name:
            contact.name = row.name
            filled.append("name")
        if not contact.phone:
            phone = next((p for p in row.phones if by_phone.get(p) in (None, contact)), "")
            if phone:
                contact.phone = phone
                filled.append("phone")
        if not contact.email:
            email = next((e for e in row.emails if by_email.get(e) in (None, contact)), "")
            if email:
                contact.email = email
                filled.append("email")
        for name in ("city", "address", "birthday"):
            value = getattr(row, name)
            if value and not getattr(contact, name):
                setattr(contact, name, value)
                filled.append(name)
        return filled

    def _tags_link(self, links: list[tuple[Contact, str]], now: dt.datetime) -> dict[str, int]:
        """Tag the contacts (tags made when new, matched to existing ones whatever their case)."""
        if not links:
            return {}
        missing: dict[str, str] = {}
        for _contact, name in links:
            if name.casefold() not in self.tags:
                missing.setdefault(name.casefold(), name)  # the first spelling in the file names the tag
        new_tags: dict[str, int] = {}
        if missing:
            Tag.objects.bulk_create(
                [Tag(business_id=self.business_id, name=name) for name in missing.values()],
                ignore_conflicts=True,
                batch_size=500,
            )
            made = Tag.objects.filter(business_id=self.business_id, name__in=list(missing.values()))
            for pk, name in made.values_list("pk", "name"):
                new_tags[name.casefold()] = pk
        known = {**self.tags, **new_tags}
        rows = {
            (contact.pk, known[name.casefold()])
            for contact, name in links
            if contact.pk is not None and name.casefold() in known
        }
        _bulk_insert(
            [ContactTag(business_id=self.business_id, contact_id=contact, tag_id=tag) for contact, tag in sorted(rows)],
            columns=CONTACT_TAG_COLUMNS,
            now=now,
            ignore_conflicts=True,
        )
        return new_tags

    @transaction.atomic
    def _finish(self) -> None:
        job = ImportJob.objects.select_for_update().get(pk=self.job.pk)
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
        if job.file:
            # The uploaded file holds personal data; once imported it is not kept.
            job.file.delete(save=False)
        job.save()
        audit_record(
            business=job.business,
            actor=_user(self.actor_id),
            action=AuditAction.IMPORTED,
            detail={
                "import_id": job.pk,
                "filename": job.filename,
                "format": job.file_format,
                "rows": job.processed_rows,
                "created": job.created_count,
                "merged": job.merged_count,
                "rejected": job.rejected_count,
            },
        )
        self.job = job


CONTACT_COLUMNS: tuple[str, ...] = ("business_id", "name", "phone", "email", "city", "address", "birthday")
CONTACT_COLUMNS += ("source", "consent", "search_text")
CONSENT_COLUMNS: tuple[str, ...] = ("business_id", "contact_id", "channel", "purpose", "granted", "source")
CONSENT_COLUMNS += ("recorded_by_id", "occurred_at")
CONTACT_TAG_COLUMNS = ("business_id", "contact_id", "tag_id")


def _bulk_insert(
    objects: list[Any],
    *,
    columns: Iterable[str],
    now: dt.datetime,
    returning: bool = False,
    ignore_conflicts: bool = False,
) -> None:
    """Insert rows of one model like ``bulk_create``, several times faster for imports.

    ``bulk_create`` prepares every value of every column of every row; a contact has some thirty
    columns, nearly all at their defaults when imported, and at 50,000 rows that preparation alone
    took longer than the rest of the import. Here a column that is the same for every row (defaults,
    timestamps) is prepared once, and only ``columns`` (attribute names) per row. Every concrete field
    is written, so a field added to the model later gets its default here too.

    PostgreSQL gets one array per imported column (``INSERT ... SELECT FROM UNNEST(...)``, as Django's
    own bulk insert does) with the constants written once as literals quoted by psycopg; other
    databases get multi-row VALUES. With ``returning`` the new ids are set on the objects, in insert
    order, which both databases keep (``bulk_create`` relies on it too).
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    varying = set(columns)
    first = objects[0]
    constants: dict[str, Any] = {}
    converters: dict[str, Any] = {}
    timestamps = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objects:
        for name in timestamps:
            setattr(obj, name, now)
    for model_field in fields:
        name = model_field.attname
        if name not in varying:
            constants[name] = model_field.get_db_prep_save(getattr(first, name), connection)
            continue
        kind = model_field.get_internal_type()
        if kind == "DateField":
            converters[name] = ops.adapt_datefield_value
        elif kind == "DateTimeField":
            converters[name] = ops.adapt_datetimefield_value
        elif kind == "JSONField":
            converters[name] = lambda value, f=model_field: f.get_db_prep_save(value, connection)
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(str(f.column)) for f in fields)
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        suffix += " RETURNING " + ops.quote_name(str(model._meta.pk.column))
    imported = [f for f in fields if f.attname not in constants]

    def value(obj: Any, name: str) -> Any:
        convert = converters.get(name)
        return convert(getattr(obj, name)) if convert is not None else getattr(obj, name)

    if connection.vendor == "postgresql":
        compose = ops.compose_sql  # type: ignore[attr-defined]
        selected = []
        for index, model_field in enumerate(fields):
            db_type = str(model_field.db_type(connection))
            if model_field.attname in constants:
                literal = compose("%s", [constants[model_field.attname]]).replace("%", "%%")
                selected.append(f"({literal})::{db_type}")
            else:
                selected.append(f"u.c{index}")
        arrays = ", ".join(f"(%s)::{str(f.db_type(connection)).split('(')[0]}[]" for f in imported)
        aliases = ", ".join(f"c{fields.index(f)}" for f in imported)
        # Identifiers come from the model's metadata, quoted by the backend; values are parameters.
        source = f"UNNEST({arrays}) AS u({aliases})"
        statement = f"INSERT INTO {table} ({names}) SELECT {', '.join(selected)} FROM {source}"  # noqa: S608
        batches = [objects[start : start + 2000] for start in range(0, len(objects), 2000)]
        statements = [
            (statement + suffix, [[value(obj, f.attname) for obj in batch] for f in imported]) for batch in batches
        ]
    else:
        max_params = getattr(connection.features, "max_query_params", None) or 999
        size = max(1, min(500, max_params // len(fields)))
        batches = [objects[start : start + size] for start in range(0, len(objects), size)]
        placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        statements = []
        for batch in batches:
            params = [
                constants[f.attname] if f.attname in constants else value(obj, f.attname)
                for obj in batch
                for f in fields
            ]
            rows = ", ".join([placeholder] * len(batch))
            statements.append((f"INSERT INTO {table} ({names}) VALUES {rows}{suffix}", params))  # noqa: S608
    for batch, (sql, params) in zip(batches, statements, strict=True):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()] if returning else []
        if returning:
            for obj, pk in zip(batch, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


MERGED_COLUMNS = ("name", "phone", "email", "city", "address", "birthday", "consent", "search_text", "updated_at")


def _bulk_update(objects: list[Any], *, columns: Sequence[str]) -> None:
    """Write ``columns`` of each object (one prepared UPDATE by id, executed for all of them).

    ``bulk_update`` builds a CASE expression per object and column; completing 20,000 contacts from
    a spreadsheet took it a minute. Every row's values are prepared like :func:`_bulk_insert`'s.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{ops.quote_name(str(f.column))} = %s" for f in fields)
    table = ops.quote_name(model._meta.db_table)
    key = ops.quote_name(str(model._meta.pk.column))
    # Identifiers come from the model's metadata, quoted by the backend; values are parameters.
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _user(user_id: int | None) -> Any:
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


def import_run(*, job_id: int) -> ImportJob | None:
    """Import a started job's rows (the background task calls this; safe to call again: a job that is
    not running is left alone)."""
    job = ImportJob.objects.select_related("business").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RUNNING:
        return job
    language = (job.mapping or {}).get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            _Importer(job).run()
        except DomainError as error:
            _fail(job, str(error.message))
        except Exception:
            logger.exception("Import %s failed", job.pk)
            _fail(job, gettext("The import stopped because of an unexpected error. Start it again to continue."))
    return ImportJob.objects.filter(pk=job_id).first()


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:300], finished_at=timezone.now()
    )


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


# --- keeping uploads no longer than needed (UU PDP data minimisation) ------------------------------

UNSTARTED_KEPT_FOR = dt.timedelta(hours=24)
"""An upload that was never started is deleted, its file and its job, this long after it was uploaded."""
SOURCE_KEPT_FOR = dt.timedelta(days=7)
"""A finished or failed import's uploaded file is deleted this long after it finished (a failed one can
be started again until then). The job, its counts and its per-row report stay: the report holds row
numbers, outcomes, reasons and contact ids, no personal data."""


@dataclass
class PurgeResult:
    """What :func:`imports_purge` did, as job ids: ``removed`` (never started: deleted with their file),
    ``cleared`` (finished: their uploaded file deleted, the job kept) and ``failed`` (the storage
    refused to delete the file; tried again on the next run)."""

    removed: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def imports_purge(*, now: dt.datetime | None = None) -> PurgeResult:
    """Delete what imports keep of customers' files once it is no longer needed.

    An upload never started for :data:`UNSTARTED_KEPT_FOR` is deleted with its file (its page then
    answers 404). A done or failed import loses its uploaded file :data:`SOURCE_KEPT_FOR` after it
    finished, and the first row of the file kept in its description when that row was a customer, not
    column names; the job and its report stay. A running import is never touched.

    Idempotent and safe to run in several workers at once: each job is locked and checked again in its
    own transaction (so a job started or purged meanwhile is left alone), and its file is deleted
    before its row changes, so a run that stops half-way leaves nothing the next run cannot finish.
    """
    now = now or timezone.now()
    unstarted = Q(status=ImportStatus.UPLOADED, created_at__lt=now - UNSTARTED_KEPT_FOR)
    finished_before = now - SOURCE_KEPT_FOR
    finished = Q(status__in=(ImportStatus.DONE, ImportStatus.FAILED)) & (
        Q(finished_at__lt=finished_before) | Q(finished_at__isnull=True, created_at__lt=finished_before)
    )
    # The first row is in the description only for guessing the mapping; without a header row it is a customer.
    kept = ~Q(file="") | Q(mapping__has_header=False, mapping__source__first_row__0__isnull=False)
    result = PurgeResult()
    for pk in list(ImportJob.objects.filter(unstarted).order_by("pk").values_list("pk", flat=True)):
        _outcome(result, pk, _unstarted_remove(pk=pk, condition=unstarted))
    for pk in list(ImportJob.objects.filter(finished & kept).order_by("pk").values_list("pk", flat=True)):
        _outcome(result, pk, _source_remove(pk=pk, condition=finished & kept))
    return result


Outcome = Literal["removed", "cleared", "failed", "skipped"]


def _outcome(result: PurgeResult, pk: int, outcome: Outcome) -> None:
    if outcome != "skipped":
        getattr(result, outcome).append(pk)


def _file_delete(job: ImportJob, file: Any) -> bool:
    """Delete a stored file through its field's storage (a missing file is no error); False when refused."""
    if not file:
        return True
    try:
        file.storage.delete(file.name)
    except Exception:
        logger.exception("Import %s: the file %s could not be deleted", job.pk, file.name)
        return False
    return True


@transaction.atomic
def _unstarted_remove(*, pk: int, condition: Q) -> Outcome:
    job = ImportJob.objects.select_for_update().filter(condition, pk=pk).first()
    if job is None:
        return "skipped"
    if not (_file_delete(job, job.file) and _file_delete(job, job.report)):
        return "failed"
    job.delete()
    logger.info("Import %s of business %s: never started, deleted with its file", pk, job.business_id)
    return "removed"


@transaction.atomic
def _source_remove(*, pk: int, condition: Q) -> Outcome:
    job = ImportJob.objects.select_for_update().filter(condition, pk=pk).first()
    if job is None:
        return "skipped"
    if not _file_delete(job, job.file):
        return "failed"
    mapping = dict(job.mapping or {})
    source = dict(mapping.get("source") or {})
    if not mapping.get("has_header", True) and source.get("first_row"):
        mapping["source"] = {**source, "first_row": []}
    ImportJob.objects.filter(pk=pk).update(file="", mapping=mapping)
    logger.info("Import %s of business %s: finished, what it kept of the uploaded file deleted", pk, job.business_id)
    return "cleared"


# --- export --------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+[1-9][0-9]{5,14}")


def cell_safe(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: text that a spreadsheet would run as a formula
    (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) is prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _E164.fullmatch(value):
        return "'" + value
    return value


IGNORED_QUERY = ("page", "format", "size")


def _query(query: Mapping[str, Any]) -> dict[str, Any]:
    """The list's filters from a query string (paging and the file format left out)."""
    getlist = getattr(query, "getlist", None)
    clean: dict[str, Any] = {}
    for key in query:
        if key in IGNORED_QUERY:
            continue
        values = [str(v)[:200] for v in (getlist(key) if getlist else [query[key]]) if str(v).strip()]
        if values:
            clean[str(key)[:40]] = values[-1]
    return clean


def _export_rows(*, business: Any, query: Mapping[str, Any], strict: bool) -> tuple[int, Iterator[dict[str, Any]]]:
    """How many contacts the list's filters select, and their rows (the CRM core's export columns).

    ``strict`` refuses a bad filter (the API); otherwise a bad value is left out, as the list page does,
    so the export holds exactly the list the person was looking at.
    """
    filters = contact_filter_parse(query) if strict else ContactFilter.from_query(query)
    count = contact_list(business=business, filters=filters).count()
    return count, contact_export_rows(business=business, filters=filters)


def _audit_export(*, business: Any, actor: Any, file_format: str, query: Mapping[str, Any], rows: int) -> None:
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.EXPORTED,
        detail={"format": file_format, "filters": _query(query), "rows": rows},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _plain(value: Any, zone: dt.tzinfo) -> Any:
    """A value as a spreadsheet cell: times in the business's timezone (without it: Excel has none)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(item) for item in value)
    return value


def _csv_cell(value: Any, zone: dt.tzinfo) -> Any:
    value = _plain(value, zone)
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def _zone(business: Any) -> dt.tzinfo:
    try:
        return ZoneInfo(getattr(business, "timezone", "") or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


def contacts_export_csv(*, business: Any, actor: Any, query: Mapping[str, Any], strict: bool = False) -> Iterator[str]:
    """The filtered contact list as CSV text, produced row by row (for a streaming response); audited."""
    count, rows = _export_rows(business=business, query=_query(query), strict=strict)
    _audit_export(business=business, actor=actor, file_format="csv", query=query, rows=count)
    return _csv_lines(rows, _zone(business))


def _csv_lines(rows: Iterator[dict[str, Any]], zone: dt.tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    header: list[str] | None = None
    for row in rows:
        if header is None:
            header = list(row)
            yield writer.writerow([cell_safe(str(name)) for name in header])
        yield writer.writerow([cell_safe(_csv_cell(row.get(name), zone)) for name in header])
    if header is None:
        yield writer.writerow(EMPTY_HEADER)


EMPTY_HEADER = ("id", "name", "phone", "email", "city")


def contacts_export_xlsx(*, business: Any, actor: Any, query: Mapping[str, Any], strict: bool = False) -> Any:
    """The filtered contact list as an XLSX workbook (a file object at its start); audited.

    Written in openpyxl's write-only mode, so memory stays flat however long the list is. Every text
    is written as a string cell, never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    _count, rows = _export_rows(business=business, query=_query(query), strict=strict)
    zone = _zone(business)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Customers"))[:31])
    header: list[str] | None = None
    count = 0

    def cells(values: Iterable[Any]) -> list[Any]:
        out = []
        for value in values:
            value = cell_safe(_plain(value, zone))
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:32767])
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        return out

    for row in rows:
        if header is None:
            header = list(row)
            sheet.append(cells(header))
        sheet.append(cells(row.get(name) for name in header))
        count += 1
    if header is None:
        sheet.append(cells(EMPTY_HEADER))
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    workbook.save(output)
    output.seek(0)
    _audit_export(business=business, actor=actor, file_format="xlsx", query=query, rows=count)
    return output


# --- measuring ----------------------------------------------------------------------------------


def import_sample_csv(rows: int, *, seed: int = 6, bad_every: int = 50) -> bytes:
    """A realistic contact CSV (Indonesian headers, ``;`` like Excel in Indonesia, Windows-1252) with
    ``rows`` rows; every ``bad_every``-th row has a malformed phone, and some rows repeat a phone."""
    import random

    generator = random.Random(seed)  # noqa: S311 - test data, not secrets
    first = ["Budi", "Sari", "Rina", "Agus", "Dewi", "Andi", "Putri", "Joko", "Wati", "José", "Ayu", "Rizky"]
    last = ["Santoso", "Wijaya", "Lestari", "Pratama", "Hidayat", "Kusuma", "Nugroho", "Saputra", "Halim"]
    cities = ["Yogyakarta", "Jakarta", "Bandung", "Surabaya", "Semarang", "Medan", "Denpasar", "Makassar"]
    tags = ["", "", "VIP", "Reseller", "Langganan", "Grosir, VIP"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Nama", "No HP", "Email", "Kota", "Alamat", "Tanggal Lahir", "Tag", "Izin WA"])
    for n in range(rows):
        phone = f"0812{n:08d}" if n % bad_every else f"08-{n}"
        if n and n % 97 == 0:
            phone = f"0812{n - 1:08d}"  # the same person twice in one file
        writer.writerow(
            [
                f"{generator.choice(first)} {generator.choice(last)}",
                phone,
                f"pelanggan{n}@contoh.co.id" if n % 3 else "",
                generator.choice(cities),
                f"Jl. Malioboro No. {n % 300 + 1}",
                f"{generator.randint(1, 28):02d}/{generator.randint(1, 12):02d}/{generator.randint(1960, 2005)}",
                generator.choice(tags),
                generator.choice(["ya", "tidak", ""]),
            ]
        )
    return out.getvalue().encode("cp1252")


def import_benchmark(rows: int, *, business: Any = None) -> dict[str, Any]:
    """Import a generated ``rows``-row CSV twice (the second run merges every row) and time both runs.

    Without ``business``, a dedicated benchmark business is used (registered on first use) and its
    customers are cleared before and after. Returns seconds and rows per second of each run, and counts.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    own_business = business is None
    owner = None
    if own_business:
        business, owner = _benchmark_business()
        _benchmark_clear(business)
    data = import_sample_csv(rows)
    result: dict[str, Any] = {"rows": rows, "database": _database_vendor(), "megabytes": round(len(data) / 2**20, 1)}
    try:
        for run in ("first", "rerun"):
            started, cpu = time.perf_counter(), time.process_time()
            job = import_upload(business=business, actor=owner, upload=SimpleUploadedFile("bench.csv", data))
            job = import_start(job=job, actor=owner)
            prepared = time.perf_counter()
            job = import_run(job_id=job.pk) or job
            seconds = time.perf_counter() - started
            result[run] = {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "upload_seconds": round(prepared - started, 2),
                "rows_per_second": round(rows / seconds) if seconds else None,
                "status": job.status,
                "created": job.created_count,
                "merged": job.merged_count,
                "rejected": job.rejected_count,
            }
    finally:
        if own_business:
            _benchmark_clear(business)
    return result


BENCHMARK_BUSINESS = "Etalase import benchmark"


def _database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _benchmark_business() -> tuple[Any, Any]:
    from etalase.accounts.services import user_signup
    from etalase.directory.models import Category, Membership
    from etalase.directory.services import business_register

    membership = Membership.objects.select_related("business", "user").filter(business__name=BENCHMARK_BUSINESS).first()
    if membership is not None:
        return membership.business, membership.user
    tag = uuid.uuid4().hex[:8]
    owner = user_signup(email=f"bench-import-{tag}@example.com", password=uuid.uuid4().hex, name="Bench")
    category = Category.objects.order_by("position", "pk").first()
    business = business_register(
        owner=owner,
        name=BENCHMARK_BUSINESS,
        category_slug=category.slug if category else "",
        city="Yogyakarta",
        whatsapp="0812-3456-7890",
    )
    return business, owner


def _benchmark_clear(business: Any) -> None:
    """Remove the benchmark business's customers, tags and import jobs (and their files)."""
    with transaction.atomic():
        for job in ImportJob.objects.filter(business=business):
            if job.report:
                job.report.delete(save=False)
            if job.file:
                job.file.delete(save=False)
        ImportJob.objects.filter(business=business).delete()
        Contact.objects.filter(business=business).delete()
        Tag.objects.filter(business=business).delete()
