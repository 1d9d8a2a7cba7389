"""Celery tasks for teaching: thin wrappers taking ids, calling functions tests can call too."""

from celery import shared_task

from .models import ValidationRun


def validate_version_now(run_id: int) -> ValidationRun | None:
    run = ValidationRun.claim(run_id)
    if run is not None:
        run.perform()
    return run


@shared_task(name="teaching.tasks.validate_version")
def validate_version(run_id: int) -> None:
    validate_version_now(run_id)


@shared_task(name="teaching.tasks.requeue_validations")
def requeue_validations() -> int:
    return ValidationRun.requeue_lost()
