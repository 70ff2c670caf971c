from django.urls import URLPattern, URLResolver, path

from etalase.customers import views

app_name = "customers"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/<slug:slug>/customers/", views.contact_list_page, name="list"),
    path("manage/<slug:slug>/customers/new/", views.contact_add, name="add"),
    path("manage/<slug:slug>/customers/<id:contact_id>/", views.contact_detail, name="detail"),
    path("manage/<slug:slug>/customers/<id:contact_id>/edit/", views.contact_edit, name="edit"),
]
