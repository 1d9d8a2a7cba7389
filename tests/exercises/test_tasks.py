"""Grading through the tasks: claims, lost messages, and a real Celery worker against Redis
(REDIS_URL in CI, else a private redis-server) and the test database."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise, Submission
from exercises.tasks import broker_submission_ids, grade_submission, grade_submission_now, requeue_lost
from mlcourse.celery import app as celery_app
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG

ROOT = Path(__file__).resolve().parents[2]

# Burns about 0.3 s of CPU per case: slow, but within its time budget.
SIGMOID_SLOW = """
import time
import numpy as np

def sigmoid(z):
    started = time.process_time()
    while time.process_time() - started < 0.3:
        pass
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))
"""


def holding(*pks):
    """What the broker holds: grading messages for these submissions."""
    return {grade_submission.name: set(pks)}


def queued(learner, slug, answer, **fields):
    exercise = Exercise.objects.get(slug=slug)
    return Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer=answer, **fields
    )


@pytest.mark.django_db
def test_it_grades_a_claimed_submission_once_even_if_the_task_runs_twice(course, learner):
    submission = queued(learner, "sigmoid", SIGMOID_RIGHT)
    assert grade_submission_now(submission.pk) is not None
    finished = Submission.objects.get(pk=submission.pk).finished_at
    assert grade_submission_now(submission.pk) is None  # a redelivered message finds it taken
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.finished_at == finished and submission.claims == 1


@pytest.mark.django_db
def test_it_requeues_what_a_dead_worker_left_running(course, learner):
    submission = queued(learner, "sigmoid", SIGMOID_RIGHT)
    Submission.claim(submission.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Submission.objects.filter(pk=submission.pk).update(started_at=an_hour_ago, dispatched_at=an_hour_ago)
    assert requeue_lost(held={}) == 1  # eager in tests: requeued and graded at once
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.correct and submission.claims == 2


@pytest.mark.django_db
def test_it_requeues_only_what_the_broker_no_longer_holds(course, learner, other_learner):
    old = timezone.now() - timedelta(minutes=5)
    lost = queued(learner, "sigmoid", SIGMOID_WRONG, dispatched_at=old)
    waiting = queued(other_learner, "sigmoid", SIGMOID_WRONG, dispatched_at=old)
    fresh = queued(other_learner, "sigmoid", SIGMOID_WRONG, dispatched_at=timezone.now())
    assert requeue_lost(held=holding(waiting.pk)) == 1
    assert Submission.objects.get(pk=lost.pk).status == "graded"
    assert Submission.objects.get(pk=waiting.pk).status == "queued"  # its message is still in a lane
    assert Submission.objects.get(pk=fresh.pk).status == "queued"  # just sent: not lost yet
    assert requeue_lost(held=holding(waiting.pk)) == 0  # nothing is ever sent twice


@pytest.mark.django_db
def test_it_sends_at_once_what_could_not_reach_the_broker(course, learner):
    submission = queued(learner, "sigmoid", SIGMOID_RIGHT, dispatch_failed=True)
    assert requeue_lost(held={}) == 1
    submission.refresh_from_db()
    assert submission.status == "graded" and not submission.dispatch_failed


@pytest.mark.django_db
def test_it_puts_a_learners_second_pending_code_submission_in_the_backlog_lane(
    course, learner, other_learner, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    first = Submission.submit(learner, Exercise.objects.get(slug="sigmoid"), SIGMOID_RIGHT)
    second = Submission.submit(learner, Exercise.objects.get(slug="sigmoid"), SIGMOID_RIGHT)
    symbolic = Submission.submit(learner, Exercise.objects.get(slug="sigmoid-derivative"), "x")
    other = Submission.submit(other_learner, Exercise.objects.get(slug="sigmoid"), SIGMOID_RIGHT)
    assert [first.lane, second.lane, symbolic.lane, other.lane] == ["code", "backlog", "answers", "code"]


@pytest.mark.django_db
def test_it_puts_code_that_ran_out_of_time_before_in_the_backlog_lane(course, learner, submit):
    loop = "def sigmoid(z):\n    while True:\n        pass\n"
    stuck = submit(learner, "sigmoid", loop)
    assert stuck.timed_out and "Time limit exceeded" in stuck.feedback["message"]
    assert Submission.lane_for(learner, stuck.exercise, loop) == "backlog"  # the same loop again
    assert Submission.lane_for(learner, stuck.exercise, SIGMOID_RIGHT) == "code"  # fixed code is not held back


# --- a real worker ------------------------------------------------------------------------


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def publishing_to(broker_url, queue: str):
    """Point this process's Celery app at the real broker, with lanes of this test's own (tests
    on other xdist workers share CI's Redis). The app caches its connection and producer pools
    (eager runs in other tests create them for the memory:// broker), so they are dropped here
    and again afterwards; kombu hands out a live pool again for the same URL."""
    previous = celery_app.conf.broker_url
    lanes = {"code": queue, "backlog": f"{queue}-backlog", "answers": f"{queue}-answers"}

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
    saved = settings.GRADING_QUEUES
    settings.GRADING_QUEUES = lanes
    try:
        yield lanes
    finally:
        settings.GRADING_QUEUES = saved
        reset_pools()
        celery_app.conf.update(broker_url=previous)


@contextmanager
def celery_worker(redis_url, queue: str, **env):
    """A real `celery worker` process on this test's lanes (threads pool, as in production)."""
    lanes = f"{queue},{queue}-backlog,{queue}-answers"
    environment = dict(
        os.environ,
        DATABASE_URL=_database_url_for_worker(),
        REDIS_URL=redis_url,
        DEBUG="true",
        GRADING_QUEUE=queue,
        **env,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mlcourse", "worker", "-Q", lanes, "--loglevel", "warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def wait_until_graded(worker, seconds=60):
    deadline = time.monotonic() + seconds
    while Submission.objects.pending().exists() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)


def worker_log(worker) -> str:
    worker.terminate()
    return worker.communicate(timeout=20)[0].decode(errors="replace")[-3000:]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_grades_a_posted_submission_in_a_real_celery_worker(course, learner, client, redis_url):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(redis_url, queue) as worker, publishing_to(redis_url, queue) as lanes:
        client.force_login(learner)
        client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
        client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_WRONG})
        client.post(reverse("exercise", args=["sigmoid-derivative"]), {"answer": "1/(1 + exp(-x))^2"})
        assert broker_submission_ids() is not None  # the broker can be inspected for lost messages
        wait_until_graded(worker)
        right, wrong, symbolic = Submission.objects.order_by("pk")
        assert (right.status, right.correct) == ("graded", True), worker_log(worker)
        assert (wrong.status, wrong.correct, wrong.lane) == ("graded", False, "backlog")
        assert (symbolic.status, symbolic.correct, symbolic.lane) == ("graded", False, "answers")
        assert broker_submission_ids() & {right.pk, wrong.pk, symbolic.pk} == set()  # acknowledged
        assert lanes == settings.GRADING_QUEUES
    page = client.get(reverse("submission", args=[wrong.pk])).content.decode()
    assert "1 of 3 cases passed" in page
    page = client.get(reverse("submission", args=[symbolic.pk])).content.decode()
    assert "inner derivative is missing" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_does_not_let_one_learners_backlog_delay_another_learner(course, learner, other_learner, client, redis_url):
    """With one run at a time, a learner who queued five slow submissions delays another
    learner's Submit by about one run: the probe is graded before the flooder's third."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(redis_url, queue, GRADING_RUNS_IN_FLIGHT="1") as worker, publishing_to(redis_url, queue):
        client.force_login(learner)
        for _ in range(Submission.MAX_PENDING_PER_LEARNER):
            client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_SLOW})
        client.force_login(other_learner)
        client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
        wait_until_graded(worker, seconds=90)
    flooder = list(Submission.objects.filter(learner=learner).order_by("pk"))
    probe = Submission.objects.get(learner=other_learner)
    assert [s.status for s in flooder] == ["graded"] * 5 and probe.correct, worker_log(worker)
    assert probe.finished_at < flooder[2].finished_at
    assert [s.lane for s in flooder] == ["code"] + ["backlog"] * 4 and probe.lane == "code"


# --- outages ------------------------------------------------------------------------------


@contextmanager
def broker_down():
    """Grading messages go to a Redis that does not answer (nothing listens on port 1)."""
    previous = celery_app.conf.broker_url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.update(broker_url=previous)


@pytest.mark.django_db(transaction=True)
def test_it_saves_an_answer_and_says_so_while_the_broker_is_down(course, learner, client):
    client.force_login(learner)
    url = reverse("exercise", args=["sigmoid"])
    with broker_down():
        responses = [
            client.post(url, {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true")
            for _ in range(Submission.MAX_PENDING_PER_LEARNER + 2)
        ]
    # Every answer is kept and the learner is told; the outage does not lock them out.
    assert [r.status_code for r in responses] == [200] * (Submission.MAX_PENDING_PER_LEARNER + 2)
    assert "grading resumes when the grader is back" in responses[0].content.decode()
    assert Submission.objects.undispatched().count() == Submission.MAX_PENDING_PER_LEARNER + 2
    celery_app.conf.task_always_eager = True  # the broker is back
    assert requeue_lost(held={}) == Submission.MAX_PENDING_PER_LEARNER + 2
    assert set(Submission.objects.values_list("status", flat=True)) == {"graded"}


@pytest.mark.django_db(transaction=True)
def test_it_holds_the_pending_limit_under_concurrent_submits(course, learner, monkeypatch):
    import threading

    from django.db import connections

    exercise = Exercise.objects.get(slug="sigmoid")
    outcomes = []

    def submit():
        try:
            Submission.submit(learner, exercise, SIGMOID_RIGHT)
            outcomes.append("saved")
        except Submission.TooManyPending:
            outcomes.append("refused")
        finally:
            connections.close_all()

    # Messages are not sent (no worker here): the answers stay pending and count. 12 Submits
    # race against the limit of 5.
    monkeypatch.setattr(Submission, "dispatch", lambda self: True)
    threads = [threading.Thread(target=submit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == Submission.MAX_PENDING_PER_LEARNER
    assert Submission.objects.count() == Submission.MAX_PENDING_PER_LEARNER
