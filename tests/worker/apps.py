from django.apps import AppConfig


class WorkerTestsConfig(AppConfig):
    """Installed only in the worker processes these tests start (``tests.worker.settings``)."""

    name = "tests.worker"
    label = "worker_tests"

    def ready(self) -> None:
        from etalase.activity.registry import handler_register
        from tests.worker import handlers

        handler_register(handlers.effect, verbs=handlers.VERBS)
        handler_register(handlers.flaky, verbs=[handlers.FLAKY])
        handler_register(handlers.slow, verbs=[handlers.SLOW])
