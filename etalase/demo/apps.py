from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "etalase.demo"
    label = "demo"
