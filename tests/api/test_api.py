import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import connection

from api.models import AccessToken
from api.waiting import wait_for_verdict
from exercises.models import Exercise, Submission
from teaching.models import Cohort
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG, make_user


def error_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status
    return body["error"]


def test_it_refuses_requests_without_a_token(client, course):
    response = client.get("/api/modules")
    assert error_of(response, 401)["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_refuses_a_wrong_or_revoked_token(client, course, learner):
    token, secret = AccessToken.issue(learner, "old laptop")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token.revoke()
    error_of(client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}), 401)
    error_of(client.get("/api/me", headers={"Authorization": "Bearer mlc_not-a-token"}), 401)


def test_it_stores_only_the_tokens_digest(learner):
    token, secret = AccessToken.issue(learner, "laptop")
    stored = AccessToken.objects.filter(pk=token.pk).values().get()
    assert secret not in " ".join(str(value) for value in stored.values())
    assert AccessToken.authenticate(secret) == token


def test_it_says_whose_token_it_is(api, learner):
    body = api.get("/me").json()
    assert body["username"] == learner.username and body["is_instructor"] is False
    assert body["token"]["name"] == "laptop"


def test_it_lists_modules_with_the_learners_progress(api, course, learner, submit):
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    modules = {module["slug"]: module for module in api.get("/modules").json()}
    assert modules["activations"]["solved"] == 1 and modules["activations"]["exercises"] >= 2
    detail = api.get("/modules/activations").json()
    sigmoid = next(row for row in detail["problem_set"] if row["slug"] == "sigmoid")
    assert sigmoid["solved"] and sigmoid["best_score"] == 1.0 and sigmoid["attempts"] == 1


def test_it_shows_an_exercise_with_its_starter_and_signature(api, course):
    body = api.get("/exercises/sigmoid").json()
    assert body["kind"] == "code" and body["entry_point"] == "sigmoid" and body["signature"] == "sigmoid(z)"
    assert "raise NotImplementedError" in body["starter"]
    assert "<math" in body["statement_html"] and "\\sigma" in body["statement"]
    assert "reference" not in body and "cases" not in body


def test_it_hides_unpublished_exercises(api, course):
    Exercise.objects.filter(slug="sigmoid").update(published=False)
    assert error_of(api.get("/exercises/sigmoid"), 404)["code"] == "not_found"


def test_it_grades_a_submission_and_returns_the_feedback(api, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/exercises/sigmoid/submissions", {"answer": SIGMOID_WRONG})
    assert response.status_code == 202
    submitted = response.json()
    assert submitted["status"] == "queued" and submitted["pending"] and submitted["feedback"] is None
    later = api.get(f"/submissions/{submitted['id']}").json()
    assert later["status"] == "graded" and later["correct"] is False and later["score"] < 1
    failed = [case for case in later["feedback"]["cases"] if not case["passed"]]
    assert failed and failed[0]["message"] and failed[0]["message_html"]
    hidden = [case for case in later["feedback"]["cases"] if case["hidden"]]
    assert hidden and all(case["input"] is None and case["expected"] is None for case in hidden)


def test_it_refuses_an_empty_answer_in_the_error_shape(api, course):
    error = error_of(api.post("/exercises/sigmoid/submissions", {"answer": "   "}), 422)
    assert error["code"] == "invalid" and "empty" in error["message"]
    assert error_of(api.post("/exercises/sigmoid/submissions", {"wrong": 1}), 422)["details"]


def test_it_sends_quiz_questions_to_the_quiz(api, course):
    assert error_of(api.post("/exercises/relu-choice/submissions", {"answer": "0"}), 409)["code"] == "quiz_question"


def test_it_does_not_show_another_learners_submission(api, course, other_learner, submit):
    theirs = submit(other_learner, "sigmoid", SIGMOID_RIGHT)
    error_of(api.get(f"/submissions/{theirs.pk}"), 404)


def test_it_reports_the_learners_progress(api, course, learner, submit):
    submit(learner, "sigmoid", SIGMOID_WRONG)
    body = api.get("/progress").json()
    row = next(row for row in body["exercises"] if row["exercise"] == "sigmoid")
    assert row["attempts"] == 1 and row["solved"] is False


def test_it_limits_requests_per_token(client, course, learner, settings):
    settings.API_RATE_LIMIT = "3/min"
    first = AccessToken.issue(learner, "one")[1]
    second = AccessToken.issue(learner, "two")[1]
    for _ in range(3):
        assert client.get("/api/me", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    response = client.get("/api/me", headers={"Authorization": f"Bearer {first}"})
    assert error_of(response, 429)["code"] == "rate_limited" and int(response["Retry-After"]) > 0
    assert client.get("/api/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_it_shows_cohort_reports_to_their_instructors_only(client, course, learner, instructor, submit):
    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    cohort.enroll(learner)
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    secret = AccessToken.issue(instructor, "reports")[1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert [row["name"] for row in client.get("/api/cohorts", headers=headers).json()] == ["Spring"]
    report = client.get(f"/api/cohorts/{cohort.pk}", headers=headers).json()
    assert report["learners"] == 1 and report["learners_report"][0]["exercises"][0]["exercise"] == "sigmoid"
    exercise = client.get(f"/api/cohorts/{cohort.pk}/exercises/sigmoid", headers=headers).json()
    assert exercise["solved"] == 1 and exercise["success_rate"] == 1.0
    other = make_user("other-prof", instructor=True)
    other_headers = {"Authorization": f"Bearer {AccessToken.issue(other, 'x')[1]}"}
    error_of(client.get(f"/api/cohorts/{cohort.pk}", headers=other_headers), 404)
    learner_headers = {"Authorization": f"Bearer {AccessToken.issue(learner, 'y')[1]}"}
    error_of(client.get("/api/cohorts", headers=learner_headers), 404)


def test_it_serves_the_schema_and_its_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/exercises/{slug}/submissions" in schema["paths"]
    assert schema["components"]["securitySchemes"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_it_answers_unknown_api_paths_in_the_error_shape(client):
    assert error_of(client.get("/api/nothing/here"), 404)["code"] == "not_found"


@pytest.mark.django_db(transaction=True)
def test_it_waits_for_the_verdict_until_it_arrives(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer=SIGMOID_RIGHT
    )

    def grade_later():
        time.sleep(0.3)
        Submission.claim(submission.pk).grade()
        connection.close()

    started = time.monotonic()
    grader = threading.Thread(target=grade_later)
    grader.start()
    waited = async_to_sync(wait_for_verdict)(submission, 20)
    grader.join()
    assert waited.status == Submission.Status.GRADED and waited.correct
    assert 0.25 < time.monotonic() - started < 10


def test_it_stops_waiting_after_the_given_time(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer="x"
    )
    started = time.monotonic()
    assert async_to_sync(wait_for_verdict)(submission, 0.2).is_pending
    assert time.monotonic() - started < 2
