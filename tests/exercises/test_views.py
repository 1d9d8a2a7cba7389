import pytest
from django.conf import settings
from django.urls import reverse

from exercises.models import QuizAttempt, Submission
from tests.conftest import PASSWORD, SIGMOID_RIGHT, SIGMOID_WRONG

pytestmark = pytest.mark.django_db


def post_answer(client, slug, answer, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("exercise", args=[slug]), {"answer": answer}, **headers)


def test_it_lists_modules_with_progress(course, learner_client, learner, submit):
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    page = learner_client.get("/").content.decode()
    assert "Activation Functions" in page and "Linear Algebra" in page
    assert "1/3" in page  # sigmoid solved out of sigmoid, relu and the derivative


def test_it_renders_the_lesson_math_as_mathml(course, client):
    page = client.get(reverse("module", args=["activations"])).content.decode()
    assert "<math" in page and "<mfrac>" in page
    assert "Sigmoid" in page and "ReLU" in page
    assert "Activations quiz" in page


def test_it_signs_up_and_logs_in_a_new_learner(client, db):
    response = client.post(reverse("signup"), {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "newbie"


def test_it_shows_the_editor_with_the_starter(course, learner_client):
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert "django-ace-widget" in page and "raise NotImplementedError" in page


def test_it_grades_a_correct_submission_and_shows_feedback(course, learner_client, django_capture_on_commit_callbacks):
    response = post_answer(learner_client, "sigmoid", SIGMOID_RIGHT, django_capture_on_commit_callbacks)
    submission = Submission.objects.get()
    assert response.status_code == 302 and f"submission={submission.pk}" in response["Location"]
    page = learner_client.get(response["Location"]).content.decode()
    assert "Correct." in page


def test_it_shows_per_case_feedback_with_input_expected_and_got(course, learner_client, django_capture_on_commit_callbacks):
    post_answer(learner_client, "sigmoid", SIGMOID_WRONG, django_capture_on_commit_callbacks)
    submission = Submission.objects.get()
    page = learner_client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert "1 of 3 cases passed" in page
    assert "a few values" in page and "Expected" in page and "Got" in page and "entries differ" in page


def test_it_hides_the_input_and_values_of_hidden_cases(course, learner_client, django_capture_on_commit_callbacks):
    post_answer(learner_client, "sigmoid", SIGMOID_WRONG, django_capture_on_commit_callbacks)
    page = learner_client.get(reverse("submission", args=[Submission.objects.get().pk])).content.decode()
    assert "large logits" in page and "800" not in page


def test_it_trims_the_traceback_to_the_learners_code(course, learner_client, django_capture_on_commit_callbacks):
    answer = "def sigmoid(z):\n    return z / 0.0 + undefined_name\n"
    post_answer(learner_client, "sigmoid", answer, django_capture_on_commit_callbacks)
    page = learner_client.get(reverse("submission", args=[Submission.objects.get().pk])).content.decode()
    assert "NameError" in page and "line 2, in sigmoid" in page
    assert "child.py" not in page and "grader" not in page


def test_it_answers_htmx_with_a_polling_fragment(course, learner_client):
    response = learner_client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'hx-trigger="load delay:400ms"' in body  # queued: the fragment polls


def test_it_reports_a_syntax_error_as_a_graded_result(course, learner_client, django_capture_on_commit_callbacks):
    post_answer(learner_client, "sigmoid", "def sigmoid(z) return z", django_capture_on_commit_callbacks)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.GRADED and submission.score == 0
    assert "SyntaxError" in submission.feedback["message"]


def test_it_refuses_an_empty_answer_without_saving(course, learner_client):
    response = learner_client.post(reverse("exercise", args=["sigmoid"]), {"answer": "   "})
    assert response.status_code == 200 and "The answer is empty." in response.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_a_huge_answer_without_saving(course, learner_client):
    huge = "x = 1\n" * (settings.MAX_ANSWER_BYTES // 4)
    response = learner_client.post(reverse("exercise", args=["sigmoid"]), {"answer": huge})
    assert response.status_code == 200 and "too long" in response.content.decode()
    assert not Submission.objects.exists()


def test_it_answers_an_unknown_exercise_with_404(course, learner_client):
    assert learner_client.get(reverse("exercise", args=["no-such-thing"])).status_code == 404
    assert learner_client.post(reverse("exercise", args=["no-such-thing"]), {"answer": "x"}).status_code == 404


def test_it_sends_anonymous_submitters_to_log_in(course, client):
    response = client.post(reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Submission.objects.exists()


def test_it_hides_a_learners_submission_from_another_learner(course, learner, other_learner, client, submit):
    submission = submit(learner, "sigmoid", SIGMOID_RIGHT)
    client.force_login(other_learner)
    assert client.get(reverse("submission", args=[submission.pk])).status_code == 404
    assert SIGMOID_RIGHT.strip() not in client.get(reverse("exercise", args=["sigmoid"])).content.decode()


def test_it_hides_unpublished_exercises_from_learners(course, learner_client):
    from exercises.models import Exercise

    Exercise.objects.filter(slug="relu").update(published=False)
    assert learner_client.get(reverse("exercise", args=["relu"])).status_code == 404
    assert "ReLU" not in learner_client.get(reverse("module", args=["activations"])).content.decode()


def test_it_never_shows_the_reference_solution(course, learner_client):
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert "logaddexp" not in page


def test_it_runs_a_quiz_attempt_to_a_score(course, learner, learner_client, django_capture_on_commit_callbacks):
    response = learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    assert response["Location"] == attempt.get_absolute_url()
    page = learner_client.get(attempt.get_absolute_url()).content.decode()
    assert "What is" in page and "Compute" in page
    from exercises.models import Exercise

    choice, numeric = Exercise.objects.get(slug="relu-choice"), Exercise.objects.get(slug="sigmoid-zero")
    with django_capture_on_commit_callbacks(execute=True):
        learner_client.post(reverse("quiz_answer", args=[attempt.pk, "relu-choice"]), {f"q{choice.pk}-answer": "0"})
        learner_client.post(reverse("quiz_answer", args=[attempt.pk, "sigmoid-zero"]), {f"q{numeric.pk}-answer": "0.5"})
    attempt.refresh_from_db()
    assert attempt.score == 1.0
    assert "100%" in learner_client.get(reverse("quiz", args=["activations"])).content.decode()


def test_it_refuses_a_second_answer_to_a_quiz_question(course, learner, learner_client, django_capture_on_commit_callbacks):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    from exercises.models import Exercise

    choice = Exercise.objects.get(slug="relu-choice")
    with django_capture_on_commit_callbacks(execute=True):
        for answer in ("1", "0"):
            learner_client.post(reverse("quiz_answer", args=[attempt.pk, "relu-choice"]), {f"q{choice.pk}-answer": answer})
    assert attempt.submissions.count() == 1


def test_it_keeps_quiz_attempts_private(course, learner, other_learner, client):
    attempt = QuizAttempt.start(learner, course_module("activations"))
    client.force_login(other_learner)
    assert client.get(attempt.get_absolute_url()).status_code == 404


def course_module(slug):
    from exercises.models import Module

    return Module.objects.get(slug=slug)


@pytest.mark.parametrize("shown", ["²", "-1", "0", "1.5", "99999999999999999999999", "1\x00"])
def test_it_ignores_a_submission_query_that_is_not_a_plain_id(course, learner_client, shown):
    response = learner_client.get(reverse("exercise", args=["sigmoid"]), {"submission": shown})
    assert response.status_code == 200 and response.context["submission"] is None
