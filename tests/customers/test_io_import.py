"""Importing customers through the pages and the API: upload, mapping, preview, the background import,
its progress and its per-row report; merging, re-runs, rejections, tenancy and permissions."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from etalase.bench.crm_import import import_sample_csv
from etalase.customers.enums import AuditAction, ConsentSource, ContactSource, ImportStatus
from etalase.customers.io import importer
from etalase.customers.io.imports import import_upload
from etalase.customers.io.jobs import job_settings
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, ImportJob, Tag
from etalase.customers.services.contacts import contact_create
from etalase.directory.enums import Role
from tests.factories import registered_business
from tests.support.api import patch_json, send_json

pytestmark = pytest.mark.django_db

HEADER = ["Nama", "No HP", "Email", "Kota", "Tanggal Lahir", "Tag", "Izin WA"]


def csv_file(
    rows: list[list[Any]], *, header: list[str] | None = HEADER, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload_page(client: Client, business: Any, data: bytes, name: str = "pelanggan.csv") -> Any:
    return client.post(reverse("customers_io:import", args=[business.slug]), {"file": SimpleUploadedFile(name, data)})


def latest_job(business: Any) -> ImportJob:
    return ImportJob.objects.filter(business=business).latest("pk")


def start_page(client: Client, business: Any, job: ImportJob, capture: Callable[..., Any], **mapping: str) -> Any:
    with capture(execute=True):
        return client.post(
            reverse("customers_io:import_job", args=[business.slug, job.pk]),
            {"action": "start", "has_header": "on", **mapping},
        )


def import_file(
    client: Client, business: Any, data: bytes, capture: Callable[..., Any], name: str = "a.csv"
) -> ImportJob:
    """Upload through the page and start with the guessed mapping; the task runs at once."""
    answer = upload_page(client, business, data, name)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return start_guessed(client, business, latest_job(business), capture)


def start_guessed(client: Client, business: Any, job: ImportJob, capture: Callable[..., Any]) -> ImportJob:
    """Start an uploaded job on the page with the guessed mapping; the task runs at once."""
    settings_ = job_settings(job)
    mapping = {f"column_{key}": value for key, value in settings_.fields.items()}
    with capture(execute=True):
        started = client.post(
            reverse("customers_io:import_job", args=[business.slug, job.pk]),
            {"action": "start", **({"has_header": "on"} if settings_.has_header else {}), **mapping},
        )
    assert started.status_code == 302, started.content.decode()[:3000]
    job.refresh_from_db()
    return job


def report_rows(client: Client, business: Any, job: ImportJob) -> list[dict[str, str]]:
    answer = client.get(reverse("customers_io:import_report", args=[business.slug, job.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert isinstance(answer, StreamingHttpResponse)
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- the whole flow through the pages ------------------------------------------------------------


def test_upload_guesses_the_mapping_and_previews_the_first_rows(owner_client, business):
    contact_create(business=business, name="Bu Rina", phone="0812-1111-0001")
    data = csv_file(
        [
            ["Rina Wati", "0812-1111-0001", "rina@contoh.id", "Sleman", "12/04/1990", "VIP", "ya"],
            ["Agus", "0813 2222 0002", "", "Solo", "", "", ""],
            ["Tanpa Nomor", "12345", "", "", "", "", ""],
            ["Salah Email", "", "bukan-email", "", "", "", ""],
            ["Agus lagi", "+62 813-2222-0002", "", "", "", "", ""],
        ]
    )

    answer = upload_page(owner_client, business, data)

    job = latest_job(business)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("customers_io:import_job", args=[business.slug, job.pk])
    assert job.status == ImportStatus.UPLOADED
    assert job.total_rows == 5
    assert job_settings(job).fields == {
        "0": "name",
        "1": "phone",
        "2": "email",
        "3": "city",
        "4": "birthday",
        "5": "tags",
        "6": "consent_whatsapp_marketing",
    }
    page = owner_client.get(answer["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "+62 812-1111-0001" in text  # normalised to E.164, shown as people write it
    assert "Completes an existing customer" in text
    assert "Already a customer: Bu Rina" in text
    assert "New customer" in text
    assert "The phone number “12345” is not valid." in text
    assert "The email “bukan-email” is not valid." in text
    assert "Same customer as row 3." in text
    assert Contact.objects.filter(business=business).count() == 1  # nothing is saved by a preview


def test_import_creates_merges_and_rejects_with_a_report_and_an_audit_entry(
    owner_client, owner, business, django_capture_on_commit_callbacks
):
    existing = contact_create(business=business, name="Bu Rina", phone="0812-1111-0001", city="Yogyakarta")
    data = csv_file(
        [
            ["Rina Wati", "0812-1111-0001", "rina@contoh.id", "Sleman", "12/04/1990", "VIP, Reseller", "ya"],
            ["Agus Pratama", "0813 2222 0002", "agus@contoh.id", "Solo", "1985-02-03", "vip", "tidak"],
            ["Tanpa Nomor", "12345", "", "", "", "", ""],
            ["Salah Email", "", "bukan-email", "", "", "", ""],
            ["Agus lagi", "+62 813-2222-0002", "", "Klaten", "", "Grosir", ""],
            ["", "", "", "Solo", "", "", ""],
            ["Tanggal Aneh", "0813 2222 0009", "", "", "31/31/1990", "", ""],
            ["Izin Aneh", "0813 2222 0010", "", "", "", "", "mungkin"],
        ]
    )

    job = import_file(owner_client, business, data, django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows) == (8, 8)
    assert (job.created_count, job.merged_count, job.rejected_count) == (1, 2, 5)
    existing.refresh_from_db()
    # Merged: empty fields filled in, nothing overwritten.
    assert (existing.name, existing.city, existing.email) == ("Bu Rina", "Yogyakarta", "rina@contoh.id")
    assert str(existing.birthday) == "1990-04-12"
    assert existing.consent == {"whatsapp_marketing": True}
    agus = Contact.objects.get(business=business, phone="+6281322220002")
    assert (agus.name, agus.email, agus.city, agus.source) == (
        "Agus Pratama",
        "agus@contoh.id",
        "Solo",
        ContactSource.IMPORT,
    )
    assert agus.consent == {"whatsapp_marketing": False}
    # Written by the fast bulk insert: every other column at the model's default, timestamps set.
    assert (agus.stage, agus.orders_count, agus.spent_minor, agus.preferences, agus.user_id) == (
        "interested",
        0,
        0,
        {},
        None,
    )
    assert agus.created_at is not None
    assert agus.created_at == agus.updated_at
    assert str(agus.birthday) == "1985-02-03"
    assert "agus" in agus.search_text
    assert sorted(Tag.objects.filter(business=business).values_list("name", flat=True)) == ["Grosir", "Reseller", "VIP"]
    assert ContactTag.objects.filter(contact=agus).count() == 2  # "vip" is the tag "VIP", plus "Grosir"
    ledger = Consent.objects.filter(business=business).order_by("contact_id")
    assert [(c.contact_id, c.channel, c.purpose, c.granted, c.source) for c in ledger] == [
        (existing.pk, "whatsapp", "marketing", True, ConsentSource.IMPORT),
        (agus.pk, "whatsapp", "marketing", False, ConsentSource.IMPORT),
    ]
    report = report_rows(owner_client, business, job)
    assert [(r["row"], r["outcome"]) for r in report] == [
        ("2", "merged"),
        ("3", "created"),
        ("4", "rejected"),
        ("5", "rejected"),
        ("6", "merged"),
        ("7", "rejected"),
        ("8", "rejected"),
        ("9", "rejected"),
    ]
    assert report[0]["contact_id"] == str(existing.pk)
    assert report[1]["contact_id"] == str(agus.pk)
    assert report[2]["reason"] == "The phone number “12345” is not valid."
    assert report[3]["reason"] == "The email “bukan-email” is not valid."
    assert "Same customer as row 3." in report[4]["reason"]
    assert report[5]["reason"] == "The row has no name, phone number or email."
    assert "not a date" in report[6]["reason"]
    assert "is not yes or no" in report[7]["reason"]
    assert report[2]["contact_id"] == ""
    audit = AuditEntry.objects.get(business=business, action=AuditAction.IMPORTED)
    assert audit.actor == owner
    assert audit.detail["import_id"] == job.pk
    assert (audit.detail["created"], audit.detail["merged"], audit.detail["rejected"]) == (1, 2, 5)
    assert not job.file  # the uploaded personal data is not kept once imported


def test_importing_the_same_file_twice_creates_no_duplicates(
    owner_client, business, django_capture_on_commit_callbacks
):
    data = csv_file(
        [[f"Pelanggan {n}", f"0812{n:08d}", f"p{n}@contoh.id", "Solo", "", "Langganan", "ya"] for n in range(30)]
    )

    first = import_file(owner_client, business, data, django_capture_on_commit_callbacks)
    second = import_file(owner_client, business, data, django_capture_on_commit_callbacks)

    assert (first.created_count, first.merged_count) == (30, 0)
    assert (second.created_count, second.merged_count, second.rejected_count) == (0, 30, 0)
    assert Contact.objects.filter(business=business).count() == 30
    assert ContactTag.objects.filter(business=business).count() == 30
    assert Consent.objects.filter(business=business).count() == 30  # consent already known: not recorded again
    assert {row["reason"] for row in report_rows(owner_client, business, second)} == {"Already a customer."}


def test_a_row_whose_phone_and_email_belong_to_two_customers_is_rejected(
    owner_client, business, django_capture_on_commit_callbacks
):
    contact_create(business=business, name="A", phone="0812-1111-0001")
    contact_create(business=business, name="B", email="b@contoh.id")
    data = csv_file([["C", "0812-1111-0001", "b@contoh.id", "", "", "", ""]])

    job = import_file(owner_client, business, data, django_capture_on_commit_callbacks)

    assert job.rejected_count == 1
    assert "belong to two different customers" in report_rows(owner_client, business, job)[0]["reason"]
    assert Contact.objects.get(business=business, name="A").email == ""


def test_a_contact_of_another_business_is_never_matched(owner_client, business, django_capture_on_commit_callbacks):
    theirs = contact_create(business=registered_business(name="Kopi Senja"), name="Rina", phone="0812-1111-0001")
    job = import_file(
        owner_client,
        business,
        csv_file([["Rina", "0812-1111-0001", "", "", "", "", ""]]),
        django_capture_on_commit_callbacks,
    )

    assert job.created_count == 1
    assert Contact.objects.filter(phone=theirs.phone).count() == 2
    assert Contact.objects.get(pk=theirs.pk).business_id != business.pk


def test_two_thousand_rows_import_in_a_few_queries_per_chunk(
    owner_client, business, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    data = import_sample_csv(2000)
    answer = upload_page(owner_client, business, data, "besar.csv")
    job = latest_job(business)
    assert answer.status_code == 302
    assert job.total_rows == 2000

    mapping = {f"column_{k}": v for k, v in job_settings(job).fields.items()}
    with django_assert_max_num_queries(60):  # per chunk of 1000 rows, not per row
        start_page(owner_client, business, job, django_capture_on_commit_callbacks, **mapping)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.processed_rows == 2000
    bad = len(range(0, 2000, 50))  # every 50th phone is malformed
    repeated = len([n for n in range(1, 2000) if n % 97 == 0 and n % 50 and (n - 1) % 50])
    assert job.rejected_count == bad
    assert job.created_count == Contact.objects.filter(business=business).count()
    assert job.merged_count >= repeated
    assert job.created_count + job.merged_count + job.rejected_count == 2000
    assert sum(1 for _row in report_rows(owner_client, business, job)) == 2000


# --- the progress bar --------------------------------------------------------------------------


def test_the_progress_fragment_polls_while_running_and_stops_when_done(owner_client, business):
    upload_page(owner_client, business, csv_file([["Rina", "0812-1111-0001", "", "", "", "", ""]]))
    job = latest_job(business)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, total_rows=1000, processed_rows=250)
    url = reverse("customers_io:import_progress", args=[business.slug, job.pk])

    running = owner_client.get(url, HTTP_HX_REQUEST="true")
    text = running.content.decode()
    assert running.status_code == 200
    assert "<html" not in text
    assert 'hx-trigger="every 1s"' in text
    assert '<progress id="import-progress-bar"' in text
    assert 'max="1000" value="250"' in text
    assert 'aria-valuenow="250"' in text
    assert "25%" in text

    page = owner_client.get(reverse("customers_io:import_job", args=[business.slug, job.pk]))
    assert 'aria-live="polite"' in page.content.decode()
    assert 'hx-get="' + url in page.content.decode()

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed_rows=1000, created_count=990)
    done = owner_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert "The import is finished." in done
    assert "990" in done


# --- mapping -----------------------------------------------------------------------------------


def test_the_mapping_can_be_changed_and_a_bad_one_is_explained(owner_client, business):
    data = csv_file([["Rina", "Sleman", "0812-1111-0001"]], header=["Pelanggan", "Domisili", "Kontak utama"])
    upload_page(owner_client, business, data)
    job = latest_job(business)
    url = reverse("customers_io:import_job", args=[business.slug, job.pk])

    twice = owner_client.post(url, {"action": "preview", "has_header": "on", "column_0": "name", "column_1": "name"})
    nothing = owner_client.post(url, {"action": "preview", "has_header": "on", "column_1": "city"})
    saved = owner_client.post(
        url, {"action": "preview", "has_header": "on", "column_0": "name", "column_1": "city", "column_2": "phone"}
    )

    assert twice.status_code == 400
    assert "Only one column can be the customer&#x27;s Name." in twice.content.decode()
    assert nothing.status_code == 400
    assert "Choose the column with the customer" in nothing.content.decode()
    assert saved.status_code == 302
    job.refresh_from_db()
    assert job_settings(job).fields == {"0": "name", "1": "city", "2": "phone"}
    assert "+62 812-1111-0001" in owner_client.get(url).content.decode()


def test_a_file_without_a_header_row_is_read_from_its_first_row(
    owner_client, business, django_capture_on_commit_callbacks
):
    data = csv_file([["Rina", "0812-1111-0001"], ["Agus", "0812-1111-0002"]], header=None)
    upload_page(owner_client, business, data)
    job = latest_job(business)
    assert job_settings(job).has_header is False
    assert job_settings(job).fields == {"0": "name", "1": "phone"}  # guessed from the values
    assert job.total_rows == 2

    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post(
            reverse("customers_io:import_job", args=[business.slug, job.pk]),
            {"action": "start", "column_0": "name", "column_1": "phone"},
        )

    assert answer.status_code == 302
    assert sorted(Contact.objects.filter(business=business).values_list("name", flat=True)) == ["Agus", "Rina"]


# --- failures and restarts ----------------------------------------------------------------------


def test_a_failed_import_can_be_started_again_without_duplicates(
    owner_client, business, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK_SIZE", 10)
    data = csv_file([[f"P {n}", f"0812{n:08d}", "", "", "", "", ""] for n in range(25)])
    calls = {"n": 0}
    original = importer._Importer._apply

    def flaky(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(importer._Importer, "_apply", flaky)
    job = import_file(owner_client, business, data, django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.FAILED
    assert "unexpected error" in job.error
    assert job.processed_rows == 10
    page = owner_client.get(reverse("customers_io:import_job", args=[business.slug, job.pk])).content.decode()
    assert "unexpected error" in page
    assert [r["outcome"] for r in report_rows(owner_client, business, job)] == ["created"] * 10

    with django_capture_on_commit_callbacks(execute=True):
        again = owner_client.post(
            reverse("customers_io:import_job", args=[business.slug, job.pk]),
            {"action": "start", "has_header": "on", "column_0": "name", "column_1": "phone"},
        )
    job.refresh_from_db()
    assert again.status_code == 302
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.merged_count) == (15, 10)
    assert Contact.objects.filter(business=business).count() == 25


# --- the API -----------------------------------------------------------------------------------


def api_path(business: Any, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/customers/imports{suffix}"


def test_the_api_imports_a_file_step_by_step(api_client_for, owner, business, django_capture_on_commit_callbacks):
    api = api_client_for(owner)
    data = csv_file(
        [["Rina", "Sleman", "0812-1111-0001"], ["Agus", "Solo", "0812"]], header=["Customer", "Town", "Mobile"]
    )

    created = api.post(api_path(business), {"file": SimpleUploadedFile("c.csv", data)})
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["status"] == "uploaded"
    assert job["file_format"] == "csv"
    assert [(c["header"], c["field"]) for c in job["columns"]] == [
        ("Customer", "name"),
        ("Town", "city"),
        ("Mobile", "phone"),
    ]
    assert job["report_url"] is None

    patched = patch_json(api, api_path(business, f"/{job['id']}"), {"fields": {"0": "name", "2": "phone"}})
    assert patched.status_code == 200
    assert [c["field"] for c in patched.json()["columns"]] == ["name", "", "phone"]

    preview = api.get(api_path(business, f"/{job['id']}/preview")).json()
    assert [(r["row"], r["outcome"]) for r in preview["rows"]] == [(2, "created"), (3, "rejected")]
    assert preview["rows"][0]["values"]["phones"] == ["+6281211110001"]
    assert preview["rows"][1]["reasons"] == ["The phone number “0812” is not valid."]

    early = api.get(api_path(business, f"/{job['id']}/report"))
    assert early.status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(api_path(business, f"/{job['id']}/start"))
    assert started.status_code == 202
    status = api.get(api_path(business, f"/{job['id']}")).json()
    assert status["status"] == "done"
    assert (status["processed_rows"], status["progress_percent"]) == (2, 100)
    assert (status["created_count"], status["rejected_count"]) == (1, 1)
    assert status["report_url"] == api_path(business, f"/{job['id']}/report")

    report = api.get(status["report_url"])
    assert report.status_code == 200
    lines = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert [(r["row"], r["outcome"]) for r in lines] == [("2", "created"), ("3", "rejected")]

    again = api.post(api_path(business, f"/{job['id']}/start"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "import_finished"
    late = patch_json(api, api_path(business, f"/{job['id']}"), {"fields": {"0": "name"}})
    assert late.status_code == 409


def test_the_api_explains_bad_mappings_and_bad_files(api_client_for, owner, business):
    api = api_client_for(owner)
    job = api.post(
        api_path(business),
        {"file": SimpleUploadedFile("c.csv", csv_file([["Rina", "0812-1111-0001"]], header=["Nama", "HP"]))},
    ).json()

    for fields, message in [
        ({"7": "name"}, "Column 7 does not exist in this file."),
        ({"0": "favourite_colour"}, "“favourite_colour” is not a customer field."),
        ({"0": "city"}, "Choose the column with the customer's name, phone number or email."),
    ]:
        answer = patch_json(api, api_path(business, f"/{job['id']}"), {"fields": fields})
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == message

    png = api.post(api_path(business), {"file": SimpleUploadedFile("c.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)})
    assert png.status_code == 400
    assert png.json()["error"]["code"] == "wrong_type"
    empty = api.post(api_path(business), {"file": SimpleUploadedFile("c.csv", b"")})
    assert empty.status_code == 400
    assert empty.json()["error"] == {"code": "empty", "message": "This file is empty.", "fields": {}}
    assert ImportJob.objects.filter(business=business).count() == 1


# --- tenancy and permissions ----------------------------------------------------------------------


@pytest.fixture
def their_job(db) -> ImportJob:
    other = registered_business(name="Kopi Senja")
    owner = other.memberships.get().user
    return import_upload(
        business=other, actor=owner, upload=SimpleUploadedFile("x.csv", csv_file([["Rina", "0812-1111-0001"]]))
    )


def test_another_business_import_is_not_found(owner_client, api_client_for, owner, business, their_job):
    for name in ("import_job", "import_progress", "import_report"):
        assert owner_client.get(reverse(f"customers_io:{name}", args=[business.slug, their_job.pk])).status_code == 404
    assert (
        owner_client.post(
            reverse("customers_io:import_job", args=[business.slug, their_job.pk]), {"action": "start"}
        ).status_code
        == 404
    )
    api = api_client_for(owner)
    for method, suffix in [("get", ""), ("get", "/preview"), ("post", "/start"), ("get", "/report"), ("patch", "")]:
        body = {"fields": {"0": "name"}} if method == "patch" else {}
        answer = send_json(api, method.upper(), api_path(business, f"/{their_job.pk}{suffix}"), body)
        assert answer.status_code == 404, (method, suffix)
    their_job.refresh_from_db()
    assert their_job.status == ImportStatus.UPLOADED


def test_support_staff_cannot_import(client_for, api_client_for, business, member_of):
    support = member_of(business, Role.SUPPORT).user
    data = csv_file([["Rina", "0812-1111-0001"]])

    page = client_for(support).get(reverse("customers_io:import", args=[business.slug]))
    posted = upload_page(client_for(support), business, data)
    api = api_client_for(support).post(api_path(business), {"file": SimpleUploadedFile("c.csv", data)})

    assert (page.status_code, posted.status_code, api.status_code) == (403, 403, 403)
    assert not ImportJob.objects.exists()


def test_a_manager_can_import(client_for, business, member_of, django_capture_on_commit_callbacks):
    manager = member_of(business, Role.MANAGER).user
    job = import_file(
        client_for(manager), business, csv_file([["Rina", "0812-1111-0001"]]), django_capture_on_commit_callbacks
    )
    assert job.created_count == 1
