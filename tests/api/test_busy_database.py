"""A write that waits too long for the database answers 503 with Retry-After and changes nothing,
on the API and on pages: SQLite's "database is locked" after its busy_timeout (5 s in production,
0.2 s here), PostgreSQL's lock_timeout.

Another connection holds the write lock, as a long import or a second server process would:
``BEGIN EXCLUSIVE`` on the SQLite file, ``LOCK TABLE ... IN EXCLUSIVE MODE`` on PostgreSQL (reads
go on, writes wait)."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from etalase.accounts.models import ApiToken
from etalase.catalog.models import Product
from etalase.engagement.models import Favourite
from etalase.orders.models import Cart
from tests.api.test_errors import assert_error_shape
from tests.factories import PASSWORD, ApiTokenFactory
from tests.support.api import patch_json, post_json, send_json

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_MS = 200


@contextmanager
def database_held_by_another_connection() -> Iterator[None]:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=WAIT_MS / 1000)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 5000")
        return
    import psycopg

    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{WAIT_MS}ms'")
    tables = connection.introspection.table_names()
    other = psycopg.connect(
        dbname=settings["NAME"], host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"]
    )
    try:
        with other.transaction():
            for table in tables:
                other.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')  # reads go on, writes wait
            yield
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def assert_busy(response) -> None:
    assert_error_shape(response, 503, "busy")
    assert response["Retry-After"] == "5"


@pytest.fixture
def world(owner, customer, product):
    return {
        "owner": Client(headers={"authorization": f"Bearer {ApiTokenFactory(user=owner).secret}"}),
        "customer": Client(headers={"authorization": f"Bearer {ApiTokenFactory(user=customer).secret}"}),
        "anonymous": Client(),
        "slug": product.business.slug,
        "product": product,
    }


def test_api_writes_answer_503_while_the_database_is_held(world, customer):
    product, slug = world["product"], world["slug"]
    tokens_before = ApiToken.objects.count()

    with database_held_by_another_connection():
        answers = {
            "favourite": send_json(world["customer"], "PUT", f"/api/v1/products/{product.pk}/favourite"),
            "product edit": patch_json(
                world["owner"], f"/api/v1/businesses/{slug}/catalog/products/{product.pk}", {"title": "Batik Baru"}
            ),
            "login": post_json(
                world["anonymous"], "/api/v1/auth/token", {"identifier": "0812-3456-7890", "password": PASSWORD}
            ),
            "token": post_json(world["customer"], "/api/v1/me/tokens", {"name": "tablet"}),
            "cart": post_json(world["customer"], f"/api/v1/businesses/{slug}/cart/items", {"product_id": product.pk}),
        }

    for name, response in answers.items():
        assert response.status_code == 503, (name, response.content[:300])
        assert_busy(response)
    assert not Favourite.objects.exists()
    assert Product.objects.get(pk=product.pk).title == product.title
    assert ApiToken.objects.count() == tokens_before
    assert not Cart.objects.filter(user=customer, items__isnull=False).exists()


def test_the_busy_answer_is_translated(world):
    product = world["product"]

    with database_held_by_another_connection():
        english = send_json(
            world["customer"], "PUT", f"/api/v1/products/{product.pk}/favourite", headers={"accept-language": "en"}
        )
        indonesian = send_json(
            world["customer"], "PUT", f"/api/v1/products/{product.pk}/favourite", headers={"accept-language": "id"}
        )

    assert english.json()["error"]["message"].startswith("Etalase is very busy")
    assert indonesian.json()["error"]["message"] != english.json()["error"]["message"]


def test_a_page_write_answers_a_translated_503_page(world, client_for, customer):
    browser = client_for(customer, language="id")
    product = world["product"]

    with database_held_by_another_connection():
        response = browser.post(f"/engage/favourite/{product.pk}/", {"favourite": "1"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Etalase sedang sangat sibuk" in response.content.decode()
    assert not Favourite.objects.exists()


def test_a_login_page_answers_503_and_logs_nobody_in(world, owner):
    browser = Client()

    with database_held_by_another_connection():
        response = browser.post("/accounts/login/", {"identifier": "0812-3456-7890", "password": PASSWORD})

    assert response.status_code == 503
    assert "_auth_user_id" not in browser.session


def test_reads_still_work_while_the_database_is_held(world):
    with database_held_by_another_connection():
        response = world["anonymous"].get(f"/api/v1/businesses/{world['slug']}/products")

    assert response.status_code == 200
