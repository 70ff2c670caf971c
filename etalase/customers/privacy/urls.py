from django.urls import URLPattern, URLResolver

app_name = "customers_privacy"

urlpatterns: list[URLPattern | URLResolver] = []
