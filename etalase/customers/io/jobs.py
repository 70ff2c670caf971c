"""An import job's stored description (the file's description, the column mapping, the header flag)
and its uploaded file: what the pages, the API, the preview and the import itself read of a job."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from etalase.core.errors import Conflict
from etalase.customers.enums import ImportStatus
from etalase.customers.io.parsers import FileFormat, Source, source_records
from etalase.customers.models import ImportJob

SOURCE_GONE = _("The uploaded file of this import is no longer kept. Upload it again.")


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


def job_file_read(job: ImportJob) -> bytes:
    """The uploaded file's content (Conflict once ``imports_purge`` has deleted it)."""
    if not job.file:
        raise Conflict(SOURCE_GONE)
    with job.file.open("rb") as handle:
        content: bytes = handle.read()
    return content


def job_data_rows(data: bytes, settings_: JobSettings) -> Iterator[tuple[int, list[Any]]]:
    records = source_records(data, settings_.source)
    if settings_.has_header and settings_.source.file_format != FileFormat.VCARD:
        next(records, None)
    yield from records


def import_job_editable(job: ImportJob) -> bool:
    """Whether the mapping can change and the import start (again): not started yet, or stopped and
    still holding its uploaded file (``imports_purge`` deletes a finished import's file after a while)."""
    return job.status in (ImportStatus.UPLOADED, ImportStatus.FAILED) and bool(job.file)
