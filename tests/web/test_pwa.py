"""The installable shell: manifest, service worker, offline page."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def manifest(anonymous_client):
    response = anonymous_client.get(reverse("web:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    return json.loads(response.content)


def test_the_manifest_makes_an_installable_app(manifest):
    assert manifest["name"] == "Etalase"
    assert manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    assert manifest["scope"] == "/"


def test_the_manifest_has_192_512_and_maskable_icons_that_exist(manifest, anonymous_client):
    icons = manifest["icons"]
    sizes = {icon["sizes"] for icon in icons}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in icons)

    for icon in icons:
        response = anonymous_client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response["Content-Type"] == icon["type"]
        width, height = (int(number) for number in icon["sizes"].split("x"))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(body[16:20]), int.from_bytes(body[20:24])) == (width, height)


def test_the_manifest_start_url_and_shortcuts_open(manifest, client_for):
    browser = client_for(UserFactory())

    assert browser.get(manifest["start_url"]).status_code == 200
    for shortcut in manifest.get("shortcuts", []):
        assert browser.get(shortcut["url"]).status_code in (200, 302), shortcut["url"]


def test_the_manifest_speaks_the_language_of_the_reader(client_for):
    english = json.loads(client_for(None, language="en").get(reverse("web:manifest")).content)
    indonesian = json.loads(client_for(None, language="id").get(reverse("web:manifest")).content)

    assert (english["lang"], indonesian["lang"]) == ("en", "id")


@pytest.fixture
def service_worker(anonymous_client):
    return anonymous_client.get(reverse("web:service_worker"))


def test_the_service_worker_is_javascript_allowed_for_the_whole_site(service_worker):
    assert service_worker.status_code == 200
    assert service_worker["Content-Type"].startswith("text/javascript")
    assert service_worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in service_worker["Cache-Control"]


def test_the_service_worker_caches_the_offline_page_and_the_shell_files_exist(service_worker, anonymous_client):
    script = service_worker.content.decode()
    assert f'const OFFLINE_URL = "{reverse("web:offline")}"' in script
    shell = re.search(r"const SHELL = \[(.*?)\];", script, re.S)
    assert shell is not None
    listed = re.findall(r'"([^"]+)"', shell.group(1))
    assert "OFFLINE_URL" in shell.group(1)
    assert listed, "the shell lists its files"

    for url in listed:
        response = anonymous_client.get(url)
        assert response.status_code == 200, url


def test_everything_the_offline_page_loads_is_in_the_service_worker_cache(service_worker, anonymous_client):
    shell = re.search(r"const SHELL = \[(.*?)\];", service_worker.content.decode(), re.S)
    assert shell is not None
    cached = set(re.findall(r'"([^"]+)"', shell.group(1)))
    page = anonymous_client.get(reverse("web:offline")).content.decode()

    loaded = {url.split("#")[0] for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page)}

    assert loaded, "the offline page loads the shell's static files"
    assert loaded - cached == set(), "shown offline without these files"


def test_the_offline_page_answers(anonymous_client):
    response = anonymous_client.get(reverse("web:offline"))

    assert response.status_code == 200
    assert "You are offline" in response.content.decode()


def test_every_page_links_the_manifest_and_the_app_script(anonymous_client):
    page = anonymous_client.get(reverse("web:home")).content.decode()

    assert f'<link rel="manifest" href="{reverse("web:manifest")}">' in page
    assert f'data-sw="{reverse("web:service_worker")}"' in page
