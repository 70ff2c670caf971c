from django.tasks import task

from etalase.activity.services import activity_process


@task()
def process_activity(activity_id: int) -> None:
    activity_process(activity_id=activity_id)
