import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exercises.models import Exercise, Submission
from grader.tasks import grade_submission_now, requeue_stuck_submissions
from mlcourse.celery import app as celery_app
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG

ROOT = Path(__file__).resolve().parents[2]


def queued(learner, slug, answer):
    exercise = Exercise.objects.get(slug=slug)
    return Submission.objects.create(learner=learner, exercise=exercise, version=exercise.current_version, answer=answer)


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
    Submission.objects.filter(pk=submission.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert requeue_stuck_submissions() == 1  # eager in tests: requeued and graded at once
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.correct


@pytest.mark.django_db
def test_it_requeues_a_submission_the_broker_lost(course, learner):
    submission = queued(learner, "sigmoid", SIGMOID_WRONG)
    Submission.objects.filter(pk=submission.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    assert requeue_stuck_submissions() == 1
    submission.refresh_from_db()
    assert submission.status == "graded" and not submission.correct


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_url(tmp_path):
    """REDIS_URL when set (CI), else a private redis-server; skip only when neither exists."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("no REDIS_URL and no redis-server to start")
    socket_path = tmp_path / "redis.sock"
    process = subprocess.Popen([server, "--port", "0", "--unixsocket", str(socket_path), "--save", "", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        if socket_path.exists():
            break
        time.sleep(0.05)
    yield f"redis+socket://{socket_path}"
    process.terminate()
    process.wait()


@contextmanager
def publishing_to(broker_url):
    """Point this process's Celery app at the real broker. The app caches its connection and
    producer pools (eager runs in other tests create them for the memory:// broker), so they are
    dropped here and again afterwards; kombu hands out a live pool again for the same URL."""
    previous = celery_app.conf.broker_url

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.update(broker_url=previous)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_grades_a_posted_submission_in_a_real_celery_worker(course, learner, client, redis_url):
    env = dict(os.environ, DATABASE_URL=_database_url_for_worker(), REDIS_URL=redis_url, DEBUG="true")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mlcourse", "worker", "--pool", "solo", "--loglevel", "warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        with publishing_to(redis_url):
            client.force_login(learner)
            client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
            client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_WRONG})
            client.post(reverse("exercise", args=["sigmoid-derivative"]), {"answer": "1/(1 + exp(-x))^2"})
        deadline = time.monotonic() + 60
        while Submission.objects.pending().exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        right, wrong, symbolic = Submission.objects.order_by("pk")
        assert (right.status, right.correct) == ("graded", True), worker_log(worker)
        assert (wrong.status, wrong.correct) == ("graded", False)
        assert (symbolic.status, symbolic.correct) == ("graded", False)
        page = client.get(reverse("submission", args=[wrong.pk])).content.decode()
        assert "1 of 3 cases passed" in page
        page = client.get(reverse("submission", args=[symbolic.pk])).content.decode()
        assert "inner derivative is missing" in page
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def worker_log(worker) -> str:
    worker.terminate()
    return worker.communicate(timeout=20)[0].decode(errors="replace")[-3000:]


def test_it_acknowledges_grading_late_so_a_dead_worker_loses_nothing():
    assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert celery_app.conf.broker_transport_options["visibility_timeout"] > 2 * settings.GRADING_WALL_SECONDS_MAX
