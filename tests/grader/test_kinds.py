"""The registry of answer kinds: a kind defined in one module (tests/fixtures/kinds/interval.py)
and registered here is loaded, graded, validated, authored and shown with no other change."""

import pytest
from django.urls import reverse

from exercises.models import Exercise, Module, Submission, Topic
from grader import engine, kinds
from teaching import exchange
from tests.fixtures.kinds.interval import IntervalKind

INTERVAL_EXERCISE = {
    "slug": "support",
    "title": "Where the density lives",
    "kind": "interval",
    "topics": ["t.support"],
    "statement": "On which interval is $p(x) = 1/2$ positive?",
    "interval": "[0, 2)",
}


@pytest.fixture
def interval_kind():
    kind = kinds.register(IntervalKind())
    yield kind
    kinds.unregister(kind.name)


@pytest.fixture
def module(db):
    module = Module.objects.create(slug="prob", title="Probability", order=1)
    Topic.objects.create(id="t.support", module=module, what="support")
    return module


@pytest.fixture
def interval_exercise(interval_kind, module, instructor):
    exercise, version, _ = exchange.save(exchange.read_data("support.yaml", INTERVAL_EXERCISE), module, by=instructor)
    exercise.publish(version, by=instructor, override_reason="fixture")
    return exercise


def test_it_knows_the_built_in_kinds():
    assert kinds.names() == ["code", "symbolic", "numeric", "choice"]
    assert kinds.get("code").prepares_cases and not kinds.get("numeric").prepares_cases


def test_it_loads_a_registered_kind_and_names_the_field_of_its_errors(interval_kind, module):
    item = exchange.read_data("support.yaml", INTERVAL_EXERCISE)
    assert item.spec == {"hints": [], "low": 0.0, "high": 2.0, "closed": [True, False]}
    with pytest.raises(kinds.ContentError) as caught:
        exchange.read_data("support.yaml", {**INTERVAL_EXERCISE, "interval": "[3, 1]"})
    assert caught.value.field == "interval" and caught.value.path == "support.yaml"


def test_it_refuses_an_unregistered_kind(module):
    with pytest.raises(kinds.ContentError) as caught:
        exchange.read_data("support.yaml", INTERVAL_EXERCISE)
    assert caught.value.field == "kind"


def test_it_grades_and_validates_through_the_registry(interval_kind):
    spec = {"low": 0.0, "high": 2.0, "closed": [True, False]}
    assert engine.grade("interval", spec, "[0, 2)").correct
    assert not engine.grade("interval", spec, "(0, 2]").correct
    unreadable = engine.grade("interval", spec, "zero to two")
    assert unreadable.score == 0 and "Write an interval" in unreadable.message
    assert all(check.ok for check in engine.validate("interval", spec))


def test_it_shows_and_grades_the_new_kind_for_a_learner(
    client, learner, interval_exercise, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    page = client.get(interval_exercise.get_absolute_url()).content.decode()
    assert "Interval" in page and "an interval such as [0, 2)" in page and 'placeholder="e.g. [0, 2)"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(interval_exercise.get_absolute_url(), {"answer": "[0, 2)"})
    assert response.status_code == 302
    submission = Submission.objects.get(learner=learner)
    assert submission.lane == Submission.Lane.ANSWERS
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.score == 1.0


def test_it_authors_the_new_kind_in_the_browser(client, instructor, interval_kind, module):
    client.force_login(instructor)
    page = client.get(reverse("teaching:exercise_new"), {"kind": "interval"}).content.decode()
    assert 'data-kind="interval"' in page and 'name="interval"' in page
    data = {
        "module": module.pk, "slug": "support", "title": "Support", "kind": "interval", "difficulty": "core",
        "points": 1, "topics": ["t.support"], "statement": "Where?", "interval": "(1, 3]",
    }  # fmt: skip
    response = client.post(reverse("teaching:exercise_new"), data)
    assert response.status_code == 302, response.context["form"].errors
    exercise = Exercise.objects.get(slug="support")
    assert exercise.kind == "interval" and exercise.latest_version.spec["closed"] == [False, True]
    assert "interval: (1, 3]" in exchange.export_exercise(exercise)
    response = client.post(reverse("teaching:exercise_new"), {**data, "slug": "other", "interval": "[3, 1]"})
    assert "must be an interval" in " ".join(response.context["form"].errors["interval"])
