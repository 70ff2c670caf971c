"""Settings for the test suite: the real settings, with tasks run at once on commit and fast hashing.

``DATABASE_URL`` chooses SQLite (default) or PostgreSQL exactly as in production.
"""

import os

os.environ.setdefault("ETALASE_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

from config.settings import *  # noqa: E402,F403
from config.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS  # noqa: E402

# Background tasks (imports, web push) run at once when enqueued.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Argon2 stays the production hasher (a test checks it); tests hash quickly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
MEDIA_ROOT = DATA_DIR / "media"  # noqa: F405
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"  # noqa: F405
LOGIN_THROTTLE = {"window_seconds": 900, "per_account": 5, "per_ip": 20}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared in-memory database: the browser tests' live server answers requests in
    # several threads at once (the page, its badge poll, the live stream), and each thread needs its
    # own SQLite connection. A single shared in-memory connection used from two threads fails.
    # One file per test run, so two runs side by side never share it; Django deletes it at the end.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# The activity pipeline: each activity is processed at once after commit, through the worker's own
# claim, ledger and retry code, so a test sees every handler's effect (docs/pipeline.md).
ACTIVITY_PROCESS_INLINE = True
