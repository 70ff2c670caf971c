"""Uploaded contact files are not kept for ever (UU PDP data minimisation): ``imports_purge`` deletes an
upload never started after a day, and a finished import's file after a week while its job, counts and
report stay; told through the command, the import pages and the API."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from etalase.activity import worker
from etalase.core.storage import private_storage
from etalase.customers.enums import ImportStatus
from etalase.customers.io import importer
from etalase.customers.io.imports import import_upload
from etalase.customers.io.purge import SOURCE_KEPT_FOR, UNSTARTED_KEPT_FOR
from etalase.customers.models import Contact, ImportJob
from tests.customers.test_io_import import latest_job, start_guessed, upload_page
from tests.factories import registered_business
from tests.support.api import send_json

pytestmark = pytest.mark.django_db


def csv_file(rows: list[list[str]], *, header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


PEOPLE = csv_file([["Rina Wati", "0812-1111-0001"], ["Agus", "0812-1111-0002"]], header=["Nama", "No HP"])


def upload(client: Client, business: Any, data: bytes = PEOPLE, *, hours_ago: float = 0) -> ImportJob:
    """Upload through the page, then make the upload ``hours_ago`` old."""
    answer = upload_page(client, business, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return aged(latest_job(business), created=hours_ago)


def aged(job: ImportJob, *, created: float = 0, finished: float | None = None) -> ImportJob:
    """The job as if uploaded ``created`` hours ago (and finished ``finished`` hours ago)."""
    now = timezone.now()
    changes: dict[str, Any] = {"created_at": now - dt.timedelta(hours=created)}
    if finished is not None:
        changes["finished_at"] = now - dt.timedelta(hours=finished)
    ImportJob.objects.filter(pk=job.pk).update(**changes)
    job.refresh_from_db()
    return job


def purge() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("imports_purge", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored(name: str | None) -> bool:
    if not name:
        return False
    return private_storage().exists(name)


def page(client: Client, name: str, business: Any, job: ImportJob) -> Any:
    return client.get(reverse(f"customers_io:{name}", args=[business.slug, job.pk]))


def api_path(business: Any, job: ImportJob, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/customers/imports/{job.pk}{suffix}"


def report_lines(answer: Any) -> list[tuple[str, str]]:
    assert answer.status_code == 200
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    return [(row["row"], row["outcome"]) for row in csv.DictReader(io.StringIO(text))]


@pytest.fixture
def failing_import(owner_client, business, django_capture_on_commit_callbacks, monkeypatch) -> ImportJob:
    """An import of 25 rows that stopped after its first chunk of 10 (its file kept to start it again)."""
    monkeypatch.setattr(importer, "CHUNK_SIZE", 10)
    original = importer._Importer._apply
    calls = {"n": 0}

    def flaky(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(importer._Importer, "_apply", flaky)
    data = csv_file([[f"P {n}", f"0812{n:08d}"] for n in range(25)], header=["Nama", "No HP"])
    job = start_guessed(
        owner_client, business, upload(owner_client, business, data), django_capture_on_commit_callbacks
    )
    monkeypatch.setattr(importer._Importer, "_apply", original)
    assert job.status == ImportStatus.FAILED
    assert stored(job.file.name)
    return job


# --- uploads never started ------------------------------------------------------------------------


def test_an_upload_never_started_is_deleted_with_its_file_after_a_day(owner_client, api_client_for, owner, business):
    old = upload(owner_client, business, hours_ago=25)
    recent = upload(owner_client, business, hours_ago=23)
    old_file, recent_file = old.file.name, recent.file.name

    out, err = purge()

    assert not ImportJob.objects.filter(pk=old.pk).exists()
    assert not stored(old_file)
    assert ImportJob.objects.filter(pk=recent.pk, status=ImportStatus.UPLOADED).exists()
    assert stored(recent_file)
    assert f"Import {old.pk}: never started, deleted with its file." in out
    assert f"Import {recent.pk}" not in out
    assert "Deleted 1 imports never started (uploaded more than 24 hours ago)" in out
    assert err == ""

    # The old link answers 404 everywhere, never a 500; the fresh upload still previews.
    for name in ("import_job", "import_progress", "import_report"):
        assert page(owner_client, name, business, old).status_code == 404, name
    started = owner_client.post(
        reverse("customers_io:import_job", args=[business.slug, old.pk]), {"action": "start", "column_0": "name"}
    )
    assert started.status_code == 404
    api = api_client_for(owner)
    for method, suffix in [("get", ""), ("get", "/preview"), ("post", "/start"), ("get", "/report"), ("patch", "")]:
        body = {"fields": {"0": "name"}} if method == "patch" else {}
        answer = send_json(api, method.upper(), api_path(business, old, suffix), body)
        assert answer.status_code == 404, (method, suffix)
        assert answer.json()["error"]["code"] == "not_found"
    fresh = owner_client.get(reverse("customers_io:import_job", args=[business.slug, recent.pk]))
    assert fresh.status_code == 200
    assert "Rina Wati" in fresh.content.decode()
    history = owner_client.get(reverse("customers_io:import", args=[business.slug])).content.decode()
    assert reverse("customers_io:import_job", args=[business.slug, recent.pk]) in history
    assert reverse("customers_io:import_job", args=[business.slug, old.pk]) not in history


def test_a_mapped_upload_is_deleted_like_any_other_never_started(owner_client, business):
    job = upload(owner_client, business)
    mapped = owner_client.post(
        reverse("customers_io:import_job", args=[business.slug, job.pk]),
        {"action": "preview", "has_header": "on", "column_0": "name", "column_1": "phone"},
    )
    assert mapped.status_code == 302
    job = aged(job, created=48)

    purge()

    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not stored(job.file.name)
    assert not Contact.objects.filter(business=business).exists()


# --- finished imports --------------------------------------------------------------------------------


def test_a_failed_import_loses_its_file_after_a_week_and_keeps_its_counts_and_report(
    owner_client, api_client_for, owner, business, failing_import
):
    job = aged(failing_import, created=24 * 8, finished=24 * 7 + 1)
    source = job.file.name
    before = report_lines(page(owner_client, "import_report", business, job))
    assert len(before) == 10

    out, _err = purge()

    job.refresh_from_db()
    assert not stored(source)
    assert not job.file
    assert stored(job.report.name)
    assert job.status == ImportStatus.FAILED
    assert (job.processed_rows, job.created_count, job.total_rows) == (10, 10, 25)
    assert f"Import {job.pk}: finished, its uploaded file deleted; counts and report kept." in out
    assert "the uploaded files of 1 finished imports (finished more than 7 days ago)" in out

    # The page shows what happened and the report, explains the file is gone, offers no start.
    shown = page(owner_client, "import_job", business, job)
    text = shown.content.decode()
    assert shown.status_code == 200
    assert "The uploaded file of this import is no longer kept. Upload it again." in text
    assert "Start the import" not in text
    assert "unexpected error" in text
    assert reverse("customers_io:import_report", args=[business.slug, job.pk]) in text
    assert page(owner_client, "import_progress", business, job).status_code == 200
    assert report_lines(page(owner_client, "import_report", business, job)) == before
    again = owner_client.post(
        reverse("customers_io:import_job", args=[business.slug, job.pk]),
        {"action": "start", "has_header": "on", "column_0": "name", "column_1": "phone"},
    )
    assert again.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED

    # The API: the job and its report answer; what needs the file says it is gone.
    api = api_client_for(owner)
    detail = api.get(api_path(business, job))
    assert detail.status_code == 200
    assert (detail.json()["status"], detail.json()["created_count"]) == ("failed", 10)
    assert detail.json()["report_url"] == api_path(business, job, "/report")
    assert report_lines(api.get(detail.json()["report_url"])) == before
    for method, suffix in [("get", "/preview"), ("post", "/start"), ("patch", "")]:
        body = {"fields": {"0": "name"}} if method == "patch" else {}
        answer = send_json(api, method.upper(), api_path(business, job, suffix), body)
        assert answer.status_code == 409, (method, suffix)
        assert answer.json()["error"] == {
            "code": "file_gone",
            "message": "The uploaded file of this import is no longer kept. Upload it again.",
            "fields": {},
        }
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_a_failed_import_younger_than_a_week_can_still_be_started_again(
    owner_client, business, failing_import, django_capture_on_commit_callbacks
):
    job = aged(failing_import, created=24 * 7, finished=24 * 6)

    out, _err = purge()

    assert f"Import {job.pk}" not in out
    job.refresh_from_db()
    assert stored(job.file.name)
    assert "Start the import" in page(owner_client, "import_job", business, job).content.decode()
    job = start_guessed(owner_client, business, job, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE
    assert Contact.objects.filter(business=business).count() == 25


def test_a_finished_import_without_a_header_row_forgets_its_first_customer(
    owner_client, api_client_for, owner, business, django_capture_on_commit_callbacks
):
    data = csv_file([["Rina Wati", "0812-1111-0001"], ["Agus", "0812-1111-0002"]])
    job = start_guessed(
        owner_client, business, upload(owner_client, business, data), django_capture_on_commit_callbacks
    )
    assert job.status == ImportStatus.DONE
    assert not job.file  # the import itself deletes the file it has read
    assert "Rina Wati" in str(job.mapping)
    job = aged(job, created=24 * 9, finished=24 * 8)

    out, _err = purge()

    job.refresh_from_db()
    assert "Rina Wati" not in str(job.mapping)
    assert f"Import {job.pk}: finished" in out
    detail = api_client_for(owner).get(api_path(business, job)).json()
    assert [(column["header"], column["field"]) for column in detail["columns"]] == [
        ("Column 1", "name"),
        ("Column 2", "phone"),
    ]
    assert (detail["status"], detail["created_count"]) == ("done", 2)
    shown = page(owner_client, "import_job", business, job)
    assert shown.status_code == 200
    assert "The import is finished." in shown.content.decode()
    assert [outcome for _row, outcome in report_lines(page(owner_client, "import_report", business, job))] == [
        "created",
        "created",
    ]


def test_a_done_import_that_still_has_its_file_loses_it_after_a_week(owner_client, business):
    """Imports finished before the import deleted its own file still hold one."""
    job = upload(owner_client, business)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed_rows=2, created_count=2)
    job = aged(job, created=24 * 30, finished=24 * 30)
    source = job.file.name

    out, _err = purge()

    job.refresh_from_db()
    assert not stored(source)
    assert not job.file
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    assert "1 finished imports" in out
    assert page(owner_client, "import_job", business, job).status_code == 200
    assert page(owner_client, "import_report", business, job).status_code == 409  # it never had one


# --- never touched ----------------------------------------------------------------------------------


def test_a_running_import_is_never_touched(owner_client, api_client_for, owner, business):
    job = upload(owner_client, business)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=1)
    job = aged(job, created=24 * 30, finished=24 * 30)

    out, _err = purge()

    running = ImportJob.objects.get(pk=job.pk)
    assert (running.status, running.file.name, running.mapping) == (ImportStatus.RUNNING, job.file.name, job.mapping)
    assert stored(job.file.name)
    assert "Deleted 0 imports never started" in out
    assert "the uploaded files of 0 finished imports" in out
    assert api_client_for(owner).get(api_path(business, job)).json()["status"] == "running"


def test_every_business_follows_the_same_rules(owner_client, business, failing_import):
    other = registered_business(name="Kopi Senja")
    other_owner = other.memberships.get().user

    def their_upload(hours_ago: float) -> ImportJob:
        job = import_upload(business=other, actor=other_owner, upload=SimpleUploadedFile("x.csv", PEOPLE))
        return aged(job, created=hours_ago)

    their_old, their_recent = their_upload(30), their_upload(2)
    their_finished = their_upload(24 * 10)
    ImportJob.objects.filter(pk=their_finished.pk).update(status=ImportStatus.FAILED)
    their_finished = aged(their_finished, created=24 * 10, finished=24 * 9)
    our_old = upload(owner_client, business, hours_ago=26)
    ours_failed = aged(failing_import, created=24 * 8, finished=24 * 8)
    files = {job.pk: job.file.name for job in (their_old, their_recent, their_finished, our_old, ours_failed)}

    purge()

    assert set(ImportJob.objects.values_list("pk", flat=True)) == {their_recent.pk, their_finished.pk, ours_failed.pk}
    assert [pk for pk, name in files.items() if stored(name)] == [their_recent.pk]
    assert not ImportJob.objects.get(pk=their_finished.pk).file
    assert not ImportJob.objects.get(pk=ours_failed.pk).file
    # Our page still answers 404 for their job, purged or not.
    assert page(owner_client, "import_job", business, their_recent).status_code == 404
    assert page(owner_client, "import_job", business, their_finished).status_code == 404


# --- running it again, storage errors, the schedule -------------------------------------------------------


def test_running_it_twice_is_harmless(owner_client, business, failing_import):
    old = upload(owner_client, business, hours_ago=30)
    failed = aged(failing_import, created=24 * 8, finished=24 * 8)
    purge()
    kept = list(ImportJob.objects.values_list("pk", "file", "mapping", "report", "status", "created_count"))

    out, err = purge()

    assert list(ImportJob.objects.values_list("pk", "file", "mapping", "report", "status", "created_count")) == kept
    assert [pk for pk, *_rest in kept] == [failed.pk]
    assert old.pk not in [pk for pk, *_rest in kept]
    assert out == (
        "Deleted 0 imports never started (uploaded more than 24 hours ago) and the uploaded files of 0 finished "
        "imports (finished more than 7 days ago).\n"
    )
    assert err == ""


def test_a_file_the_storage_cannot_delete_keeps_its_job_until_the_next_run(owner_client, business, monkeypatch):
    job = upload(owner_client, business, hours_ago=30)

    def refuse(self, name):
        raise PermissionError(name)

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    out, err = purge()
    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert stored(job.file.name)
    assert f"Import {job.pk}: the file could not be deleted" in err
    assert "Deleted 0 imports never started" in out

    monkeypatch.undo()
    purge()
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not stored(job.file.name)


def test_a_job_purged_while_it_is_being_started_answers_404(owner_client, api_client_for, owner, business, monkeypatch):
    """The page and the API read the job, then lock it; a purge in between leaves nothing to lock."""
    job = upload(owner_client, business)
    from etalase.customers.io import api as io_api
    from etalase.customers.io import views as io_views

    def read_then_purged(*, business: Any, job_id: int) -> ImportJob | None:
        found = ImportJob.objects.filter(business=business, pk=job_id).select_related("business").first()
        ImportJob.objects.filter(pk=job_id).delete()
        return found

    monkeypatch.setattr(io_views, "import_job_get", read_then_purged)
    posted = owner_client.post(
        reverse("customers_io:import_job", args=[business.slug, job.pk]),
        {"action": "start", "has_header": "on", "column_0": "name", "column_1": "phone"},
    )
    assert posted.status_code == 404

    second = upload(owner_client, business)
    monkeypatch.setattr(io_api, "import_job_get", read_then_purged)
    started = api_client_for(owner).post(api_path(business, second, "/start"))
    assert started.status_code == 404
    assert started.json()["error"]["code"] == "not_found"


def test_the_worker_runs_it_every_hour():
    assert ("imports_purge", 3600, ()) in worker.SCHEDULE
    assert dt.timedelta(hours=24) == UNSTARTED_KEPT_FOR
    assert dt.timedelta(days=7) == SOURCE_KEPT_FOR
