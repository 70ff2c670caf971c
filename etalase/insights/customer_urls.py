"""Customer-intelligence pages under /manage/<slug>/insights/customers/ (namespace ``customer_insights``)."""

from django.urls import URLPattern, URLResolver, path

from etalase.insights import customer_views as views

app_name = "customer_insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/<slug:slug>/insights/customers/", views.rfm_page, name="rfm"),
    path("manage/<slug:slug>/insights/customers/loyalty/", views.loyalty_page, name="loyalty"),
    path("manage/<slug:slug>/insights/customers/matrix/", views.matrix_page, name="matrix"),
    path("manage/<slug:slug>/insights/customers/cohorts/", views.cohorts_page, name="cohorts"),
]
