"""Personas and a small course for the teaching tests: two cohorts, each with an instructor
and learners, one module with a code exercise that has been graded for one learner."""

import pytest

from exercises.models import Module, Submission, Topic
from teaching import exchange
from teaching.models import Cohort
from tests.conftest import make_user

REFERENCE = """import numpy as np

def col_means(X):
    return np.asarray(X, dtype=float).mean(axis=0)
"""

CODE_EXERCISE = {
    "slug": "col-means",
    "title": "Column means",
    "kind": "code",
    "topics": ["t.means"],
    "statement": "Return the mean of each column of $X$.",
    "entry_point": "col_means",
    "starter": "def col_means(X):\n    raise NotImplementedError\n",
    "reference": REFERENCE,
    "cases": (
        "import numpy as np\n\n"
        "def cases(rng):\n"
        '    yield {"name": "3x2", "args": [np.array([[1.0, 2.0], [3.0, 5.0], [5.0, 11.0]])]}\n'
        '    yield {"name": "random", "args": [rng.normal(size=(4, 3))], "hidden": True}\n'
    ),
    "compare": {"method": "allclose"},
    "hints": ["Average down each column."],
}


@pytest.fixture
def module(db):
    module = Module.objects.create(slug="basics", title="Basics", order=1)
    Topic.objects.create(id="t.means", module=module, what="means")
    return module


@pytest.fixture
def other_instructor(db):
    return make_user("other-prof", instructor=True)


@pytest.fixture
def cohort(instructor, learner):
    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    cohort.enroll(learner)
    return cohort


@pytest.fixture
def other_cohort(other_instructor, other_learner):
    cohort = Cohort.objects.create(name="Autumn")
    cohort.instructors.add(other_instructor)
    cohort.enroll(other_learner)
    return cohort


@pytest.fixture
def exercise(module, instructor):
    """The instructor's exercise, published (through the gate's override: the tests here are
    about what happens afterwards)."""
    exercise, version, _ = exchange.save(exchange.read_data("col-means.yaml", CODE_EXERCISE), module, by=instructor)
    exercise.publish(version, by=instructor, override_reason="fixture")
    return exercise


def submit(learner, exercise, answer, django_capture_on_commit_callbacks):
    """Submit and grade at once (Celery runs tasks eagerly in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = Submission.submit(learner, exercise, answer)
    submission.refresh_from_db()
    return submission


@pytest.fixture
def graded(exercise, learner, other_learner, cohort, other_cohort, django_capture_on_commit_callbacks):
    """A transposed-style wrong answer then a right one by the learner, one wrong by the other."""
    wrong = "import numpy as np\ndef col_means(X):\n    return np.asarray(X, dtype=float).mean(axis=1)\n"
    first = submit(learner, exercise, wrong, django_capture_on_commit_callbacks)
    second = submit(learner, exercise, REFERENCE, django_capture_on_commit_callbacks)
    theirs = submit(other_learner, exercise, wrong, django_capture_on_commit_callbacks)
    return first, second, theirs


def login(client, user):
    client.force_login(user)
    return client
