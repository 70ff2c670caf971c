"""The one way a service starts a side effect: a task enqueued after the transaction commits.

Services never enqueue directly and never use signals; if the transaction rolls back, nothing is
sent. Outside a transaction the callback runs at once.
"""

from typing import Any

from django.db import transaction
from django.tasks import Task


def on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
