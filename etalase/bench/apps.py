from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "etalase.bench"
    label = "bench"
