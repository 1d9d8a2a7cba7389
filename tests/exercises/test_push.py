"""Verdicts pushed to the waiting page over Redis (REDIS_URL in CI, else a private
redis-server), and the polling it falls back to without a push channel."""

import asyncio
import threading
import time

import pytest
from django.urls import reverse

from exercises import push
from exercises.models import Exercise, Submission
from exercises.tasks import grade_submission_now
from tests.conftest import SIGMOID_RIGHT


@pytest.fixture
def push_channel(settings, redis_url):
    settings.VERDICT_PUSH_URL = redis_url.replace("redis+socket://", "unix://", 1)
    push._client = None
    yield
    push._client = None


def later(seconds, function, *args):
    thread = threading.Timer(seconds, function, args)
    thread.start()
    return thread


def test_it_wakes_a_waiting_page_when_the_verdict_is_announced(push_channel):
    async def pending():
        return True

    started = time.monotonic()
    timer = later(0.3, push.announce, 41)
    pushed = asyncio.run(push.wait_for_verdict(41, pending, timeout=30))
    timer.join()
    assert pushed and time.monotonic() - started < 10  # woken by the message, not the 30 s timeout


def test_it_does_not_wait_for_a_verdict_recorded_before_it_subscribed(push_channel):
    async def already_graded():
        return False

    started = time.monotonic()
    assert asyncio.run(push.wait_for_verdict(42, already_graded, timeout=30))
    assert time.monotonic() - started < 10


def test_it_falls_back_to_a_short_poll_without_a_push_channel(settings):
    settings.VERDICT_PUSH_URL = ""
    settings.VERDICT_POLL_SECONDS = 0.05

    async def pending():
        return True

    assert asyncio.run(push.wait_for_verdict(43, pending, timeout=30)) is False


def test_it_falls_back_to_a_short_poll_when_redis_is_unreachable(settings):
    settings.VERDICT_PUSH_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.VERDICT_POLL_SECONDS = 0.05

    async def pending():
        return True

    assert asyncio.run(push.wait_for_verdict(44, pending, timeout=30)) is False
    push.announce(44)  # and announcing to nobody is harmless


@pytest.mark.django_db(transaction=True)
def test_it_answers_the_long_poll_with_the_verdict_once_a_worker_records_it(course, learner, client, push_channel):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer=SIGMOID_RIGHT
    )
    client.force_login(learner)
    timer = later(0.5, grade_submission_now, submission.pk)
    response = client.get(reverse("submission", args=[submission.pk]) + "?wait=1", HTTP_HX_REQUEST="true")
    timer.join()
    body = response.content.decode()
    assert response.status_code == 200 and "verdict correct" in body and "?wait=1" not in body


@pytest.mark.django_db(transaction=True)
def test_it_answers_a_reconnecting_page_with_its_verdict_at_once(course, learner, client, push_channel, submit):
    graded = submit(learner, "sigmoid", SIGMOID_RIGHT)
    client.force_login(learner)
    response = client.get(reverse("submission", args=[graded.pk]) + "?wait=1", HTTP_HX_REQUEST="true")
    assert "verdict correct" in response.content.decode()


@pytest.mark.django_db
def test_it_returns_a_pending_fragment_that_asks_again_without_a_push_channel(course, learner, client, settings):
    settings.VERDICT_PUSH_URL = ""
    settings.VERDICT_POLL_SECONDS = 0.05
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer=SIGMOID_RIGHT
    )
    client.force_login(learner)
    response = client.get(reverse("submission", args=[submission.pk]) + "?wait=1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Queued" in body and 'hx-trigger="load, retry"' in body


@pytest.mark.django_db
def test_it_keeps_the_long_poll_to_the_submissions_owner(course, learner, other_learner, client):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer="x"
    )
    client.force_login(other_learner)
    assert (
        client.get(reverse("submission", args=[submission.pk]) + "?wait=1", HTTP_HX_REQUEST="true").status_code == 404
    )
