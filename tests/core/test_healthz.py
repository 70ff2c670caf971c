import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_database(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
