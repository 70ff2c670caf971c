from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/stream/", views.live_stream, name="stream"),
    path("notifications/unread/", views.unread_badge, name="unread_badge"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("notifications/<id:notification_id>/open/", views.open_notification, name="open"),
    path("notifications/<id:notification_id>/read/", views.mark_read, name="read"),
]
