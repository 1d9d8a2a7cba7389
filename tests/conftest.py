import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from exercises.access import INSTRUCTORS_GROUP
from exercises.content import sync_course
from mlcourse.celery import app as celery_app

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
PASSWORD = "a-long-test-password"


def pytest_configure(config):
    # CI sets DATABASE_URL/REDIS_URL; a suite that silently fell back to SQLite would prove nothing.
    if os.environ.get("CI") and not os.environ.get("DATABASE_URL"):
        raise pytest.UsageError("CI must run with DATABASE_URL pointing at PostgreSQL.")


@pytest.fixture(autouse=True)
def eager_grading():
    """Grade in-process by default; the end-to-end worker test turns this off."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Request counts would carry over from test to test (a learner's id is reused once a test's
    transaction rolls back); tests of the limits themselves turn them back on."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def course(db):
    """A small two-module course (tests/fixtures/course): sigmoid, relu, its derivative, dot, a quiz."""
    sync_course(FIXTURE_COURSE)


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
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket_path), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if socket_path.exists():
            break
        time.sleep(0.05)
    yield f"redis+socket://{socket_path}"
    process.terminate()
    process.wait()


def make_user(username: str, *, instructor: bool = False) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if instructor:
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


@pytest.fixture
def learner(db):
    return make_user("ada")


@pytest.fixture
def other_learner(db):
    return make_user("bob")


@pytest.fixture
def instructor(db):
    return make_user("prof", instructor=True)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit through the model as the view does, running the on-commit grading task."""
    from exercises.models import Exercise, Submission

    def _submit(user, slug, answer, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            submission = Submission.submit(user, Exercise.objects.get(slug=slug), answer, **kwargs)
        submission.refresh_from_db()
        return submission

    return _submit


SIGMOID_RIGHT = """
import numpy as np

def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))
"""

SIGMOID_WRONG = """
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(z))
"""


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def page(live_server):
    """A page in Debian's headless Chromium (`make test` installs it; Playwright's own browser
    download cannot work offline). CI sets REQUIRE_BROWSER so that a missing browser fails."""
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django's async-safety
    # check refuse the test's own ORM calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
