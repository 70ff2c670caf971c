from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.directory import views

app_name = "directory"
urlpatterns = [
    path("businesses/new/", views.business_register_view, name="business_register"),
    path("manage/", views.business_home, name="business_home"),
    path("manage/<slug:slug>/", views.dashboard, name="dashboard"),
    path("manage/<slug:slug>/inbox/", views.inbox, name="inbox"),
    path("manage/<slug:slug>/more/", views.more, name="more"),
    path("manage/<slug:slug>/profile/", views.profile, name="profile"),
    path("manage/<slug:slug>/team/", views.team, name="team"),
    path("manage/<slug:slug>/storefront/", views.storefront_edit, name="storefront_edit"),
    path("manage/<slug:slug>/storefront/qr.svg", views.storefront_qr, name="storefront_qr"),
    path("manage/<slug:slug>/storefront/print/", views.storefront_print, name="storefront_print"),
    path(
        "manage/<slug:slug>/team/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "manage/<slug:slug>/team/members/<id:membership_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "manage/<slug:slug>/team/members/<id:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "invitations/<id:invitation_id>/respond/",
        views.invitation_respond_view,
        name="invitation_respond",
    ),
]
