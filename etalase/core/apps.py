from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "etalase.core"
    label = "core"
