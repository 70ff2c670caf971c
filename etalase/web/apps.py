from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "etalase.web"
    label = "web"
