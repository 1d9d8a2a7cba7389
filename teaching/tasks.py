"""Celery tasks for teaching: thin wrappers taking ids, calling functions tests can call too."""

from celery import shared_task

from exercises.tasks import grade_submission_now

from .models import ValidationRun, rebuild_progress


def validate_version_now(run_id: int) -> ValidationRun | None:
    run = ValidationRun.claim(run_id)
    if run is not None:
        run.perform()
    return run


@shared_task(name="teaching.tasks.validate_version")
def validate_version(run_id: int) -> None:
    validate_version_now(run_id)


def regrade_submission_now(submission_id: int):
    submission = grade_submission_now(submission_id)
    if submission is not None and submission.quiz_attempt_id is None:
        rebuild_progress(submission.learner_id, submission.exercise_id)
    return submission


@shared_task(name="teaching.tasks.regrade_submission")
def regrade_submission(submission_id: int) -> None:
    regrade_submission_now(submission_id)
