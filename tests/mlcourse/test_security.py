"""Request rate limits (django-ratelimit) on submit, quiz answer, preview, sign-up and login,
and login lockout (django-axes), through the test client as a learner or a visitor would."""

import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse

from exercises.models import Exercise, QuizAttempt, Submission
from mlcourse.security import client_ip
from tests.conftest import PASSWORD, SIGMOID_WRONG, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def request_from(remote_addr: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_it_takes_the_client_address_from_the_connection_by_default(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.9", forwarded="198.51.100.1")) == "203.0.113.9"


def test_it_takes_the_address_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry itself; the proxy appended the real one.
    assert client_ip(request_from("10.0.0.2", forwarded="1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2", forwarded="")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", forwarded="not-an-address")) == "0.0.0.0"


def test_it_refuses_submits_beyond_the_limit_with_a_429_fragment_for_htmx(
    course, learner_client, rate_limits, django_capture_on_commit_callbacks
):
    url = reverse("exercise", args=["sigmoid"])
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [learner_client.post(url, {"answer": SIGMOID_WRONG}, **HTMX).status_code for _ in range(3)]
    refused = learner_client.post(url, {"answer": SIGMOID_WRONG}, **HTMX)
    assert statuses == [200, 200, 429] and refused.status_code == 429
    assert refused["Retry-After"] == "60"
    fragment = refused.content.decode()
    assert "Too many requests" in fragment and "<html" not in fragment
    assert Submission.objects.count() == 2  # refused answers are not saved, nor counted as attempts
    assert learner_client.get(url).status_code == 200  # reading the page is never limited


def test_it_refuses_with_a_page_without_htmx(course, learner_client, rate_limits, django_capture_on_commit_callbacks):
    url = reverse("exercise", args=["sigmoid"])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            learner_client.post(url, {"answer": SIGMOID_WRONG})
    refused = learner_client.post(url, {"answer": SIGMOID_WRONG})
    assert (
        refused.status_code == 429
        and "<html" in refused.content.decode()
        and "Too many requests" in refused.content.decode()
    )


def test_it_counts_each_learner_on_their_own(
    course, learner_client, other_learner, client, rate_limits, django_capture_on_commit_callbacks
):
    url = reverse("exercise", args=["sigmoid"])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            learner_client.post(url, {"answer": SIGMOID_WRONG}, **HTMX)
        assert learner_client.post(url, {"answer": SIGMOID_WRONG}, **HTMX).status_code == 429
        client.force_login(other_learner)
        assert client.post(url, {"answer": SIGMOID_WRONG}, **HTMX).status_code == 200


def test_it_limits_one_address_across_learners(course, rate_limits, client, django_capture_on_commit_callbacks):
    rate_limits["submit"] = {"user": "100/m", "ip": "2/m"}
    url = reverse("exercise", args=["sigmoid"])
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("ann", "ben", "cat"):
            client.force_login(make_user(name))
            statuses.append(client.post(url, {"answer": SIGMOID_WRONG}, **HTMX).status_code)
    assert statuses == [200, 200, 429]


def test_it_shares_the_submit_limit_with_quiz_answers(
    course, learner, learner_client, rate_limits, django_capture_on_commit_callbacks
):
    attempt = QuizAttempt.start(learner, course_module())
    numeric = Exercise.objects.get(slug="sigmoid-zero")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            learner_client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_WRONG}, **HTMX)
        refused = learner_client.post(
            reverse("quiz_answer", args=[attempt.pk, "sigmoid-zero"]), {f"q{numeric.pk}-answer": "0.5"}
        )
    assert refused.status_code == 429 and not attempt.submissions.exists()


def test_it_limits_previews(course, learner_client, rate_limits):
    url = reverse("exercise_preview", args=["sigmoid-derivative"])
    statuses = [learner_client.post(url, {"answer": "x"}, **HTMX).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_it_limits_sign_ups_from_one_address(client, rate_limits):
    statuses = [
        client.post(
            reverse("signup"),
            {"username": f"new{n}", "email": f"new{n}@example.org", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_it_limits_login_attempts_per_username_whatever_its_spelling(client, learner, rate_limits):
    url = reverse("login")
    # Full-width letters read as the same name (NFKC), so they share the count.
    for username in ("ada", "ａｄａ", "ada"):
        assert client.post(url, {"username": username, "password": "wrong"}).status_code == 200
    assert client.post(url, {"username": "ada", "password": PASSWORD}).status_code == 429
    assert client.post(url, {"username": "bob", "password": "wrong"}).status_code == 200


def test_it_counts_in_redis_when_there_is_one(
    course, learner_client, rate_limits, settings, redis_url, django_capture_on_commit_callbacks
):
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": uuid.uuid4().hex}
    }
    url = reverse("exercise_preview", args=["sigmoid-derivative"])
    statuses = [learner_client.post(url, {"answer": "x"}, **HTMX).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_it_lets_requests_through_while_redis_is_down(course, learner_client, rate_limits, settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    url = reverse("exercise_preview", args=["sigmoid-derivative"])
    assert [learner_client.post(url, {"answer": "x"}, **HTMX).status_code for _ in range(3)] == [200, 200, 200]


# --- login lockout (django-axes) -----------------------------------------------------------------


def test_it_locks_a_username_out_after_five_wrong_passwords_from_one_address(client, learner, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "ada", "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": "ada", "password": "wrong"})
    assert (
        locked.status_code == 429
        and "Login locked" in locked.content.decode()
        and "15 minutes" in locked.content.decode()
    )
    # Even the right password is refused until the lockout ends...
    assert client.post(url, {"username": "ada", "password": PASSWORD}).status_code == 429
    # ...but only for that username from that address.
    make_user("cy")
    assert client.post(url, {"username": "cy", "password": PASSWORD}).status_code == 302
    assert client.post(url, {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_it_forgets_failures_after_a_successful_login(client, learner, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "ada", "password": "wrong"})
    assert client.post(url, {"username": "ada", "password": PASSWORD}).status_code == 302
    client.logout()
    assert client.post(url, {"username": "ada", "password": "wrong"}).status_code == 200


def course_module():
    from exercises.models import Module

    return Module.objects.get(slug="activations")


def test_it_refuses_an_overlong_username_before_it_reaches_the_lockout_records(client, learner):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "x" * 1000, "password": "wrong"})
    assert response.status_code == 200 and "at most 150 characters" in response.content.decode()
    # The admin's own login form has no such check: the record is cut to the column's size.
    client.post("/admin/login/", {"username": "y" * 1000, "password": "wrong"})
    assert [len(name) for name in AccessAttempt.objects.values_list("username", flat=True)] == [150]
