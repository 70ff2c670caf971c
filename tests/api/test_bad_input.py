"""What a client sends never makes a 500: too large, too deep, numbers beyond 64 bits, a multipart
body without its boundary. Each answers a 4xx in the API's error format and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from etalase.catalog.models import Post, Product
from etalase.customers.models import Contact, Segment
from etalase.customers.services.contacts import contact_create
from etalase.directory.models import Business
from etalase.orders.models import GatewayNotification, Order
from tests.api.test_errors import assert_error_shape
from tests.factories import ApiTokenFactory
from tests.support.api import send_json
from tests.support.orders import picture_bytes

HUGE = 2**70
API = "/api/v1"


@pytest.fixture
def owner_api(owner, shop) -> Client:
    return Client(headers={"authorization": f"Bearer {ApiTokenFactory(user=owner).secret}"})


@pytest.fixture
def customer_api(customer) -> Client:
    return Client(headers={"authorization": f"Bearer {ApiTokenFactory(user=customer).secret}"})


@pytest.fixture
def contact(shop) -> Contact:
    return contact_create(business=shop, name="Ibu Wati", phone="0813-1111-2222")


# --- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) ------------------------------------------------


def _oversized_json(settings) -> str:
    return '{"title": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'


def test_a_json_body_over_the_limit_is_413_and_creates_nothing(owner_api, shop, settings):
    response = owner_api.post(
        f"{API}/businesses/{shop.slug}/catalog/products", _oversized_json(settings), content_type="application/json"
    )

    assert_error_shape(response, 413, "too_large")
    assert not Product.objects.filter(business=shop).exists()


def test_a_json_body_over_the_limit_is_413_without_authentication(anonymous_client, settings):
    response = anonymous_client.post(f"{API}/auth/token", _oversized_json(settings), content_type="application/json")

    assert_error_shape(response, 413, "too_large")


def test_a_json_body_over_the_limit_is_413_on_the_gateway_callback(anonymous_client, settings):
    response = anonymous_client.post(
        f"{API}/payments/gateway/sandbox/notification", _oversized_json(settings), content_type="application/json"
    )

    assert_error_shape(response, 413, "too_large")
    assert not GatewayNotification.objects.exists()


def test_the_too_large_message_is_translated(settings):
    body, anonymous_client = _oversized_json(settings), Client()

    english = anonymous_client.post(
        f"{API}/auth/token", body, content_type="application/json", headers={"accept-language": "en"}
    )
    indonesian = anonymous_client.post(
        f"{API}/auth/token", body, content_type="application/json", headers={"accept-language": "id"}
    )

    assert english.json()["error"]["message"] != indonesian.json()["error"]["message"]


# --- deeply nested JSON ---------------------------------------------------------------------------

DEEP = "[" * 100_000


def test_deeply_nested_json_on_the_gateway_callback_is_400_and_records_nothing(anonymous_client):
    response = anonymous_client.post(
        f"{API}/payments/gateway/sandbox/notification", DEEP, content_type="application/json"
    )

    assert_error_shape(response, 400, "malformed")
    assert not GatewayNotification.objects.exists()


def test_a_nul_character_in_the_gateway_callback_is_400_and_records_nothing(anonymous_client):
    body = '{"order_id": "ETL-1", "note": {"k\\u0000": ["a\\u0000b"]}}'

    response = anonymous_client.post(
        f"{API}/payments/gateway/sandbox/notification", body, content_type="application/json"
    )

    assert_error_shape(response, 400, "malformed")
    assert not GatewayNotification.objects.exists()


def test_deeply_nested_json_in_an_operation_body_is_a_clean_error(owner_api, shop):
    response = owner_api.post(f"{API}/businesses/{shop.slug}/catalog/products", DEEP, content_type="application/json")

    assert_error_shape(response, 422, "invalid")
    assert not Product.objects.filter(business=shop).exists()


def test_deeply_nested_json_on_the_share_page_is_a_clean_error(client_for, customer, product):
    response = client_for(customer).post("/engage/share/", DEEP, content_type="application/json")

    assert response.status_code < 500


def test_deeply_nested_json_on_the_push_subscription_page_is_a_clean_error(client_for, customer):
    response = client_for(customer).post("/notifications/push/subscribe/", "[" * 3000, content_type="application/json")

    assert response.status_code < 500


# --- ids beyond 64 bits ---------------------------------------------------------------------------


def test_bulk_tag_with_an_id_beyond_64_bits_is_422(owner_api, shop, contact):
    response = send_json(
        owner_api,
        "POST",
        f"{API}/businesses/{shop.slug}/contacts/bulk-tag",
        {"contact_ids": [contact.pk, HUGE], "tag": "vip"},
    )

    error = assert_error_shape(response, 422, "invalid")
    assert "contact_ids.1" in error["fields"]
    assert not contact.tags.exists()


def test_product_reorder_with_an_id_beyond_64_bits_is_422(owner_api, shop, product):
    response = send_json(
        owner_api, "POST", f"{API}/businesses/{shop.slug}/catalog/products/reorder", {"ids": [HUGE, product.pk]}
    )

    assert_error_shape(response, 422, "invalid")


def test_merge_with_an_id_beyond_64_bits_is_422(owner_api, shop, contact):
    response = send_json(
        owner_api, "POST", f"{API}/businesses/{shop.slug}/contacts/{contact.pk}/merge", {"other_id": HUGE}
    )

    assert_error_shape(response, 422, "invalid")
    assert Contact.objects.filter(pk=contact.pk, merged_into__isnull=True).exists()


def test_a_segment_with_a_number_beyond_64_bits_is_a_clean_error(owner_api, shop):
    response = send_json(
        owner_api,
        "POST",
        f"{API}/businesses/{shop.slug}/segments",
        {"name": "Big spenders", "filters": {"spent_min": HUGE}},
    )

    assert_error_shape(response, response.status_code)
    assert response.status_code in (400, 422)
    assert not Segment.objects.filter(business=shop).exists()


def test_a_post_tagging_a_product_id_beyond_64_bits_is_422(owner_api, shop):
    image = SimpleUploadedFile("post.png", picture_bytes(), content_type="image/png")
    response = owner_api.post(
        f"{API}/businesses/{shop.slug}/catalog/posts", {"image": image, "caption": "Baru", "products": [str(HUGE)]}
    )

    assert_error_shape(response, 422, "invalid")
    assert not Post.objects.filter(business=shop).exists()


@pytest.mark.parametrize("number", [str(2**63), str(HUGE), str(10**30)])
def test_ids_beyond_64_bits_in_paths_are_404_or_422(owner_api, customer_api, shop, number):
    answers = [
        owner_api.get(f"{API}/businesses/{shop.slug}/catalog/products/{number}"),
        owner_api.get(f"{API}/businesses/{shop.slug}/contacts/{number}"),
        customer_api.put(f"{API}/products/{number}/favourite"),
        customer_api.get(f"{API}/me/orders/{shop.slug}/{number}"),
    ]

    for response in answers:
        assert response.status_code in (404, 422), response.content[:300]
        assert_error_shape(response, response.status_code)


@pytest.mark.parametrize("number", [str(2**63), str(HUGE)])
def test_ids_beyond_64_bits_in_page_addresses_are_404(client_for, owner, shop, number):
    response = client_for(owner).get(f"/manage/{shop.slug}/customers/{number}/")

    assert response.status_code == 404


@pytest.mark.parametrize("number", [str(2**63), str(HUGE)])
def test_ids_beyond_64_bits_in_queries_are_422(owner_api, shop, number):
    response = owner_api.get(f"{API}/businesses/{shop.slug}/audit?member={number}")

    assert_error_shape(response, 422, "invalid")


# --- multipart without a boundary -----------------------------------------------------------------


def _no_boundary(client: Client, url: str):
    return client.generic("POST", url, b"--x\r\n\r\n", content_type="multipart/form-data")


def test_multipart_without_a_boundary_is_400_on_every_upload(owner_api, customer_api, shop, order, contact):
    product = Product.objects.filter(business=shop).first()
    assert product is not None
    uploads = [
        (owner_api, f"{API}/businesses/{shop.slug}/logo"),
        (owner_api, f"{API}/businesses/{shop.slug}/catalog/products/{product.pk}/images"),
        (owner_api, f"{API}/businesses/{shop.slug}/catalog/posts"),
        (owner_api, f"{API}/businesses/{shop.slug}/customers/imports"),
        (owner_api, f"{API}/businesses/{shop.slug}/orders/{order.number}/payments"),
        (customer_api, f"{API}/me/orders/{shop.slug}/{order.number}/payments"),
    ]

    for client, url in uploads:
        error = assert_error_shape(_no_boundary(client, url), 400, "malformed_multipart")
        assert error["message"]
    assert Order.objects.get(pk=order.pk).payments.count() == 0
    assert Business.objects.get(pk=shop.pk).logo.name == shop.logo.name
