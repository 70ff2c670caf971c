"""Personal API tokens: shown once, stored as a SHA-256 digest, useless once revoked."""

import hashlib
import re

import pytest
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from etalase.accounts.models import ApiToken
from etalase.activity.models import Activity
from tests.factories import ApiTokenFactory, UserFactory

TOKENS = reverse("accounts:tokens")
SECRET = re.compile(r"etl_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def sari(db):
    return UserFactory(email="sari@example.com")


def bearer(secret: str) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}", "accept-language": "en"})


def create_on_the_page(browser, name: str) -> str:
    """Create a token on the page; return the secret the page shows."""
    response = browser.post(TOKENS, {"name": name}, follow=True)
    assert response.status_code == 200
    shown = SECRET.findall(response.content.decode())
    assert len(shown) == 1, "the new secret is shown exactly once"
    return shown[0]


def test_a_new_token_is_shown_once_and_never_again(client_for, sari):
    browser = client_for(sari)

    response = browser.post(TOKENS, {"name": "cashier tablet"}, follow=True)

    secrets_shown = SECRET.findall(response.content.decode())
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]
    assert "it will not be shown again" in response.content.decode()
    assert response["Cache-Control"] == "no-store"

    later = browser.get(TOKENS)
    assert later.status_code == 200
    assert secret not in later.content.decode()
    assert "cashier tablet" in later.content.decode()
    token = ApiToken.objects.get(user=sari)
    assert f"etl_{token.prefix}_" in later.content.decode()


def test_only_a_digest_of_the_secret_is_stored(client_for, sari):
    secret = create_on_the_page(client_for(sari), "accounting app")

    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in model_to_dict(token).values())
    assert secret not in stored
    assert secret[len("etl_") + 9 :] not in stored
    for activity in Activity.objects.all():
        assert secret not in str(activity.data)


def test_the_secret_never_rests_in_the_session_store(client_for, sari):
    """Between creating the token and the page that shows it, the secret must not sit in the database."""
    browser = client_for(sari)

    browser.post(TOKENS, {"name": "accounting app"})

    token = ApiToken.objects.get()
    for session in Session.objects.all():
        stored = str(session.get_decoded())
        assert f"etl_{token.prefix}_" not in stored, "the secret is kept in django_session"


def test_the_secret_works_as_a_bearer_token_on_the_api(client_for, sari):
    secret = create_on_the_page(client_for(sari), "accounting app")

    me = bearer(secret).get("/api/v1/me")

    assert me.status_code == 200
    assert me.json()["id"] == sari.pk
    assert me.json()["email"] == "sari@example.com"
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_needs_a_name(client_for, sari):
    response = client_for(sari).post(TOKENS, {"name": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_a_revoked_token_stops_working(client_for, sari):
    token = ApiTokenFactory(user=sari)
    assert bearer(token.secret).get("/api/v1/me").status_code == 200

    response = client_for(sari).post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = bearer(token.secret).get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert Activity.objects.filter(verb="api_token_revoked", actor=sari).count() == 1


def test_someone_elses_token_cannot_be_revoked(client_for, sari):
    token = ApiTokenFactory(user=UserFactory())

    response = client_for(sari).post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer etl_00000000_made-up-secret-made-up-secret-made-up",
        "Bearer not-even-a-token",
        "Bearer ",
        "Basic c2FyaTpwYXNzd29yZA==",
        "Bearer etl_" + "a" * 300,
    ],
)
def test_anything_but_a_live_token_is_401(db, header):
    response = Client(headers={"authorization": header}).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_account_stops_working(sari):
    token = ApiTokenFactory(user=sari)
    sari.is_active = False
    sari.save()

    assert bearer(token.secret).get("/api/v1/me").status_code == 401


def test_the_api_exchanges_credentials_for_a_token(db):
    sari = UserFactory(phone="+6281234567890")

    response = Client().post(
        "/api/v1/auth/token",
        {"identifier": "0812-3456-7890", "password": "kopi-gayo-88", "name": "android app"},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert SECRET.fullmatch(body["token"])
    assert body["name"] == "android app"
    assert ApiToken.objects.get(user=sari).digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert bearer(body["token"]).get("/api/v1/me").json()["id"] == sari.pk


def test_the_api_refuses_wrong_credentials_without_making_a_token(db):
    UserFactory(phone="+6281234567890")

    response = Client(headers={"accept-language": "en"}).post(
        "/api/v1/auth/token",
        {"identifier": "0812-3456-7890", "password": "wrong-password"},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"] == "The phone number/email or password is not correct."
    assert ApiToken.objects.count() == 0


def test_token_login_on_the_api_is_throttled_like_the_page(db):
    UserFactory(phone="+6281234567890")
    api = Client(headers={"accept-language": "en"})
    for _attempt in range(5):
        api.post(
            "/api/v1/auth/token",
            {"identifier": "0812-3456-7890", "password": "wrong-password"},
            content_type="application/json",
        )

    response = api.post(
        "/api/v1/auth/token",
        {"identifier": "0812-3456-7890", "password": "kopi-gayo-88"},
        content_type="application/json",
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert "Too many failed attempts" in response.json()["error"]["message"]
    assert ApiToken.objects.count() == 0


def test_tokens_are_listed_on_the_api_without_their_secrets(api_client_for, sari):
    made = ApiTokenFactory(user=sari, name="till")
    api = api_client_for(sari)

    response = api.get("/api/v1/me/tokens")

    assert response.status_code == 200
    listed = {item["name"]: item for item in response.json()}
    assert set(listed) == {"till", "test client"}
    assert "token" not in listed["till"]
    assert made.secret not in response.content.decode()


def test_a_token_created_and_revoked_on_the_api(api_client_for, sari):
    api = api_client_for(sari)

    created = api.post("/api/v1/me/tokens", {"name": "printer"}, content_type="application/json")
    assert created.status_code == 201
    secret = created.json()["token"]
    assert bearer(secret).get("/api/v1/me").status_code == 200

    revoked = api.delete(f"/api/v1/me/tokens/{created.json()['id']}")

    assert revoked.status_code == 204
    assert bearer(secret).get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get(pk=created.json()["id"]).revoked_at is not None


def test_a_session_write_to_the_api_without_the_csrf_token_is_refused(client_for, sari):
    browser = client_for(sari, enforce_csrf_checks=True)

    response = browser.post("/api/v1/me/tokens", {"name": "sneaky"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert ApiToken.objects.count() == 0


def test_a_session_write_with_the_csrf_token_is_accepted(client_for, sari):
    browser = client_for(sari, enforce_csrf_checks=True)
    browser.get(reverse("web:me"))
    csrf_token = browser.cookies["csrftoken"].value

    response = browser.post(
        "/api/v1/me/tokens",
        {"name": "from the web app"},
        content_type="application/json",
        headers={"x-csrftoken": csrf_token},
    )

    assert response.status_code == 201
    assert ApiToken.objects.get().name == "from the web app"


def test_a_session_read_needs_no_csrf_token(client_for, sari):
    response = client_for(sari, enforce_csrf_checks=True).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["id"] == sari.pk
