from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.insights import views

app_name = "insights"
urlpatterns = [
    path("manage/<slug:slug>/insights/", views.insights_page, name="page"),
    path("manage/<slug:slug>/insights/panel/", views.panel, name="panel"),
    path("manage/<slug:slug>/insights/products/<id:product_id>/", views.product_page, name="product"),
]
