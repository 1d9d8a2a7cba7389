"""Faults injected into the real stack: a worker SIGKILLed mid-grade, Redis stopped and
restarted (it keeps nothing on disk, so queued messages are lost), and database connections
terminated. Each ends with nothing lost, nothing graded twice, nothing stuck, and no 500 shown
to the learner."""

import shutil
import signal
import subprocess
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from exercises.models import ExerciseProgress, Submission
from exercises.tasks import requeue_lost
from tests.conftest import SIGMOID_RIGHT
from tests.exercises.test_tasks import celery_worker, publishing_to

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Sleeps in its first case: a window in which to kill the worker grading it.
SIGMOID_SLEEPY = """
import time
import numpy as np

def sigmoid(z):
    if np.asarray(z).size == 1:
        time.sleep(0.5)
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))
"""
# Short limits make a claim's lease (2 x 2 + 10 s) and Redis's redelivery (2 x 2 + 20 s) short.
FAST_RECOVERY = {"GRADING_WALL_SECONDS_MAX": "2"}


def settle(worker, seconds=60, beat=True):
    """Wait until nothing is pending, running requeue_lost every second as beat would."""
    deadline = time.monotonic() + seconds
    while Submission.objects.pending().exists() and time.monotonic() < deadline:
        if beat:
            requeue_lost()
        time.sleep(1)


def assert_all_graded_once(expected: int) -> None:
    submissions = list(Submission.objects.all())
    assert len(submissions) == expected  # nothing lost
    assert [s.status for s in submissions] == ["graded"] * expected  # nothing stuck
    for submission in submissions:
        progress = ExerciseProgress.objects.get(learner=submission.learner, exercise=submission.exercise)
        graded = Submission.objects.filter(learner=submission.learner, exercise=submission.exercise, status="graded")
        assert progress.attempts == graded.count()  # nothing counted twice


def test_it_regrades_what_a_killed_worker_was_grading(course, learner, client, redis_url, settings):
    settings.GRADING_WALL_SECONDS_MAX = 2  # the same lease as the workers'
    queue = f"test-{uuid.uuid4().hex[:8]}"
    client.force_login(learner)
    with publishing_to(redis_url, queue):
        with celery_worker(redis_url, queue, **FAST_RECOVERY) as worker:
            response = client.post(
                reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_SLEEPY}, HTTP_HX_REQUEST="true"
            )
            assert response.status_code == 200
            deadline = time.monotonic() + 30
            while not Submission.objects.filter(status="running").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.1)  # now in the learner's sleep
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        assert Submission.objects.get().status == "running"
        with celery_worker(redis_url, queue, **FAST_RECOVERY) as worker:
            settle(worker, seconds=90)
    submission = Submission.objects.get()
    assert submission.correct and submission.claims == 2
    assert submission.dispatches == 1  # Redis gave the message back; nothing was sent twice
    assert_all_graded_once(1)


@pytest.fixture
def restartable_redis(tmp_path):
    """A private redis-server that the test may stop and start again on the same socket."""
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("no redis-server to start")
    socket_path = tmp_path / "redis.sock"
    command = [
        server,
        "--port",
        "0",
        "--unixsocket",
        str(socket_path),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]

    class Redis:
        url = f"redis+socket://{socket_path}"
        process = None

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            for _ in range(100):
                if socket_path.exists():
                    return
                time.sleep(0.05)

        def stop(self):
            self.process.terminate()
            self.process.wait()
            socket_path.unlink(missing_ok=True)

    redis = Redis()
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.stop()


def test_it_loses_nothing_when_redis_stops_and_comes_back_empty(
    course, learner, other_learner, client, restartable_redis
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    url = reverse("exercise", args=["sigmoid"])
    with publishing_to(restartable_redis.url, queue):
        client.force_login(learner)
        queued_before = client.post(url, {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true")  # no worker yet
        restartable_redis.stop()  # ... and its message goes with it
        client.force_login(other_learner)
        during = [client.post(url, {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true") for _ in range(3)]
        page = client.get(reverse("exercise", args=["sigmoid"]))
        restartable_redis.start()
        with celery_worker(restartable_redis.url, queue) as worker:
            settle(worker)
    assert queued_before.status_code == 200 and page.status_code == 200
    assert [r.status_code for r in during] == [200, 200, 200]
    assert all("grading resumes when the grader is back" in r.content.decode() for r in during)
    assert_all_graded_once(4)
    assert all(s.correct and s.claims == 1 for s in Submission.objects.all())


def test_it_survives_terminated_database_connections(course, learner, client, live_server, redis_url):
    if connection.vendor != "postgresql":
        pytest.skip("terminating server-side connections needs PostgreSQL")
    import httpx

    queue = f"test-{uuid.uuid4().hex[:8]}"
    # Only the connections this test's web server and worker open are terminated: a
    # connection the test process held before (other tests' threads) would break later tests.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        before = [pid for (pid,) in cursor.fetchall()]
    with publishing_to(redis_url, queue), celery_worker(redis_url, queue) as worker:
        browser = httpx.Client(base_url=live_server.url, follow_redirects=True)
        client.force_login(learner)
        browser.cookies.set("sessionid", client.cookies["sessionid"].value)
        assert browser.get("/exercises/sigmoid/").status_code == 200
        client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
        settle(worker, beat=False)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> ALL(%s)",
                [before],
            )
            assert cursor.fetchone()[0] >= 1  # the worker's connection, at least
        statuses = [browser.get(path).status_code for path in ("/exercises/sigmoid/", "/", "/modules/linear-algebra/")]
        client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
        settle(worker)
    assert statuses == [200, 200, 200]
    assert_all_graded_once(2)
