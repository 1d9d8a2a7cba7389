import re

import pytest
from django.conf import settings
from django.urls import reverse

from exercises.forms import AnswerForm
from exercises.models import Exercise, Module, QuizAttempt, Submission
from grader import plots
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
    data = {"username": "newbie", "email": "newbie@example.org", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "newbie"
    assert client.get("/").context["user"].email == "newbie@example.org"


def test_it_asks_for_an_email_address_at_sign_up_once_per_account(client, db):
    data = {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD}
    page = client.post(reverse("signup"), data).content.decode()
    assert "This field is required" in page and 'type="email"' in page
    client.post(reverse("signup"), {**data, "email": "twin@example.org"})
    client.logout()
    page = client.post(reverse("signup"), {**data, "username": "other", "email": "TWIN@example.org"}).content.decode()
    assert "An account with this email address exists already" in page


def test_it_resets_a_forgotten_password_by_email(client, learner, mailoutbox):
    learner.email = "ada@example.org"
    learner.save()
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and "Forgot your password?" in page
    response = client.post(reverse("password_reset"), {"email": "ADA@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    (email,) = mailoutbox
    assert email.to == ["ada@example.org"] and "reset your password" in email.body
    link = next(line for line in email.body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password", "new_password2": "a-brand-new-password"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    logged_in = client.post(reverse("login"), {"username": "ada", "password": "a-brand-new-password"})
    assert logged_in.status_code == 302 and client.get("/").context["user"].username == "ada"
    assert "This link no longer works" in client.get(link, follow=True).content.decode()  # used once


def test_it_says_nothing_about_unknown_addresses_when_resetting(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mailoutbox


def test_it_shows_the_editor_with_the_starter(course, learner_client):
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert "django-ace-widget" in page and "raise NotImplementedError" in page


def test_it_grades_a_correct_submission_and_shows_feedback(course, learner_client, django_capture_on_commit_callbacks):
    response = post_answer(learner_client, "sigmoid", SIGMOID_RIGHT, django_capture_on_commit_callbacks)
    submission = Submission.objects.get()
    assert response.status_code == 302 and f"submission={submission.pk}" in response["Location"]
    page = learner_client.get(response["Location"]).content.decode()
    assert "Correct." in page


def test_it_shows_per_case_feedback_with_input_expected_and_got(
    course, learner_client, django_capture_on_commit_callbacks
):
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


def test_it_answers_htmx_with_a_fragment_that_waits_for_the_verdict(course, learner_client):
    response = learner_client.post(
        reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    pk = Submission.objects.get().pk
    assert "<html" not in body and f'hx-get="/submissions/{pk}/?wait=1"' in body and 'hx-trigger="load, retry"' in body
    assert 'id="form-errors"' in body and 'hx-swap-oob="true"' in body  # an earlier refusal is cleared


def test_it_shows_an_htmx_refusal_next_to_the_submit_button(course, learner_client):
    response = learner_client.post(reverse("exercise", args=["sigmoid"]), {"answer": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#form-errors" and response["HX-Reswap"] == "innerHTML"
    assert "The answer is empty." in response.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_a_sixth_pending_submission_visibly(course, learner, learner_client):
    exercise = Exercise.objects.get(slug="sigmoid")
    for _ in range(Submission.MAX_PENDING_PER_LEARNER):
        Submission.objects.create(learner=learner, exercise=exercise, version=exercise.current_version, answer="x")
    response = learner_client.post(
        reverse("exercise", args=["sigmoid"]), {"answer": SIGMOID_RIGHT}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 429 and response["HX-Retarget"] == "#form-errors"
    assert "still being graded" in response.content.decode()
    assert Submission.objects.count() == Submission.MAX_PENDING_PER_LEARNER


def test_it_states_the_time_limit_on_a_code_exercise(course, learner_client, submit, learner):
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert "Time limit: at most" in page  # before any grading: the exercise's cap
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert "Time limit: 0.5 s of CPU time per case" in page


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


def test_it_refuses_a_second_answer_to_a_quiz_question(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    from exercises.models import Exercise

    choice = Exercise.objects.get(slug="relu-choice")
    with django_capture_on_commit_callbacks(execute=True):
        for answer in ("1", "0"):
            learner_client.post(
                reverse("quiz_answer", args=[attempt.pk, "relu-choice"]), {f"q{choice.pk}-answer": answer}
            )
    assert attempt.submissions.count() == 1


def test_it_keeps_quiz_attempts_private(course, learner, other_learner, client):
    attempt = QuizAttempt.start(learner, course_module("activations"))
    client.force_login(other_learner)
    assert client.get(attempt.get_absolute_url()).status_code == 404


def course_module(slug):
    from exercises.models import Module

    return Module.objects.get(slug=slug)


def test_it_shows_nothing_of_a_hidden_case_to_a_learner_who_prints_and_raises(course, learner, client, submit):
    # A learner fishing for the hidden input: prints it, and raises with it in the message.
    answer = (
        "import sys\nimport numpy as np\n"
        "def sigmoid(z):\n"
        "    print('input', z.tolist())\n"
        "    sys.stderr.write(f'err {z.tolist()}')\n"
        "    if abs(z).max() > 100:\n"
        "        raise ValueError(f'peek {z.tolist()}')\n"
        "    return np.tanh(z)\n"
    )
    submission = submit(learner, "sigmoid", answer)
    client.force_login(learner)
    page = client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert "input [0.0]" in page  # a visible case's output is shown
    assert "800.0" not in page and "peek [" not in page  # (the answer itself is shown, so not just "peek")
    assert "Your function raised ValueError on line 7." in page
    assert "what your code printed during them is not shown" in page


def test_it_shows_an_instructor_everything_of_a_hidden_case(course, learner, instructor, client, submit):
    from teaching.models import Cohort

    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    cohort.enroll(learner)
    answer = "import numpy as np\ndef sigmoid(z):\n    print('input', z.tolist())\n    return np.tanh(z)\n"
    submit(learner, "sigmoid", answer)
    client.force_login(instructor)
    page = client.get(reverse("teaching:cohort_learner", args=[cohort.pk, learner.pk])).content.decode()
    assert "input [-800.0, 800.0]" in page


# --- quiz integrity ----------------------------------------------------------------------------


def answer_quiz(client, attempt, slug, value, django_capture_on_commit_callbacks):
    from exercises.models import Exercise

    exercise = Exercise.objects.get(slug=slug)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("quiz_answer", args=[attempt.pk, slug]), {f"q{exercise.pk}-answer": value})


def test_it_reveals_quiz_answers_only_when_the_attempt_closes(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    answer_quiz(learner_client, attempt, "relu-choice", "1", django_capture_on_commit_callbacks)  # wrong
    page = learner_client.get(attempt.get_absolute_url()).content.decode()
    assert "Answer saved." in page and "That is the identity" not in page and "verdict" not in page
    assert (
        '<span class="choice-text"><span class="math inline"><math alttext="-3"' in page
    )  # the choice's text with its math, not "[1]"
    answer_quiz(learner_client, attempt, "sigmoid-zero", "0.5", django_capture_on_commit_callbacks)
    page = learner_client.get(attempt.get_absolute_url()).content.decode()
    assert "Finished: score 67%" in page and "That is the identity" in page  # 2 of 3 points


def test_it_shows_quiz_feedback_per_answer_when_the_quiz_says_so(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    Module.objects.filter(slug="activations").update(quiz_feedback="per-answer")
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    answer_quiz(learner_client, attempt, "relu-choice", "1", django_capture_on_commit_callbacks)
    assert "That is the identity" in learner_client.get(attempt.get_absolute_url()).content.decode()


def test_it_finishes_an_attempt_with_blanks_only_after_confirmation(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    answer_quiz(learner_client, attempt, "relu-choice", "0", django_capture_on_commit_callbacks)
    page = learner_client.post(reverse("quiz_finish", args=[attempt.pk])).content.decode()
    assert "You left 1 question blank" in page
    attempt.refresh_from_db()
    assert attempt.finished_at is None
    learner_client.post(reverse("quiz_finish", args=[attempt.pk]), {"confirm": "1"})
    attempt.refresh_from_db()
    assert attempt.finished_at is not None and attempt.score == pytest.approx(1 / 3)  # 1 point of 3


def test_it_draws_each_quiz_attempt_its_own_variant(course, learner):
    from exercises.models import Exercise

    choice = Exercise.objects.get(slug="relu-choice")
    choice.add_version(
        choice.current_version.statement,
        {**choice.spec, "choices": [{"text": str(n), "correct": n == 0} for n in range(6)]},
        live=True,
    )
    symbolic = Exercise.objects.get(slug="sigmoid-derivative")
    symbolic.add_version("Take {{a}}.", {**symbolic.spec, "params": {"a": [1, 1000]}}, live=True)
    module = course_module("activations")
    attempts = [QuizAttempt.objects.create(learner=learner, module=module, number=n) for n in (1, 2, 3)]
    orders = {tuple(attempt.context_for(choice)["choice_order"]) for attempt in attempts}
    drawn = {attempt.context_for(symbolic)["params"]["a"] for attempt in attempts}
    assert len(orders) > 1 and len(drawn) > 1
    assert attempts[0].context_for(choice) == attempts[0].context_for(choice)  # stable within an attempt


def test_it_shows_a_quiz_question_with_this_attempts_parameters(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    from exercises.models import Exercise

    numeric = Exercise.objects.get(slug="sigmoid-zero")
    spec = {**numeric.spec, "params": {"a": [3, 3]}, "answer": {"value": "{{a}}", "atol": 0.001}}
    numeric.add_version("Type the number {{a}}.", spec, live=True)
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    page = learner_client.get(attempt.get_absolute_url()).content.decode()
    assert "Type the number 3." in page and "{{a}}" not in page


# --- plots in code feedback ------------------------------------------------------------------

MATMUL_WRONG = """
def matmul(A, B):
    rows, inner, cols = len(A), len(B), len(B[0])
    return [[sum(A[i][k] * B[k][j] for k in range(inner - 1)) for j in range(cols)] for i in range(rows)]
"""

MOMENTUM_WRONG = """
import numpy as np

def momentum_descent(A, b, w0, lr, beta, n_steps):
    w, v, path = np.array(w0, float), np.zeros(len(w0)), [np.array(w0, float)]
    for _ in range(n_steps):
        v = beta * v + (1 - beta) * (A @ w - b)
        w = w - lr * v
        path.append(w.copy())
    return np.array(path)
"""


def course_exercise(relative_path: str) -> Exercise:
    """An exercise of the built-in course, added to the fixture course (it is graded by the
    real sandbox against its own reference, like any other)."""
    from exercises.content import CONTENT_ROOT, read_exercise, read_syllabus

    topic_ids = {topic for module in read_syllabus(CONTENT_ROOT).values() for topic in module["topics"]}
    item = read_exercise(CONTENT_ROOT / relative_path, topic_ids)
    module = Module.objects.get(slug="linear-algebra")
    exercise = Exercise.objects.create(slug=item.slug, module=module, kind=item.kind, title=item.title)
    exercise.add_version(item.statement, item.spec, {**item.metadata(module.slug), "topics": []}, live=True)
    return exercise


def plot_of(client, submission, index):
    """The plot fragment the page asks for, checked to be a small, labelled SVG figure."""
    response = client.get(reverse("submission_plot", args=[submission.pk, index]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(
        r'<figure class="plot">(<svg role="img" aria-labelledby="([^"]+)" aria-describedby="([^"]+)".*</svg>)',
        html,
        re.S,
    )
    assert svg, html[:300]
    assert len(svg[1].encode()) < 30_000
    title = re.search(rf'<title id="{svg[2]}">([^<]+)</title>', svg[1])[1]
    desc = re.search(rf'<desc id="{svg[3]}">([^<]+)</desc>', svg[1])[1]
    assert f"<figcaption>{desc}</figcaption>" in html.replace("&#x27;", "'")
    return title, desc


def test_it_plots_a_failed_activation_case_when_the_page_asks(course, learner, learner_client, submit):
    submission = submit(learner, "sigmoid", SIGMOID_WRONG)
    page = learner_client.get(reverse("submission", args=[submission.pk])).content.decode()
    plot_url = reverse("submission_plot", args=[submission.pk, 1])
    assert f'hx-get="{plot_url}" hx-trigger="load"' in page  # the failed visible case draws at once
    assert 'hx-trigger="toggle once"' in page  # the passed one ("zero") on request
    title, desc = plot_of(learner_client, submission, 1)
    assert "Your sigmoid against the expected values" in title and "'a few values'" in title
    assert "6 of 7 values differ" in desc


def test_it_never_keeps_or_plots_a_hidden_case(course, learner, learner_client, submit):
    submission = submit(learner, "sigmoid", SIGMOID_WRONG)
    assert submission.plotted_cases == {0, 1}  # the hidden "large logits" case (2) is not kept at all
    assert 2 not in plots.kept_values(submission.returned)
    assert learner_client.get(reverse("submission_plot", args=[submission.pk, 2])).status_code == 404
    page = learner_client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert reverse("submission_plot", args=[submission.pk, 2]) not in page


def test_it_shows_a_plot_only_to_who_may_see_the_submission(course, learner, other_learner, client, submit):
    submission = submit(learner, "sigmoid", SIGMOID_WRONG)
    client.force_login(other_learner)
    assert client.get(reverse("submission_plot", args=[submission.pk, 1])).status_code == 404


def test_it_plots_the_error_of_a_failed_matrix_result(course, learner, learner_client, submit):
    course_exercise("linear-algebra/08-matmul.yaml")
    submission = submit(learner, "la-matmul", MATMUL_WRONG)
    assert not submission.correct and submission.plotted_cases == {0, 1}
    title, desc = plot_of(learner_client, submission, 0)
    assert "Error of your matmul" in title
    assert "A 2×2 grid of your result minus the expected one" in desc and "4 of 4 values differ" in desc


def test_it_plots_a_failed_optimisers_path_on_the_loss_contours(course, learner, learner_client, submit):
    course_exercise("optimization/16-momentum-quadratic.yaml")
    submission = submit(learner, "opt-momentum-quadratic", MOMENTUM_WRONG)
    assert not submission.correct
    title, desc = plot_of(learner_client, submission, 0)
    assert "Your iterates against the expected path" in title and "'narrow valley, beta = 0.7'" in title
    assert "on the contours of the loss ½wᵀAw − bᵀw" in desc and "Yours leaves it at step 1" in desc


def test_it_opens_a_plot_as_a_page_without_javascript(course, learner, learner_client, submit):
    submission = submit(learner, "sigmoid", SIGMOID_WRONG)
    page = learner_client.get(reverse("submission_plot", args=[submission.pk, 1])).content.decode()
    assert "<html" in page and '<figure class="plot"><svg role="img"' in page


@pytest.mark.parametrize("shown", ["²", "-1", "0", "1.5", "99999999999999999999999"])
def test_it_ignores_a_submission_query_that_is_not_a_plain_id(course, learner_client, shown):
    response = learner_client.get(reverse("exercise", args=["sigmoid"]), {"submission": shown})
    assert response.status_code == 200 and response.context["submission"] is None
    response = learner_client.get(reverse("exercise", args=["sigmoid"]), {"restore": shown})
    assert response.status_code == 200 and response.context["restored"] is None


def test_it_restores_a_past_submission_into_the_form(course, learner, learner_client, other_learner, submit):
    wrong = submit(learner, "sigmoid", SIGMOID_WRONG)
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    page = learner_client.get(reverse("exercise", args=["sigmoid"])).content.decode()
    assert (
        f'href="?restore={wrong.pk}#answer"' in page and f'data-answer-url="/submissions/{wrong.pk}/answer.txt"' in page
    )
    form = learner_client.get(reverse("exercise", args=["sigmoid"]), {"restore": wrong.pk}).context["form"]
    assert form["answer"].value() == SIGMOID_WRONG  # the latest (right) one otherwise
    text = learner_client.get(reverse("submission_answer", args=[wrong.pk]))
    assert text["Content-Type"].startswith("text/plain") and text.content.decode() == SIGMOID_WRONG
    theirs = submit(other_learner, "sigmoid", "def sigmoid(z):\n    return z\n")
    assert learner_client.get(reverse("submission_answer", args=[theirs.pk])).status_code == 404
    assert learner_client.get(reverse("exercise", args=["sigmoid"]), {"restore": theirs.pk}).status_code == 404


def test_it_restores_a_picked_choice(course, learner, learner_client, submit):
    numeric = submit(learner, "det-value", "4")
    form = learner_client.get(reverse("exercise", args=["det-value"]), {"restore": numeric.pk}).context["form"]
    assert form["answer"].value() == "4"
    assert AnswerForm(Exercise.objects.get(slug="relu-choice"), initial_answer="[1]").fields["answer"].initial == "1"


def test_it_shows_a_repeated_traceback_once(course, learner, learner_client, submit):
    submission = submit(learner, "sigmoid", "def sigmoid(z):\n    return undefined_name\n")
    page = learner_client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert page.count("line 2, in sigmoid") == 1  # the two visible cases' traceback, shown once
    assert "The same error on 2 cases: this one and" in page and "The same error as on case zero" in page


def test_it_answers_a_quiz_question_in_place_through_htmx(course, learner, learner_client):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    numeric = Exercise.objects.get(slug="sigmoid-zero")
    url = reverse("quiz_answer", args=[attempt.pk, "sigmoid-zero"])
    refused = learner_client.post(url, {f"q{numeric.pk}-answer": "a half"}, HTTP_HX_REQUEST="true")
    body = refused.content.decode()
    assert refused.status_code == 422 and "<html" not in body and f'id="q{numeric.pk}"' in body
    assert "is not a number" in body and 'value="a half"' in body and not attempt.submissions.exists()
    answered = learner_client.post(url, {f"q{numeric.pk}-answer": "0.5"}, HTTP_HX_REQUEST="true")
    body = answered.content.decode()
    assert answered.status_code == 200 and "Answer saved." in body
    assert (
        'id="quiz-status" class="quiz-status" role="status" hx-swap-oob="true"' in body
        and "1 of 2 questions answered" in body
    )
    again = learner_client.post(url, {f"q{numeric.pk}-answer": "0.7"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "You already answered this question" in again.content.decode()
    assert attempt.submissions.count() == 1


def test_it_shows_every_question_with_its_feedback_once_the_last_answer_closes_the_attempt(
    course, learner, learner_client, django_capture_on_commit_callbacks
):
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    numeric, choice = Exercise.objects.get(slug="sigmoid-zero"), Exercise.objects.get(slug="relu-choice")
    with django_capture_on_commit_callbacks(execute=True):
        learner_client.post(
            reverse("quiz_answer", args=[attempt.pk, "sigmoid-zero"]),
            {f"q{numeric.pk}-answer": "0.5"},
            HTTP_HX_REQUEST="true",
        )
    missing = learner_client.post(reverse("quiz_answer", args=[attempt.pk, "relu-choice"]), {}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 422 and "Pick one of the choices." in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        last = learner_client.post(
            reverse("quiz_answer", args=[attempt.pk, "relu-choice"]),
            {f"q{choice.pk}-answer": "1"},
            HTTP_HX_REQUEST="true",
        )
    assert "Finishing: the last answers are being graded." in last.content.decode()  # graded after this response
    assert f'hx-get="{reverse("quiz_attempt", args=[attempt.pk])}?part=status"' in last.content.decode()
    closed = learner_client.get(reverse("quiz_attempt", args=[attempt.pk]), {"part": "status"}, HTTP_HX_REQUEST="true")
    assert closed["HX-Retarget"] == "#quiz-questions" and closed["HX-Reswap"] == "outerHTML"
    body = closed.content.decode()
    assert "That is the identity" in body and "Finished: score 67%" in body  # 2 of 3 points


def test_it_refuses_an_unreadable_symbolic_quiz_answer_without_spending_the_question(course, learner, learner_client):
    symbolic = Exercise.objects.get(slug="sigmoid-derivative")
    symbolic.add_version(
        symbolic.current_version.statement, symbolic.spec, {**symbolic.metadata(), "in_quiz": True}, live=True
    )
    learner_client.post(reverse("quiz", args=["activations"]))
    attempt = QuizAttempt.objects.get(learner=learner)
    response = learner_client.post(
        reverse("quiz_answer", args=[attempt.pk, "sigmoid-derivative"]),
        {f"q{symbolic.pk}-answer": "e^(-x) /"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "ends with &#x27;/&#x27;" in response.content.decode()
    assert not attempt.submissions.exists()
