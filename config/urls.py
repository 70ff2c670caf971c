from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api
from etalase.core.media import public_media
from etalase.core.views import healthz

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("etalase.accounts.urls")),
    path("", include("etalase.catalog.urls")),
    path("", include("etalase.engagement.urls")),
    path("", include("etalase.notifications.urls")),
    path("", include("etalase.insights.urls")),
    path("", include("etalase.insights.customer_urls")),
    path("", include("etalase.orders.urls")),
    path("", include("etalase.customers.urls")),
    path("", include("etalase.customers.io.urls")),
    path("", include("etalase.customers.privacy.urls")),
    path("", include("etalase.directory.urls")),
    path("", include("etalase.web.urls")),
]

if settings.MEDIA_URL.startswith("/") and settings.MEDIA_URL != "/":
    # In every mode, DEBUG or not: public pictures only (etalase/core/media.py); private files have no URL.
    urlpatterns.insert(1, path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_media, name="media"))
