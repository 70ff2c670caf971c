"""With REDIS_URL set, the cache (login throttling among other things) lives in Redis, shared by
every web process."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from etalase.accounts.services import user_signup

REDIS_URL = os.environ.get("ETALASE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    # Changing CACHES makes Django drop its cache connections, so the next use is Redis.
    with override_settings(CACHES=config):
        yield redis.Redis.from_url(REDIS_URL)
        caches["default"].clear()


@pytest.mark.django_db
def test_login_throttle_is_kept_in_redis(client, redis_cache):
    user_signup(phone="0813-1111-2222", password="kopi-gayo-88")
    for _ in range(5):
        response = client.post(reverse("accounts:login"), {"identifier": "081311112222", "password": "wrong-one"})
        assert response.status_code == 401
    # The failures are in Redis, not in this client: a fresh client from the same address is refused too.
    assert any(b"throttle:" in key for key in redis_cache.keys("*"))
    other = client.__class__()
    response = other.post(reverse("accounts:login"), {"identifier": "+6281311112222", "password": "kopi-gayo-88"})
    assert response.status_code == 429
    assert "Coba lagi dalam" in response.content.decode() or "Try again in" in response.content.decode()
