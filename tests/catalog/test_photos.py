"""Product photos: real pictures only, resized to WebP without EXIF, at most 8, one of them the cover."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import ProductImage
from tests.support.catalog import jpeg_with_gps, picture, png_bomb, text_file

pytestmark = pytest.mark.django_db


def images_url(business, product, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/catalog/products/{product.pk}/images{suffix}"


@pytest.fixture
def owner_api(api_client_for, owner):
    return api_client_for(owner)


def stored(field) -> Image.Image:
    field.open("rb")
    try:
        image = Image.open(io.BytesIO(field.read()))
        image.load()
        return image
    finally:
        field.close()


def test_photos_uploaded_together_become_webp_in_two_sizes(owner_api, business, make_product):
    product = make_product(business)

    response = owner_api.post(
        images_url(business, product),
        {"images": [jpeg_with_gps("wide.jpg", size=(1600, 1200)), picture("small.png", size=(300, 200))]},
    )

    assert response.status_code == 201
    photos = response.json()["photos"]
    assert [photo["position"] for photo in photos] == [0, 1]
    assert (photos[0]["width"], photos[0]["height"]) == (1080, 810)
    assert response.json()["cover"]["id"] == photos[0]["id"]
    first, second = ProductImage.objects.filter(product=product).order_by("position")
    assert stored(first.detail).format == "WEBP"
    assert stored(first.detail).size == (1080, 810)
    assert stored(first.thumbnail).size == (480, 360)
    assert stored(second.detail).size == (300, 200)  # small pictures are not enlarged
    assert first.business == business
    assert Activity.objects.filter(verb=Verb.PRODUCT_UPDATED, target_id=str(product.pk)).get().data == {
        "fields": ["images"],
        "photos_added": 2,
    }


def test_the_location_and_camera_in_a_phone_photo_are_not_kept(owner_api, business, make_product):
    product = make_product(business)
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original.read())) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo must carry a location"
    original.seek(0)

    owner_api.post(images_url(business, product), {"images": [original]})

    photo = ProductImage.objects.get(product=product)
    for field in (photo.detail, photo.thumbnail):
        image = stored(field)
        assert "exif" not in image.info
        assert len(image.getexif()) == 0
        field.open("rb")
        assert b"HP Murah" not in field.read()
        field.close()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (text_file, "invalid_image"),
        (png_bomb, "image_too_many_pixels"),
        (lambda: SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (8 * 1024 * 1024 + 1)), "image_too_large"),
    ],
    ids=["not a picture", "20000x20000 PNG bomb", "more than 8 MB"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(owner_api, business, make_product, settings, upload, code):
    product = make_product(business)

    response = owner_api.post(images_url(business, product), {"images": [picture("good.png"), upload()]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert "images" in error["fields"]
    assert not ProductImage.objects.exists()
    media = settings.MEDIA_ROOT
    assert not os.path.exists(os.path.join(media, "products")) or not any(
        files for _root, _dirs, files in os.walk(os.path.join(media, "products"))
    )


def test_a_non_picture_error_names_the_file(owner_api, business, make_product):
    product = make_product(business)

    response = owner_api.post(images_url(business, product), {"images": [text_file()]})

    assert response.json()["error"]["message"] == "price-list.txt: Upload a picture in JPEG, PNG, WebP or GIF format."


def test_a_ninth_photo_is_refused(owner_api, business, make_product):
    product = make_product(business, photos=8)

    response = owner_api.post(images_url(business, product), {"images": [picture("ninth.png")]})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "too_many_photos",
        "message": "A product can have at most 8 photos. Remove one to add another.",
        "fields": {"images": "A product can have at most 8 photos. Remove one to add another."},
    }
    assert ProductImage.objects.filter(product=product).count() == 8


def test_adding_more_photos_than_there_is_room_for_adds_none(owner_api, business, make_product):
    product = make_product(business, photos=6)

    response = owner_api.post(images_url(business, product), {"images": [picture(f"{n}.png") for n in range(3)]})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A product can have at most 8 photos; you can add 2 more."
    assert ProductImage.objects.filter(product=product).count() == 6


def test_setting_the_cover_moves_the_photo_first_and_keeps_the_others_in_order(owner_api, business, make_product):
    product = make_product(business, photos=3)
    first, second, third = ProductImage.objects.filter(product=product).order_by("position")

    response = owner_api.post(images_url(business, product, f"/{third.pk}/cover"))

    assert response.status_code == 200
    assert [photo["id"] for photo in response.json()["photos"]] == [third.pk, first.pk, second.pk]
    assert response.json()["cover"]["id"] == third.pk
    public = owner_api.get(f"/api/v1/businesses/{business.slug}/products").json()["items"][0]
    assert public["cover"]["id"] == third.pk


def test_removing_a_photo_deletes_its_files_after_commit_and_closes_the_gap(
    owner_api, business, make_product, django_capture_on_commit_callbacks
):
    product = make_product(business, photos=3)
    first, second, third = ProductImage.objects.filter(product=product).order_by("position")
    paths = [second.detail.path, second.thumbnail.path]
    assert all(os.path.exists(path) for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(images_url(business, product, f"/{second.pk}"))

    assert response.status_code == 204
    assert list(ProductImage.objects.filter(product=product).order_by("position").values_list("id", "position")) == [
        (first.pk, 0),
        (third.pk, 1),
    ]
    assert not any(os.path.exists(path) for path in paths)


def test_a_photo_of_another_product_or_shop_is_404(owner_api, business, other_business, make_product):
    mine = make_product(business, photos=1)
    my_other = make_product(business, photos=1)
    theirs = make_product(other_business, photos=1)
    their_photo = ProductImage.objects.get(product=theirs)
    other_photo = ProductImage.objects.get(product=my_other)

    answers = [
        owner_api.delete(images_url(business, mine, f"/{other_photo.pk}")),
        owner_api.delete(images_url(business, mine, f"/{their_photo.pk}")),
        owner_api.post(images_url(business, mine, f"/{their_photo.pk}/cover")),
        owner_api.post(images_url(business, theirs), {"images": [picture()]}),
        owner_api.delete(images_url(business, theirs, f"/{their_photo.pk}")),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert ProductImage.objects.count() == 3


def test_the_edit_page_uploads_several_photos_at_once_and_sets_a_cover(owner_client, business, make_product):
    product = make_product(business, title="Batik Kawung")
    edit = reverse("catalog:product_edit", args=[business.slug, product.pk])

    uploaded = owner_client.post(
        reverse("catalog:product_images_add", args=[business.slug, product.pk]),
        {"images": [picture("a.png", color="navy"), picture("b.png", color="orange")]},
        follow=True,
    )
    second = ProductImage.objects.filter(product=product).order_by("position").last()
    assert second is not None
    covered = owner_client.post(
        reverse("catalog:product_image_cover", args=[business.slug, product.pk, second.pk]), follow=True
    )
    page = owner_client.get(edit).content.decode()

    assert uploaded.redirect_chain[-1][0] == edit
    assert "2 photos added." in uploaded.content.decode()
    assert "This photo is now the cover." in covered.content.decode()
    assert ProductImage.objects.get(pk=second.pk).position == 0
    assert page.index(second.thumbnail.url) < page.index(ProductImage.objects.get(position=1).thumbnail.url)


def test_the_edit_page_shows_why_a_photo_was_refused(owner_client, business, make_product):
    product = make_product(business, photos=8)

    response = owner_client.post(
        reverse("catalog:product_images_add", args=[business.slug, product.pk]), {"images": [picture()]}
    )

    assert response.status_code == 400
    assert "A product can have at most 8 photos" in response.content.decode()
    assert ProductImage.objects.count() == 8


def test_the_edit_page_removes_a_photo(owner_client, business, make_product):
    product = make_product(business, photos=2)
    photo = ProductImage.objects.filter(product=product).first()
    assert photo is not None

    response = owner_client.post(
        reverse("catalog:product_image_remove", args=[business.slug, product.pk, photo.pk]), follow=True
    )

    assert "Photo removed." in response.content.decode()
    assert not ProductImage.objects.filter(pk=photo.pk).exists()
