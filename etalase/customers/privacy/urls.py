from django.urls import URLPattern, URLResolver, path

from etalase.customers.privacy import views

app_name = "customers_privacy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/privacy/", views.my_businesses, name="my_businesses"),
    path("me/privacy/<slug:slug>/", views.my_business, name="my_business"),
    path("me/privacy/<slug:slug>/download/", views.my_download, name="my_download"),
    path("me/privacy/<slug:slug>/consent/", views.my_consent, name="my_consent"),
    path("me/privacy/<slug:slug>/erase/", views.my_erase, name="my_erase"),
    path("manage/<slug:slug>/customers/audit/", views.audit_log, name="audit"),
    path("manage/<slug:slug>/customers/<id:contact_id>/erase/", views.contact_erase, name="contact_erase"),
]
