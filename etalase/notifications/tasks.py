from django.tasks import task

from etalase.notifications.services import digest_send_due, notification_push


@task()
def push_notifications(notification_ids: list[int]) -> int:
    """Web push for these notifications (after commit; safe to retry: each is pushed once)."""
    return notification_push(notification_ids=notification_ids)


@task()
def send_digests() -> int:
    return digest_send_due()
