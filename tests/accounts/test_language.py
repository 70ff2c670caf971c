"""Choosing Bahasa Indonesia or English: a cookie for everyone, the saved language for members."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

LANGUAGE = reverse("accounts:language")


def html_lang(response) -> str:
    content = response.content.decode()
    start = content.index("<html lang=") + len('<html lang="')
    return content[start : content.index('"', start)]


@pytest.mark.django_db
def test_without_a_choice_pages_are_in_indonesian(client_for):
    assert html_lang(client_for(None, language=None).get(reverse("web:home"))) == "id"


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english(client_for):
    browser = client_for(None, language=None)

    assert html_lang(browser.get(reverse("web:home"), headers={"accept-language": "en-GB,en"})) == "en"


@pytest.mark.django_db
def test_a_member_switches_to_english_and_back(client_for):
    user = UserFactory(language="id")
    browser = client_for(user, language=None)
    assert html_lang(browser.get(reverse("web:me"))) == "id"

    response = browser.post(LANGUAGE, {"language": "en", "next": reverse("web:discover")})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:discover")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    assert html_lang(browser.get(reverse("web:me"))) == "en"

    browser.post(LANGUAGE, {"language": "id"})

    user.refresh_from_db()
    assert user.language == "id"
    assert html_lang(browser.get(reverse("web:me"))) == "id"


@pytest.mark.django_db
def test_the_saved_language_comes_back_at_the_next_login(client_for):
    user = UserFactory(email="sari@example.com", language="id")
    first = client_for(user, language=None)
    first.post(LANGUAGE, {"language": "en"})

    fresh_browser = client_for(None, language=None)
    response = fresh_browser.post(
        reverse("accounts:login"), {"identifier": "sari@example.com", "password": "kopi-gayo-88"}
    )

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(fresh_browser.get(reverse("web:home"))) == "en"


@pytest.mark.django_db
def test_a_visitor_can_choose_a_language_without_an_account(client_for):
    browser = client_for(None, language=None)

    response = browser.post(LANGUAGE, {"language": "en"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(browser.get(reverse("web:home"))) == "en"


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_changes_nothing(client_for):
    user = UserFactory(language="id")
    browser = client_for(user, language="en")

    response = browser.post(LANGUAGE, {"language": "fr"}, follow=True)

    assert "Choose Bahasa Indonesia or English." in response.content.decode()
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "id"


@pytest.mark.django_db
def test_the_language_form_does_not_redirect_to_another_site(client_for):
    response = client_for(None).post(LANGUAGE, {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == reverse("web:me")


@pytest.mark.django_db
def test_choosing_a_language_takes_a_post(client_for):
    assert client_for(None).get(LANGUAGE).status_code == 405
