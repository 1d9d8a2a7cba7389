"""Celery tasks: thin wrappers that take ids and call plain functions tests can call too."""

import logging

from celery import shared_task

from exercises.models import Submission

log = logging.getLogger(__name__)


def grade_submission_now(submission_id: int) -> Submission | None:
    """Claim and grade one submission; None when another worker has it or it is done."""
    submission = Submission.claim(submission_id)
    if submission is None:
        return None
    submission.grade()
    return submission


@shared_task(name="grader.tasks.grade_submission")
def grade_submission(submission_id: int) -> None:
    grade_submission_now(submission_id)


def requeue_stuck_submissions() -> int:
    """Queue again what the broker lost or a dead worker left running."""
    stuck = list(Submission.objects.stuck().values_list("pk", flat=True))
    for pk in stuck:
        Submission.objects.filter(pk=pk, status=Submission.Status.RUNNING).update(status=Submission.Status.QUEUED)
        grade_submission.delay(pk)
    if stuck:
        log.warning("Requeued %d stuck submission(s): %s", len(stuck), stuck)
    return len(stuck)


@shared_task(name="grader.tasks.requeue_stuck")
def requeue_stuck() -> int:
    return requeue_stuck_submissions()
