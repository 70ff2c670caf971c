"""Sharing a product or a shop: the catalog's share buttons post here; one SHARED activity per share."""

import json

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from tests.support.engagement import product_hidden, product_made

SHARE = reverse("engagement:share")


def shares() -> list[Activity]:
    return list(Activity.objects.filter(verb="shared").order_by("id"))


def test_a_visitor_shares_a_product_on_whatsapp(anonymous_client, product):
    response = anonymous_client.post(SHARE, {"what": "product", "product_id": product.pk, "channel": "whatsapp"})

    assert response.status_code == 204
    [activity] = shares()
    assert activity.data == {"what": "product", "id": product.pk, "channel": "whatsapp"}
    assert (activity.business_id, activity.actor, activity.target_id) == (product.business_id, None, str(product.pk))


def test_a_customer_shares_a_shop_by_copying_the_link(client_for, customer, business):
    response = client_for(customer).post(
        SHARE,
        json.dumps({"slug": business.slug, "channel": "copy"}),
        content_type="application/json",
    )

    assert response.status_code == 204
    [activity] = shares()
    assert activity.data == {"what": "business", "id": business.pk, "slug": business.slug, "channel": "copy"}
    assert activity.actor == customer


def test_a_plain_form_comes_back_to_the_page(client_for, customer, product):
    response = client_for(customer).post(
        SHARE,
        {"product_id": product.pk, "channel": "native", "next": "/b/batik-sari/"},
        HTTP_ACCEPT="text/html,application/xhtml+xml",
    )

    assert response.status_code == 302
    assert response["Location"] == "/b/batik-sari/"
    assert shares()[0].data["channel"] == "native"


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"what": "product", "product_id": 1, "channel": "pigeon"}, 400, "channel"),
        ({"what": "product", "product_id": "abc"}, 400, "product_id"),
        ({"what": "product", "product_id": "99999999999999999999999"}, 400, "product_id"),
        ({"what": "something"}, 400, "what"),
        ({}, 400, "what"),
        ({"what": "business", "slug": "no-such-shop"}, 404, None),
        ({"what": "product", "product_id": 999_999}, 404, None),
    ],
)
def test_bad_shares_answer_a_clear_json_error_and_record_nothing(anonymous_client, product, data, status, field):
    response = anonymous_client.post(SHARE, data)

    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    if field:
        assert field in error["fields"]
    assert shares() == []


def test_a_hidden_or_draft_product_cannot_be_shared(anonymous_client, business):
    hidden = product_hidden(product_made(business, "Batik Tersembunyi"))
    draft = product_made(business, "Batik Draf", publish=False)

    answers = [anonymous_client.post(SHARE, {"product_id": product.pk}) for product in (hidden, draft)]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert shares() == []


def test_malformed_json_is_a_400(anonymous_client):
    response = anonymous_client.post(SHARE, "{not json", content_type="application/json")

    assert response.status_code == 400


def test_api_share(api_client_for, customer, product):
    response = api_client_for(customer).post(
        "/api/v1/share",
        {"what": "product", "product_id": product.pk, "channel": "telegram"},
        content_type="application/json",
    )
    bad = api_client_for(customer).post(
        "/api/v1/share",
        {"what": "product", "product_id": product.pk, "channel": "fax"},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert bad.status_code == 400
    [activity] = shares()
    assert (activity.channel, activity.actor, activity.data["channel"]) == ("api", customer, "telegram")
