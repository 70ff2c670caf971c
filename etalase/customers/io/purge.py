"""Keeping uploads no longer than needed (UU PDP data minimisation): ``imports_purge`` deletes what
imports keep of customers' files once it is no longer needed."""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from etalase.customers.enums import ImportStatus
from etalase.customers.models import ImportJob

logger = logging.getLogger(__name__)

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
