"""Celery tasks: thin wrappers that take ids and call plain functions tests can call too."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .models import CourseLink, Outcome, collect
from .roster import RosterResult, sync_roster
from .services import PlatformError, send_score

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500


def passback_now(now=None) -> list[int]:
    """Collect the outcomes new grades changed, then queue every due one for sending."""
    now = now or timezone.now()
    changed = collect(now)
    due = list(Outcome.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:DISPATCH_BATCH])
    for pk in due:
        send_outcome.delay(pk)
    if changed or due:
        log.info("Grade passback: %d score(s) changed, %d queued to send", changed, len(due))
    return due


@shared_task(name="lti.tasks.passback")
def passback() -> int:
    return len(passback_now())


def send_outcome_now(outcome_id: int) -> Outcome | None:
    """Claim one due outcome and send it; a failure is recorded and retried later, never raised."""
    outcome = Outcome.claim(outcome_id)
    if outcome is None:
        return None
    try:
        send_score(outcome)
    except PlatformError as exc:
        delay = outcome.mark_failed(str(exc))
        log.warning("Grade passback of outcome %s failed (retry in %s): %s", outcome.pk, delay, exc)
    except Exception as exc:  # a bug must not strand the score: it is kept and retried like any failure
        log.exception("Grade passback of outcome %s crashed", outcome.pk)
        outcome.mark_failed(f"{type(exc).__name__}: {exc}")
    else:
        outcome.mark_sent()
    outcome.refresh_from_db()
    return outcome


@shared_task(name="lti.tasks.send_outcome")
def send_outcome(outcome_id: int) -> None:
    send_outcome_now(outcome_id)


def sync_roster_now(link_id: int) -> RosterResult | None:
    link = CourseLink.objects.select_related("context__deployment__registration", "cohort").filter(pk=link_id).first()
    return sync_roster(link) if link else None


@shared_task(name="lti.tasks.sync_roster")
def sync_roster_task(link_id: int) -> None:
    sync_roster_now(link_id)
