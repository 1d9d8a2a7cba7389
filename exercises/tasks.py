"""Celery tasks: thin wrappers that take ids and call plain functions tests can call too.

The task names keep their historical `grader.tasks.` prefix so that messages already queued by
an older release are still understood.
"""

from __future__ import annotations

import logging
import re

from celery import shared_task
from django.conf import settings

from .models import Submission

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


def requeue_lost(broker_ids: set[int] | None = None) -> int:
    """Send again exactly the submissions whose grading message is gone, and no other.

    - Claims whose lease expired (their worker died) go back to the queue.
    - Queued submissions whose message never reached the broker (it was down) are sent now.
    - Queued submissions whose message the broker no longer holds (it restarted and lost its
      queues, or a worker died after taking it) are sent again.
    `broker_ids` are the submission ids with a message in the broker; it is read from the
    broker when not given, and when the broker cannot be inspected, only submissions queued
    for longer than the broker's redelivery timeout count as lost.
    """
    for submission in Submission.objects.lease_expired():
        if submission.release():
            log.warning("Submission %s: its worker's claim expired; back in the queue.", submission.pk)
    if broker_ids is None:
        broker_ids = broker_submission_ids()
    undispatched = set(Submission.objects.undispatched().values_list("pk", flat=True))
    if broker_ids is None:
        visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        lost = set(Submission.objects.queued_since(visibility).values_list("pk", flat=True))
    else:
        # A message just sent may be on its way to a worker: give it a few seconds.
        waiting = Submission.objects.queued_since(settings.GRADING_REQUEUE_GRACE_SECONDS)
        lost = set(waiting.exclude(pk__in=broker_ids).values_list("pk", flat=True))
    resent = [submission.pk for submission in Submission.objects.filter(pk__in=undispatched | lost) if submission.dispatch()]
    if resent:
        log.warning("Requeued %d submission(s) whose message was lost: %s", len(resent), resent)
    return len(resent)


@shared_task(name="grader.tasks.requeue_stuck")
def requeue_stuck() -> int:
    return requeue_lost()


GRADE_TASKS = {grade_submission.name, "teaching.tasks.regrade_submission"}
ARGS = re.compile(r"^\((\d+),\)$")


def broker_submission_ids() -> set[int] | None:
    """Submission ids with a grading message in the broker: waiting in a lane, or delivered to
    a worker and not yet acknowledged. None when the broker is not Redis or cannot be read."""
    from kombu.exceptions import OperationalError

    from mlcourse.celery import app

    if not app.conf.broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        return None
    try:
        with app.connection_for_read() as connection:
            client = connection.default_channel.client
            raw = [message for queue in settings.GRADING_QUEUES.values() for message in client.lrange(queue, 0, -1)]
            raw += client.hvals(connection.default_channel.unacked_key)
    except (OperationalError, OSError) as exc:
        log.warning("Could not read the broker's queues: %s", exc)
        return None
    return {pk for message in raw if (pk := _submission_id(message)) is not None}


def _submission_id(raw: bytes) -> int | None:
    import json

    try:
        message = json.loads(raw)
        if isinstance(message, list):  # unacked entries are [message, exchange, routing key]
            message = message[0]
        headers = message["headers"]
        match = ARGS.match(headers.get("argsrepr", "")) if headers.get("task") in GRADE_TASKS else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return int(match.group(1)) if match else None
