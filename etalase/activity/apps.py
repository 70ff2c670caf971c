from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "etalase.activity"
    label = "activity"
