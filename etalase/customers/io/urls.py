from django.urls import URLPattern, URLResolver

app_name = "customers_io"

urlpatterns: list[URLPattern | URLResolver] = []
