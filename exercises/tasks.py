"""Celery tasks: thin wrappers that take ids and call plain functions tests can call too.

The task names keep their historical `grader.tasks.` prefix so that messages already queued by
an older release are still understood.
"""

from __future__ import annotations

import json
import logging
import re

from celery import shared_task
from django.conf import settings

from .models import Regrading, Submission

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


def regrade_now(regrading_id: int) -> Regrading | None:
    """Claim and perform one regrading (a cohort regrade appends one per submission)."""
    regrading = Regrading.claim(regrading_id)
    if regrading is None:
        return None
    regrading.grade()
    return regrading


@shared_task(name="exercises.tasks.regrade")
def regrade(regrading_id: int) -> None:
    regrade_now(regrading_id)


READ_BROKER = object()


def requeue_lost(held: dict[str, set[int]] | object | None = READ_BROKER) -> int:
    """Send again exactly the gradings whose message is gone, and no other.

    - Claims whose lease expired (their worker died) go back to the queue.
    - Submissions whose message never reached the broker (it was down) are sent now.
    - Queued submissions and regradings whose message the broker no longer holds (it restarted
      and lost its queues) are sent again.
    `held` maps each grading task to the ids it has a message for in the broker, read from the
    broker by default. When the broker cannot be inspected (None), only what has been queued
    for longer than the broker's redelivery timeout counts as lost.
    """
    if held is READ_BROKER:
        held = broker_message_ids()
    resent = _requeue(
        Submission, Submission.objects.undispatched(), None if held is None else held.get(grade_submission.name, set())
    )
    resent += _requeue(Regrading, Regrading.objects.none(), None if held is None else held.get(regrade.name, set()))
    if resent:
        log.warning("Requeued %d grading(s) whose message was lost: %s", len(resent), resent)
    return len(resent)


def _requeue(model, undispatched, held: set[int] | None) -> list[str]:
    for expired in model.objects.lease_expired():
        if expired.release():
            log.warning("%s %s: its worker's claim expired; back in the queue.", model.__name__, expired.pk)
    if held is None:
        lost = model.objects.queued_since(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    else:
        # A message just sent may be on its way to a worker: give it a few seconds.
        lost = model.objects.queued_since(settings.GRADING_REQUEUE_GRACE_SECONDS).exclude(pk__in=held)
    candidates = model.objects.filter(
        pk__in={*undispatched.values_list("pk", flat=True), *lost.values_list("pk", flat=True)}
    )
    return [f"{model.__name__} {item.pk}" for item in candidates if item.dispatch()]


@shared_task(name="grader.tasks.requeue_stuck")
def requeue_stuck() -> int:
    return requeue_lost()


ARGS = re.compile(r"^\((\d+),\)$")


def broker_submission_ids() -> set[int] | None:
    found = broker_message_ids()
    return None if found is None else found[grade_submission.name]


def broker_message_ids() -> dict[str, set[int]] | None:
    """The ids in the broker's grading messages, by task: waiting in a lane, or delivered to a
    worker and not yet acknowledged. None when the broker is not Redis or cannot be read."""
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
    found = {grade_submission.name: set(), regrade.name: set()}
    for message in raw:
        task, pk = _task_and_id(message)
        if task in found and pk is not None:
            found[task].add(pk)
    return found


def _task_and_id(raw: bytes) -> tuple[str | None, int | None]:
    try:
        message = json.loads(raw)
        if isinstance(message, list):  # unacked entries are [message, exchange, routing key]
            message = message[0]
        headers = message["headers"]
        match = ARGS.match(headers.get("argsrepr", ""))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None, None
    return headers.get("task"), int(match.group(1)) if match else None
