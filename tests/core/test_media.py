"""Uploads: proofs of payment and contact imports are private files (no URL, outside MEDIA_ROOT, served
only by the views that check who asks); product photos, post pictures, logos and covers are public
media, served by the app itself with safe paths in every mode."""

import os
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from etalase.catalog.models import ProductImage
from etalase.catalog.services import product_image_add
from etalase.core.storage import private_files_move
from etalase.orders.services.payments import payment_submit
from tests.customers.test_io_import import latest_job, start_guessed, upload_page
from tests.factories import UserFactory, registered_business
from tests.support.catalog import context_of, picture
from tests.support.orders import checkout_for, proof_picture

pytestmark = pytest.mark.django_db


def media_url(name: str) -> str:
    return f"/media/{name}"


# --- private files ---------------------------------------------------------------------------------


def test_a_proof_of_payment_is_a_private_file_only_its_views_serve(
    settings, shop, owner, customer, product, client_for
):
    order = checkout_for(customer, [(product, 1)])

    payment = payment_submit(order=order, user=customer, method="transfer", amount_minor=1_000, proof=proof_picture())

    name = str(payment.proof.name)
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    with pytest.raises(ValueError, match="no URL"):
        _ = payment.proof.url
    for person in (None, customer, owner):
        assert client_for(person).get(media_url(name)).status_code == 404
    staff_view = client_for(owner).get(reverse("orders:payment_proof", args=[shop.slug, payment.pk]))
    mine = reverse("orders:my_payment_proof", args=[shop.slug, order.number, payment.pk])
    assert staff_view.status_code == 200
    assert b"".join(staff_view.streaming_content).startswith(b"\x89PNG")
    assert client_for(customer).get(mine).status_code == 200
    assert client_for(UserFactory()).get(mine).status_code == 404


def test_a_contact_import_and_its_report_are_private_files(
    settings, owner_client, business, client_for, django_capture_on_commit_callbacks
):
    assert upload_page(owner_client, business, b"Nama,No HP\nRina,0812-1111-0001\n").status_code == 302
    uploaded = latest_job(business)
    upload_name = str(uploaded.file.name)
    job = start_guessed(owner_client, business, uploaded, django_capture_on_commit_callbacks)

    assert job.file.storage is storages["private"]
    for name in (upload_name, str(job.report.name)):
        assert name.startswith("imports/")
        assert owner_client.get(media_url(name)).status_code == 404
        assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / str(job.report.name)).is_file()
    report = reverse("customers_io:import_report", args=[business.slug, job.pk])
    assert owner_client.get(report).status_code == 200
    stranger = client_for(registered_business().memberships.get().user)
    assert stranger.get(report).status_code == 404


def test_an_uploaded_contact_file_waits_in_the_private_root(settings, owner_client, business):
    assert upload_page(owner_client, business, b"Nama,No HP\nRina,0812-1111-0001\n").status_code == 302

    name = str(latest_job(business).file.name)
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert owner_client.get(media_url(name)).status_code == 404
    assert Client().get(media_url(name)).status_code == 404


def test_private_files_move_out_of_the_public_root_once_and_safely(settings, caplog):
    public, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    old = public / "payment-proofs/2026/01/old.png"
    same = public / "payment-proofs/2026/01/same.png"
    clash = public / "payment-proofs/2026/02/clash.png"
    for path, content in ((old, b"old"), (same, b"same"), (clash, b"public copy")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for name, content in (("same.png", b"same"), ("clash.png", b"private copy")):
        target = private / "payment-proofs/2026" / ("01" if name == "same.png" else "02") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    photo = public / "products/2026/01/photo.webp"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"photo")

    assert private_files_move("payment-proofs") == 2
    assert private_files_move("payment-proofs") == 0
    assert private_files_move("imports") == 0

    assert (private / "payment-proofs/2026/01/old.png").read_bytes() == b"old"
    assert (private / "payment-proofs/2026/01/same.png").read_bytes() == b"same"
    assert (private / "payment-proofs/2026/02/clash.png").read_bytes() == b"private copy"
    assert not old.exists()
    assert not same.exists()
    assert not (public / "payment-proofs/2026/01").exists()
    assert clash.read_bytes() == b"public copy"  # kept for someone to look at, and never served
    assert "differ" in caplog.text
    assert photo.exists()
    assert Client().get(media_url("payment-proofs/2026/02/clash.png")).status_code == 404


# --- public media ----------------------------------------------------------------------------------


@pytest.fixture
def photo(shop, product) -> ProductImage:
    return product_image_add(context=context_of(shop), product_id=product.pk, upload=picture("kain.png"))


def test_a_product_photo_is_served_with_its_type_and_cache_headers(photo):
    response = Client().get(photo.detail.url)

    assert photo.detail.url.startswith("/media/products/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=604800"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert int(response["Content-Length"]) == photo.detail.size
    assert response.getvalue().startswith(b"RIFF")
    again = Client().get(photo.detail.url, headers={"if-modified-since": response["Last-Modified"]})
    assert again.status_code == 304
    assert Client().head(photo.thumbnail.url).status_code == 200
    assert Client().post(photo.thumbnail.url).status_code == 405


def test_only_public_pictures_are_served(settings, photo):
    public, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    folder = Path(str(photo.detail.name)).parent
    (public / folder / "notes.html").write_text("<script>alert(1)</script>")
    (public / folder / ".hidden.webp").write_bytes(b"x")
    (public / "payment-proofs").mkdir()
    (public / "payment-proofs/left.png").write_bytes(b"x")
    (private / "imports").mkdir(parents=True)
    (private / "imports/list.csv").write_text("Rina,0812")
    (private / "imports/p.png").write_bytes(b"x")
    os.symlink(private / "imports/p.png", public / folder / "link.png")
    outside = public.parent / "outside.png"
    outside.write_bytes(b"x")
    relative_private = os.path.relpath(private, public / "products")

    for path in (
        f"{folder}/notes.html",
        f"{folder}/.hidden.webp",
        f"{folder}/link.png",
        f"{folder}/",
        f"{folder}",
        "products/",
        "payment-proofs/left.png",
        "imports/list.csv",
        f"products/{relative_private}/imports/p.png",
        "products/../../outside.png",
        "products/%2e%2e/%2e%2e/outside.png",
        "products/..%2f..%2foutside.png",
        "products/%00.png",
        "products\\..\\..\\outside.png",
        "logos/missing.webp",
    ):
        assert Client().get(media_url(path)).status_code == 404, path


def test_the_private_root_may_not_sit_inside_the_public_one(tmp_path):
    from tests.test_settings import run_python

    result = run_python(
        "import config.settings",
        tmp_path,
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "media" / "private"),
    )

    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT" in result.stderr


def test_a_last_modified_date_is_sent(photo):
    response = Client().get(photo.thumbnail.url)

    changed = photo.thumbnail.storage.get_modified_time(str(photo.thumbnail.name))
    assert response["Last-Modified"] == http_date(changed.timestamp())
