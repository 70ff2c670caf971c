"""The import itself: a started job's rows, read from its file and imported in the background, chunk
by chunk.

One query per chunk finds the contacts that a chunk's phones and emails already belong to, new
contacts are bulk-created, matches are merged (empty fields filled, never overwritten; tags added),
and the job's progress is written after every chunk. Importing the same file twice creates nothing
the second time: every row merges into the contact the first run made. The preview plans its rows
with the same matching (:func:`contacts_matching`, :func:`row_matches`).
"""

import csv
import datetime as dt
import io
import logging
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import DomainError
from etalase.customers.enums import AuditAction, ConsentSource, ContactSource, ImportRowOutcome, ImportStatus
from etalase.customers.io.bulk import rows_insert, rows_update
from etalase.customers.io.exports import cell_safe
from etalase.customers.io.fields import CleanRow, ImportField, row_clean
from etalase.customers.io.jobs import job_data_rows, job_file_read, job_settings
from etalase.customers.models import Consent, Contact, ContactTag, ImportJob, Tag
from etalase.customers.services.audit import audit_record
from etalase.customers.services.contacts import contact_search_text

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
REPORT_HEADER = ("row", "outcome", "reason", "contact_id")
ANALYZE_FIRST_AT = 2000
CHUNK_ATTEMPTS = 3
"""A chunk whose new contacts collide with contacts made at the same moment (a customer's first
order, another import) is planned again against the database, at most this many times."""
TWO_CUSTOMERS = _("The phone number and the email belong to two different customers. Merge them first.")


# --- which contacts a row's phones and emails already belong to ------------------------------------


MATCH_FIELDS: tuple[str, ...] = ("business_id", "merged_into_id", "erased_at", "updated_at", "search_text", "consent")
MATCH_FIELDS += ("name", "phone", "email", "city", "address", "birthday")
"""What merging reads and writes (search text is made from name, phone, email and city)."""


def contacts_matching(
    business_id: int, phones: set[str], emails: set[str]
) -> tuple[dict[str, Contact], dict[str, Contact]]:
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


def row_matches(row: CleanRow, by_phone: dict[str, Contact], by_email: dict[str, Contact]) -> list[Contact]:
    """The distinct contacts a row's phones and emails belong to (two: the row is refused)."""
    found = [by_phone[p] for p in row.phones if p in by_phone] + [by_email[e] for e in row.emails if e in by_email]
    return _distinct(found)


def _distinct(contacts: Iterable[Contact]) -> list[Contact]:
    seen: list[Contact] = []
    for contact in contacts:
        if not any(contact is other for other in seen):
            seen.append(contact)
    return seen


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


@dataclass
class _Chunk:
    """One chunk's plan: the contacts it makes and completes, consents and tags, written at its end."""

    by_phone: dict[str, Contact]
    by_email: dict[str, Contact]
    now: dt.datetime
    created: list[Contact] = field(default_factory=list)
    created_here: dict[int, int] = field(default_factory=dict)
    """id(contact) -> the row that created it, within this chunk."""
    changed: dict[int, Contact] = field(default_factory=dict)
    consents: list[Consent] = field(default_factory=list)
    links: list[tuple[Contact, str]] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


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
        data = job_file_read(self.job)
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as report:
            writer = csv.writer(report)
            writer.writerow(REPORT_HEADER)
            try:
                chunk: list[CleanRow] = []
                for number, cells in job_data_rows(data, self.settings):
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
        by_phone, by_email = contacts_matching(self.business_id, phones, emails)
        chunk = _Chunk(by_phone=by_phone, by_email=by_email, now=timezone.now())
        for row in rows:
            chunk.lines.append(self._row(row, chunk))
        return chunk.lines, self._write(chunk)

    def _row(self, row: CleanRow, chunk: _Chunk) -> _Line:
        """Plan one row: a new contact, a merge into the one its phone or email names, or a refusal."""
        if not row.is_valid:
            return _Line(row.number, ImportRowOutcome.REJECTED, " ".join(row.errors))
        matches = row_matches(row, chunk.by_phone, chunk.by_email)
        if len(matches) > 1:
            return _Line(row.number, ImportRowOutcome.REJECTED, str(TWO_CUSTOMERS))
        if matches:
            contact = matches[0]
            filled = self._fill(contact, row, chunk.by_phone, chunk.by_email)
            reasons = [self._merge_reason(contact, chunk.created_here)]
            if filled:
                reasons.append(
                    gettext("Filled in: %(fields)s.") % {"fields": ", ".join(str(FIELD_LABELS[f]) for f in filled)}
                )
            if filled and contact.pk is not None:
                chunk.changed[id(contact)] = contact
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
            chunk.created.append(contact)
            chunk.created_here[id(contact)] = row.number
            reasons = []
            outcome = ImportRowOutcome.CREATED
        reasons.extend(row.notes)
        if contact.phone:
            chunk.by_phone.setdefault(contact.phone, contact)
        if contact.email:
            chunk.by_email.setdefault(contact.email, contact)
        self._consents_add(contact, row, chunk)
        chunk.links.extend((contact, name) for name in row.tags)
        return _Line(row.number, outcome, " ".join(reason for reason in reasons if reason), contact)

    def _consents_add(self, contact: Contact, row: CleanRow, chunk: _Chunk) -> None:
        for key, granted in row.consent.items():
            if key in contact.consent:
                continue  # never overwrite consent the customer gave or withdrew
            contact.consent[key] = granted
            channel, purpose = key.split("_", 1)
            chunk.consents.append(
                Consent(
                    business_id=self.business_id,
                    contact=contact,
                    channel=channel,
                    purpose=purpose,
                    granted=granted,
                    source=ConsentSource.IMPORT,
                    recorded_by_id=self.actor_id,
                    occurred_at=chunk.now,
                )
            )
            if contact.pk is not None:
                chunk.changed[id(contact)] = contact

    def _write(self, chunk: _Chunk) -> dict[str, int]:
        """Write a planned chunk: new contacts, completed ones, consents, tags. Returns the tags it made."""
        now = chunk.now
        for contact in chunk.created:
            contact.search_text = contact_search_text(contact)
        for contact in chunk.changed.values():
            contact.search_text = contact_search_text(contact)
            contact.updated_at = now
        rows_insert(chunk.created, columns=CONTACT_COLUMNS, now=now, returning=True)
        if chunk.changed:
            rows_update(list(chunk.changed.values()), columns=MERGED_COLUMNS)
        for consent in chunk.consents:
            consent.contact_id = consent.contact.pk
        rows_insert(chunk.consents, columns=CONSENT_COLUMNS, now=now)
        new_tags = self._tags_link(chunk.links, now)
        for contact in chunk.created:
            self.created_rows[contact.pk] = chunk.created_here[id(contact)]
        return new_tags

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
        rows_insert(
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
MERGED_COLUMNS = ("name", "phone", "email", "city", "address", "birthday", "consent", "search_text", "updated_at")


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
