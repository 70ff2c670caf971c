from django.urls import URLPattern, URLResolver, path

from etalase.customers.io import views

app_name = "customers_io"

urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/<slug:slug>/customers/import/", views.import_upload_page, name="import"),
    path("manage/<slug:slug>/customers/import/<id:job_id>/", views.import_job_page, name="import_job"),
    path("manage/<slug:slug>/customers/import/<id:job_id>/progress", views.import_progress, name="import_progress"),
    path("manage/<slug:slug>/customers/import/<id:job_id>/report.csv", views.import_report, name="import_report"),
    path("manage/<slug:slug>/customers/export.csv", views.export_csv, name="export_csv"),
    path("manage/<slug:slug>/customers/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
