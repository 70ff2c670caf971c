"""The one way a service starts a side effect: a task enqueued after the transaction commits.

Services never enqueue directly and never use signals; if the transaction rolls back, nothing is
sent. Outside a transaction the callback runs at once.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import Task


def on_commit[**P, R](task: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
