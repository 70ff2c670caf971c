"""Settings and security headers: production refuses unsafe settings; pages load nothing from elsewhere."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from etalase.directory.enums import Role
from tests.factories import MembershipFactory, UserFactory, registered_business

BASE_DIR = Path(__file__).resolve().parent.parent
GOOD_KEY = secrets.token_urlsafe(60)


def run_python(code: str, tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "ETALASE_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_"))
    }
    env.update({"ETALASE_DATA_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1", **environment})
    return subprocess.run(  # noqa: S603 - our own interpreter on our own code
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DEBUG": "1", "SECRET_KEY": GOOD_KEY}, "Production mode refuses to start with DEBUG on."),
        ({"DEBUG": "0"}, "Production mode needs a SECRET_KEY of at least 50 random characters."),
        (
            {"DEBUG": "0", "SECRET_KEY": "etalase-insecure-development-key-change-me"},
            "Production mode needs a SECRET_KEY of at least 50 random characters.",
        ),
        ({"DEBUG": "0", "SECRET_KEY": "short-key"}, "SECRET_KEY of at least 50 random characters"),
        ({"DEBUG": "0", "SECRET_KEY": "a" * 60}, "SECRET_KEY of at least 50 random characters"),
        ({"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ""}, "Production mode needs ALLOWED_HOSTS."),
    ],
    ids=["debug-on", "no-key", "insecure-default-key", "short-key", "one-letter-key", "no-hosts"],
)
def test_production_refuses_to_start_with_unsafe_settings(tmp_path, environment, message):
    environment = {"ALLOWED_HOSTS": "etalase.example", **environment}

    result = run_python("import config.settings", tmp_path, ETALASE_ENV="production", **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_starts_with_safe_settings_and_secures_cookies(tmp_path):
    code = (
        "import config.settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS)"
    )

    result = run_python(
        code,
        tmp_path,
        ETALASE_ENV="production",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="etalase.example",
    )

    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, hsts, ssl_redirect, hosts = result.stdout.strip().split(" ", 5)
    assert (debug, session_secure, csrf_secure, ssl_redirect) == ("False", "True", "True", "True")
    assert int(hsts) > 0
    assert hosts == "['etalase.example']"


@pytest.mark.parametrize(
    ("environment", "pooled"),
    [
        ({"ETALASE_ENV": "production", "DATABASE_URL": "postgres://db.example/etalase"}, "True"),
        ({"ETALASE_ENV": "production", "DATABASE_URL": "postgres://db.example/etalase", "DATABASE_POOL": "0"}, "False"),
        ({"ETALASE_ENV": "production", "DATABASE_URL": "sqlite:///etalase.sqlite3"}, "False"),
        ({"DATABASE_URL": "postgres://db.example/etalase"}, "False"),
    ],
    ids=["production-postgresql", "pool-turned-off", "sqlite", "development"],
)
def test_production_keeps_a_pool_of_postgresql_connections(tmp_path, environment, pooled):
    code = (
        "import config.settings as s; d = s.DATABASES['default']; "
        "print('pool' in d.get('OPTIONS', {}), d['CONN_MAX_AGE'])"
    )

    result = run_python(code, tmp_path, DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="etalase.example", **environment)

    assert result.returncode == 0, result.stderr
    has_pool, conn_max_age = result.stdout.split()
    assert has_pool == pooled
    assert conn_max_age == "0"  # the pool replaces persistent connections (they do not suit ASGI)


def test_production_passes_the_deployment_checks(tmp_path):
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings",
        ETALASE_ENV="production",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="etalase.example",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_development_mode_starts_with_no_configuration(tmp_path):
    result = run_python("import config.settings as s; print(s.DEBUG)", tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# --- what the browser is told and given -----------------------------------------------------------


class ResourceParser(HTMLParser):
    """Collects the addresses a page makes the browser load, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[tuple[str, str]] = []
        self.inline_scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for wanted_tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("use", "href")):
            if tag == wanted_tag and attributes.get(attribute):
                self.loaded.append((tag, attributes[attribute] or ""))
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts.append(attributes)


def parsed(response) -> ResourceParser:
    parser = ResourceParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def pages(db, client_for):
    """A few pages of each side, as the people who see them."""
    owner = UserFactory()
    business = registered_business(owner=owner)
    MembershipFactory(business=business, role=Role.CASHIER)
    anonymous = client_for(None)
    member = client_for(owner)
    return [
        (anonymous, reverse("web:home")),
        (anonymous, reverse("web:discover")),
        (anonymous, reverse("web:offline")),
        (anonymous, reverse("accounts:login")),
        (anonymous, reverse("accounts:signup")),
        (anonymous, reverse("catalog:storefront", args=[business.slug])),
        (member, reverse("web:me")),
        (member, reverse("accounts:tokens")),
        (member, reverse("directory:dashboard", args=[business.slug])),
        (member, reverse("directory:team", args=[business.slug])),
        (member, reverse("directory:business_register")),
    ]


def script_sources(policy: str) -> list[str]:
    for directive in policy.split(";"):
        name, *values = directive.split()
        if name == "script-src":
            return values
    raise AssertionError(f"no script-src in {policy!r}")


def test_the_content_security_policy_allows_no_inline_script(pages):
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        sources = script_sources(policy)
        assert "'unsafe-inline'" not in sources, url
        assert "'unsafe-eval'" not in sources, url
        assert "'self'" in sources
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy


def test_every_inline_script_carries_the_nonce_of_the_answer(pages):
    for browser, url in pages:
        response = browser.get(url)
        nonces = [source for source in script_sources(response["Content-Security-Policy"]) if "nonce-" in source]
        for attributes in parsed(response).inline_scripts:
            assert attributes.get("nonce"), f"an inline script without a nonce on {url}"
            assert f"'nonce-{attributes['nonce']}'" in nonces, url


def test_pages_load_nothing_from_another_site(pages):
    for browser, url in pages:
        loaded = parsed(browser.get(url)).loaded
        assert any(tag == "script" for tag, _ in loaded), url
        for tag, address in loaded:
            parts = urlsplit(address)
            # Absolute addresses are allowed only for the site itself (e.g. the canonical link).
            assert parts.netloc in ("", "testserver"), f"<{tag}> loads {address} on {url}"
            assert parts.path.startswith("/"), f"<{tag}> loads {address} on {url}"


def test_the_usual_security_headers_are_sent(pages):
    browser, url = pages[0]

    response = browser.get(url)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_out_of_reach_of_scripts(db, client_for):
    UserFactory(email="sari@example.com")
    response = client_for(None).post(
        reverse("accounts:login"), {"identifier": "sari@example.com", "password": "kopi-gayo-88"}
    )

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
