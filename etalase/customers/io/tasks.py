from django.tasks import task

from etalase.customers.io.importer import import_run


@task()
def import_contacts(job_id: int) -> None:
    """Import a started job's rows (safe to retry: a job that is not running is left alone)."""
    import_run(job_id=job_id)
