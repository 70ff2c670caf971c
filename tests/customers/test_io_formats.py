"""Reading contact files: CSV encodings and delimiters, Excel workbooks, vCard address books, column
guesses, value cleaning, and files that are not what they claim."""

import codecs
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from etalase.customers.io.fields import birthday_parse, consent_parse, field_guess, mapping_guess
from etalase.customers.io.importer import import_run
from etalase.customers.io.imports import import_preview, import_start, import_upload
from etalase.customers.io.jobs import job_settings
from etalase.customers.io.parsers import ImportFileError, source_inspect
from etalase.customers.models import Contact, ImportJob

pytestmark = pytest.mark.django_db


def upload(business: Any, owner: Any, data: bytes, name: str) -> ImportJob:
    return import_upload(business=business, actor=owner, upload=SimpleUploadedFile(name, data))


def preview_values(job: ImportJob) -> list[tuple[str, str, str, str]]:
    return [(item.row.name, item.row.phone, item.row.email, item.row.city) for item in import_preview(job=job).rows]


def run(job: ImportJob, owner: Any) -> ImportJob:
    import_start(job=job, actor=owner)
    finished = import_run(job_id=job.pk)
    assert finished is not None
    return finished


# --- CSV: encodings and delimiters -------------------------------------------------------------


def test_utf8_with_a_bom(business, owner):
    data = codecs.BOM_UTF8 + "Nama,No HP,Kota\nJosé Müller,0812-1111-0001,Depok\n".encode()

    job = upload(business, owner, data, "a.csv")

    assert job.mapping["source"]["encoding"] == "utf-8-sig"
    assert job_settings(job).headers == ["Nama", "No HP", "Kota"]  # no BOM in the first header
    assert preview_values(job) == [("José Müller", "+6281211110001", "", "Depok")]


def test_latin1_and_windows_1252_from_excel(business, owner):
    data = "Nama;Telepon;Kota\nJosé Ñañez;0812 1111 0001;Bogor\nRené “Bos”;0812 1111 0002;Bekasi\n".encode("cp1252")

    job = upload(business, owner, data, "excel.csv")

    assert job.mapping["source"]["encoding"] == "cp1252"
    assert job.mapping["source"]["delimiter"] == ";"
    assert [name for name, *_rest in preview_values(job)] == ["José Ñañez", "René “Bos”"]


def test_pure_latin1_bytes_that_windows_1252_cannot_read(business, owner):
    data = "Nama,HP\nAndré\x81,0812 1111 0001\n".encode("latin-1")

    job = upload(business, owner, data, "a.csv")

    assert job.mapping["source"]["encoding"] == "latin-1"
    assert preview_values(job)[0][0] == "André\x81"


def test_excel_semicolon_csv_with_decimal_commas_and_a_sep_line(business, owner, english):
    data = (
        "sep=;\r\nNama;No HP;Saldo;Alamat\r\nRina, S.E.;0812-1111-0001;1,5;Jl. Kaliurang 5, Sleman\r\n"
        "Agus;0812-1111-0002;2,75;\r\n"
    ).encode("cp1252")

    job = upload(business, owner, data, "a.csv")
    rows = import_preview(job=job).rows

    assert job.mapping["source"]["delimiter"] == ";"
    assert [(item.row.number, item.row.name, item.row.address) for item in rows] == [
        (3, "Rina, S.E.", "Jl. Kaliurang 5, Sleman"),
        (4, "Agus", ""),
    ]


def test_excel_semicolon_csv_without_a_sep_line(business, owner):
    data = b"Nama;No HP;Kota\nRina, S.E.;0812-1111-0001;Sleman\nBudi;0812-1111-0002;Bantul, DIY\n"
    job = upload(business, owner, data, "a.csv")
    assert job.mapping["source"]["delimiter"] == ";"
    assert [city for *_rest, city in preview_values(job)] == ["Sleman", "Bantul, DIY"]


def test_comma_csv_with_quoted_commas_newlines_and_short_rows(business, owner):
    data = (
        b'Nama,No HP,Alamat,Kota,Tag\n"Wati, Bu",0812-1111-0001,"Jl. Magelang 1\nRT 2",Sleman,VIP\n'
        b"Budi,0812-1111-0002\n"
    )

    job = upload(business, owner, data, "a.csv")
    rows = import_preview(job=job).rows

    assert job.mapping["source"]["delimiter"] == ","
    assert job.total_rows == 2
    assert (rows[0].row.name, rows[0].row.address, rows[0].row.tags) == ("Wati, Bu", "Jl. Magelang 1 RT 2", ["VIP"])
    assert (rows[1].row.number, rows[1].row.name, rows[1].row.city) == (3, "Budi", "")  # row 3 in a spreadsheet


def test_excel_unicode_text_is_utf16_with_tabs(business, owner):
    data = "Name\tMobile\tCity\nSiti Nurhaliza\t+60 12-345 6789\tKuala Lumpur\n".encode("utf-16")

    job = upload(business, owner, data, "contacts.txt")

    assert (job.mapping["source"]["encoding"], job.mapping["source"]["delimiter"]) == ("utf-16", "\t")
    assert preview_values(job) == [("Siti Nurhaliza", "+60123456789", "", "Kuala Lumpur")]


# --- column guesses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nama", "name"),
        ("Nama Lengkap", "name"),
        ("Nama Pelanggan", "name"),
        ("Full name", "name"),
        ("No HP", "phone"),
        ("No. Telp", "phone"),
        ("Nomor WhatsApp", "phone"),
        ("Telepon", "phone"),
        ("Mobile Phone", "phone"),
        ("HP/WA", "phone"),
        ("E-mail", "email"),
        ("Alamat Email", "email"),
        ("Surel", "email"),
        ("Kota", "city"),
        ("Kota/Kabupaten", "city"),
        ("City", "city"),
        ("Alamat", "address"),
        ("Street address", "address"),
        ("Tanggal Lahir", "birthday"),
        ("Tgl. Lahir", "birthday"),
        ("Date of birth", "birthday"),
        ("Ulang Tahun", "birthday"),
        ("Tag", "tags"),
        ("Label", "tags"),
        ("Grup", "tags"),
        ("Izin WA", "consent_whatsapp_marketing"),
        ("Boleh WA promo", "consent_whatsapp_marketing"),
        ("consent_marketing_whatsapp", "consent_whatsapp_marketing"),
        ("Izin SMS", "consent_sms_marketing"),
        ("Newsletter", "consent_email_marketing"),
        ("Nama depan", "first_name"),
        ("Last name", "last_name"),
    ],
)
def test_header_guesses(header, field):
    guess = field_guess(header)
    assert guess is not None
    assert guess[0] == field


@pytest.mark.parametrize("header", ["No", "No.", "ID Pelanggan", "Customer code", "Jumlah", "Catatan", "", "NIK"])
def test_headers_that_are_not_guessed(header):
    assert field_guess(header) is None


def test_a_one_column_field_goes_to_the_exact_header_first():
    mapping = mapping_guess(["No", "Nama toko langganan", "Nama", "HP", "Telepon kantor", "Email", "Email kantor"])
    assert mapping == {"2": "name", "3": "phone", "4": "phone", "5": "email", "6": "email"}


def test_first_and_last_name_columns_make_the_name(business, owner):
    job = upload(business, owner, b"First name,Last name,Phone\nSiti,Rahma,0812-1111-0001\n", "a.csv")
    assert preview_values(job) == [("Siti Rahma", "+6281211110001", "", "")]


# --- value cleaning --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("1990-04-12", dt.date(1990, 4, 12)),
        ("12/04/1990", dt.date(1990, 4, 12)),  # day first, as written in Indonesia
        ("04/25/1990", dt.date(1990, 4, 25)),  # can only be month first
        ("12-04-90", dt.date(1990, 4, 12)),
        ("12.04.1990", dt.date(1990, 4, 12)),
        ("19900412", dt.date(1990, 4, 12)),
        ("12 Agustus 1990", dt.date(1990, 8, 12)),
        ("12 Agu 1990", dt.date(1990, 8, 12)),
        ("August 12, 1990", dt.date(1990, 8, 12)),
        ("1990-04-12T00:00:00Z", dt.date(1990, 4, 12)),
        (dt.datetime(1990, 4, 12), dt.date(1990, 4, 12)),  # noqa: DTZ001 - a spreadsheet's date cell
    ],
)
def test_birthdays(raw, day):
    assert birthday_parse(raw) == day


@pytest.mark.parametrize("raw", ["31/31/1990", "kemarin", "2999-01-01", "1800-01-01", "12/04"])
def test_not_birthdays(raw):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not part of the contract
        birthday_parse(raw)


@pytest.mark.parametrize(
    ("raw", "granted"),
    [("ya", True), ("Y", True), ("yes", True), ("1", True), (True, True), ("✓", True), ("Setuju", True)]
    + [("tidak", False), ("No", False), ("0", False), (False, False), ("", None), (None, None)],
)
def test_consent_values(raw, granted):
    assert consent_parse(raw) is granted


# --- Excel workbooks -----------------------------------------------------------------------------


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_numbers_and_dates(business, owner):
    data = xlsx(
        [
            ["Nama", "No HP", "Tanggal Lahir", "Izin WA", "Kota"],
            ["Rina", 81211110001, dt.datetime(1990, 4, 12), True, None],  # noqa: DTZ001 - Excel has no timezones
            [None, None, None, None, None],
            ["Agus", 6281211110002.0, "03/02/1985", "tidak", "Solo"],
        ]
    )

    job = upload(business, owner, data, "pelanggan.xlsx")
    rows = import_preview(job=job).rows

    assert job.file_format == "xlsx"
    assert job.total_rows == 2
    assert [(r.row.number, r.row.name, r.row.phone, r.row.birthday, r.row.consent) for r in rows] == [
        (2, "Rina", "+6281211110001", dt.date(1990, 4, 12), {"whatsapp_marketing": True}),
        (4, "Agus", "+6281211110002", dt.date(1985, 2, 3), {"whatsapp_marketing": False}),
    ]
    assert run(job, owner).created_count == 2


# --- vCard address books ---------------------------------------------------------------------------

VCARD_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=53=61=6E=74=6F=73=6F;Bud=\r\n=C3=AD;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Bud=C3=AD=20Santoso\r\n"
    "TEL;HOME:0274-555123\r\nTEL;CELL;PREF:0812-1111-0001\r\n"
    "EMAIL;INTERNET:budi@contoh.id\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Jl. Kaliurang KM 5=0D=0ART 02;Sleman;DIY;55281;Indonesia\r\n"
    "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n AAAAAAAAAAAAAA\r\n\r\n"
    "END:VCARD\r\n"
)
VCARD_30 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Wati;Rina;;Bu;\r\n"
    "FN:Rina Wati\\, S.E.\r\n"
    "item1.TEL;type=CELL;type=VOICE:+62 813 2222\r\n 0002\r\n"
    "TEL;TYPE=WORK:0812-3333-0003\r\n"
    "EMAIL;TYPE=INTERNET,HOME:rina@contoh.id\r\n"
    "BDAY:1990-04-12\r\nCATEGORIES:VIP,Reseller\r\nNOTE:Suka batik\\nwarna biru\r\n"
    "END:VCARD\r\n"
)
VCARD_40 = (
    "BEGIN:VCARD\nVERSION:4.0\nN:Pratama;Agus;;;\n"
    'TEL;VALUE=uri;TYPE="voice,home":tel:+62-274-555-999\n'
    "TEL;VALUE=uri;PREF=1;TYPE=cell:tel:+62-812-4444-0004\n"
    "BDAY:--0412\n"
    "END:VCARD\n"
)


def test_a_phone_address_book_in_vcard_21_30_and_40(business, owner):
    job = upload(business, owner, (VCARD_21 + VCARD_30 + VCARD_40).encode(), "Contacts.vcf")
    rows = import_preview(job=job).rows

    assert job.file_format == "vcard"
    assert job.total_rows == 3
    budi, rina, agus = (item.row for item in rows)
    assert (budi.name, budi.phones, budi.emails) == (
        "Budí Santoso",
        ["+6281211110001", "+62274555123"],
        ["budi@contoh.id"],
    )
    assert (budi.address, budi.city) == ("Jl. Kaliurang KM 5 RT 02, DIY, 55281", "Sleman")
    assert (rina.name, rina.phones, rina.birthday, rina.tags) == (
        "Rina Wati, S.E.",
        ["+6281322220002", "+6281233330003"],
        dt.date(1990, 4, 12),
        ["VIP", "Reseller"],
    )
    assert (agus.name, agus.phones, agus.birthday) == ("Agus Pratama", ["+6281244440004", "+62274555999"], None)

    finished = run(job, owner)
    assert finished.created_count == 3
    assert set(Contact.objects.filter(business=business).values_list("phone", flat=True)) == {
        "+6281211110001",
        "+6281322220002",
        "+6281244440004",
    }


def test_a_contact_whose_second_number_is_already_a_customer_is_completed(business, owner):
    from etalase.customers.services.contacts import contact_create

    known = contact_create(business=business, name="Rina (kantor)", phone="0812-3333-0003")
    finished = run(upload(business, owner, VCARD_30.encode(), "rina.vcf"), owner)

    known.refresh_from_db()
    assert (finished.created_count, finished.merged_count) == (0, 1)
    assert (known.name, known.email, str(known.birthday)) == ("Rina (kantor)", "rina@contoh.id", "1990-04-12")


# --- files that are not what they claim ------------------------------------------------------------


def zip_bytes(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "pelanggan.csv", "a Windows program"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "pelanggan.xlsx", "a PNG image"),
        (b"%PDF-1.7\n", "pelanggan.csv", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "pelanggan.xls", "Office 97"),
        (zip_bytes({"word/document.xml": b"<w/>"}), "pelanggan.xlsx", "a Word document"),
        (zip_bytes({"a.txt": b"x"}), "pelanggan.xlsx", "a ZIP archive"),
        (b"PK\x03\x04garbage", "pelanggan.xlsx", "damaged"),
        (b"Nama,HP\nRina,0812\n", "pelanggan.xlsx", "named .xlsx, but it is really a CSV or text file"),
        (VCARD_30.encode(), "pelanggan.csv", "really a vCard address book"),
        (b"\x00\x01\x02\x03binary\x00" * 20, "pelanggan.csv", "not text"),
        (bytes(range(1, 32)) * 50, "pelanggan.csv", "not text"),
        (b"", "pelanggan.csv", "file is empty."),
        (b" \r\n\r\n\t", "pelanggan.csv", "This file is empty."),
        (codecs.BOM_UTF8, "pelanggan.csv", "This file is empty."),
    ],
)
def test_files_that_are_not_contact_lists_are_refused(owner_client, business, data, name, message):
    answer = owner_client.post(
        reverse("customers_io:import", args=[business.slug]), {"file": SimpleUploadedFile(name, data)}
    )

    assert answer.status_code == 400
    assert message in answer.content.decode().replace("&#x27;", "'")
    assert not ImportJob.objects.exists()


def test_a_workbook_with_only_empty_cells_has_no_rows(business, owner):
    with pytest.raises(ImportFileError) as error:
        upload(business, owner, xlsx([[None, None], [None]]), "kosong.xlsx")
    assert error.value.code == "empty"


def test_a_huge_file_is_refused_by_size(owner_client, business, settings):
    settings.CUSTOMERS_IMPORT_MAX_BYTES = 1024 * 1024
    data = b"Nama,HP\n" + b"Rina,0812-1111-0001\n" * 60_000

    answer = owner_client.post(
        reverse("customers_io:import", args=[business.slug]), {"file": SimpleUploadedFile("besar.csv", data)}
    )

    assert answer.status_code == 400
    assert "larger than 1 MB" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_with_too_many_rows_is_refused(business, owner, settings):
    settings.CUSTOMERS_IMPORT_MAX_ROWS = 10
    with pytest.raises(ImportFileError) as error:
        upload(business, owner, b"Nama\n" + b"Rina\n" * 11, "a.csv")
    assert error.value.code == "too_many_rows"


def test_the_content_decides_when_the_name_has_no_known_extension(business, owner):
    assert upload(business, owner, VCARD_30.encode(), "export").file_format == "vcard"
    assert upload(business, owner, b"Nama,HP\nRina,0812-1111-0001\n", "data.dat").file_format == "csv"


def test_source_inspect_counts_rows_without_the_blank_ones():
    source = source_inspect(b"Nama,HP\n\nRina,0812\n,\nAgus,0813\n", "a.csv")
    assert (source.records, source.columns, source.header_suggested) == (3, 2, True)
